"""An administrator connects the intranet's request form: a service token, used, then revoked; a person
makes a personal token; the API documentation opens from OneVoice's own files."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from onevoice.planning.models import ContentRequest
from tests.browser.conftest import assert_accessible, shoot
from tests.browser.test_people import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_administrator_connects_the_intranet_form_with_a_service_token(
    page: Page, live_url: str, personas
) -> None:
    log_in(page, live_url, "admin@muster.example")
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("nav-api-tokens").click()
    expect(page.get_by_test_id("token-form")).to_be_visible()
    assert_accessible(page)

    # A slip first: no scope chosen. The name typed stays.
    page.locator("#kind-service").check()
    page.locator("#id_name").fill("Intranet-Anfrageformular")
    page.locator("#scope-posts-read").uncheck()
    page.get_by_test_id("token-form").locator("button[type=submit]").click()
    expect(page.locator("#id_name")).to_have_value("Intranet-Anfrageformular")
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    expect(page.locator("#service-only")).to_be_visible()
    assert_accessible(page)

    page.locator("#id_role").select_option("contributor")
    page.get_by_label("Personal", exact=True).check()
    page.locator("#scope-requests-write").check()
    page.get_by_test_id("token-form").locator("button[type=submit]").click()

    shown = page.get_by_test_id("new-token")
    expect(shown).to_be_visible()
    secret = page.locator("#token-secret").input_value()
    assert secret.startswith("ov_")
    expect(page.get_by_test_id("tokens-service")).to_contain_text("Intranet-Anfrageformular")
    assert_accessible(page)
    shoot(page, "api-tokens-created")

    # The intranet form files a request with it.
    response = page.request.post(
        f"{live_url}/api/v1/requests",
        headers={"Authorization": f"Bearer {secret}", "Accept-Language": "de"},
        data={"title": "Tag der Ausbildung", "department": str(personas.hr.public_id)},
    )
    assert response.status == 201, response.text()
    assert ContentRequest.objects.get().title == "Tag der Ausbildung"

    # Reloaded, the secret is gone for good; the last use is shown; revoking stops it at once.
    page.reload()
    expect(page.get_by_test_id("new-token")).to_have_count(0)
    row = page.get_by_test_id("tokens-service").locator("tr", has_text="Intranet-Anfrageformular")
    expect(row).to_contain_text("127.0.0.1")
    row.locator("button[type=submit]").click()
    expect(
        page.get_by_test_id("tokens-service").locator("tr", has_text="Intranet-Anfrageformular")
    ).to_contain_text("Zurückgezogen")
    shoot(page, "api-tokens-list")
    again = page.request.get(f"{live_url}/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert again.status == 401


def test_a_community_manager_makes_a_personal_token_and_reads_the_docs(
    page: Page, live_url: str, personas
) -> None:
    log_in(page, live_url, "cm@muster.example")
    page.goto(f"{live_url}/o/{personas.organization.slug}/api-tokens/")
    expect(page.locator("#kind-service")).to_have_count(0)  # service tokens are the administrators'
    expect(page.locator("#scope-audit-read")).to_be_disabled()  # a CM does not see the audit log
    page.locator("#id_name").fill("Mein Skript")
    page.locator("#scope-cases-write").check()
    page.get_by_test_id("token-form").locator("button[type=submit]").click()
    secret = page.locator("#token-secret").input_value()
    me = page.request.get(f"{live_url}/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.json()["acting_as"] == "Chris Community"
    shoot(page, "api-tokens-personal")

    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_url) else None)
    page.goto(f"{live_url}/api/v1/docs")
    expect(page.locator(".swagger-ui .information-container")).to_be_visible()
    expect(page.get_by_text("/api/v1/posts", exact=True).first).to_be_visible()
    assert outside == []
    shoot(page, "api-docs")
