"""Demand and capacity arithmetic, table-driven: absences, holidays, part-time, several departments, DST."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from onevoice.organization.models import Department, Organization
from onevoice.planning.models import Post
from onevoice.workload import selectors
from onevoice.workload.models import EffortNorm, InboxNorm, RecurringDuty, WorkloadSettings
from onevoice.workload.tests.conftest import MAY, at, away, holiday, make_case, make_post

pytestmark = pytest.mark.django_db


def _marketing_cell(personas, monday: date = MAY) -> selectors.Cell:
    grid = selectors.capacity_grid(personas.organization, monday, 1)
    return grid.cells[(personas.marketing.pk, 0)]


class TestCapacity:
    # (weekly hours of the CM, absences as (first, last) offsets from Monday, holiday offsets, expected hours)
    CASES = [
        ("20", [], [], "20"),
        ("8", [], [], "8"),  # part-time
        ("20", [(0, 1)], [], "12"),  # two days away
        ("20", [(5, 6)], [], "20"),  # a weekend away costs nothing
        ("20", [(-3, 0)], [], "16"),  # an absence that began the week before
        ("20", [(0, 4)], [], "0"),  # the whole week away
        ("20", [], [3], "16"),  # a public holiday on Thursday
        ("20", [(3, 3)], [3], "16"),  # away on the holiday: counted once
        ("12.5", [(4, 4)], [0], "7.5"),  # part-time with a holiday and a day off
    ]

    @pytest.mark.parametrize(("weekly", "absences", "holidays", "expected"), CASES)
    def test_it_counts_working_days_not_off(self, personas, weekly, absences, holidays, expected):
        personas.smm.weekly_hours = 0
        personas.smm.save()
        personas.cm.weekly_hours = Decimal(weekly)
        personas.cm.save()
        for first, last in absences:
            away(personas.cm, MAY + timedelta(days=first), MAY + timedelta(days=last))
        for offset in holidays:
            holiday(personas, MAY + timedelta(days=offset))
        assert _marketing_cell(personas).capacity == Decimal(expected)

    def test_a_person_in_two_departments_splits_their_hours(self, personas):
        personas.cm.departments.add(personas.hr)
        grid = selectors.capacity_grid(personas.organization, MAY, 1)
        assert grid.cells[(personas.marketing.pk, 0)].capacity == Decimal("27.5")  # 20 + 15/2
        assert grid.cells[(personas.hr.pk, 0)].capacity == Decimal("9.5")  # 2 + 15/2

    def test_people_who_left_or_joined_later_do_not_count(self, personas):
        personas.smm.is_active = False
        personas.smm.save()
        personas.cm.joined_at = at(MAY + timedelta(days=2))  # from Wednesday on
        personas.cm.save()
        assert _marketing_cell(personas).capacity == Decimal(9)  # 15 × 3/5

    def test_a_dst_week_has_the_same_capacity(self, personas):
        for monday in (date(2027, 3, 29), date(2027, 10, 25)):
            assert _marketing_cell(personas, monday).capacity == Decimal(35)


class TestDemand:
    # (format setup, network, expected hours per variant with the default norms or the custom one below)
    CASES = [
        ({"images": 0}, "mastodon", "1.35"),  # text: 1 + 0.25 + 0.1
        ({"images": 1}, "mastodon", "2.4"),  # image
        ({"images": 3}, "mastodon", "6"),  # carousel: the norm for every network below
        ({"video": True}, "mastodon", "13.25"),  # video
        ({"images": 0}, "linkedin", "2"),  # the LinkedIn text norm below
        ({"images": 3}, "instagram", "6"),  # the carousel norm for every network below
    ]

    @pytest.mark.parametrize(("media", "network", "expected"), CASES)
    def test_it_multiplies_variants_by_norms(self, personas, channel, media, network, expected):
        org = personas.organization
        EffortNorm.objects.create(
            organization=org,
            content_format="text",
            network="linkedin",
            create_hours=Decimal("1.5"),
            review_hours=Decimal("0.4"),
            publish_hours=Decimal("0.1"),
        )
        EffortNorm.objects.create(
            organization=org,
            content_format="carousel",
            network="",
            create_hours=Decimal(5),
            review_hours=Decimal("0.5"),
            publish_hours=Decimal("0.5"),
        )
        make_post(personas.cm, personas.marketing, at(MAY + timedelta(days=2)), [channel[network]], **media)
        make_post(personas.cm, personas.marketing, at(MAY + timedelta(days=3)), [channel[network]], **media)
        assert _marketing_cell(personas).posts == Decimal(expected) * 2

    def test_withdrawn_posts_and_ideas_without_a_time_do_not_count(self, personas, channel):
        make_post(
            personas.cm, personas.marketing, at(MAY), [channel["mastodon"]], status=Post.Status.WITHDRAWN
        )
        make_post(personas.cm, personas.marketing, None, [channel["mastodon"]], status=Post.Status.IDEA)
        assert _marketing_cell(personas).posts == 0

    # DST: the week is counted in Berlin time. (local publish time, Monday of the week it belongs to)
    DST = [
        ("2027-03-28 23:30", date(2027, 3, 22)),  # Sunday night, the day summer time begins
        ("2027-03-29 00:30", date(2027, 3, 29)),
        ("2027-10-31 23:30", date(2027, 10, 25)),  # Sunday night, the day winter time begins
        ("2027-11-01 00:30", date(2027, 11, 1)),
    ]

    @pytest.mark.parametrize(("local", "monday"), DST)
    def test_posts_fall_into_the_local_week_across_dst(self, personas, channel, local, monday):
        day, clock = local.split()
        make_post(personas.cm, personas.marketing, at(date.fromisoformat(day), clock), [channel["mastodon"]])
        grid = selectors.capacity_grid(personas.organization, monday - timedelta(weeks=1), 3)
        demand = [grid.cells[(personas.marketing.pk, i)].posts for i in range(3)]
        assert demand == [0, Decimal("1.35"), 0]

    def test_duties_count_as_their_weekly_share(self, personas):
        org = personas.organization
        RecurringDuty.objects.create(
            organization=org, name="Monitoring", hours=Decimal(2), department=personas.marketing
        )
        RecurringDuty.objects.create(
            organization=org,
            name="Jour fixe",
            hours=Decimal(2),
            interval="biweekly",
            department=personas.marketing,
        )
        RecurringDuty.objects.create(
            organization=org,
            name="Bericht",
            hours=Decimal("5.2"),
            interval="monthly",
            department=personas.marketing,
        )
        assert _marketing_cell(personas).duties == Decimal(2) + Decimal(1) + Decimal("1.2")

    def test_inbox_counts_past_cases_and_expects_the_average_ahead(self, personas, channel):
        org = personas.organization
        WorkloadSettings.objects.create(organization=org, inbox_weeks=4)
        InboxNorm.objects.create(organization=org, case_kind="direct_message", minutes=12)
        monday = selectors.this_monday(org)
        two_weeks_ago = monday - timedelta(weeks=2)
        make_case(
            personas,
            channel["mastodon"],
            at(two_weeks_ago + timedelta(days=1)),
            n=6,
            department=personas.marketing,
        )
        make_case(
            personas,
            channel["mastodon"],
            at(two_weeks_ago + timedelta(days=2)),
            kind="direct_message",
            n=5,
            department=personas.marketing,
        )
        make_case(
            personas,
            channel["mastodon"],
            at(two_weeks_ago),
            kind="our_reply",
            n=9,
            department=personas.marketing,
        )
        grid = selectors.capacity_grid(org, two_weeks_ago, 4)
        inbox = [grid.cells[(personas.marketing.pk, i)].inbox for i in range(4)]
        past = Decimal(6 * 5 + 5 * 12) / 60  # 1.5 h; our own answers are no work to expect
        assert inbox[0] == past
        assert inbox[1] == 0
        assert inbox[2] == inbox[3] == past / 4  # the weekly average of the last 4 weeks

    def test_in_the_central_model_the_central_team_does_the_work(self, personas, channel):
        org = personas.organization
        Organization.objects.filter(pk=org.pk).update(model="central")
        central = Department.objects.create(organization=org, name="Social Media Team", is_central_team=True)
        personas.organization.refresh_from_db()
        make_post(personas.cm, personas.hr, at(MAY), [channel["mastodon"]])
        grid = selectors.capacity_grid(personas.organization, MAY, 1)
        assert grid.cells[(central.pk, 0)].posts == Decimal("1.35")
        assert (personas.hr.pk, 0) not in grid.cells or grid.cells[(personas.hr.pk, 0)].posts == 0


class TestOverbookingAndRealism:
    def test_the_threshold_decides_what_is_over_booked(self, personas, channel):
        personas.smm.weekly_hours = 0
        personas.smm.save()
        personas.cm.weekly_hours = Decimal(10)
        personas.cm.save()
        for day in range(4):
            make_post(
                personas.cm,
                personas.marketing,
                at(MAY + timedelta(days=day)),
                [channel["mastodon"]],
                images=3,
            )
        cell = _marketing_cell(personas)  # 4 × 4.65 = 18.6 h against 10 h
        assert (cell.load_percent, cell.overbooked) == (186, True)
        WorkloadSettings.objects.create(organization=personas.organization, overbooking_percent=200)
        assert _marketing_cell(personas).overbooked is False

    def test_work_without_capacity_is_over_booked(self, personas, channel):
        make_post(personas.contributor, personas.hr, at(MAY), [channel["mastodon"]])
        personas.contributor.weekly_hours = 0
        personas.contributor.save()
        cell = selectors.capacity_grid(personas.organization, MAY, 1).cells[(personas.hr.pk, 0)]
        assert cell.load_percent is None
        assert cell.overbooked

    def test_plan_realism_keeps_its_contract(self, personas, channel):
        personas.contributor.weekly_hours = 1
        personas.contributor.save()
        make_post(
            personas.contributor, personas.hr, at(MAY), [channel["mastodon"]], images=3
        )  # 4.65 h vs 1 h
        make_post(personas.cm, personas.marketing, at(MAY + timedelta(weeks=1)), [channel["mastodon"]])
        result = selectors.plan_realism(
            personas.organization, MAY + timedelta(days=2), MAY + timedelta(days=9)
        )
        assert set(result) == {"score", "weeks", "overbooked_weeks"}
        assert [set(w) for w in result["weeks"]] == [
            {"week_start", "demand_hours", "capacity_hours", "load_percent", "overbooked"}
        ] * 2
        first, second = result["weeks"]
        assert first["week_start"] == MAY
        assert first["overbooked"] is True
        assert first["demand_hours"] == 4.7
        assert first["capacity_hours"] == 36.0
        assert second["overbooked"] is False
        assert second["load_percent"] == 4
        assert result["overbooked_weeks"] == 1
        # Week 1: 1 h of 4.65 h fits (21.5 %), week 2: all fits → average 61 (rounded)
        assert result["score"] == round((1 / 4.65 + 1) / 2 * 100)

    def test_plan_realism_without_demand_has_no_score(self, personas):
        result = selectors.plan_realism(personas.organization, MAY, MAY + timedelta(days=20))
        assert result["score"] is None
        assert len(result["weeks"]) == 3
        assert result["overbooked_weeks"] == 0

    def test_the_grid_takes_a_fixed_number_of_queries(self, personas, channel, django_assert_max_num_queries):
        for i in range(30):
            make_post(
                personas.cm,
                personas.marketing,
                at(selectors.this_monday(personas.organization) + timedelta(days=i * 5 - 80)),
                [channel["mastodon"]],
                images=i % 3,
            )
        monday = selectors.this_monday(personas.organization) - timedelta(weeks=12)
        make_case(personas, channel["mastodon"], at(monday + timedelta(days=2)), n=3, department=personas.hr)
        selectors.capacity_grid(personas.organization, monday, 24)  # rolls the finished inbox weeks up once
        with django_assert_max_num_queries(13):
            selectors.capacity_grid(personas.organization, monday, 24)


class TestKeptGrid:
    def test_a_kept_grid_follows_every_change_at_once(self, personas, channel):
        org = personas.organization

        def cell() -> selectors.Cell:
            return (
                selectors.capacity_grid(org, MAY, 1).cells.get((personas.marketing.pk, 0)) or selectors.Cell()
            )

        assert (cell().posts, cell().capacity) == (0, 35)
        make_post(personas.cm, personas.marketing, at(MAY), [channel["mastodon"]])
        assert cell().posts == Decimal("1.35")
        away(personas.cm, MAY, MAY)
        assert cell().capacity == 32
        EffortNorm.objects.create(
            organization=org, content_format="text", create_hours=Decimal(2), review_hours=0, publish_hours=0
        )
        assert cell().posts == 2
        RecurringDuty.objects.create(
            organization=org, name="Jour fixe", hours=Decimal(1), department=personas.marketing
        )
        assert cell().duties == 1
