"""The SMM sets up the plan: a campaign with its timeline, a blackout period that shows the posts it catches."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from onevoice.networks import services as channel_services
from onevoice.planning import services
from onevoice.planning import setup_services as setup
from onevoice.planning.models import BlackoutPeriod, Campaign, Post
from onevoice.planning.tests.conftest import BERLIN, later
from tests.browser.conftest import assert_accessible, shoot
from tests.browser.test_people import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def planned(personas) -> Post:
    newsroom = channel_services.channel_create_newsroom(
        actor=personas.smm, name="Newsroom", department=personas.marketing
    )
    karriere = channel_services.channel_create_newsroom(
        actor=personas.smm, name="Karriere-Feed", department=personas.hr
    )
    services.post_create(
        actor=personas.cm,
        title="Messe-Teaser",
        department=personas.marketing,
        channels=[newsroom],
        base_text="Bald!",
        publish_at=later(days=4, hour=9),
    )
    return services.post_create(
        actor=personas.cm,
        title="Produktlaunch",
        department=personas.marketing,
        channels=[newsroom, karriere],
        base_text="Unser neues Produkt ist da!",
        publish_at=later(days=10, hour=11),
    )


def test_the_smm_creates_a_campaign_and_a_blackout_period(
    page: Page, live_url: str, personas, planned: Post
) -> None:
    slug = personas.organization.slug
    log_in(page, live_url, "smm@muster.example")
    page.goto(f"{live_url}/o/{slug}/plan/campaigns/")
    page.locator(f'a[href="/o/{slug}/plan/campaigns/new/"]').click()
    start = later(days=1).date()
    page.locator("#id_name").fill("Frühjahrsoffensive")
    page.locator("#id_goal").fill("200 Anfragen aus dem Fachhandel")
    page.locator("#id_starts_on").fill(start.isoformat())
    page.locator("#id_ends_on").fill((start + timedelta(days=20)).isoformat())
    page.get_by_label("Marketing").check()
    page.get_by_label("Newsroom").check()
    assert_accessible(page)
    shoot(page, "plan-campaign-new")
    page.locator("main form button[type=submit]").first.click()
    expect(page.get_by_role("heading", name="Frühjahrsoffensive")).to_be_visible()

    campaign = Campaign.objects.get(name="Frühjahrsoffensive")
    assert [d.name for d in campaign.departments.all()] == ["Marketing"]
    Post.objects.filter(title__in=["Produktlaunch", "Messe-Teaser"]).update(campaign=campaign)
    page.reload()
    expect(page.get_by_test_id("campaign-timeline").locator("a")).to_have_count(2)
    assert_accessible(page)
    shoot(page, "plan-campaign")

    # A blackout over the launch: the page names the post it would catch and asks again.
    page.goto(f"{live_url}/o/{slug}/plan/setup/blackouts/")
    day = planned.publish_at.astimezone(BERLIN).date()
    page.locator("#id_name").fill("Ruhephase Quartalszahlen")
    page.locator("#id_reason").fill("Ad-hoc-Pflichten vor den Zahlen")
    page.locator("#id_starts_at").fill(f"{day.isoformat()}T00:00")
    page.locator("#id_ends_at").fill(f"{(day + timedelta(days=1)).isoformat()}T12:00")
    page.locator("main form button[type=submit]").last.click()
    affected = page.get_by_test_id("blackout-affected")
    expect(affected).to_contain_text("Produktlaunch")
    expect(affected).not_to_contain_text("Messe-Teaser")
    assert not BlackoutPeriod.objects.exists()
    assert_accessible(page)
    shoot(page, "plan-blackout-confirm")
    affected.locator("button[type=submit]").click()
    expect(page.get_by_test_id("blackouts")).to_contain_text("Ruhephase Quartalszahlen")

    period = BlackoutPeriod.objects.get()
    assert period.starts_at.astimezone(BERLIN).hour == 0  # entered in the organisation's time zone
    assert period.ends_at.astimezone(BERLIN).hour == 12
    assert not period.channels.exists()
    shoot(page, "plan-blackouts")


@pytest.fixture
def set_up(personas, planned: Post) -> None:
    smm = personas.smm
    setup.topic_save(actor=smm, topic=None, name="Karriere", department=personas.hr, color="#0ca678")
    setup.topic_save(actor=smm, topic=None, name="Produkte", department=personas.marketing, color="#1c7ed6")
    setup.blackout_create(
        actor=smm,
        name="Betriebsferien",
        reason="Niemand da, der antworten kann.",
        starts_at=later(days=20, hour=0),
        ends_at=later(days=27, hour=0),
        channels=[],
    )
    channel = planned.variants.first().channel
    setup.channel_rules_save(actor=smm, channel=channel, min_gap_minutes=90, max_per_day=3, max_per_week=10)
    setup.policy_save(
        actor=smm,
        policy=None,
        name="Standard",
        department=None,
        channel=None,
        campaign=None,
        reapprove_after_edit=True,
        review_hours_before=2,
        steps=[
            setup.StepSpec(name="Social Media", roles=["smm"]),
            setup.StepSpec(name="Recht", kind="feedback", people=[personas.reviewer]),
        ],
    )


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("setup/", "plan-setup"),
        ("setup/topics/", "plan-topics"),
        ("setup/blackouts/", "plan-blackouts-list"),
        ("setup/channel-rules/", "plan-channel-rules"),
        ("setup/approvals/", "plan-policies"),
        ("setup/approvals/new/", "plan-policy-new"),
        ("campaigns/", "plan-campaigns"),
    ],
)
def test_the_set_up_pages_are_accessible(
    page: Page, live_url: str, personas, set_up: None, path: str, name: str
) -> None:
    log_in(page, live_url, "smm@muster.example")
    page.goto(f"{live_url}/o/{personas.organization.slug}/plan/{path}")
    expect(page.locator("h1")).to_be_visible()
    assert_accessible(page)
    shoot(page, name)


def test_an_approval_policy_page_is_accessible(page: Page, live_url: str, personas, set_up: None) -> None:
    from onevoice.planning.models import ApprovalPolicy

    policy = ApprovalPolicy.objects.get()
    log_in(page, live_url, "smm@muster.example")
    page.goto(f"{live_url}/o/{personas.organization.slug}/plan/setup/approvals/{policy.public_id}/")
    expect(page.locator("#id_name")).to_have_value("Standard")
    assert_accessible(page)
    shoot(page, "plan-policy")


def test_the_demo_plan_set_up_and_campaign(page: Page, live_url: str) -> None:
    from onevoice.organization.demo import DEMO_PASSWORD, build_demo_organization

    demo = build_demo_organization()
    page.goto(f"{live_url}/accounts/login/")
    page.get_by_label("E-Mail-Adresse").fill("sabine.krueger@muster-gmbh.example")
    page.get_by_role("textbox", name="Passwort", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    messe = Campaign.objects.get(organization=demo, name="Hannover Messe 2027")
    page.goto(f"{live_url}/o/{demo.slug}/plan/campaigns/{messe.public_id}/")
    expect(page.get_by_test_id("campaign-timeline").locator("a")).to_have_count(
        messe.posts.exclude(publish_at=None).count()
    )
    assert_accessible(page)
    shoot(page, "demo-campaign")
    for path, name in (
        ("campaigns/", "demo-campaigns"),
        ("setup/blackouts/", "demo-blackouts"),
        ("setup/channel-rules/", "demo-channel-rules"),
        ("setup/approvals/", "demo-policies"),
        ("setup/topics/", "demo-topics"),
    ):
        page.goto(f"{live_url}/o/{demo.slug}/plan/{path}")
        assert_accessible(page)
        shoot(page, name)
