"""Demo data for workload: norms, duties, public holidays of NRW, absences, tasks (some done, some time
logged) and one over-booked week, so the capacity view and the composer warning have something to say."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from onevoice.organization.models import Membership, Organization
from onevoice.organization.roles import Role
from onevoice.workload import selectors, services
from onevoice.workload.models import Absence, ContentFormat, RecurringDuty, Task, TimeEntry

NORMS = [
    (ContentFormat.TEXT, "linkedin", "1.5", "0.3", "0.1"),
    (ContentFormat.IMAGE, "instagram", "2.5", "0.3", "0.15"),
    (ContentFormat.CAROUSEL, "instagram", "4", "0.5", "0.2"),
    (ContentFormat.VIDEO, "", "12", "1", "0.25"),
]
DUTIES = [
    ("Monitoring und Social Listening", "3", RecurringDuty.Interval.WEEKLY, "PR/Unternehmenskommunikation"),
    ("Redaktionskonferenz", "1", RecurringDuty.Interval.WEEKLY, None),
    (
        "Monatsbericht an die Geschäftsleitung",
        "4",
        RecurringDuty.Interval.MONTHLY,
        "PR/Unternehmenskommunikation",
    ),
]


@transaction.atomic
def seed(organization: Organization, *, state: str = "NW") -> None:
    """Fill workload for the demo organisation; does nothing if it has norms already."""
    if organization.effort_norms.exists():
        return
    smm = (
        Membership.objects.active()
        .filter(organization=organization, role__in=[Role.SMM, Role.ADMIN])
        .order_by("-role")
        .first()
    )
    if smm is None:
        return
    for fmt, network, create, review, publish in NORMS:
        services.norm_save(
            actor=smm,
            content_format=fmt,
            network=network,
            create_hours=Decimal(create),
            review_hours=Decimal(review),
            publish_hours=Decimal(publish),
        )
    services.inbox_norm_save(actor=smm, case_kind="direct_message", minutes=10)
    marketing = organization.departments.filter(name="Marketing").first()
    for name, hours, interval, department in DUTIES:
        services.duty_create(
            actor=smm,
            name=name,
            hours=Decimal(hours),
            interval=interval,
            department=organization.departments.filter(name=department).first() if department else None,
        )
    if marketing is not None:
        services.duty_create(
            actor=smm,
            name="Messevorbereitung",
            hours=Decimal(2),
            interval=RecurringDuty.Interval.WEEKLY,
            department=marketing,
        )
    year = timezone.now().year
    services.holidays_import(actor=smm, state=state, years=[year, year + 1])

    # The demo's people have been there for months (their accounts were made just now).
    Membership.objects.filter(organization=organization).update(
        joined_at=timezone.now() - timedelta(days=200)
    )
    monday = selectors.this_monday(organization)
    people = list(
        Membership.objects.active().filter(organization=organization, weekly_hours__gt=0).order_by("pk")
    )
    for i, person in enumerate(people[:4]):
        first = monday + timedelta(weeks=3 + i * 2)
        Absence.objects.create(
            membership=person, kind=Absence.Kind.HOLIDAY, starts_on=first, ends_on=first + timedelta(days=4)
        )
    if len(people) > 4:
        day = monday + timedelta(weeks=1, days=2)
        Absence.objects.create(membership=people[4], kind=Absence.Kind.TRAINING, starts_on=day, ends_on=day)

    services.tasks_rederive_all(organization)
    _some_done(organization, smm)
    _one_overbooked_week(organization)


def _some_done(organization: Organization, smm: Membership) -> None:
    """Tasks due before today are mostly done; a few carry logged time (the medians beside the norms)."""
    now = timezone.now()
    due = list(Task.objects.filter(organization=organization, due_at__lt=now, status=Task.Status.OPEN))
    for i, task in enumerate(due):
        if i % 4 == 3:
            continue  # some stay open: overdue tasks are real life
        Task.objects.filter(pk=task.pk).update(status=Task.Status.DONE, done_at=now, done_by=task.assignee)
    logged = Task.objects.filter(organization=organization, assignee__isnull=False).exclude(content_format="")
    for i, task in enumerate(logged[:24]):
        factor = Decimal("1.2") if i % 3 else Decimal("0.9")
        hours = max(Decimal("0.1"), (task.effort_hours * factor).quantize(Decimal("0.05")))
        if task.assignee is not None:
            TimeEntry.objects.create(task=task, membership=task.assignee, hours=min(hours, Decimal(40)))


def _one_overbooked_week(organization: Organization) -> None:
    """Marketing's busiest coming week: the trade-fair week, when most of the team is away at the fair."""
    grid = selectors.capacity_grid(organization, selectors.this_monday(organization) + timedelta(weeks=1), 4)
    marketing = next((t for t in grid.teams if t.name == "Marketing"), None)
    if marketing is None or marketing.key is None:
        return
    if any(c.overbooked for c in grid.row(marketing)):
        return
    index = max(range(len(grid.weeks)), key=lambda i: grid.row(marketing)[i].demand)
    monday = grid.weeks[index]
    team = list(
        Membership.objects.active()
        .filter(organization=organization, departments__pk=marketing.key, weekly_hours__gt=0)
        .order_by("-weekly_hours", "pk")
    )
    # The Marketing duty makes sure there is demand; with the whole team away the week is surely over.
    for person in team:
        Absence.objects.create(
            membership=person, kind=Absence.Kind.OTHER, starts_on=monday, ends_on=monday + timedelta(days=4)
        )
        again = selectors.capacity_grid(organization, monday, 1)
        cell = again.cells.get((marketing.key, 0))
        if cell is not None and cell.overbooked:
            return
