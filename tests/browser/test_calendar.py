"""The plan's calendar in a real browser: month, week and list views, drag and drop, ideas, the list
without JavaScript; axe-core on each and screenshots at desktop and phone width."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from onevoice.networks import services as channel_services
from onevoice.planning import services
from onevoice.planning.models import Post
from onevoice.planning.tests.conftest import BERLIN
from tests.browser.conftest import DESKTOP, assert_accessible, shoot
from tests.browser.test_people import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def a_wednesday_next_month() -> date:
    """A day well in the future with the next day in the same month view (a Wednesday near the 10th)."""
    today = datetime.now(BERLIN).date()
    first = (today.replace(day=1) + timedelta(days=40)).replace(day=1)
    day = first + timedelta(days=9)
    return day + timedelta(days=(2 - day.weekday()) % 7)


@pytest.fixture
def plan(personas):
    newsroom = channel_services.channel_create_newsroom(
        actor=personas.smm, name="Newsroom", department=personas.marketing
    )
    karriere = channel_services.channel_create_newsroom(
        actor=personas.smm, name="Karriere-Feed", department=personas.hr
    )
    day = a_wednesday_next_month()
    post = services.post_create(
        actor=personas.cm,
        title="Produktlaunch",
        department=personas.marketing,
        channels=[newsroom],
        base_text="Unser neues Produkt ist da!",
        publish_at=datetime.combine(day, datetime.min.time(), BERLIN).replace(hour=11),
    )
    services.post_create(
        actor=personas.smm,
        title="Azubi-Tag",
        department=personas.hr,
        channels=[karriere],
        base_text="Komm vorbei!",
        publish_at=datetime.combine(day + timedelta(days=5), datetime.min.time(), BERLIN).replace(hour=9),
    )
    services.post_create(
        actor=personas.cm,
        title="Messe-Teaser",
        department=personas.marketing,
        channels=[newsroom],
        base_text="Bald!",
        status=Post.Status.IDEA,
    )
    return post


def open_calendar(page: Page, live_url: str, personas, day: date) -> None:
    page.goto(f"{live_url}/o/{personas.organization.slug}/plan/?date={day.isoformat()}")
    expect(page.locator(".fc-event").first).to_be_visible()


def drag(page: Page, source: Locator, target: Locator) -> None:
    """FullCalendar listens to mouse events: press, move in steps, release (both ends in the viewport)."""
    target.scroll_into_view_if_needed()
    source.scroll_into_view_if_needed()
    box, goal = source.bounding_box(), target.bounding_box()
    assert box
    assert goal
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 5, box["y"] + box["height"] / 2 + 5, steps=3)
    page.mouse.move(goal["x"] + goal["width"] / 2, goal["y"] + goal["height"] - 12, steps=15)
    page.mouse.up()


def event_of(page: Page, post: Post) -> Locator:
    return page.locator(f'.fc-event[data-post="{post.public_id}"]')


def day_cell(page: Page, day: date) -> Locator:
    return page.locator(f'td.fc-daygrid-day[data-date="{day.isoformat()}"]')


class TestMonthView:
    def test_an_editor_drags_a_post_to_the_next_day_keeping_its_time(
        self, page: Page, live_url: str, personas, plan
    ) -> None:
        log_in(page, live_url, "cm@muster.example")
        old = plan.publish_at.astimezone(BERLIN)
        open_calendar(page, live_url, personas, old.date())
        event = event_of(page, plan)
        expect(event).to_have_class(re.compile("fc-event-draggable"))
        expect(event).to_contain_text("Produktlaunch")
        expect(event).to_contain_text("Entwurf")
        drag(page, event, day_cell(page, old.date() + timedelta(days=1)))
        expect(page.locator("#plan-message")).to_contain_text("verschoben")
        plan.refresh_from_db()
        moved = plan.publish_at.astimezone(BERLIN)
        assert moved.date() == old.date() + timedelta(days=1)
        assert (moved.hour, moved.minute) == (old.hour, old.minute)
        expect(day_cell(page, moved.date()).locator(".fc-event")).to_contain_text("Produktlaunch")

    def test_a_move_someone_else_overtook_is_undone_with_the_reason(
        self, page: Page, live_url: str, personas, plan
    ) -> None:
        log_in(page, live_url, "cm@muster.example")
        day = plan.publish_at.astimezone(BERLIN).date()
        open_calendar(page, live_url, personas, day)
        # The SMM moves the post by an hour after the CM opened the calendar.
        services.post_reschedule(
            actor=personas.smm,
            post=plan,
            publish_at=plan.publish_at + timedelta(hours=1),
            expected_version=plan.version,
        )
        smm_time = Post.objects.get(pk=plan.pk).publish_at
        event = event_of(page, plan)
        drag(page, event, day_cell(page, day + timedelta(days=1)))
        expect(page.locator("#plan-message")).to_contain_text("Sabine Strategie")
        expect(page.locator("#plan-toast")).to_have_attribute("role", "alert")
        expect(day_cell(page, day).locator(".fc-event")).to_contain_text("Produktlaunch")
        plan.refresh_from_db()
        assert plan.publish_at == smm_time

    def test_an_idea_dropped_on_a_day_is_scheduled_at_ten(
        self, page: Page, live_url: str, personas, plan
    ) -> None:
        log_in(page, live_url, "cm@muster.example")
        day = plan.publish_at.astimezone(BERLIN).date()
        open_calendar(page, live_url, personas, day)
        idea = page.locator(".ov-idea").filter(has_text="Messe-Teaser")
        drag(page, idea, day_cell(page, day + timedelta(days=2)))
        expect(page.locator("#plan-message")).to_contain_text("Messe-Teaser")
        expect(idea).to_have_count(0)
        teaser = Post.objects.get(title="Messe-Teaser")
        assert teaser.publish_at is not None
        when = teaser.publish_at.astimezone(BERLIN)
        assert (when.date(), when.hour, when.minute) == (day + timedelta(days=2), 10, 0)
        expect(day_cell(page, day + timedelta(days=2)).locator(".fc-event")).to_contain_text("Messe-Teaser")

    def test_a_viewer_sees_the_plan_but_cannot_drag(self, page: Page, live_url: str, personas, plan) -> None:
        log_in(page, live_url, "gf@muster.example")
        old = plan.publish_at
        open_calendar(page, live_url, personas, old.astimezone(BERLIN).date())
        event = event_of(page, plan)
        expect(event).to_have_attribute("data-editable", "0")
        assert "fc-event-draggable" not in (event.get_attribute("class") or "")
        expect(page.locator(".ov-idea-draggable")).to_have_count(0)
        expect(page.get_by_role("link", name="Beitrag planen")).to_have_count(0)
        drag(page, event, day_cell(page, old.astimezone(BERLIN).date() + timedelta(days=1)))
        page.wait_for_timeout(300)
        plan.refresh_from_db()
        assert plan.publish_at == old


class TestLookAndAccessibility:
    def test_month_week_and_list_of_the_demo_plan(self, page: Page, live_url: str) -> None:
        from onevoice.organization.demo import DEMO_ORGANIZATION_SLUG, DEMO_PASSWORD, build_demo_organization

        build_demo_organization()
        page.goto(f"{live_url}/accounts/login/")
        page.get_by_label("E-Mail-Adresse").fill("lukas.weber@muster-gmbh.example")
        page.get_by_role("textbox", name="Passwort", exact=True).fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Anmelden").click()
        first = Post.objects.filter(organization__slug=DEMO_ORGANIZATION_SLUG, publish_at__isnull=False)
        busiest = max(
            {p.publish_at.astimezone(BERLIN).date() for p in first},
            key=lambda d: len([p for p in first if p.publish_at.astimezone(BERLIN).date() == d]),
        )
        page.goto(f"{live_url}/o/{DEMO_ORGANIZATION_SLUG}/plan/?date={busiest.isoformat()}")
        expect(page.locator(".fc-event").first).to_be_visible()
        shoot(page, "calendar-month")
        assert_accessible(page)

        page.locator(".fc-timeGridWeek-button").click()
        expect(page.locator(".fc-timegrid-event").first).to_be_visible()
        assert_accessible(page)
        page.screenshot(path=str(_screens() / "calendar-week-desktop.png"), full_page=True)

        page.locator(".fc-listWeek-button").click()
        expect(page.locator(".fc-list-event").first).to_be_visible()
        assert_accessible(page)
        page.screenshot(path=str(_screens() / "calendar-listweek-desktop.png"), full_page=True)

        page.goto(f"{live_url}/o/{DEMO_ORGANIZATION_SLUG}/plan/?colour=campaign&date={busiest.isoformat()}")
        expect(page.locator(".fc-event").first).to_be_visible()
        assert_accessible(page)
        page.screenshot(path=str(_screens() / "calendar-by-campaign-desktop.png"), full_page=True)

        page.goto(f"{live_url}/o/{DEMO_ORGANIZATION_SLUG}/plan/list/?span=week&from={busiest.isoformat()}")
        expect(page.get_by_test_id("period")).to_be_visible()
        shoot(page, "calendar-list")
        assert_accessible(page)

        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{live_url}/o/{DEMO_ORGANIZATION_SLUG}/plan/?date={busiest.isoformat()}")
        expect(page.locator(".fc-list-event").first).to_be_visible()  # phones start with the list
        page.screenshot(path=str(_screens() / "calendar-phone-start.png"), full_page=True)
        assert_accessible(page)
        page.locator(".fc-dayGridMonth-button").click()
        page.screenshot(path=str(_screens() / "calendar-phone-month.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the month view is {width}px wide on a 390px phone"
        page.set_viewport_size(DESKTOP)

    def test_the_list_works_without_javascript(self, browser, live_url: str, personas, plan) -> None:
        context = browser.new_context(java_script_enabled=False, locale="de-DE", viewport=DESKTOP)
        page = context.new_page()
        page.set_default_timeout(10_000)
        try:
            log_in(page, live_url, "gf@muster.example")
            page.goto(f"{live_url}/o/{personas.organization.slug}/plan/")
            page.get_by_test_id("noscript-list").click()
            page.get_by_test_id("span-month").click()
            for _month in range(4):  # the post is a month or two ahead
                if page.get_by_role("link", name="Produktlaunch").count():
                    break
                page.get_by_test_id("next-period").click()
            day = plan.publish_at.astimezone(BERLIN).date()
            expect(page.get_by_role("heading", name=day.strftime("%Y"), exact=False).first).to_be_visible()
            expect(page.get_by_role("link", name="Produktlaunch")).to_be_visible()
            # (axe runs as a script: it checks this page in the test above, with JavaScript on)
        finally:
            context.close()


def _screens():
    from tests.browser.conftest import SCREENSHOTS

    return SCREENSHOTS
