"""Writes for workload: norms, duties, absences, holidays, settings, and the tasks derived from the plan.

Tasks follow the plan: `tasks_rederive(post_id)` runs after every committed change of a post (hooked in
planning's services) and is idempotent. Open tasks move with the publish time; done tasks stay done.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import holidays as holiday_library
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from onevoice.core import audit
from onevoice.organization.access import NotAllowed
from onevoice.organization.models import Department, Membership, Organization
from onevoice.organization.roles import Capability, Role
from onevoice.planning.models import ApprovalStep, Notification, Post
from onevoice.workload import selectors
from onevoice.workload.models import (
    MAX_PHASE_HOURS,
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

C = Capability
S = Post.Status


def _require_same_org(actor: Membership, *objects: Any) -> None:
    for obj in objects:
        if obj is not None and getattr(obj, "organization_id", None) != actor.organization_id:
            raise NotAllowed(C.MANAGE_STRATEGY)


def _check_hours(**values: Decimal) -> None:
    errors = {}
    for name, value in values.items():
        if value is None or value < 0:
            errors[name] = _("Hours cannot be negative.")
        elif value > MAX_PHASE_HOURS:
            errors[name] = _("More than %(limit)s hours is not plausible here.") % {"limit": MAX_PHASE_HOURS}
    if errors:
        raise ValidationError(errors)


# ---- settings -------------------------------------------------------------------------------------------


@transaction.atomic
def settings_update(*, actor: Membership, **fields: Any) -> WorkloadSettings:
    """Change lead times, the threshold, the holiday state or who may see per-person figures (and why)."""
    actor.require(C.MANAGE_STRATEGY)
    options, _created = WorkloadSettings.objects.get_or_create(organization=actor.organization)
    role = fields.get("person_view_role", options.person_view_role)
    purpose = (fields.get("person_view_purpose", options.person_view_purpose) or "").strip()
    if role and role not in Role.values:
        raise ValidationError({"person_view_role": _("Choose a role from the list.")})
    if role and len(purpose) < 20:
        raise ValidationError(
            {
                "person_view_purpose": _(
                    "Describe the purpose agreed with the works council (at least 20 characters) before a role "
                    "may see per-person figures."
                )
            }
        )
    before = {name: getattr(options, name) for name in fields}
    for name, value in fields.items():
        setattr(options, name, value)
    options.person_view_purpose = purpose
    options.full_clean(exclude=["organization"])
    options.save()
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="workload.settings_changed",
        obj=options,
        before=before,
        after={name: getattr(options, name) for name in fields},
    )
    return options


# ---- norms ----------------------------------------------------------------------------------------------


@transaction.atomic
def norm_save(
    *,
    actor: Membership,
    content_format: str,
    network: str,
    create_hours: Decimal,
    review_hours: Decimal,
    publish_hours: Decimal,
) -> EffortNorm:
    """Set the hours for a format on a network (blank network: every network); replaces an existing one."""
    actor.require(C.MANAGE_STRATEGY)
    if content_format not in ContentFormat.values:
        raise ValidationError({"content_format": _("Choose a format from the list.")})
    _check_hours(create_hours=create_hours, review_hours=review_hours, publish_hours=publish_hours)
    if create_hours + review_hours + publish_hours <= 0:
        raise ValidationError(_("A post takes some time: enter at least one value above 0."))
    norm = EffortNorm.objects.filter(
        organization=actor.organization, content_format=content_format, network=network
    ).first()
    before = None
    if norm is None:
        norm = EffortNorm(organization=actor.organization, content_format=content_format, network=network)
    else:
        before = {"create": norm.create_hours, "review": norm.review_hours, "publish": norm.publish_hours}
    norm.create_hours, norm.review_hours, norm.publish_hours = create_hours, review_hours, publish_hours
    norm.save()
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="workload.norm_saved",
        obj=norm,
        before=before,
        after={
            "format": content_format,
            "network": network or "*",
            "create": create_hours,
            "review": review_hours,
            "publish": publish_hours,
        },
    )
    return norm


@transaction.atomic
def norm_delete(*, actor: Membership, norm: EffortNorm) -> None:
    actor.require(C.MANAGE_STRATEGY)
    _require_same_org(actor, norm)
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="workload.norm_deleted",
        obj=norm,
        before={"format": norm.content_format, "network": norm.network or "*"},
    )
    norm.delete()


@transaction.atomic
def inbox_norm_save(*, actor: Membership, case_kind: str, minutes: int) -> InboxNorm:
    actor.require(C.MANAGE_STRATEGY)
    if case_kind not in selectors.DEFAULT_CASE_MINUTES:
        raise ValidationError({"case_kind": _("Choose a type of case from the list.")})
    if minutes is None or minutes < 0:
        raise ValidationError({"minutes": _("Minutes cannot be negative.")})
    if minutes > 240:
        raise ValidationError({"minutes": _("More than 240 minutes per case is not plausible.")})
    norm, _created = InboxNorm.objects.update_or_create(
        organization=actor.organization, case_kind=case_kind, defaults={"minutes": minutes}
    )
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="workload.inbox_norm_saved",
        obj=norm,
        after={"kind": case_kind, "minutes": minutes},
    )
    return norm


# ---- duties ---------------------------------------------------------------------------------------------


@transaction.atomic
def duty_create(
    *, actor: Membership, name: str, hours: Decimal, interval: str, department: Department | None
) -> RecurringDuty:
    actor.require(C.MANAGE_STRATEGY)
    _require_same_org(actor, department)
    if hours is None or hours <= 0:
        raise ValidationError({"hours": _("Enter the hours the duty takes each time (above 0).")})
    if hours > 40:
        raise ValidationError({"hours": _("More than 40 hours per duty is not plausible here.")})
    if interval not in RecurringDuty.Interval.values:
        raise ValidationError({"interval": _("Choose how often from the list.")})
    duty = RecurringDuty.objects.create(
        organization=actor.organization,
        name=name.strip(),
        hours=hours,
        interval=interval,
        department=department,
    )
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="workload.duty_created",
        obj=duty,
        after={"name": duty.name, "hours": hours, "interval": interval, "department": str(department or "")},
    )
    return duty


@transaction.atomic
def duty_delete(*, actor: Membership, duty: RecurringDuty) -> None:
    actor.require(C.MANAGE_STRATEGY)
    _require_same_org(actor, duty)
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="workload.duty_deleted",
        obj=duty,
        before={"name": duty.name, "hours": duty.hours, "interval": duty.interval},
    )
    duty.delete()


# ---- absences and holidays ----------------------------------------------------------------------------------


def may_manage_absences_of(actor: Membership, person: Membership) -> bool:
    return actor.organization_id == person.organization_id and (
        actor.pk == person.pk or actor.can(C.MANAGE_MEMBERS)
    )


@transaction.atomic
def absence_create(
    *, actor: Membership, person: Membership, kind: str, starts_on: date, ends_on: date
) -> Absence:
    """Record whole days away; people record their own, those who manage people record anyone's."""
    if not may_manage_absences_of(actor, person):
        raise NotAllowed(C.MANAGE_MEMBERS)
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The last day cannot be before the first day.")})
    if (ends_on - starts_on).days > 366:
        raise ValidationError(
            {"ends_on": _("An absence longer than a year is not plausible. Check the dates.")}
        )
    if kind not in Absence.Kind.values:
        raise ValidationError({"kind": _("Choose a kind from the list.")})
    absence = Absence.objects.create(membership=person, kind=kind, starts_on=starts_on, ends_on=ends_on)
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="workload.absence_recorded",
        obj=absence,
        after={"person": person.user.email, "kind": kind, "from": starts_on, "until": ends_on},
    )
    return absence


@transaction.atomic
def absence_delete(*, actor: Membership, absence: Absence) -> None:
    if not may_manage_absences_of(actor, absence.membership):
        raise NotAllowed(C.MANAGE_MEMBERS)
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="workload.absence_deleted",
        obj=absence,
        before={"person": absence.membership.user.email, "from": absence.starts_on, "until": absence.ends_on},
    )
    absence.delete()


@transaction.atomic
def holidays_import(*, actor: Membership, state: str, years: list[int]) -> int:
    """Add the public holidays of a German state for the given years (existing days are kept); return the count."""
    actor.require(C.MANAGE_STRATEGY)
    if state not in holiday_library.Germany.subdivisions or len(state) != 2:
        raise ValidationError({"state": _("Choose a state from the list.")})
    if not years or any(y < 2000 or y > 2100 for y in years):
        raise ValidationError({"years": _("Choose years between 2000 and 2100.")})
    found = holiday_library.country_holidays("DE", subdiv=state, years=years, language="de")
    existing = set(
        PublicHoliday.objects.filter(organization=actor.organization, day__in=list(found)).values_list(
            "day", flat=True
        )
    )
    new = [
        PublicHoliday(organization=actor.organization, day=day, name=str(name)[:120])
        for day, name in sorted(found.items())
        if day not in existing
    ]
    PublicHoliday.objects.bulk_create(new)
    options, _created = WorkloadSettings.objects.get_or_create(organization=actor.organization)
    options.holiday_state = state
    options.save(update_fields=["holiday_state", "updated_at"])
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="workload.holidays_imported",
        obj=options,
        after={"state": state, "years": years, "added": len(new)},
    )
    return len(new)


@transaction.atomic
def holiday_delete(*, actor: Membership, holiday: PublicHoliday) -> None:
    actor.require(C.MANAGE_STRATEGY)
    _require_same_org(actor, holiday)
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="workload.holiday_deleted",
        obj=holiday,
        before={"day": holiday.day, "name": holiday.name},
    )
    holiday.delete()


# ---- tasks from the plan --------------------------------------------------------------------------------


def _approval_steps(post: Post) -> list[tuple[str, str, Membership | None]]:
    """(key, kind, assignee) for each review and approval step the post goes through."""
    from onevoice.planning import services as planning

    policy = planning.policy_for(post)
    if policy is None:
        approvers = planning._default_approvers(post)
        first = sorted(approvers, key=lambda m: (m.role != Role.SMM, m.user.full_name, m.pk))
        return [("approve:default", Task.Kind.APPROVE, first[0] if first else None)]
    steps: list[tuple[str, str, Membership | None]] = []
    for step in policy.steps.all():
        people = sorted(planning.eligible_approvers(step, post), key=lambda m: (m.user.full_name, m.pk))
        kind = Task.Kind.REVIEW if step.kind == ApprovalStep.Kind.FEEDBACK else Task.Kind.APPROVE
        steps.append((f"{kind}:{step.pk}", kind, people[0] if people else None))
    return steps


def desired_tasks(post: Post) -> list[dict[str, Any]]:
    """The tasks a scheduled post needs, with due times counted back from its publish time."""
    if post.publish_at is None or post.status in (S.WITHDRAWN, S.IDEA):
        return []
    options = selectors.settings_of(post.organization)
    norms = selectors.norms_of(post.organization)
    from onevoice.planning.models import PostVariant

    variants = list(
        selectors._annotate_format(PostVariant.objects.filter(post=post)).values_list(  # type: ignore[misc]
            "fmt", "channel__network"
        )
    )
    hours = [selectors.norm_for(norms, fmt, network) for fmt, network in variants] or [
        selectors.norm_for(norms, ContentFormat.TEXT, "")
    ]
    create = sum((h[0] for h in hours), Decimal(0))
    review = sum((h[1] for h in hours), Decimal(0))
    publish = sum((h[2] for h in hours), Decimal(0))
    single = variants[0] if len(variants) == 1 else ("", "")
    lead: dict[str, int] = {
        Task.Kind.WRITE: options.write_lead_hours,
        Task.Kind.REVIEW: options.review_lead_hours,
        Task.Kind.APPROVE: options.approve_lead_hours,
        Task.Kind.PUBLISH: 0,
    }
    tasks: list[dict[str, Any]] = [
        {"key": "write", "kind": Task.Kind.WRITE, "assignee": post.owner, "effort": create}
    ]
    for key, kind, assignee in _approval_steps(post):
        tasks.append({"key": key, "kind": kind, "assignee": assignee, "effort": review})
    tasks.append({"key": "publish", "kind": Task.Kind.PUBLISH, "assignee": post.owner, "effort": publish})
    for task in tasks:
        task["due_at"] = post.publish_at - timedelta(hours=lead[task["kind"]])
        task["content_format"], task["network"] = single
    return tasks


# Steps a post has passed by its status: their open tasks are done by the workflow itself.
PASSED: dict[str, set[str]] = {
    S.IN_REVIEW: {Task.Kind.WRITE},
    S.APPROVED: {Task.Kind.WRITE, Task.Kind.REVIEW, Task.Kind.APPROVE},
    S.SCHEDULED: {Task.Kind.WRITE, Task.Kind.REVIEW, Task.Kind.APPROVE},
    S.PUBLISHED: set(Task.Kind.values),
}


@transaction.atomic
def tasks_rederive(post_id: int) -> list[Task]:
    """Bring the post's tasks in line with the plan; safe to run any number of times."""
    post = (
        Post.objects.select_for_update(of=("self",))
        .select_related("organization", "owner__user")
        .filter(pk=post_id)
        .first()
    )
    if post is None:
        return []
    wanted = {t["key"]: t for t in desired_tasks(post)}
    existing = {t.key: t for t in Task.objects.filter(post=post)}
    passed = PASSED.get(post.status, set())
    now = timezone.now()
    for key, task in existing.items():
        if key not in wanted and task.status == Task.Status.OPEN:
            task.delete()  # the post left the plan (or the step its policy): nothing to do any more
    kept = []
    for key, spec in wanted.items():
        task = existing.get(key) or Task(organization=post.organization, post=post, key=key)
        task.kind = spec["kind"]
        task.due_at = spec["due_at"]
        task.effort_hours = spec["effort"]
        task.content_format, task.network = spec["content_format"], spec["network"]
        if not task.assignee_locked:
            task.assignee = spec["assignee"]
        if task.status == Task.Status.OPEN and task.kind in passed:
            task.status, task.done_at = Task.Status.DONE, now
        task.save()
        kept.append(task)
    return kept


def tasks_follow_plan(post: Post) -> None:
    """Re-derive the post's tasks once the change of the plan is committed (called by planning)."""
    transaction.on_commit(functools.partial(tasks_rederive, post.pk), robust=True)


def tasks_rederive_all(organization: Organization) -> int:
    """After norms or lead times change: every planned post from today on (demo, settings)."""
    ids = list(
        Post.objects.filter(organization=organization, publish_at__gte=timezone.now() - timedelta(days=7))
        .exclude(status__in=(S.WITHDRAWN,))
        .values_list("pk", flat=True)
    )
    for post_id in ids:
        tasks_rederive(post_id)
    return len(ids)


def _require_own_or_manager(actor: Membership, task: Task) -> None:
    if task.organization_id != actor.organization_id:
        raise NotAllowed(C.VIEW_PLAN)
    if task.assignee_id != actor.pk and not actor.can(C.MANAGE_STRATEGY):
        raise NotAllowed(C.MANAGE_STRATEGY)


@transaction.atomic
def task_mark_done(*, actor: Membership, task: Task, done: bool = True) -> Task:
    _require_own_or_manager(actor, task)
    before = task.status
    task.status = Task.Status.DONE if done else Task.Status.OPEN
    task.done_at = timezone.now() if done else None
    task.done_by = actor if done else None
    task.save(update_fields=["status", "done_at", "done_by", "updated_at"])
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="workload.task_done" if done else "workload.task_reopened",
        obj=task,
        before={"status": before},
        after={"status": task.status},
    )
    return task


@transaction.atomic
def task_log_time(*, actor: Membership, task: Task, hours: Decimal) -> TimeEntry:
    """Log the actual time on one's own task (optional); it feeds the median beside the norm."""
    if task.organization_id != actor.organization_id or task.assignee_id != actor.pk:
        raise NotAllowed(C.VIEW_PLAN)
    if hours is None or hours <= 0:
        raise ValidationError({"hours": _("Enter the time you spent, above 0 hours.")})
    if hours > MAX_PHASE_HOURS:
        raise ValidationError({"hours": _("More than 40 hours on one task is not plausible.")})
    # No audit event: logged time is the person's own note and is only ever shown as a median per norm.
    return TimeEntry.objects.create(task=task, membership=actor, hours=hours)


@transaction.atomic
def task_reassign(*, actor: Membership, task: Task, assignee: Membership) -> Task:
    actor.require(C.MANAGE_STRATEGY)
    _require_same_org(actor, task, assignee)
    if not assignee.is_active:
        raise ValidationError({"assignee": _("Choose someone who is still in the organisation.")})
    before = task.assignee.user.email if task.assignee else None
    task.assignee = assignee
    task.assignee_locked = True
    task.save(update_fields=["assignee", "assignee_locked", "updated_at"])
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="workload.task_reassigned",
        obj=task,
        before={"assignee": before},
        after={"assignee": assignee.user.email},
    )
    return task


def member_left(membership: Membership) -> int:
    """A person left: tell the SMMs how many of their open tasks wait to be reassigned (called by organization)."""
    count = Task.objects.filter(
        assignee=membership, status=Task.Status.OPEN, organization_id=membership.organization_id
    ).count()
    if not count:
        return 0
    from onevoice.planning.notifications import notify

    managers = Membership.objects.active().filter(
        organization_id=membership.organization_id, role__in=[Role.SMM, Role.ADMIN]
    )
    notify(
        managers,
        Notification.Kind.TASKS_TO_REASSIGN,
        _("%(person)s left: %(count)s open tasks need someone else.")
        % {"person": membership.user.full_name or membership.user.email, "count": count},
        reverse("workload:reassign", args=[membership.organization.slug]),
    )
    return count
