"""Workload in a real browser (German UI): the capacity view with its heat map, chart and drill-down, the
over-booking warning in the post composer as the publish time changes, and marking a task done; axe-core
on each page and screenshots at desktop and phone width.

Locators use test ids and addresses, so the test does not depend on the wording of the translation.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from playwright.sync_api import Page, expect

from onevoice.networks.models import Channel
from onevoice.planning.models import Post, PostVariant, VariantImage
from onevoice.workload import selectors, services
from onevoice.workload.models import Absence, Task
from tests.browser.conftest import assert_accessible, shoot
from tests.browser.test_people import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def _at(day: date, clock: str = "10:00") -> datetime:
    from zoneinfo import ZoneInfo

    return datetime.combine(day, time.fromisoformat(clock), tzinfo=ZoneInfo("Europe/Berlin"))


def _plan(personas, department, owner, day: date, title: str, images: int = 1) -> Post:
    channel = Channel.objects.filter(organization=personas.organization, network="instagram").first()
    if channel is None:
        channel = Channel.objects.create(
            organization=personas.organization, network="instagram", name="Instagram"
        )
    post = Post.objects.create(
        organization=personas.organization,
        department=department,
        owner=owner,
        title=title,
        publish_at=_at(day),
        status=Post.Status.SCHEDULED,
    )
    variant = PostVariant.objects.create(post=post, channel=channel, text="Text")
    for i in range(images):
        VariantImage.objects.create(
            variant=variant, file=f"b{i}.png", width=9, height=9, mime_type="image/png"
        )
    services.tasks_rederive(post.pk)
    return post


@pytest.fixture
def busy_week(personas) -> date:
    """Personal (Hanna, 2 h a week) has three image posts in the week after next: over-booked."""
    monday = selectors.this_monday(personas.organization) + timedelta(weeks=2)
    for day in range(3):
        _plan(
            personas,
            personas.hr,
            personas.contributor,
            monday + timedelta(days=day),
            f"Azubi-Serie Teil {day + 1}",
        )
    for week in range(-6, 10):  # some ordinary weeks in Marketing
        _plan(
            personas,
            personas.marketing,
            personas.cm,
            monday + timedelta(weeks=week, days=1),
            f"Produkt-News {week}",
        )
    Absence.objects.create(
        membership=personas.cm,
        starts_on=monday + timedelta(weeks=1),
        ends_on=monday + timedelta(weeks=1, days=4),
    )
    return monday


def test_the_capacity_view_shows_load_per_team_and_drills_down(
    page: Page, live_url: str, personas, busy_week
) -> None:
    log_in(page, live_url, "smm@muster.example")
    page.goto(f"{live_url}/o/{personas.organization.slug}/workload/")
    heat = page.get_by_test_id("heatmap")
    expect(heat).to_be_visible()
    expect(page.get_by_test_id("overbooked")).to_contain_text("Personal")
    page.wait_for_function(
        "() => document.getElementById('workload-chart').getBoundingClientRect().height > 100"
    )
    assert_accessible(page)
    shoot(page, "workload-capacity")
    cell = heat.locator(f"a[href$='/workload/week/{busy_week.isoformat()}/{personas.hr.public_id}/']")
    expect(cell).to_contain_text("%")
    cell.click()
    expect(page.get_by_text("Azubi-Serie Teil 2")).to_be_visible()
    assert_accessible(page)
    shoot(page, "workload-cell")


def test_the_composer_warns_before_a_week_is_over_booked(
    page: Page, live_url: str, personas, busy_week
) -> None:
    log_in(page, live_url, "hr@muster.example")
    page.goto(f"{live_url}/o/{personas.organization.slug}/plan/posts/new/")
    warning = page.get_by_test_id("overbooking-warning")
    page.locator("#id_title").fill("Azubi-Serie Teil 4")
    page.locator("#id_publish_at").fill(f"{(busy_week + timedelta(days=3)).isoformat()}T11:00")
    page.locator("#id_publish_at").dispatch_event("change")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Personal")
    assert_accessible(page)
    shoot(page, "workload-composer-warning")
    page.locator("#id_publish_at").fill(f"{(busy_week + timedelta(weeks=3)).isoformat()}T11:00")
    page.locator("#id_publish_at").dispatch_event("change")
    expect(warning).to_have_count(0)


def test_my_tasks_are_marked_done_in_place(page: Page, live_url: str, personas) -> None:
    monday = selectors.this_monday(personas.organization)
    _plan(personas, personas.marketing, personas.cm, monday + timedelta(days=6), "Wochenrückblick", images=0)
    log_in(page, live_url, "cm@muster.example")
    page.goto(f"{live_url}/o/{personas.organization.slug}/workload/tasks/")
    row = page.get_by_test_id("task").filter(has_text="Wochenrückblick").last
    expect(row).to_be_visible()
    assert_accessible(page)
    shoot(page, "workload-tasks")
    row.get_by_test_id("mark-done").click()
    expect(
        page.get_by_test_id("task").filter(has_text="Wochenrückblick").last.get_by_test_id("mark-done")
    ).to_have_attribute("aria-pressed", "true")
    assert Task.objects.filter(post__title="Wochenrückblick", key="publish", status="done").exists()
