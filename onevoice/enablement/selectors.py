"""Reads of enablement: who follows which checklist, how far they are, and team figures.

Verified steps are worked out from the organisation's real data (guideline confirmations, posts, submissions,
requests, inbox replies) in a fixed number of queries for the whole organisation, so the team view costs the
same for five people or five hundred.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.apps import apps
from django.db import models
from django.db.models import Min, Prefetch, QuerySet
from django.utils.translation import gettext as _

from onevoice.enablement.models import (
    OnboardingChecklist,
    OnboardingItem,
    OnboardingProgress,
    ProfileAssignment,
    RoleProfile,
    Skill,
    TrainingRecord,
)
from onevoice.organization.models import Department, Membership, Organization
from onevoice.organization.roles import Capability

V = OnboardingItem.Verification


def may_manage_profiles(member: Membership) -> bool:
    """Profiles, skills and checklists are part of the social media governance the SMM owns."""
    return member.can(Capability.MANAGE_STRATEGY)


def may_manage_people(member: Membership) -> bool:
    """Attaching profiles, seeing a person's progress and recording trainings for others: people management."""
    return member.can(Capability.MANAGE_MEMBERS)


def may_see_person(member: Membership, subject: Membership) -> bool:
    return subject.organization_id == member.organization_id and (
        member.pk == subject.pk or may_manage_people(member)
    )


# ---- profiles -------------------------------------------------------------------------------------------


def profiles_of(organization: Organization) -> QuerySet[RoleProfile]:
    return (
        RoleProfile.objects.filter(organization=organization)
        .prefetch_related("skills")
        .select_related("checklist")
    )


def skills_of(organization: Organization) -> QuerySet[Skill]:
    return Skill.objects.filter(organization=organization)


def assignments_of(membership: Membership) -> list[ProfileAssignment]:
    return list(
        ProfileAssignment.objects.filter(membership=membership)
        .select_related("profile")
        .order_by("profile__title")
    )


def profiles_for_people(organization: Organization, people: list[Membership]) -> dict[int, list[RoleProfile]]:
    """The profiles that apply to each person: the attached ones, or else the default for their role."""
    profiles = list(
        RoleProfile.objects.filter(organization=organization).prefetch_related(
            "skills",
            Prefetch(
                "checklist__items",
                queryset=OnboardingItem.objects.order_by("position", "id"),
            ),
        )
    )
    by_pk = {p.pk: p for p in profiles}
    by_role = {p.role: p for p in profiles if p.role}
    attached: dict[int, list[RoleProfile]] = defaultdict(list)
    for membership_id, profile_id in ProfileAssignment.objects.filter(
        membership__in=[p.pk for p in people]
    ).values_list("membership_id", "profile_id"):
        attached[membership_id].append(by_pk[profile_id])
    result: dict[int, list[RoleProfile]] = {}
    for person in people:
        mine = sorted(attached.get(person.pk, []), key=lambda p: p.title.lower())
        if not mine and person.role in by_role:
            mine = [by_role[person.role]]
        result[person.pk] = mine
    return result


# ---- onboarding -----------------------------------------------------------------------------------------


def two_factor_model() -> type[models.Model] | None:
    """The accounts app's authenticator model, where this installation has two-factor authentication."""
    try:
        return apps.get_model("accounts", "TotpDevice")
    except LookupError:
        return None


@dataclass
class Facts:
    """What OneVoice knows from the organisation's data, per membership id: the day a verified step was done."""

    guidelines_published: bool
    dates: dict[str, dict[int, date]]
    manual: dict[tuple[int, int], date]


def _day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def facts_for(organization: Organization, people: list[Membership]) -> Facts:
    """Seven queries, whatever the number of people."""
    from onevoice.core.models import AuditEvent
    from onevoice.guidelines.models import Acknowledgement, GuidelineVersion
    from onevoice.inbox.models import Reply
    from onevoice.planning.models import ContentRequest, Post

    zone = ZoneInfo(organization.time_zone)
    ids = [p.pk for p in people]
    dates: dict[str, dict[int, date]] = {}

    current: dict[int, tuple[int, int]] = {}  # guideline id -> (number, version id)
    for guideline_id, number, version_id in GuidelineVersion.objects.filter(
        guideline__organization=organization, published_at__isnull=False
    ).values_list("guideline_id", "number", "pk"):
        if guideline_id not in current or number > current[guideline_id][0]:
            current[guideline_id] = (number, version_id)
    confirmed: dict[int, list[datetime]] = defaultdict(list)
    for membership_id, moment in Acknowledgement.objects.filter(
        version_id__in=[v for _n, v in current.values()], membership_id__in=ids
    ).values_list("membership_id", "acknowledged_at"):
        confirmed[membership_id].append(moment)
    dates[V.GUIDELINES] = {
        m: _day(max(moments), zone) for m, moments in confirmed.items() if len(moments) == len(current)
    }

    def first(queryset: QuerySet, person_field: str, time_field: str = "created_at") -> dict[int, date]:
        rows = (
            queryset.order_by()
            .values(person_field)
            .annotate(first=Min(time_field))
            .values_list(person_field, "first")
        )
        return {person: _day(moment, zone) for person, moment in rows if person is not None}

    dates[V.DRAFT] = first(Post.objects.filter(organization=organization, owner_id__in=ids), "owner_id")
    dates[V.REQUEST] = first(
        ContentRequest.objects.filter(organization=organization, requester_id__in=ids), "requester_id"
    )
    dates[V.REPLY] = first(
        Reply.objects.filter(case__organization=organization, author_id__in=ids), "author_id"
    )
    by_user = {p.user_id: p.pk for p in people}
    submitted = first(
        AuditEvent.objects.filter(
            organization=organization, verb="post.submitted", actor_id__in=list(by_user)
        ).order_by(),
        "actor_id",
    )
    dates[V.SUBMITTED] = {by_user[user]: day for user, day in submitted.items()}
    device = two_factor_model()
    if device is not None:
        two_factor = first(
            device._default_manager.filter(user_id__in=list(by_user), confirmed_at__isnull=False).order_by(),
            "user_id",
            "confirmed_at",
        )
        dates[V.TWO_FACTOR] = {by_user[user]: day for user, day in two_factor.items()}
    manual = {
        (m, i): d
        for m, i, d in OnboardingProgress.objects.filter(membership_id__in=ids).values_list(
            "membership_id", "item_id", "done_on"
        )
    }
    return Facts(guidelines_published=bool(current), dates=dates, manual=manual)


@dataclass
class StepStatus:
    item: OnboardingItem
    done: bool
    done_on: date | None = None
    note: str = ""

    @property
    def automatic(self) -> bool:
        return not self.item.is_manual


@dataclass
class ChecklistStatus:
    profile: RoleProfile
    checklist: OnboardingChecklist | None
    steps: list[StepStatus]
    attached: bool

    @property
    def done(self) -> int:
        return sum(1 for s in self.steps if s.done)

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100

    @property
    def complete(self) -> bool:
        return all(s.done for s in self.steps if s.item.required)


@dataclass
class Onboarding:
    person: Membership
    checklists: list[ChecklistStatus] = field(default_factory=list)

    @property
    def steps(self) -> list[StepStatus]:
        return [s for c in self.checklists for s in c.steps]

    @property
    def done(self) -> int:
        return sum(1 for s in self.steps if s.done)

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100

    @property
    def complete(self) -> bool:
        return all(c.complete for c in self.checklists)


def _step(item: OnboardingItem, person: Membership, facts: Facts) -> StepStatus:
    if item.is_manual:
        day = facts.manual.get((person.pk, item.pk))
        return StepStatus(item=item, done=day is not None, done_on=day)
    if item.verification == V.GUIDELINES and not facts.guidelines_published:
        return StepStatus(item=item, done=True, note=_("No guideline has been published yet."))
    if item.verification not in facts.dates:
        return StepStatus(item=item, done=True, note=_("This installation cannot check this step."))
    day = facts.dates[item.verification].get(person.pk)
    return StepStatus(item=item, done=day is not None, done_on=day)


def _onboarding(
    person: Membership, profiles: list[RoleProfile], attached_ids: set[int], facts: Facts
) -> Onboarding:
    result = Onboarding(person=person)
    for profile in profiles:
        checklist = getattr(profile, "checklist", None)
        items = list(checklist.items.all()) if checklist is not None else []
        result.checklists.append(
            ChecklistStatus(
                profile=profile,
                checklist=checklist,
                steps=[_step(item, person, facts) for item in items],
                attached=profile.pk in attached_ids,
            )
        )
    return result


def onboarding_of(person: Membership) -> Onboarding:
    """One person's checklists with what is done, verified from the data where a step says so."""
    organization = person.organization
    profiles = profiles_for_people(organization, [person])[person.pk]
    attached = set(ProfileAssignment.objects.filter(membership=person).values_list("profile_id", flat=True))
    return _onboarding(person, profiles, attached, facts_for(organization, [person]))


def active_people(organization: Organization) -> list[Membership]:
    return list(
        Membership.objects.active()
        .filter(organization=organization)
        .select_related("user")
        .prefetch_related("departments")
        .order_by("user__full_name", "user__email")
    )


@dataclass
class TeamProgress:
    """Onboarding of one department as numbers; never who is first or last."""

    name: str
    people: list[Membership] = field(default_factory=list)
    with_checklist: int = 0
    completed: int = 0
    steps_done: int = 0
    steps_total: int = 0
    open_steps: list[tuple[str, int]] = field(default_factory=list)

    @property
    def share_completed(self) -> int:
        return round(100 * self.completed / self.with_checklist) if self.with_checklist else 0

    @property
    def share_steps(self) -> int:
        return round(100 * self.steps_done / self.steps_total) if self.steps_total else 0


def _teams(organization: Organization, people: list[Membership]) -> list[tuple[str, str, list[Membership]]]:
    """(key, name, people) per department, then those in no department; a person may be in several."""
    departments = list(Department.objects.filter(organization=organization))
    members: dict[int, list[Membership]] = defaultdict(list)
    nowhere: list[Membership] = []
    for person in people:
        mine = list(person.departments.all())
        for department in mine:
            members[department.pk].append(person)
        if not mine:
            nowhere.append(person)
    teams = [(str(d.public_id), d.name, members.get(d.pk, [])) for d in departments]
    if nowhere:
        teams.append(("none", _("No department"), nowhere))
    return teams


def team_progress(organization: Organization) -> tuple[list[TeamProgress], TeamProgress]:
    """Onboarding per department and for the whole organisation."""
    people = active_people(organization)
    profiles = profiles_for_people(organization, people)
    attached: dict[int, set[int]] = defaultdict(set)
    for membership_id, profile_id in ProfileAssignment.objects.filter(
        membership__organization=organization
    ).values_list("membership_id", "profile_id"):
        attached[membership_id].add(profile_id)
    facts = facts_for(organization, people)
    status = {p.pk: _onboarding(p, profiles[p.pk], attached[p.pk], facts) for p in people}

    def summarise(name: str, group: list[Membership]) -> TeamProgress:
        row = TeamProgress(name=name, people=group)
        open_count: Counter[str] = Counter()
        for person in group:
            mine = status[person.pk]
            if not mine.total:
                continue
            row.with_checklist += 1
            row.completed += 1 if mine.complete else 0
            row.steps_done += mine.done
            row.steps_total += mine.total
            for step in mine.steps:
                if not step.done:
                    open_count[step.item.title] += 1
        row.open_steps = sorted(open_count.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        return row

    rows = [summarise(name, group) for _key, name, group in _teams(organization, people)]
    return rows, summarise(_("Whole organisation"), people)


# ---- trainings ------------------------------------------------------------------------------------------


def trainings_visible_to(member: Membership) -> QuerySet[TrainingRecord]:
    """Everyone sees the trainings they attended; those who manage people see all of them."""
    records = TrainingRecord.objects.filter(organization_id=member.organization_id)
    if not may_manage_people(member):
        records = records.filter(attendees=member)
    return records.prefetch_related("skills", "attendees__user").distinct()


def may_edit_training(member: Membership, record: TrainingRecord) -> bool:
    """Those who manage people edit every record; anyone else the ones they recorded for themselves only."""
    if record.organization_id != member.organization_id:
        return False
    if may_manage_people(member):
        return True
    attendee_ids = {m.pk for m in record.attendees.all()}
    return record.created_by_id == member.pk and attendee_ids <= {member.pk}


@dataclass
class CoverageCell:
    covered: int
    people: int
    needed: bool

    @property
    def gap(self) -> bool:
        return self.needed and self.covered == 0


@dataclass
class CoverageRow:
    key: str
    name: str
    people: int
    cells: list[CoverageCell]

    @property
    def gaps(self) -> int:
        return sum(1 for c in self.cells if c.gap)


@dataclass
class Coverage:
    skills: list[Skill]
    rows: list[CoverageRow]
    total: CoverageRow
    trainings: int
    hours: float


def skills_coverage(organization: Organization, date_from: date | None, date_to: date | None) -> Coverage:
    """Per department and skill: how many of its people attended a training on it in the period.

    A skill is *needed* in a team when a profile that applies to one of its people asks for it; a needed skill
    nobody in the team was trained in is a gap.
    """
    skills = list(Skill.objects.filter(organization=organization))
    people = active_people(organization)
    records = TrainingRecord.objects.filter(organization=organization)
    if date_from:
        records = records.filter(starts_on__gte=date_from)
    if date_to:
        records = records.filter(starts_on__lte=date_to)
    record_ids = list(records.values_list("pk", flat=True))
    hours = sum(float(h or 0) for h in records.values_list("hours", flat=True))
    skills_by_record: dict[int, set[int]] = defaultdict(set)
    for record_id, skill_id in TrainingRecord.skills.through.objects.filter(
        trainingrecord_id__in=record_ids
    ).values_list("trainingrecord_id", "skill_id"):
        skills_by_record[record_id].add(skill_id)
    trained: dict[int, set[int]] = defaultdict(set)  # membership id -> skill ids
    for record_id, membership_id in TrainingRecord.attendees.through.objects.filter(
        trainingrecord_id__in=record_ids
    ).values_list("trainingrecord_id", "membership_id"):
        trained[membership_id] |= skills_by_record[record_id]
    needs = {
        person_id: {s.pk for p in profiles for s in p.skills.all()}
        for person_id, profiles in profiles_for_people(organization, people).items()
    }

    def row(key: str, name: str, group: list[Membership]) -> CoverageRow:
        needed = set().union(*(needs[p.pk] for p in group)) if group else set()
        cells = [
            CoverageCell(
                covered=sum(1 for p in group if skill.pk in trained.get(p.pk, set())),
                people=len(group),
                needed=skill.pk in needed,
            )
            for skill in skills
        ]
        return CoverageRow(key=key, name=name, people=len(group), cells=cells)

    rows = [row(key, name, group) for key, name, group in _teams(organization, people)]
    return Coverage(
        skills=skills,
        rows=rows,
        total=row("all", _("Whole organisation"), people),
        trainings=len(record_ids),
        hours=hours,
    )
