"""The strategy in a real browser: the SMM adds a target group, a goal with a KPI target and a channel's
strategy (a wrong time first: explained, nothing lost); a viewer reads the overview. axe-core on each page,
screenshots at desktop and phone width.

The strategy's own words get their German translation with the integration, so this test finds fields by
name and sections by test id, not by their labels.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from onevoice.networks import services as channel_services
from onevoice.planning import services as planning
from onevoice.strategy.models import ChannelStrategy, Goal, KpiTarget
from tests.browser.conftest import assert_accessible, shoot
from tests.browser.test_people import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def newsroom(personas):
    channel = channel_services.channel_create_newsroom(
        actor=personas.smm, name="Newsroom", department=personas.marketing
    )
    monday = datetime.now().astimezone() - timedelta(days=datetime.now().weekday())
    planning.post_create(
        actor=personas.cm,
        title="Neuigkeiten der Woche",
        department=personas.marketing,
        channels=[channel],
        base_text="Neu bei uns",
        publish_at=(monday + timedelta(days=7)).replace(hour=15, minute=0, second=0, microsecond=0),
    )
    return channel


def test_the_smm_sets_the_strategy_and_a_viewer_reads_it(
    page: Page, live_url: str, personas, newsroom
) -> None:
    base = f"{live_url}/o/{personas.organization.slug}/strategy/"
    log_in(page, live_url, "smm@muster.example")
    page.goto(base)
    expect(page.get_by_test_id("goals")).to_be_visible()
    assert_accessible(page)

    # A target group.
    page.locator("a[href$='/strategy/target-groups/']").first.click()
    page.locator("input[name=name]").fill("Fachkräfte Logistik")
    page.locator("textarea[name=description]").fill("Disponent*innen und Lagerlogistiker*innen")
    page.locator("form.ov-card button[type=submit]").click()
    expect(page.get_by_role("link", name="Fachkräfte Logistik", exact=True)).to_be_visible()
    assert_accessible(page)
    shoot(page, "strategy-target-groups")

    # A goal, then its KPI target.
    page.goto(base + "goals/new/")
    page.locator("input[name=name]").fill("8 Beiträge pro Woche über alle Kanäle")
    page.locator("select[name=period_kind]").select_option("month")
    page.locator("input[name=period_start_on]").fill(datetime.now().date().isoformat())
    page.locator("form.ov-card button[type=submit]").click()
    expect(page.get_by_test_id("targets")).to_be_visible()
    goal = Goal.objects.get()
    page.locator(f"a[href$='/goals/{goal.public_id}/targets/new/']").click()
    page.locator("select[name=metric]").select_option("posts_published")
    page.locator("select[name=unit]").select_option("percent")
    page.locator("input[name=target_value]").fill("8")
    page.locator("form.ov-card button[type=submit]").click()
    expect(page.locator(".invalid-feedback, .alert-danger").first).to_be_visible()
    expect(page.locator("input[name=target_value]")).to_have_value("8")
    assert_accessible(page)
    shoot(page, "strategy-target-refused")
    page.locator("select[name=unit]").select_option("per_week")
    page.locator("form.ov-card button[type=submit]").click()
    expect(page.get_by_test_id("targets").locator("[data-state]")).to_have_count(1)
    assert KpiTarget.objects.get().unit == "per_week"
    assert_accessible(page)
    shoot(page, "strategy-goal")

    # The channel's strategy: a time that is no time is explained and nothing typed is lost.
    page.goto(base)
    page.locator(f"a[href$='/strategy/channels/{newsroom.public_id}/']").click()
    page.locator("textarea[name=purpose]").fill("Neuigkeiten für Presse und Fachhandel")
    page.get_by_label("Fachkräfte Logistik").check()
    page.locator("input[name=min_per_week]").fill("3")
    page.locator("input[name=max_per_week]").fill("5")
    page.locator("input[name=preferred_weekdays][value='1']").check()
    page.locator("input[name=preferred_times]").fill("9:00, mittags")
    page.get_by_test_id("channel-strategy-form").locator("button[type=submit]").click()
    expect(page.locator(".invalid-feedback").first).to_contain_text("mittags")
    expect(page.locator("textarea[name=purpose]")).to_have_value("Neuigkeiten für Presse und Fachhandel")
    expect(page.locator("input[name=min_per_week]")).to_have_value("3")
    assert_accessible(page)
    shoot(page, "strategy-channel-refused")
    page.locator("input[name=preferred_times]").fill("09:00, 12:30")
    page.get_by_test_id("channel-strategy-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("channel-strategies")).to_contain_text("Neuigkeiten für Presse und Fachhandel")
    strategy = ChannelStrategy.objects.get()
    assert (strategy.min_per_week, strategy.preferred_times) == (3, ["09:00", "12:30"])
    expect(page.get_by_test_id("shortfalls")).to_be_visible()
    assert_accessible(page)
    shoot(page, "strategy-overview")

    # A viewer (management) reads it, without a way to edit.
    page.context.clear_cookies()
    log_in(page, live_url, "gf@muster.example")
    page.goto(base)
    expect(page.get_by_test_id("goals")).to_contain_text("8 Beiträge pro Woche über alle Kanäle")
    expect(page.get_by_test_id("channel-strategies")).to_contain_text("Fachkräfte Logistik")
    expect(page.locator("a[href$='/strategy/goals/new/']")).to_have_count(0)
    assert_accessible(page)
    shoot(page, "strategy-overview-viewer")
