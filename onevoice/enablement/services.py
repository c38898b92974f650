"""Writes of enablement: defaults, skills, role profiles and their attachment, checklists, ticks, trainings.

Every service checks the permission, validates, saves and writes an audit event in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from onevoice.core import audit
from onevoice.enablement import defaults, selectors
from onevoice.enablement.models import (
    MAX_TRAINING_HOURS,
    EnablementSettings,
    OnboardingChecklist,
    OnboardingItem,
    OnboardingProgress,
    ProfileAssignment,
    RoleProfile,
    Skill,
    TrainingRecord,
)
from onevoice.organization.access import NotAllowed
from onevoice.organization.models import Membership, Organization
from onevoice.organization.roles import Capability, Role

C = Capability


def _require_profiles(actor: Membership) -> None:
    if not selectors.may_manage_profiles(actor):
        raise NotAllowed(C.MANAGE_STRATEGY)


def _require_people(actor: Membership) -> None:
    if not selectors.may_manage_people(actor):
        raise NotAllowed(C.MANAGE_MEMBERS)


def _same_org(actor: Membership, *objects: Any) -> None:
    for obj in objects:
        if obj is not None and getattr(obj, "organization_id", None) != actor.organization_id:
            raise NotAllowed(C.MANAGE_STRATEGY)


def _record(actor: Membership, verb: str, obj: Any, before: Any = None, after: Any = None) -> None:
    audit.record(
        actor=actor.user, organization=actor.organization, verb=verb, obj=obj, before=before, after=after
    )


# ---- defaults -------------------------------------------------------------------------------------------


def ensure_defaults(organization: Organization, *, language: str | None = None) -> bool:
    """Create the default skills, profiles and checklists once; True if they were created now."""
    if EnablementSettings.objects.filter(organization=organization).exists():
        return False
    language = language or translation.get_language() or "de"
    try:
        with transaction.atomic():
            EnablementSettings.objects.create(organization=organization, seeded_language=language[:10])
            with translation.override(language):
                _seed(organization)
    except IntegrityError:  # another request seeded a moment ago
        return False
    return True


def _seed(organization: Organization) -> None:
    skills: dict[str, Skill] = {}
    existing = {s.name.lower(): s for s in Skill.objects.filter(organization=organization)}
    for spec in defaults.default_skills():
        skills[spec.key] = existing.get(spec.name.lower()) or Skill.objects.create(
            organization=organization, name=spec.name, description=spec.description
        )
    taken_roles = set(
        RoleProfile.objects.filter(organization=organization).exclude(role="").values_list("role", flat=True)
    )
    taken_titles = {
        t.lower()
        for t in RoleProfile.objects.filter(organization=organization).values_list("title", flat=True)
    }
    for profile_spec in defaults.default_profiles(two_factor=selectors.two_factor_model() is not None):
        if profile_spec.role in taken_roles or profile_spec.title.lower() in taken_titles:
            continue
        profile = RoleProfile.objects.create(
            organization=organization,
            title=profile_spec.title,
            role=profile_spec.role,
            summary=profile_spec.summary,
            tasks="\n".join(profile_spec.tasks),
            responsibilities="\n".join(profile_spec.responsibilities),
            authority="\n".join(profile_spec.authority),
        )
        profile.skills.set([skills[key] for key in profile_spec.skills])
        checklist = OnboardingChecklist.objects.create(
            organization=organization, profile=profile, introduction=profile_spec.introduction
        )
        OnboardingItem.objects.bulk_create(
            OnboardingItem(
                checklist=checklist,
                title=item.title,
                description=item.description,
                position=(i + 1) * 10,
                required=item.required,
                verification=item.verification,
                destination=item.destination,
            )
            for i, item in enumerate(profile_spec.items)
        )
    audit.record(
        actor=None,
        organization=organization,
        verb="enablement.defaults_created",
        after={"skills": len(skills), "profiles": [p.title for p in defaults.default_profiles()]},
    )


# ---- skills ---------------------------------------------------------------------------------------------


def _clean_skill(actor: Membership, name: str, skill: Skill | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter a name for the skill.")})
    clash = Skill.objects.filter(organization=actor.organization, name__iexact=name)
    if skill is not None:
        clash = clash.exclude(pk=skill.pk)
    if clash.exists():
        raise ValidationError({"name": _("There is a skill with this name already.")})
    return name


@transaction.atomic
def skill_create(*, actor: Membership, name: str, description: str = "") -> Skill:
    _require_profiles(actor)
    skill = Skill.objects.create(
        organization=actor.organization, name=_clean_skill(actor, name), description=description.strip()
    )
    _record(actor, "skill.created", skill, after=skill.snapshot())
    return skill


@transaction.atomic
def skill_update(*, actor: Membership, skill: Skill, name: str, description: str = "") -> Skill:
    _require_profiles(actor)
    _same_org(actor, skill)
    before = skill.snapshot()
    skill.name = _clean_skill(actor, name, skill)
    skill.description = description.strip()
    skill.save(update_fields=["name", "description"])
    _record(actor, "skill.updated", skill, before=before, after=skill.snapshot())
    return skill


@transaction.atomic
def skill_delete(*, actor: Membership, skill: Skill) -> None:
    """Remove a skill from the catalogue; profiles and trainings simply no longer mention it."""
    _require_profiles(actor)
    _same_org(actor, skill)
    _record(actor, "skill.deleted", skill, before=skill.snapshot())
    skill.delete()


# ---- role profiles --------------------------------------------------------------------------------------


def _check_profile(actor: Membership, fields: dict[str, Any], profile: RoleProfile | None) -> None:
    errors: dict[str, str] = {}
    title = (fields.get("title") or "").strip()
    others = RoleProfile.objects.filter(organization=actor.organization)
    if profile is not None:
        others = others.exclude(pk=profile.pk)
    if not title:
        errors["title"] = _("Enter a title for the profile.")
    elif others.filter(title__iexact=title).exists():
        errors["title"] = _("There is a profile with this title already.")
    role = fields.get("role") or ""
    if role and role not in Role.values:
        errors["role"] = _("Choose a role from the list.")
    elif role and others.filter(role=role).exists():
        errors["role"] = _("Another profile is the default for this role already. Remove it there first.")
    if errors:
        raise ValidationError(errors)


def _check_skills(actor: Membership, skills: Iterable[Skill]) -> list[Skill]:
    skills = list(skills)
    _same_org(actor, *skills)
    return skills


PROFILE_FIELDS = ("title", "role", "summary", "tasks", "responsibilities", "authority")


@transaction.atomic
def profile_create(*, actor: Membership, skills: Iterable[Skill] = (), **fields: Any) -> RoleProfile:
    """A new profile, with an empty onboarding checklist of its own."""
    _require_profiles(actor)
    _check_profile(actor, fields, None)
    values = {name: (fields.get(name) or "").strip() for name in PROFILE_FIELDS}
    profile = RoleProfile.objects.create(organization=actor.organization, **values)
    profile.skills.set(_check_skills(actor, skills))
    OnboardingChecklist.objects.create(organization=actor.organization, profile=profile)
    _record(actor, "role_profile.created", profile, after=profile.snapshot())
    return profile


@transaction.atomic
def profile_update(
    *, actor: Membership, profile: RoleProfile, skills: Iterable[Skill] = (), **fields: Any
) -> RoleProfile:
    _require_profiles(actor)
    _same_org(actor, profile)
    _check_profile(actor, fields, profile)
    before = profile.snapshot()
    for name in PROFILE_FIELDS:
        setattr(profile, name, (fields.get(name) or "").strip())
    profile.save(update_fields=[*PROFILE_FIELDS, "updated_at"])
    profile.skills.set(_check_skills(actor, skills))
    _record(actor, "role_profile.updated", profile, before=before, after=profile.snapshot())
    return profile


@transaction.atomic
def profile_delete(*, actor: Membership, profile: RoleProfile) -> None:
    """Delete a profile, its checklist and the ticks on it; people keep their membership and role."""
    _require_profiles(actor)
    _same_org(actor, profile)
    people = list(profile.assignments.values_list("membership__user__email", flat=True))
    _record(actor, "role_profile.deleted", profile, before={**profile.snapshot(), "attached_to": people})
    profile.delete()


@transaction.atomic
def profile_attach(*, actor: Membership, profile: RoleProfile, membership: Membership) -> ProfileAssignment:
    _require_people(actor)
    _same_org(actor, profile, membership)
    assignment, created = ProfileAssignment.objects.get_or_create(
        profile=profile, membership=membership, defaults={"assigned_by": actor}
    )
    if created:
        _record(
            actor,
            "role_profile.attached",
            membership,
            after={"person": membership.user.email, "profile": profile.title},
        )
    return assignment


@transaction.atomic
def profile_detach(*, actor: Membership, profile: RoleProfile, membership: Membership) -> None:
    _require_people(actor)
    _same_org(actor, profile, membership)
    deleted, _rows = ProfileAssignment.objects.filter(profile=profile, membership=membership).delete()
    if deleted:
        _record(
            actor,
            "role_profile.detached",
            membership,
            before={"person": membership.user.email, "profile": profile.title},
        )


# ---- checklists -----------------------------------------------------------------------------------------


@transaction.atomic
def checklist_update(*, actor: Membership, checklist: OnboardingChecklist, introduction: str) -> None:
    _require_profiles(actor)
    _same_org(actor, checklist)
    before = {"introduction": checklist.introduction}
    checklist.introduction = introduction.strip()
    checklist.save(update_fields=["introduction", "updated_at"])
    _record(
        actor,
        "onboarding.checklist_updated",
        checklist,
        before=before,
        after={"introduction": checklist.introduction},
    )


def _clean_item(fields: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    title = (fields.get("title") or "").strip()
    if not title:
        errors["title"] = _("Describe the step in a few words.")
    verification = fields.get("verification") or OnboardingItem.Verification.MANUAL
    if verification not in OnboardingItem.Verification.values:
        errors["verification"] = _("Choose from the list.")
    destination = fields.get("destination") or ""
    if destination not in OnboardingItem.Destination.values:
        errors["destination"] = _("Choose from the list.")
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "description": (fields.get("description") or "").strip(),
        "required": bool(fields.get("required")),
        "verification": verification,
        "destination": destination,
    }


@transaction.atomic
def item_create(*, actor: Membership, checklist: OnboardingChecklist, **fields: Any) -> OnboardingItem:
    _require_profiles(actor)
    _same_org(actor, checklist)
    values = _clean_item(fields)
    last = checklist.items.aggregate(m=Max("position"))["m"] or 0
    item = OnboardingItem.objects.create(checklist=checklist, position=last + 10, **values)
    _record(actor, "onboarding.step_added", checklist, after={"profile": str(checklist), **item.snapshot()})
    return item


@transaction.atomic
def item_update(*, actor: Membership, item: OnboardingItem, **fields: Any) -> OnboardingItem:
    _require_profiles(actor)
    _same_org(actor, item.checklist)
    before = item.snapshot()
    for name, value in _clean_item(fields).items():
        setattr(item, name, value)
    item.save(update_fields=["title", "description", "required", "verification", "destination"])
    _record(actor, "onboarding.step_changed", item.checklist, before=before, after=item.snapshot())
    return item


@transaction.atomic
def item_move(*, actor: Membership, item: OnboardingItem, up: bool) -> None:
    """Swap the step with its neighbour; positions are renumbered so they stay distinct."""
    _require_profiles(actor)
    _same_org(actor, item.checklist)
    items = list(
        OnboardingItem.objects.select_for_update().filter(checklist=item.checklist).order_by("position", "id")
    )
    index = next(i for i, it in enumerate(items) if it.pk == item.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(items):
        return
    items[index], items[other] = items[other], items[index]
    for i, it in enumerate(items):
        it.position = (i + 1) * 10
    OnboardingItem.objects.bulk_update(items, ["position"])
    _record(
        actor,
        "onboarding.steps_reordered",
        item.checklist,
        after={"order": [it.title for it in items]},
    )


@transaction.atomic
def item_delete(*, actor: Membership, item: OnboardingItem) -> None:
    _require_profiles(actor)
    _same_org(actor, item.checklist)
    _record(actor, "onboarding.step_removed", item.checklist, before=item.snapshot())
    item.delete()


def _may_tick(actor: Membership, person: Membership) -> bool:
    return person.organization_id == actor.organization_id and (
        actor.pk == person.pk or selectors.may_manage_people(actor)
    )


@transaction.atomic
def step_tick(
    *, actor: Membership, item: OnboardingItem, person: Membership, done_on: date | None = None
) -> OnboardingProgress:
    """Mark a manual step done on a day (today by default); the person or someone who manages people."""
    _same_org(actor, item.checklist, person)
    if not _may_tick(actor, person):
        raise NotAllowed(C.MANAGE_MEMBERS)
    if not item.is_manual:
        raise ValidationError(
            _("This step ticks itself when OneVoice sees it done; it cannot be ticked by hand.")
        )
    today = timezone.localdate()
    done_on = done_on or today
    if done_on > today:
        raise ValidationError({"done_on": _("The day cannot be in the future.")})
    if done_on < person.joined_at.date() - timedelta(days=730):
        raise ValidationError({"done_on": _("The day is long before you joined. Please check it.")})
    progress, _created = OnboardingProgress.objects.update_or_create(
        item=item, membership=person, defaults={"done_on": done_on, "recorded_by": actor}
    )
    _record(
        actor,
        "onboarding.step_done",
        person,
        after={"person": person.user.email, "step": item.title, "done_on": done_on},
    )
    return progress


@transaction.atomic
def step_untick(*, actor: Membership, item: OnboardingItem, person: Membership) -> None:
    _same_org(actor, item.checklist, person)
    if not _may_tick(actor, person):
        raise NotAllowed(C.MANAGE_MEMBERS)
    deleted, _rows = OnboardingProgress.objects.filter(item=item, membership=person).delete()
    if deleted:
        _record(
            actor,
            "onboarding.step_reopened",
            person,
            before={"person": person.user.email, "step": item.title},
        )


def onboarding_viewed(*, actor: Membership, person: Membership) -> None:
    """Someone looked at another person's onboarding and trainings: the log says who, whose and when."""
    if actor.pk != person.pk:
        _record(
            actor, "onboarding.person_viewed", person, after={"person": person.user.email, "as": actor.role}
        )


# ---- trainings ------------------------------------------------------------------------------------------

TRAINING_FIELDS = ("title", "topic", "kind", "delivery", "provider", "starts_on", "ends_on", "hours", "notes")


def _clean_training(actor: Membership, fields: dict[str, Any], attendees: list[Membership]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    values = {name: fields.get(name) for name in TRAINING_FIELDS}
    for name in ("title", "topic", "provider", "notes"):
        values[name] = (values[name] or "").strip()
    if not values["title"]:
        errors["title"] = _("Enter the title of the training.")
    if values["kind"] not in TrainingRecord.Kind.values:
        errors["kind"] = _("Choose from the list.")
    if values["delivery"] not in TrainingRecord.Delivery.values:
        errors["delivery"] = _("Choose from the list.")
    if not values["starts_on"]:
        errors["starts_on"] = _("Enter the date of the training.")
    elif values["ends_on"] and values["ends_on"] < values["starts_on"]:
        errors["ends_on"] = _("The last day cannot be before the first.")
    hours = values["hours"]
    if hours is not None and (hours < 0 or hours > MAX_TRAINING_HOURS):
        errors["hours"] = _("Enter between 0 and %(limit)s hours.") % {"limit": MAX_TRAINING_HOURS}
    if not attendees:
        errors["attendees"] = _("Choose at least one person who attended.")
    if errors:
        raise ValidationError(errors)
    values["hours"] = Decimal(hours) if hours is not None else None
    return values


def _check_attendees(actor: Membership, attendees: Iterable[Membership]) -> list[Membership]:
    people = list(attendees)
    _same_org(actor, *people)
    if not selectors.may_manage_people(actor) and any(p.pk != actor.pk for p in people):
        raise NotAllowed(C.MANAGE_MEMBERS)
    return people


@transaction.atomic
def training_create(
    *,
    actor: Membership,
    attendees: Iterable[Membership],
    skills: Iterable[Skill] = (),
    **fields: Any,
) -> TrainingRecord:
    """Record a training: anyone for themselves, those who manage people for anyone."""
    people = _check_attendees(actor, attendees)
    values = _clean_training(actor, fields, people)
    record = TrainingRecord.objects.create(organization=actor.organization, created_by=actor, **values)
    record.attendees.set(people)
    record.skills.set(_check_skills(actor, skills))
    _record(actor, "training.recorded", record, after=record.snapshot())
    return record


@transaction.atomic
def training_update(
    *,
    actor: Membership,
    record: TrainingRecord,
    attendees: Iterable[Membership],
    skills: Iterable[Skill] = (),
    **fields: Any,
) -> TrainingRecord:
    if not selectors.may_edit_training(actor, record):
        raise NotAllowed(C.MANAGE_MEMBERS)
    people = _check_attendees(actor, attendees)
    values = _clean_training(actor, fields, people)
    before = record.snapshot()
    for name, value in values.items():
        setattr(record, name, value)
    record.save(update_fields=[*TRAINING_FIELDS, "updated_at"])
    record.attendees.set(people)
    record.skills.set(_check_skills(actor, skills))
    _record(actor, "training.updated", record, before=before, after=record.snapshot())
    return record


@transaction.atomic
def training_delete(*, actor: Membership, record: TrainingRecord) -> None:
    if not selectors.may_edit_training(actor, record):
        raise NotAllowed(C.MANAGE_MEMBERS)
    _record(actor, "training.deleted", record, before=record.snapshot())
    record.delete()
