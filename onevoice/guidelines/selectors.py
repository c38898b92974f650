"""Reads for the guidelines: current versions, who has confirmed what, and the history with its changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from django.db.models import Count, Max, Q
from django.http import Http404

from onevoice.guidelines.models import Acknowledgement, Guideline, GuidelineVersion, Reminder
from onevoice.guidelines.rendering import ChangedLine, changed_lines
from onevoice.organization.models import Membership
from onevoice.organization.roles import Capability


def may_manage(member: Membership) -> bool:
    return member.can(Capability.MANAGE_STRATEGY)


def access_guideline(member: Membership, guideline_id: UUID, *, manage: bool = False) -> Guideline:
    """A guideline of the member's organisation; one without a published version only for its managers."""
    if manage and not may_manage(member):
        raise Http404
    guideline = (
        Guideline.objects.select_related("organization")
        .filter(organization_id=member.organization_id, public_id=guideline_id)
        .first()
    )
    if guideline is None:
        raise Http404
    if not may_manage(member) and current_version(guideline) is None:
        raise Http404
    return guideline


def access_version(member: Membership, guideline: Guideline, number: int) -> GuidelineVersion:
    """A version of the guideline; drafts only for those who manage guidelines."""
    version = guideline.versions.filter(number=number).select_related("published_by__user").first()
    if version is None or (not version.is_published and not may_manage(member)):
        raise Http404
    version.guideline = guideline
    return version


def current_version(guideline: Guideline) -> GuidelineVersion | None:
    return guideline.versions.exclude(published_at=None).order_by("-number").first()


def draft_of(guideline: Guideline) -> GuidelineVersion | None:
    return guideline.versions.filter(published_at=None).first()


def active_members(organization_id: int) -> list[Membership]:
    return list(
        Membership.objects.active()
        .filter(organization_id=organization_id)
        .select_related("user")
        .prefetch_related("departments")
        .order_by("user__full_name")
    )


def pending_members(version: GuidelineVersion) -> list[Membership]:
    """Active members of the organisation who have not confirmed this version."""
    return list(
        Membership.objects.active()
        .filter(organization_id=version.guideline.organization_id)
        .exclude(guideline_acknowledgements__version=version)
        .select_related("user")
        .order_by("user__full_name")
    )


@dataclass
class GuidelineRow:
    guideline: Guideline
    current: GuidelineVersion | None
    draft: GuidelineVersion | None
    acknowledged_at: datetime | None  # when this member confirmed the current version
    confirmed: int = 0  # active members who confirmed the current version
    members: int = 0

    @property
    def share(self) -> int:
        return round(100 * self.confirmed / self.members) if self.members else 0

    @property
    def needs_my_confirmation(self) -> bool:
        return self.current is not None and self.acknowledged_at is None


def guideline_rows(member: Membership) -> list[GuidelineRow]:
    """The organisation's guidelines as this member sees them (drafts only for managers); five queries."""
    guidelines = list(Guideline.objects.filter(organization_id=member.organization_id))
    versions = GuidelineVersion.objects.filter(guideline__in=guidelines).select_related("published_by__user")
    current: dict[int, GuidelineVersion] = {}
    drafts: dict[int, GuidelineVersion] = {}
    for v in versions:
        if v.published_at is None:
            drafts[v.guideline_id] = v
        elif v.guideline_id not in current or v.number > current[v.guideline_id].number:
            current[v.guideline_id] = v
    mine = dict(
        Acknowledgement.objects.filter(membership=member, version__in=current.values()).values_list(
            "version_id", "acknowledged_at"
        )
    )
    counts: dict[int, int] = {}
    members = 0
    manager = may_manage(member)
    if manager:
        counts = dict(
            Acknowledgement.objects.filter(
                version__in=current.values(), membership__is_active=True, membership__user__is_active=True
            )
            .values("version_id")
            .annotate(n=Count("id"))
            .values_list("version_id", "n")
        )
        members = Membership.objects.active().filter(organization_id=member.organization_id).count()
    rows = []
    for g in guidelines:
        now = current.get(g.pk)
        if now is None and not manager:
            continue
        rows.append(
            GuidelineRow(
                guideline=g,
                current=now,
                draft=drafts.get(g.pk) if manager else None,
                acknowledged_at=mine.get(now.pk) if now else None,
                confirmed=counts.get(now.pk, 0) if now else 0,
                members=members,
            )
        )
    return rows


def unacknowledged_for(member: Membership) -> list[GuidelineRow]:
    """The guidelines whose current version this member has not yet confirmed (for a banner)."""
    return [row for row in guideline_rows(member) if row.needs_my_confirmation]


@dataclass
class MemberStatus:
    membership: Membership
    acknowledged_at: datetime | None
    last_reminded_at: datetime | None


@dataclass
class AcknowledgementReport:
    version: GuidelineVersion
    rows: list[MemberStatus] = field(default_factory=list)

    @property
    def confirmed(self) -> int:
        return sum(1 for r in self.rows if r.acknowledged_at is not None)

    @property
    def pending(self) -> int:
        return len(self.rows) - self.confirmed

    @property
    def share(self) -> int:
        return round(100 * self.confirmed / len(self.rows)) if self.rows else 0


def acknowledgement_report(version: GuidelineVersion) -> AcknowledgementReport:
    """Every active member with the date they confirmed this version (or none) and their last reminder."""
    members = active_members(version.guideline.organization_id)
    acks = dict(
        Acknowledgement.objects.filter(version=version).values_list("membership_id", "acknowledged_at")
    )
    reminded = dict(
        Reminder.objects.filter(version=version)
        .values("membership_id")
        .annotate(last=Max("reminded_at"))
        .values_list("membership_id", "last")
    )
    rows = [MemberStatus(m, acks.get(m.pk), reminded.get(m.pk)) for m in members]
    # Those still to confirm first, so the list answers "who is missing?" at a glance.
    rows.sort(key=lambda r: (r.acknowledged_at is not None, r.membership.user.full_name.casefold()))
    return AcknowledgementReport(version=version, rows=rows)


@dataclass
class HistoryEntry:
    version: GuidelineVersion
    changes: list[ChangedLine]
    confirmed: int


def history(guideline: Guideline) -> list[HistoryEntry]:
    """Published versions, newest first, each with the lines that changed against the one before."""
    versions = list(
        guideline.versions.exclude(published_at=None)
        .select_related("published_by__user")
        .annotate(confirmed=Count("acknowledgements", filter=Q(acknowledgements__membership__is_active=True)))
        .order_by("number")
    )
    entries = []
    previous_body = ""
    for v in versions:
        changes = changed_lines(previous_body, v.body) if previous_body else []
        entries.append(HistoryEntry(v, changes, v.confirmed))
        previous_body = v.body
    return entries[::-1]
