"""Reads for workload: demand against capacity per week and team, computed with SQL aggregations.

Demand of a week = planned variants × effort norms (by the week of the publish time, in the organisation's
time zone) + inbox load (actual cases in past weeks, the average of the last weeks for the current and
coming weeks, × minutes per case) + recurring duties. Capacity = weekly hours for social media × the share of
working days (Mon–Fri) a person is not absent and that are no public holiday.

Who does the work: in the central model the central team does all posts and cases; otherwise the post's
(or case's) department. Work and people without a department go to the central team if there is one,
else to the row "Across departments". A person in several departments splits their hours evenly.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from onevoice.inbox.models import Case as InboxCase
from onevoice.inbox.models import MessageKind
from onevoice.organization.models import Department, Membership, Organization
from onevoice.planning.models import Post, PostVariant, VariantImage
from onevoice.workload.models import (
    Absence,
    ContentFormat,
    EffortNorm,
    InboxNorm,
    PublicHoliday,
    RecurringDuty,
    Task,
    TimeEntry,
    WorkloadSettings,
)

F_ = ContentFormat
NOT_PLANNED = (Post.Status.WITHDRAWN,)

# Used until the organisation sets its own: (create, review, publish) hours per variant.
DEFAULT_NORMS: dict[str, tuple[Decimal, Decimal, Decimal]] = {
    F_.TEXT: (Decimal("1.0"), Decimal("0.25"), Decimal("0.1")),
    F_.IMAGE: (Decimal("2.0"), Decimal("0.3"), Decimal("0.1")),
    F_.CAROUSEL: (Decimal("4.0"), Decimal("0.5"), Decimal("0.15")),
    F_.VIDEO: (Decimal("12.0"), Decimal("1.0"), Decimal("0.25")),
}
DEFAULT_CASE_MINUTES: dict[str, int] = {
    MessageKind.REPLY: 5,
    MessageKind.MENTION: 4,
    MessageKind.QUOTE: 4,
    MessageKind.DIRECT_MESSAGE: 8,
}
ACROSS = None  # the team key of work and people without a department (and no central team)


# ---- settings and norms -------------------------------------------------------------------------------


def settings_of(organization: Organization) -> WorkloadSettings:
    found = WorkloadSettings.objects.filter(organization=organization).first()
    return found or WorkloadSettings(organization=organization)


Norms = dict[tuple[str, str], tuple[Decimal, Decimal, Decimal]]


def norms_of(organization: Organization) -> Norms:
    """(format, network) → hours; network "" is the format's norm for every network."""
    norms: Norms = {(f, ""): hours for f, hours in DEFAULT_NORMS.items()}
    for norm in EffortNorm.objects.filter(organization=organization):
        norms[(norm.content_format, norm.network)] = (
            norm.create_hours,
            norm.review_hours,
            norm.publish_hours,
        )
    return norms


def norm_for(norms: Norms, content_format: str, network: str) -> tuple[Decimal, Decimal, Decimal]:
    return norms.get((content_format, network)) or norms.get((content_format, "")) or DEFAULT_NORMS[F_.TEXT]


def case_minutes_of(organization: Organization) -> dict[str, int]:
    minutes = dict(DEFAULT_CASE_MINUTES)
    minutes.update(
        dict(InboxNorm.objects.filter(organization=organization).values_list("case_kind", "minutes"))
    )
    minutes.pop(MessageKind.OUR_REPLY, None)
    return minutes


# ---- weeks --------------------------------------------------------------------------------------------


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def this_monday(organization: Organization) -> date:
    return monday_of(timezone.now().astimezone(ZoneInfo(organization.time_zone)).date())


def week_bounds(organization: Organization, first_monday: date, weeks: int) -> list[datetime]:
    """weeks + 1 instants: local midnight of each Monday (a DST week is 167 or 169 hours long)."""
    zone = ZoneInfo(organization.time_zone)
    return [
        datetime.combine(first_monday + timedelta(weeks=i), time(0), tzinfo=zone) for i in range(weeks + 1)
    ]


def _bucket(field_name: str, bounds: Sequence[datetime]) -> Case:
    """The index of the week an instant falls in, as SQL comparisons (fast on every database)."""
    whens = [When(**{f"{field_name}__lt": bounds[i + 1]}, then=Value(i)) for i in range(len(bounds) - 1)]
    return Case(*whens, default=Value(-1), output_field=IntegerField())


def variant_format_expression() -> Case:
    images = VariantImage.objects.filter(variant=OuterRef("pk"))
    return Case(
        When(Exists(images.filter(mime_type__startswith="video/")), then=Value(F_.VIDEO.value)),
        When(n_images__gte=2, then=Value(F_.CAROUSEL.value)),
        When(n_images=1, then=Value(F_.IMAGE.value)),
        default=Value(F_.TEXT.value),
    )


def _annotate_format(variants: QuerySet[PostVariant]) -> QuerySet[PostVariant]:
    images = VariantImage.objects.filter(variant=OuterRef("pk")).values("variant").annotate(c=Count("pk"))
    return variants.annotate(
        n_images=Coalesce(Subquery(images.values("c")[:1], output_field=IntegerField()), 0)
    ).annotate(fmt=variant_format_expression())


def planned_variants(organization: Organization, start: datetime, end: datetime) -> QuerySet[PostVariant]:
    return PostVariant.objects.filter(
        post__organization=organization,
        post__publish_at__gte=start,
        post__publish_at__lt=end,
    ).exclude(post__status__in=NOT_PLANNED)


# ---- teams --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Team:
    key: int | None
    name: str
    slug: str  # for addresses: the department's public id, or "none"
    is_central: bool = False


class Teams:
    """Which team does the work of a department, following the organisation's model."""

    def __init__(self, organization: Organization, departments: Iterable[Department]) -> None:
        self.departments = list(departments)
        self.central = next((d for d in self.departments if d.is_central_team), None)
        self.all_to_central = organization.model == Organization.Model.CENTRAL and self.central is not None

    def work_of(self, department_id: int | None) -> int | None:
        if self.all_to_central or department_id is None:
            return self.central.pk if self.central else ACROSS
        return department_id

    def people_of(self, department_id: int | None) -> int | None:
        if department_id is None:
            return self.central.pk if self.central else ACROSS
        return department_id

    def team(self, key: int | None) -> Team:
        from django.utils.translation import gettext as _

        for department in self.departments:
            if department.pk == key:
                return Team(key, department.name, str(department.public_id), department.is_central_team)
        return Team(ACROSS, _("Across departments"), "none")

    def key_of_slug(self, slug: str) -> int | None:
        if slug == "none":
            return ACROSS
        for department in self.departments:
            if str(department.public_id) == slug:
                return department.pk
        raise LookupError(slug)


# ---- the grid -----------------------------------------------------------------------------------------


@dataclass
class Cell:
    posts: Decimal = Decimal(0)
    inbox: Decimal = Decimal(0)
    duties: Decimal = Decimal(0)
    extra: Decimal = Decimal(0)  # what-if demand
    capacity: Decimal = Decimal(0)
    threshold: int = 100

    @property
    def demand(self) -> Decimal:
        return self.posts + self.inbox + self.duties + self.extra

    @property
    def load_percent(self) -> int | None:
        if self.capacity <= 0:
            return None
        return round(self.demand / self.capacity * 100)

    @property
    def overbooked(self) -> bool:
        if self.capacity <= 0:
            return self.demand > 0
        return self.demand * 100 > self.capacity * self.threshold

    @property
    def room(self) -> Decimal:
        return self.capacity * self.threshold / 100 - self.demand

    @property
    def level(self) -> str:
        """A CSS level for the heat map; the numbers are always printed too."""
        load = self.load_percent
        if load is None:
            return "over" if self.demand > 0 else "empty"
        if self.overbooked:
            return "over"
        if load >= self.threshold * 0.85:
            return "high"
        return "ok" if load >= 40 else "low"


@dataclass
class Scenario:
    """A what-if: extra demand rows and people taken out for a period; nothing is saved."""

    extra: list[tuple[date, int | None, Decimal]] = field(default_factory=list)  # (monday, team, hours)
    without: list[tuple[int, date, date]] = field(default_factory=list)  # (membership pk, first, last day)


@dataclass
class Grid:
    organization: Organization
    weeks: list[date]
    teams: list[Team]
    cells: dict[tuple[int | None, int], Cell]
    totals: list[Cell]
    threshold: int
    current: int  # index of the current week, or -1

    def row(self, team: Team) -> list[Cell]:
        return [self.cells[(team.key, i)] for i in range(len(self.weeks))]

    def rows(self) -> list[tuple[Team, list[Cell]]]:
        return [(team, self.row(team)) for team in self.teams]

    def overbooked_weeks(self) -> list[tuple[date, list[Team]]]:
        found = []
        for i, monday in enumerate(self.weeks):
            teams = [t for t in self.teams if self.cells[(t.key, i)].overbooked]
            if teams:
                found.append((monday, teams))
        return found


def _post_demand(
    organization: Organization, bounds: Sequence[datetime], norms: Norms, teams: Teams
) -> dict[tuple[int | None, int], Decimal]:
    """Variants per (week, department, network, format), in two grouped queries: all variants, and the
    variants with media, whose images are counted once per variant in a derived table. Python only
    multiplies the few resulting groups by the norms."""
    planned = planned_variants(organization, bounds[0], bounds[-1])
    groups: dict[tuple[int, int | None, str, str], int] = defaultdict(int)
    for bucket, department_id, network, n in (
        planned.annotate(bucket=_bucket("post__publish_at", bounds))
        .values_list("bucket", "post__department_id", "channel__network")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        groups[(bucket, department_id, network, F_.TEXT.value)] += n
    with_media = (
        VariantImage.objects.filter(variant__in=planned.values("pk"))
        .values("variant_id")
        .annotate(
            bucket=_bucket("variant__post__publish_at", bounds),
            department=F("variant__post__department_id"),
            network=F("variant__channel__network"),
            n_images=Count("pk"),
            n_videos=Count("pk", filter=Q(mime_type__startswith="video/")),
        )
        .values("bucket", "department", "network", "n_images", "n_videos")
        .order_by()
    )
    inner, params = with_media.query.sql_with_params()
    # The inner SQL is Django's own; every value in it is a parameter.
    sql = (
        "SELECT bucket, department, network, CASE WHEN n_videos > 0 THEN 'video' WHEN n_images >= 2 "  # noqa: S608
        "THEN 'carousel' ELSE 'image' END AS fmt, COUNT(*) "
        f"FROM ({inner}) AS per_variant GROUP BY 1, 2, 3, 4"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for bucket, department_id, network, fmt, n in cursor.fetchall():
            groups[(bucket, department_id, network, fmt)] += n
            groups[(bucket, department_id, network, F_.TEXT.value)] -= n  # counted as text above
    demand: dict[tuple[int | None, int], Decimal] = defaultdict(Decimal)
    for (bucket, department_id, network, fmt), n in groups.items():
        if n:
            hours = sum(norm_for(norms, fmt, network), Decimal(0))
            demand[(teams.work_of(department_id), bucket)] += hours * n
    return demand


# Cases can reach OneVoice a while after the person wrote (network timestamps): a week is rolled up only
# this long after it ended, so late arrivals are still counted.
SETTLE = timedelta(days=2)


def _live_case_counts(
    organization: Organization, kinds: list[str], bounds: Sequence[datetime]
) -> list[tuple[int, int | None, str, int]]:
    """(week index, department, kind, cases) straight from the cases, for weeks not rolled up."""
    rows = (
        InboxCase.objects.filter(
            organization=organization,
            kind__in=kinds,
            # last_message_at is indexed and never before first_message_at: it narrows the scan.
            last_message_at__gte=bounds[0],
            first_message_at__gte=bounds[0],
            first_message_at__lt=bounds[-1],
        )
        .annotate(bucket=_bucket("first_message_at", bounds))
        .values_list("bucket", "department_id", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return list(rows)


def inbox_counts(
    organization: Organization, mondays: Sequence[date]
) -> dict[date, list[tuple[int | None, str, int]]]:
    """Cases that came in per week (department, kind, count): finished weeks from the roll-up (made on first
    use), the last days from the cases themselves."""
    from django.db import IntegrityError, transaction

    from onevoice.workload.models import InboxWeek, InboxWeekDone

    kinds = list(DEFAULT_CASE_MINUTES)
    now = timezone.now()
    ends = {m: week_bounds(organization, m, 1)[1] for m in mondays}
    past = [m for m in mondays if ends[m] <= now]
    settled = [m for m in past if ends[m] + SETTLE <= now]
    done = set(
        InboxWeekDone.objects.filter(organization=organization, week_start__in=settled).values_list(
            "week_start", flat=True
        )
    )
    missing = sorted(m for m in settled if m not in done)
    if missing:
        span = (missing[-1] - missing[0]).days // 7 + 1
        bounds = week_bounds(organization, missing[0], span)
        computed = _live_case_counts(organization, kinds, bounds)
        try:
            with transaction.atomic():
                InboxWeekDone.objects.bulk_create(
                    [InboxWeekDone(organization=organization, week_start=m) for m in missing]
                )
                InboxWeek.objects.bulk_create(
                    [
                        InboxWeek(
                            organization=organization,
                            week_start=missing[0] + timedelta(weeks=i),
                            department_id=d,
                            case_kind=k,
                            cases=n,
                        )
                        for i, d, k, n in computed
                        if missing[0] + timedelta(weeks=i) in missing
                    ]
                )
        except IntegrityError:
            pass  # another request rolled these weeks up at the same time: theirs are read below
    result: dict[date, list[tuple[int | None, str, int]]] = defaultdict(list)
    for monday, department_id, kind, n in InboxWeek.objects.filter(
        organization=organization, week_start__in=settled
    ).values_list("week_start", "department_id", "case_kind", "cases"):
        result[monday].append((department_id, kind, n))
    recent = [m for m in past if m not in settled]
    if recent:
        span = (recent[-1] - recent[0]).days // 7 + 1
        for index, dept, case_kind, count in _live_case_counts(
            organization, kinds, week_bounds(organization, recent[0], span)
        ):
            week = recent[0] + timedelta(weeks=index)
            if week in recent:
                result[week].append((dept, case_kind, count))
    return result


def inbox_rollup_reset(organization: Organization) -> None:
    """Forget the roll-up (e.g. after cases were moved between departments); it is rebuilt on next use."""
    from onevoice.workload.models import InboxWeek, InboxWeekDone

    InboxWeek.objects.filter(organization=organization).delete()
    InboxWeekDone.objects.filter(organization=organization).delete()


def _inbox_demand(
    organization: Organization,
    bounds: Sequence[datetime],
    minutes: dict[str, int],
    teams: Teams,
    history_weeks: int,
) -> dict[tuple[int | None, int], Decimal]:
    """Past weeks: the cases that came in. This and coming weeks: the weekly average of the last weeks."""
    demand: dict[tuple[int | None, int], Decimal] = defaultdict(Decimal)
    weeks = len(bounds) - 1
    this_week = this_monday(organization)
    first = bounds[0].date()
    mondays = [first + timedelta(weeks=i) for i in range(weeks)]
    past = [m for m in mondays if m < this_week]
    history = [this_week - timedelta(weeks=i) for i in range(history_weeks, 0, -1)]
    wanted = sorted(set(past) | (set(history) if len(past) < weeks else set()))
    counts = inbox_counts(organization, wanted) if wanted else {}
    for i, monday in enumerate(mondays):
        if monday in past:
            for department_id, kind, n in counts.get(monday, []):
                if kind in minutes:
                    demand[(teams.work_of(department_id), i)] += Decimal(minutes[kind] * n) / 60
    if len(past) < weeks:
        per_week: dict[int | None, Decimal] = defaultdict(Decimal)
        for monday in history:
            for department_id, kind, n in counts.get(monday, []):
                if kind in minutes:
                    per_week[teams.work_of(department_id)] += Decimal(minutes[kind] * n) / 60 / history_weeks
        for team, hours in per_week.items():
            for i in range(len(past), weeks):
                demand[(team, i)] += hours
    return demand


def _duty_demand(organization: Organization, weeks: int, teams: Teams) -> dict[int | None, Decimal]:
    per_team: dict[int | None, Decimal] = defaultdict(Decimal)
    for duty in RecurringDuty.objects.filter(organization=organization):
        per_team[teams.people_of(duty.department_id)] += duty.weekly_hours
    return per_team


@dataclass
class Person:
    pk: int
    hours: Decimal
    teams: list[int | None]
    joined: date
    name: str = ""


def people_of(organization: Organization, teams: Teams) -> list[Person]:
    members = list(
        Membership.objects.active()
        .filter(organization=organization, weekly_hours__gt=0)
        .values_list("pk", "weekly_hours", "joined_at", "user__full_name")
    )
    through = Membership.departments.through
    departments: dict[int, list[int]] = defaultdict(list)
    for membership_id, department_id in through.objects.filter(
        membership__organization=organization
    ).values_list("membership_id", "department_id"):
        departments[membership_id].append(department_id)
    zone = ZoneInfo(organization.time_zone)
    return [
        Person(
            pk=pk,
            hours=hours,
            teams=[teams.people_of(d) for d in departments.get(pk, [])] or [teams.people_of(None)],
            joined=joined.astimezone(zone).date(),
            name=name,
        )
        for pk, hours, joined, name in members
    ]


def days_off(
    organization: Organization, first: date, last: date, member_ids: Iterable[int] | None = None
) -> tuple[set[date], dict[int, set[date]]]:
    """Public holidays and each person's absence days (weekdays only) between first and last."""
    holidays = set(
        PublicHoliday.objects.filter(organization=organization, day__gte=first, day__lte=last).values_list(
            "day", flat=True
        )
    )
    absences: dict[int, set[date]] = defaultdict(set)
    query = Absence.objects.filter(
        membership__organization=organization, starts_on__lte=last, ends_on__gte=first
    )
    if member_ids is not None:
        query = query.filter(membership_id__in=list(member_ids))
    for membership_id, starts, ends in query.values_list("membership_id", "starts_on", "ends_on"):
        day = max(starts, first)
        while day <= min(ends, last):
            if day.weekday() < 5:
                absences[membership_id].add(day)
            day += timedelta(days=1)
    return holidays, absences


def person_capacity(
    person: Person,
    monday: date,
    holidays: set[date],
    absent: set[date],
    removed: Iterable[tuple[date, date]] = (),
) -> Decimal:
    """Hours this week: weekly hours × working days not off / 5."""
    working = 0
    for offset in range(5):
        day = monday + timedelta(days=offset)
        if day < person.joined or day in holidays or day in absent:
            continue
        if any(first <= day <= last for first, last in removed):
            continue
        working += 1
    return person.hours * working / 5


# The live part of the inbox (the last days) is at most this old in a kept grid.
GRID_FRESH_SECONDS = 300


def _fingerprint(organization: Organization) -> tuple[Any, ...]:
    """Everything the grid depends on, summed up in one query: when any of it changes, so does this."""
    from django.db.models import Max, Sum

    def agg(queryset: QuerySet[Any], **aggregate: Any) -> Subquery:
        name = next(iter(aggregate))
        one_group = queryset.order_by().annotate(_g=Value(1)).values("_g")
        return Subquery(one_group.annotate(**aggregate).values(name)[:1])

    org = OuterRef("pk")
    row = (
        Organization.objects.filter(pk=organization.pk)
        .annotate(
            fp_posts=agg(Post.objects.filter(organization=org), v=Count("pk")),
            fp_posts_at=agg(Post.objects.filter(organization=org), v=Max("updated_at")),
            fp_people=agg(Membership.objects.filter(organization=org), v=Max("updated_at")),
            fp_people_n=agg(Membership.objects.filter(organization=org), v=Count("pk")),
            fp_teams=agg(Department.objects.filter(organization=org), v=Count("pk")),
            fp_central=agg(Department.objects.filter(organization=org, is_central_team=True), v=Max("pk")),
            fp_absences=agg(Absence.objects.filter(membership__organization=org), v=Count("pk")),
            fp_absences_at=agg(Absence.objects.filter(membership__organization=org), v=Max("created_at")),
            fp_holidays=agg(PublicHoliday.objects.filter(organization=org), v=Count("pk")),
            fp_duties=agg(RecurringDuty.objects.filter(organization=org), v=Sum("hours")),
            fp_duties_n=agg(RecurringDuty.objects.filter(organization=org), v=Count("pk")),
            fp_norms=agg(EffortNorm.objects.filter(organization=org), v=Max("updated_at")),
            fp_norms_n=agg(EffortNorm.objects.filter(organization=org), v=Count("pk")),
            fp_minutes=agg(InboxNorm.objects.filter(organization=org), v=Sum("minutes")),
            fp_rules=agg(WorkloadSettings.objects.filter(organization=org), v=Max("updated_at")),
        )
        .values_list(
            "model",
            "time_zone",
            "fp_posts",
            "fp_posts_at",
            "fp_people",
            "fp_people_n",
            "fp_teams",
            "fp_central",
            "fp_absences",
            "fp_absences_at",
            "fp_holidays",
            "fp_duties",
            "fp_duties_n",
            "fp_norms",
            "fp_norms_n",
            "fp_minutes",
            "fp_rules",
        )
        .first()
    )
    return tuple(row or ())


def capacity_grid(
    organization: Organization,
    first_monday: date,
    weeks: int,
    *,
    scenario: Scenario | None = None,
) -> Grid:
    """Demand and capacity for each team and week, plus the organisation's total per week.

    Without a scenario the grid is kept in the cache under a fingerprint of everything it depends on, so a
    change anywhere shows at once; the inbox's last days are refreshed every few minutes.
    """
    import hashlib

    from django.core.cache import cache

    if scenario is not None:
        return _capacity_grid(organization, first_monday, weeks, scenario=scenario)
    slot = int(timezone.now().timestamp()) // GRID_FRESH_SECONDS
    parts = (
        organization.pk,
        first_monday,
        weeks,
        this_monday(organization),
        slot,
        _fingerprint(organization),
    )
    key = "workload:grid:" + hashlib.sha256(repr(parts).encode()).hexdigest()
    found = cache.get(key)
    if isinstance(found, Grid):
        found.organization = organization
        return found
    grid = _capacity_grid(organization, first_monday, weeks)
    cache.set(key, grid, GRID_FRESH_SECONDS)
    return grid


def _capacity_grid(
    organization: Organization,
    first_monday: date,
    weeks: int,
    *,
    scenario: Scenario | None = None,
) -> Grid:
    options = settings_of(organization)
    threshold = options.overbooking_percent
    teams = Teams(organization, Department.objects.filter(organization=organization))
    bounds = week_bounds(organization, first_monday, weeks)
    mondays = [first_monday + timedelta(weeks=i) for i in range(weeks)]
    today_monday = this_monday(organization)
    current = mondays.index(today_monday) if today_monday in mondays else -1

    posts = _post_demand(organization, bounds, norms_of(organization), teams)
    inbox = _inbox_demand(organization, bounds, case_minutes_of(organization), teams, options.inbox_weeks)
    duties = _duty_demand(organization, weeks, teams)
    people = people_of(organization, teams)
    holidays, absences = days_off(organization, first_monday, mondays[-1] + timedelta(days=6))
    removed: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for pk, first, last in scenario.without if scenario else []:
        removed[pk].append((first, last))

    capacity: dict[tuple[int | None, int], Decimal] = defaultdict(Decimal)
    for person in people:
        share = Decimal(1) / len(person.teams)
        for i, monday in enumerate(mondays):
            hours = person_capacity(
                person, monday, holidays, absences.get(person.pk, set()), removed[person.pk]
            )
            for team in person.teams:
                capacity[(team, i)] += hours * share
    extra: dict[tuple[int | None, int], Decimal] = defaultdict(Decimal)
    for monday, team, hours in scenario.extra if scenario else []:
        if monday in mondays:
            extra[(teams.work_of(team), mondays.index(monday))] += hours

    keys = (
        {k for k, _ in posts}
        | {k for k, _ in inbox}
        | set(duties)
        | {k for k, _ in capacity}
        | {k for k, _ in extra}
    )
    ordered = [d.pk for d in teams.departments if d.pk in keys] + ([ACROSS] if ACROSS in keys else [])
    cells: dict[tuple[int | None, int], Cell] = {}
    totals = [Cell(threshold=threshold) for _ in mondays]
    for key in ordered:
        for i in range(weeks):
            cell = Cell(
                posts=posts.get((key, i), Decimal(0)),
                inbox=inbox.get((key, i), Decimal(0)),
                duties=duties.get(key, Decimal(0)),
                extra=extra.get((key, i), Decimal(0)),
                capacity=capacity.get((key, i), Decimal(0)),
                threshold=threshold,
            )
            cells[(key, i)] = cell
            total = totals[i]
            total.posts += cell.posts
            total.inbox += cell.inbox
            total.duties += cell.duties
            total.extra += cell.extra
            total.capacity += cell.capacity
    return Grid(
        organization=organization,
        weeks=mondays,
        teams=[teams.team(k) for k in ordered],
        cells=cells,
        totals=totals,
        threshold=threshold,
        current=current,
    )


def capacity_view_grid(organization: Organization, *, scenario: Scenario | None = None) -> Grid:
    """The last 12 weeks, this week and the next 11 (24 weeks)."""
    return capacity_grid(organization, this_monday(organization) - timedelta(weeks=12), 24, scenario=scenario)


def _hours(value: Decimal) -> float:
    return float(Decimal(value).quantize(Decimal("0.1"), ROUND_HALF_UP))


def plan_realism(organization: Organization, first_day: date, last_day: date) -> dict[str, Any]:
    """How realistic the plan is, week by week, for the weeks touching first_day … last_day.

    A week is over-booked when any team in it is above the organisation's threshold (work does not move
    freely between departments). The score is the share of demand that fits into the capacity of its own
    team, averaged over the weeks with demand (0–100; None when no week has any demand).
    """
    first_monday = monday_of(first_day)
    weeks = (monday_of(last_day) - first_monday).days // 7 + 1
    if weeks <= 0:
        return {"score": None, "weeks": [], "overbooked_weeks": 0}
    return realism_of(capacity_grid(organization, first_monday, weeks))


def realism_of(grid: Grid, first: int = 0) -> dict[str, Any]:
    """plan_realism's figures for the grid's weeks from index `first` on."""
    result = []
    shares = []
    for i in range(first, len(grid.weeks)):
        total = grid.totals[i]
        cells = [grid.cells[(t.key, i)] for t in grid.teams]
        demand = sum((c.demand for c in cells), Decimal(0))
        if demand > 0:
            fitting = sum((min(c.demand, c.capacity * grid.threshold / 100) for c in cells), Decimal(0))
            shares.append(fitting / demand)
        result.append(
            {
                "week_start": grid.weeks[i],
                "demand_hours": _hours(total.demand),
                "capacity_hours": _hours(total.capacity),
                "load_percent": total.load_percent,
                "overbooked": any(c.overbooked for c in cells),
            }
        )
    score = round(float(sum(shares, Decimal(0)) / len(shares)) * 100) if shares else None
    return {"score": score, "weeks": result, "overbooked_weeks": sum(1 for w in result if w["overbooked"])}


# ---- drill down ---------------------------------------------------------------------------------------


@dataclass
class PostLine:
    post: Post
    formats: list[tuple[str, str, Decimal]]  # (network, format label, hours)

    @property
    def hours(self) -> Decimal:
        return sum((h for _n, _f, h in self.formats), Decimal(0))


def cell_detail(organization: Organization, monday: date, team_slug: str, limit: int = 200) -> dict[str, Any]:
    """The posts, cases, duties and capacity behind one number of the heat map."""
    teams = Teams(organization, Department.objects.filter(organization=organization))
    key = teams.key_of_slug(team_slug)
    department_ids = [d.pk for d in teams.departments if teams.work_of(d.pk) == key] + (
        [None] if teams.work_of(None) == key else []
    )
    bounds = week_bounds(organization, monday, 1)
    norms = norms_of(organization)
    dept_q = Q(post__department_id__in=[d for d in department_ids if d is not None])
    variants = (
        _annotate_format(planned_variants(organization, bounds[0], bounds[1]).filter(dept_q))
        .select_related("post__owner__user", "post__department", "channel")
        .order_by("post__publish_at", "post_id")
    )
    lines: dict[int, PostLine] = {}
    total_posts = 0
    labels = dict(ContentFormat.choices)
    for variant in variants:
        if variant.post_id not in lines:
            total_posts += 1
            if len(lines) >= limit:
                continue
            lines[variant.post_id] = PostLine(variant.post, [])
        hours = sum(norm_for(norms, variant.fmt, variant.channel.network), Decimal(0))  # type: ignore[attr-defined]
        lines[variant.post_id].formats.append(
            (variant.channel.get_network_display(), str(labels[variant.fmt]), hours)  # type: ignore[attr-defined]
        )
    minutes = case_minutes_of(organization)
    case_q = Q(department_id__in=[d for d in department_ids if d is not None])
    if None in department_ids:
        case_q |= Q(department_id=None)
    cases = InboxCase.objects.filter(case_q, organization=organization, kind__in=list(minutes))
    options = settings_of(organization)
    past = bounds[1] <= week_bounds(organization, this_monday(organization), 0)[0]
    counts: dict[str, Any]
    if past:
        scoped = cases.filter(first_message_at__gte=bounds[0], first_message_at__lt=bounds[1])
        counts = dict(scoped.values("kind").annotate(n=Count("pk")).order_by().values_list("kind", "n"))
        case_list = list(scoped.select_related("channel").order_by("first_message_at")[:limit])
    else:
        end = week_bounds(organization, this_monday(organization), 0)[0]
        scoped = cases.filter(
            first_message_at__gte=end - timedelta(weeks=options.inbox_weeks), first_message_at__lt=end
        )
        raw = dict(scoped.values("kind").annotate(n=Count("pk")).order_by().values_list("kind", "n"))
        counts = {k: round(n / options.inbox_weeks, 1) for k, n in raw.items()}
        case_list = []
    kinds = dict(MessageKind.choices)
    case_rows = [
        {"kind": kinds[k], "count": n, "minutes": minutes[k], "hours": Decimal(str(n)) * minutes[k] / 60}
        for k, n in sorted(counts.items())
    ]
    duties = [
        d
        for d in RecurringDuty.objects.filter(organization=organization)
        if teams.people_of(d.department_id) == key
    ]
    people = [p for p in people_of(organization, teams) if key in p.teams]
    holidays, absences = days_off(organization, monday, monday + timedelta(days=6), [p.pk for p in people])
    absence_days = sum(len(absences.get(p.pk, set())) for p in people)
    capacity = sum(
        (person_capacity(p, monday, holidays, absences.get(p.pk, set())) / len(p.teams) for p in people),
        Decimal(0),
    )
    return {
        "team": teams.team(key),
        "monday": monday,
        "posts": list(lines.values()),
        "posts_total": total_posts,
        "post_hours": sum((line.hours for line in lines.values()), Decimal(0)),
        "cases_past": past,
        "case_rows": case_rows,
        "case_list": case_list,
        "case_hours": sum((Decimal(str(r["hours"])) for r in case_rows), Decimal(0)),
        "inbox_weeks": options.inbox_weeks,
        "duties": duties,
        "duty_hours": sum((d.weekly_hours for d in duties), Decimal(0)),
        "people_count": len(people),
        "absence_days": absence_days,
        "holidays": sorted(
            PublicHoliday.objects.filter(
                organization=organization, day__gte=monday, day__lte=monday + timedelta(days=6)
            ),
            key=lambda h: h.day,
        ),
        "capacity": capacity,
    }


# ---- the composer's warning ------------------------------------------------------------------------------


def post_hours(organization: Organization, post: Post | None, networks: Sequence[str]) -> Decimal:
    """The effort a post adds: its variants as they are, or text posts on the chosen networks when new."""
    norms = norms_of(organization)
    if post is not None and post.pk:
        rows = _annotate_format(PostVariant.objects.filter(post=post)).values_list(  # type: ignore[misc]
            "fmt", "channel__network"
        )
        found = [sum(norm_for(norms, f, n), Decimal(0)) for f, n in rows]
        if found:
            return sum(found, Decimal(0))
    # Before channels are chosen, a new post counts as one text variant.
    return sum((sum(norm_for(norms, F_.TEXT, n), Decimal(0)) for n in (networks or [""])), Decimal(0))


def composer_check(
    organization: Organization,
    department: Department,
    publish_at: datetime,
    *,
    post: Post | None = None,
    networks: Sequence[str] = (),
    owner_id: int | None = None,
) -> dict[str, Any] | None:
    """None if the week has room; otherwise the team's load and the nearest weeks and people with room."""
    zone = ZoneInfo(organization.time_zone)
    monday = monday_of(publish_at.astimezone(zone).date())
    if monday < this_monday(organization):
        return None  # a week that is over is not planned any more
    first = max(monday - timedelta(weeks=3), this_monday(organization))
    grid = capacity_grid(organization, first, (monday - first).days // 7 + 5)
    teams = Teams(organization, Department.objects.filter(organization=organization))
    key = teams.work_of(department.pk)
    index = grid.weeks.index(monday)
    already = (
        post is not None
        and post.publish_at is not None
        and monday_of(post.publish_at.astimezone(zone).date()) == monday
        and post.department_id == department.pk
        and post.status not in NOT_PLANNED
    )
    adds = Decimal(0) if already else post_hours(organization, post, networks)
    cell = grid.cells.get((key, index)) or Cell(threshold=grid.threshold)
    with_post = Cell(cell.posts, cell.inbox, cell.duties, adds, cell.capacity, grid.threshold)
    if not with_post.overbooked:
        return None
    hours = adds or post_hours(organization, post, networks)
    weeks_with_room = []
    for i, candidate in sorted(enumerate(grid.weeks), key=lambda p: (abs(p[0] - index), p[0])):
        other = grid.cells.get((key, i))
        if i == index or other is None or other.capacity <= 0:
            continue
        if other.room >= hours:
            weeks_with_room.append((candidate, other.load_percent))
        if len(weeks_with_room) == 3:
            break
    return {
        "team": teams.team(key),
        "monday": monday,
        "load_percent": with_post.load_percent,
        "demand": with_post.demand,
        "capacity": with_post.capacity,
        "threshold": grid.threshold,
        "post_hours": hours,
        "weeks_with_room": sorted(weeks_with_room),
        "people_with_room": people_with_room(
            organization, key, monday, hours, teams, exclude=post.owner_id if post else owner_id
        ),
    }


def people_with_room(
    organization: Organization,
    team_key: int | None,
    monday: date,
    hours: Decimal,
    teams: Teams,
    exclude: int | None = None,
) -> list[str]:
    """Names (alphabetical, no figures) of team members whose own tasks that week leave room for `hours`."""
    people = [p for p in people_of(organization, teams) if team_key in p.teams and p.pk != exclude]
    if not people:
        return []
    bounds = week_bounds(organization, monday, 1)
    booked = dict(
        Task.objects.filter(
            assignee_id__in=[p.pk for p in people], due_at__gte=bounds[0], due_at__lt=bounds[1]
        )
        .values("assignee_id")
        .annotate(h=Sum("effort_hours"))
        .order_by()
        .values_list("assignee_id", "h")
    )
    holidays, absences = days_off(organization, monday, monday + timedelta(days=6), [p.pk for p in people])
    names = [
        p.name
        for p in people
        if person_capacity(p, monday, holidays, absences.get(p.pk, set())) - (booked.get(p.pk) or 0) >= hours
    ]
    return sorted(names)[:5]


# ---- tasks --------------------------------------------------------------------------------------------


def tasks_for(member: Membership, first: datetime, last: datetime) -> QuerySet[Task]:
    return (
        Task.objects.filter(assignee=member, organization_id=member.organization_id)
        .filter(Q(due_at__gte=first, due_at__lt=last) | Q(due_at__lt=first, status=Task.Status.OPEN))
        .select_related("post", "post__department")
        .annotate(logged=Sum("time_entries__hours"))
        .order_by("status", "due_at")
    )


def tasks_to_reassign(organization: Organization) -> QuerySet[Task]:
    """Open tasks of people who left (or of nobody) on posts still planned."""
    return (
        Task.objects.filter(organization=organization, status=Task.Status.OPEN)
        .filter(Q(assignee=None) | Q(assignee__is_active=False) | Q(assignee__user__is_active=False))
        .exclude(post__status__in=NOT_PLANNED)
        .select_related("post", "assignee__user")
        .order_by("due_at")
    )


# ---- norms: what the logged time says ---------------------------------------------------------------------

PHASE_OF_KIND: dict[str, int] = {
    Task.Kind.WRITE: 0,
    Task.Kind.REVIEW: 1,
    Task.Kind.APPROVE: 1,
    Task.Kind.PUBLISH: 2,
}


def logged_medians(organization: Organization, days: int = 90) -> dict[tuple[str, str], list[Decimal | None]]:
    """(format, network) → median logged hours per task for create, review, publish over the last days."""
    since = timezone.now() - timedelta(days=days)
    rows = (
        TimeEntry.objects.filter(task__organization=organization, created_at__gte=since)
        .exclude(task__content_format="")
        .values("task_id", "task__kind", "task__content_format", "task__network")
        .annotate(h=Sum("hours"))
        .order_by()
    )
    samples: dict[tuple[str, str, int], list[Decimal]] = defaultdict(list)
    for row in rows:
        phase = PHASE_OF_KIND[row["task__kind"]]
        samples[(row["task__content_format"], row["task__network"], phase)].append(row["h"])
        samples[(row["task__content_format"], "", phase)].append(row["h"])
    result: dict[tuple[str, str], list[Decimal | None]] = defaultdict(lambda: [None, None, None])
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for (fmt, network, phase), values in samples.items():
        result[(fmt, network)][phase] = Decimal(str(round(statistics.median(values), 2)))
        counts[(fmt, network)] = max(counts[(fmt, network)], len(values))
    return dict(result)


# ---- per person -------------------------------------------------------------------------------------------


def person_weeks(membership: Membership, first_monday: date, weeks: int) -> list[dict[str, Any]]:
    """A person's own capacity and the hours of tasks assigned to them, per week."""
    organization = membership.organization
    teams = Teams(organization, Department.objects.filter(organization=organization))
    person = next((p for p in people_of(organization, teams) if p.pk == membership.pk), None)
    mondays = [first_monday + timedelta(weeks=i) for i in range(weeks)]
    bounds = week_bounds(organization, first_monday, weeks)
    booked = dict(
        Task.objects.filter(assignee=membership, due_at__gte=bounds[0], due_at__lt=bounds[-1])
        .annotate(bucket=_bucket("due_at", bounds))
        .values("bucket")
        .annotate(h=Sum("effort_hours"), n=Count("pk"))
        .order_by()
        .values_list("bucket", "h")
    )
    holidays, absences = days_off(organization, mondays[0], mondays[-1] + timedelta(days=6), [membership.pk])
    result = []
    for i, monday in enumerate(mondays):
        capacity = (
            person_capacity(person, monday, holidays, absences.get(membership.pk, set()))
            if person
            else Decimal(0)
        )
        cell = Cell(posts=booked.get(i) or Decimal(0), capacity=capacity)
        absent_days = len(
            [d for d in absences.get(membership.pk, set()) if monday <= d <= monday + timedelta(6)]
        )
        result.append({"monday": monday, "cell": cell, "absent_days": absent_days})
    return result


def may_see_person(viewer: Membership, person: Membership) -> bool:
    """The person themself, or the one role the organisation enabled with a documented purpose."""
    if viewer.organization_id != person.organization_id or not viewer.is_active:
        return False
    if viewer.pk == person.pk:
        return True
    options = settings_of(viewer.organization)
    return bool(options.person_view_role and options.person_view_purpose.strip()) and (
        viewer.role == options.person_view_role
    )
