"""The tenant choke point: every view, endpoint and task loads organisation data through these functions.

A missing object and a forbidden one look the same (404), so nobody can probe another organisation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import connection, models
from django.http import Http404

from onevoice.core.joined_rows import JoinedRows, Tables
from onevoice.core.prepared import fetch_all
from onevoice.organization.models import Department, Invitation, Membership, Organization
from onevoice.organization.roles import Capability

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from onevoice.accounts.models import User
    from onevoice.analytics.models import ReportSchedule
    from onevoice.api.models import ApiToken
    from onevoice.assessment.models import Assessment
    from onevoice.inbox.models import Case, Contact
    from onevoice.networks.models import Access, AppRegistration, Channel, ChannelPost
    from onevoice.planning.models import Post
    from onevoice.publishing.models import Publication
    from onevoice.webhooks.models import Delivery, Target


class NotAllowed(PermissionDenied):
    """A member tried something their role does not grant."""

    def __init__(self, capability: Capability | str) -> None:
        super().__init__(f"missing capability: {capability}")
        self.capability = capability


def membership_for(
    user: User | AnonymousUser, org_slug: str, *, need: Capability | None = None
) -> Membership:
    """Return the user's active membership in the organisation, or 404 if there is none or it lacks `need`."""
    if not user.is_authenticated:
        raise Http404
    # All of the person's memberships in one statement: the page's organisation switcher lists them, and the
    # banner of a paused organisation needs its publishing settings (a person has a handful of memberships).
    memberships = _active_memberships(user)
    setattr(user, SWITCHER_ATTRIBUTE, memberships)  # read by the context processor of this request
    member = next((m for m in memberships if m.organization.slug == org_slug), None)
    if member is None or (need is not None and not member.can(need)):
        raise Http404
    return member


def _membership_tables() -> Tables:
    settings_model = Organization.publishing.related.related_model  # the publishing app's settings
    return ((Membership, "m"), (Organization, "o"), (settings_model, "p"), (get_user_model(), "u"))


def _membership_statement(select: str, tables: list[str]) -> str:
    member, organization, publishing, users = tables
    return (
        f"SELECT {select} FROM {member} m "  # noqa: S608 (names from the models)
        f"INNER JOIN {organization} o ON o.id = m.organization_id "
        f"LEFT JOIN {publishing} p ON p.organization_id = o.id "
        f"INNER JOIN {users} u ON u.id = m.user_id "
        "WHERE m.user_id = %s AND m.is_active = %s AND u.is_active = %s ORDER BY o.name, m.id"
    )


# The rows of `Membership.objects.active().select_related("organization", "organization__publishing",
# "user").filter(user=user).order_by("organization__name")`, written out once: every page of the app starts
# here, and building that ORM query cost more than running it.
_membership_rows = JoinedRows(_membership_tables, _membership_statement)


def _active_memberships(user: User | AnonymousUser) -> list[Membership]:
    memberships = []
    # Prepared on PostgreSQL, which otherwise plans the four-table join on every page.
    for row in fetch_all(_membership_rows.sql(), [user.pk, True, True]):
        member, organization, settings, person = _membership_rows.instances(row)
        # What select_related leaves: the organisation's settings known (None when it has none).
        Organization.publishing.related.set_cached_value(organization, settings)
        if settings is not None:
            settings.organization = organization
        member.organization, member.user = organization, person
        memberships.append(member)
    return memberships


# Where `membership_for` leaves the person's memberships for the page's organisation switcher (on the
# request's user object, so it lives as long as the request).
SWITCHER_ATTRIBUTE = "_onevoice_memberships"


def memberships_of(user: User | AnonymousUser) -> list[Membership]:
    """The organisations a person may switch between."""
    if not user.is_authenticated:
        return []
    return list(
        Membership.objects.active()
        .filter(user=user)
        .select_related("organization")
        .order_by("organization__name")
    )


def current_membership(user: User | AnonymousUser) -> Membership | None:
    """The membership of the organisation the person used last (for pages outside an organisation)."""
    memberships = memberships_of(user)
    last = getattr(user, "last_organization_id", None)
    return next(
        (m for m in memberships if m.organization_id == last), memberships[0] if memberships else None
    )


def access_department(
    member: Membership, department_id: UUID, *, need: Capability | None = None
) -> Department:
    if need is not None and not member.can(need):
        raise Http404
    try:
        return Department.objects.get(organization_id=member.organization_id, public_id=department_id)
    except Department.DoesNotExist:
        raise Http404 from None


def access_membership(
    member: Membership, membership_id: UUID, *, need: Capability | None = None
) -> Membership:
    if need is not None and not member.can(need):
        raise Http404
    try:
        return (
            Membership.objects.select_related("user", "organization")
            .prefetch_related("departments")
            .get(organization_id=member.organization_id, public_id=membership_id)
        )
    except Membership.DoesNotExist:
        raise Http404 from None


def access_invitation(
    member: Membership, invitation_id: UUID, *, need: Capability | None = None
) -> Invitation:
    if need is not None and not member.can(need):
        raise Http404
    try:
        return Invitation.objects.select_related("organization").get(
            organization_id=member.organization_id, public_id=invitation_id
        )
    except Invitation.DoesNotExist:
        raise Http404 from None


def organization_departments(member: Membership) -> list[Department]:
    return list(Department.objects.filter(organization_id=member.organization_id))


def organization_of(member: Membership) -> Organization:
    return member.organization


# ---- channels ------------------------------------------------------------------------------------


def channel_access_level(member: Membership, channel: Channel) -> Access:
    """What this person may do on this channel: an explicit level if set, otherwise their role's default."""
    from onevoice.networks.models import Access, ChannelPermission
    from onevoice.organization.roles import Role

    if not member.is_active or channel.organization_id != member.organization_id:
        return Access.NONE
    # Administrators and SMMs manage channels; nobody can lock them out of one.
    if member.role in (Role.ADMIN, Role.SMM):
        return Access.PUBLISH
    explicit = getattr(channel, "_explicit_access", None)
    if explicit is None:
        explicit = (
            ChannelPermission.objects.filter(channel=channel, membership=member)
            .values_list("access", flat=True)
            .first()
        ) or ""
    if explicit:
        return Access(explicit)
    if member.role == Role.CM:
        # A CM publishes on the channels of their own departments (and on channels of no department).
        if channel.department_id is None or channel.department_id in _department_ids(member):
            return Access.PUBLISH
        return Access.READ
    if member.role == Role.CONTRIBUTOR:
        return Access.DRAFT
    return Access.READ


def _department_ids(member: Membership) -> set[int]:
    cached: set[int] | None = getattr(member, "_department_ids", None)
    if cached is None:
        # Written out: every inbox page asks, and building the ORM's join cost more than running it.
        table = connection.ops.quote_name(Membership.departments.through._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT department_id FROM {table} WHERE membership_id = %s", [member.pk])  # noqa: S608
            cached = {department_id for (department_id,) in cursor.fetchall()}
        member._department_ids = cached  # type: ignore[attr-defined]
    return cached


def has_channel_access(member: Membership, channel: Channel, need: Access) -> bool:
    from onevoice.networks.models import ACCESS_ORDER

    return ACCESS_ORDER.index(channel_access_level(member, channel)) >= ACCESS_ORDER.index(need)


def access_channel(member: Membership, channel_id: UUID, *, need: Access | None = None) -> Channel:
    """The channel if it belongs to the member's organisation and they have at least `need` (default: read)."""
    from onevoice.networks.models import Access, Channel

    channel = (
        Channel.objects.select_related("department", "organization")
        .filter(organization_id=member.organization_id, public_id=channel_id)
        .first()
    )
    if channel is None or not has_channel_access(member, channel, need or Access.READ):
        raise Http404
    return channel


def access_app_registrations(member: Membership) -> models.QuerySet[AppRegistration]:
    """The organisation's own network apps (client id, encrypted secret); administrators only."""
    from onevoice.networks.models import AppRegistration

    if not member.can(Capability.MANAGE_SETTINGS) and not member.can(Capability.MANAGE_CHANNELS):
        raise Http404
    return AppRegistration.objects.filter(organization_id=member.organization_id)


def access_channel_post(member: Membership, channel: Channel, post_id: UUID) -> ChannelPost:
    from onevoice.networks.models import ChannelPost

    post = ChannelPost.objects.filter(channel=channel, public_id=post_id).first()
    if post is None:
        raise Http404
    return post


def visible_channels(member: Membership) -> list[tuple[Channel, Access]]:
    """The organisation's channels this person can at least read, with their access level."""
    from onevoice.networks.models import Access, Channel, ChannelPermission

    channels = list(
        Channel.objects.filter(organization_id=member.organization_id).select_related("department")
    )
    explicit = dict(
        ChannelPermission.objects.filter(membership=member, channel__in=channels).values_list(
            "channel_id", "access"
        )
    )
    result: list[tuple[Channel, Access]] = []
    for channel in channels:
        channel._explicit_access = explicit.get(channel.pk, "")  # type: ignore[attr-defined]
        level = channel_access_level(member, channel)
        if level != Access.NONE:
            result.append((channel, level))
    return result


# ---- the editorial plan ---------------------------------------------------------------------------


def may_edit_post(member: Membership, post: Post) -> bool:
    """Admins and SMMs edit every post; a CM the posts of their departments; anyone their own drafts."""
    from onevoice.organization.roles import Role

    if not member.is_active or post.organization_id != member.organization_id:
        return False
    if not member.can(Capability.CREATE_CONTENT):
        return False
    if member.role in (Role.ADMIN, Role.SMM) or post.owner_id == member.pk:
        return True
    return member.role == Role.CM and post.department_id in _department_ids(member)


def access_post(member: Membership, post_id: UUID, *, edit: bool = False) -> Post:
    """A post of the member's organisation (everyone who sees the plan sees all of it); 404 otherwise."""
    from onevoice.planning.models import Post

    if not member.can(Capability.VIEW_PLAN):
        raise Http404
    post = (
        Post.objects.select_related("department", "campaign", "topic", "owner__user", "organization")
        .filter(organization_id=member.organization_id, public_id=post_id)
        .first()
    )
    if post is None or (edit and not may_edit_post(member, post)):
        raise Http404
    return post


def access_plan_object[T: models.Model](member: Membership, model: type[T], public_id: UUID) -> T:
    """A campaign, topic, content request, blackout period or calendar feed of the member's organisation."""
    if not member.can(Capability.VIEW_PLAN):
        raise Http404
    manager = model._default_manager
    field = (
        "membership__organization_id"
        if model.__name__ in ("CalendarFeed", "SavedFilter")
        else "organization_id"
    )
    found = manager.filter(**{field: member.organization_id, "public_id": public_id}).first()
    if found is None:
        raise Http404
    return found


# ---- publishing -----------------------------------------------------------------------------------


def access_publication(member: Membership, publication_id: UUID) -> Publication:
    """A publication of the member's organisation on a channel they can at least read; 404 otherwise."""
    from onevoice.networks.models import Access
    from onevoice.publishing.models import Publication

    if not member.can(Capability.VIEW_PLAN):
        raise Http404
    publication = (
        Publication.objects.select_related("channel", "variant__post", "organization")
        .filter(organization_id=member.organization_id, public_id=publication_id)
        .first()
    )
    if publication is None or not has_channel_access(member, publication.channel, Access.READ):
        raise Http404
    return publication


def publications_of(member: Membership, public_ids: list[UUID]) -> list[Publication]:
    """Several publications for a bulk action: only those of the organisation on readable channels."""
    from onevoice.networks.models import Access
    from onevoice.publishing.models import Publication

    if not member.can(Capability.VIEW_PLAN):
        return []
    found = Publication.objects.select_related("channel", "organization").filter(
        organization_id=member.organization_id, public_id__in=public_ids
    )
    return [p for p in found if has_channel_access(member, p.channel, Access.READ)]


def require_same_organization(
    member: Membership, *objects: models.Model | None, capability: Capability = Capability.MANAGE_STRATEGY
) -> None:
    """Refuse when any of the objects (None is skipped) belongs to another organisation than the member's."""
    for obj in objects:
        if obj is not None and getattr(obj, "organization_id", None) != member.organization_id:
            raise NotAllowed(capability)


# ---- inbox contacts (DSGVO) -----------------------------------------------------------------------


def may_manage_contacts(member: Membership) -> bool:
    """Admins and SMMs see every contact, export and erase them, and set the retention rules."""
    return member.can(Capability.MANAGE_INBOX)


def visible_contacts(member: Membership) -> models.QuerySet[Contact]:
    """Contacts this person may look at: all of them for SMM/admin; for a CM, those with a case they see."""
    from onevoice.inbox.models import Contact

    contacts = Contact.objects.filter(organization_id=member.organization_id)
    if may_manage_contacts(member):
        return contacts
    if not member.can(Capability.REPLY):
        return contacts.none()
    case_ids = visible_cases(member).values("contact_id")
    return contacts.filter(pk__in=case_ids)


def access_contact(member: Membership, contact_id: UUID, *, manage: bool = False) -> Contact:
    """A contact the person may see (`manage`: export, erase); 404 if missing, foreign or not theirs."""
    if manage and not may_manage_contacts(member):
        raise Http404
    contact = visible_contacts(member).filter(public_id=contact_id).first()
    if contact is None:
        raise Http404
    return contact


# ---- the community inbox --------------------------------------------------------------------------


def may_use_inbox(member: Membership) -> bool:
    """Everyone who works with content sees the inbox; management viewers read reports instead."""
    return member.is_active and member.can(Capability.COMMENT)


def case_visibility(member: Membership) -> models.Q | None:
    """The condition on cases this person sees (None: all of the organisation's).

    Admins and SMMs see every case; everyone else the cases of their departments and those assigned to
    them; people who reply to the community also the central ones (no department); people who approve
    also the cases with a reply waiting for approval. A CM of HR does not see Sales' cases.
    """
    from onevoice.inbox.models import Reply
    from onevoice.organization.roles import Role

    if member.role in (Role.ADMIN, Role.SMM):
        return None
    condition = models.Q(assignee_id=member.pk)
    departments = _department_ids(member)
    if departments:
        condition |= models.Q(department_id__in=sorted(departments))
    if member.can(Capability.REPLY):
        condition |= models.Q(department__isnull=True)
    if member.can(Capability.APPROVE):
        condition |= models.Q(
            models.Exists(
                Reply.objects.filter(case_id=models.OuterRef("pk"), state=Reply.State.PENDING_APPROVAL)
            )
        )
    return condition


def visible_cases(member: Membership) -> models.QuerySet[Case]:
    """The organisation's inbox cases this person may see (empty for those without the inbox)."""
    from onevoice.inbox.models import Case

    if not may_use_inbox(member):
        return Case.objects.none()
    cases = Case.objects.filter(organization_id=member.organization_id)
    condition = case_visibility(member)
    return cases if condition is None else cases.filter(condition)


def may_see_case(member: Membership, case: Case) -> bool:
    """The same rule as `visible_cases`, for one case already loaded."""
    if not may_use_inbox(member) or case.organization_id != member.organization_id:
        return False
    if case_visibility(member) is None:
        return True
    if case.assignee_id == member.pk or case.department_id in _department_ids(member):
        return True
    if case.department_id is None and member.can(Capability.REPLY):
        return True
    return member.can(Capability.APPROVE) and case.replies.filter(state="pending_approval").exists()


def may_work_case(member: Membership, case: Case) -> bool:
    """Assign, change status, priority, tags and triage: people who reply to the community."""
    return member.can(Capability.REPLY) and may_see_case(member, case)


def may_reply_case(member: Membership, case: Case) -> bool:
    """Answer on the network: the case's assignee, or whoever may reply on its channel."""
    from onevoice.networks.models import Access

    if not may_work_case(member, case):
        return False
    return case.assignee_id == member.pk or has_channel_access(member, case.channel, Access.REPLY)


def access_case(member: Membership, public_id: UUID, *, act: bool = False) -> Case:
    """A case this person may see (with `act`: may also work on); 404 otherwise, also for other orgs."""
    from onevoice.inbox.models import Case

    case = (
        Case.objects.select_related(
            "channel", "department", "assignee__user", "contact", "post", "organization"
        )
        .filter(organization_id=member.organization_id, public_id=public_id)
        .first()
    )
    if case is None or not may_see_case(member, case) or (act and not may_work_case(member, case)):
        raise Http404
    return case


# ---- analytics ------------------------------------------------------------------------------------


def access_report_schedule(
    member: Membership, schedule_id: UUID, *, need: Capability = Capability.VIEW_REPORTS
) -> ReportSchedule:
    """A scheduled management report of the member's organisation; 404 otherwise."""
    from onevoice.analytics.models import ReportSchedule

    if not member.can(Capability.VIEW_REPORTS) or not member.can(need):
        raise Http404
    found = ReportSchedule.objects.filter(
        organization_id=member.organization_id, public_id=schedule_id
    ).first()
    if found is None:
        raise Http404
    return found


def report_recipients(member: Membership, membership_ids: list[UUID]) -> list[Membership]:
    """People of the member's organisation who may read reports, among those chosen (others are dropped)."""
    chosen = (
        Membership.objects.active()
        .filter(organization_id=member.organization_id, public_id__in=membership_ids)
        .select_related("user")
    )
    return [m for m in chosen if m.can(Capability.VIEW_REPORTS)]


# ---- workload -------------------------------------------------------------------------------------


def access_workload_object[T: models.Model](member: Membership, model: type[T], public_id: UUID) -> T:
    """A task, norm, duty or absence of the member's organisation; 404 otherwise (rights: the services)."""
    field = "membership__organization_id" if model.__name__ == "Absence" else "organization_id"
    found = model._default_manager.filter(**{field: member.organization_id, "public_id": public_id}).first()
    if found is None:
        raise Http404
    return found


# ---- self-assessment ------------------------------------------------------------------------------


def access_assessment(
    member: Membership, assessment_id: UUID, *, need: Capability = Capability.VIEW_REPORTS
) -> Assessment:
    """A self-assessment of the member's organisation; 404 if missing, another organisation's or `need` lacking."""
    from onevoice.assessment.models import Assessment

    if not member.can(need):
        raise Http404
    found = Assessment.objects.filter(organization_id=member.organization_id, public_id=assessment_id).first()
    if found is None:
        raise Http404
    return found


# ---- enablement (role profiles, onboarding, trainings) --------------------------------------------


def access_enablement_object[T: models.Model](member: Membership, model: type[T], public_id: UUID) -> T:
    """A role profile, skill, checklist, onboarding step or training record of the member's organisation;
    404 otherwise (who may change it: the services)."""
    field = "checklist__organization_id" if model.__name__ == "OnboardingItem" else "organization_id"
    found = model._default_manager.filter(**{field: member.organization_id, "public_id": public_id}).first()
    if found is None:
        raise Http404
    return found


# ---- webhooks and chat notifications --------------------------------------------------------------


def may_manage_notification_target(member: Membership, kind: str) -> bool:
    """Webhooks are the administrator's (MANAGE_SETTINGS); chat notifications also the SMM's."""
    if not member.is_active:
        return False
    if kind == "webhook":
        return member.can(Capability.MANAGE_SETTINGS)
    return member.can(Capability.MANAGE_SETTINGS) or member.can(Capability.MANAGE_MEMBERS)


def access_notification_target(member: Membership, public_id: UUID) -> Target:
    """A webhook or chat target of the member's organisation that they may manage; 404 otherwise."""
    from onevoice.webhooks.models import Target

    found = (
        Target.objects.select_related("organization", "department")
        .filter(organization_id=member.organization_id, public_id=public_id)
        .first()
    )
    if found is None or not may_manage_notification_target(member, found.kind):
        raise Http404
    return found


def access_delivery(member: Membership, public_id: UUID) -> Delivery:
    """A delivery to a target the member may manage, of their organisation; 404 otherwise."""
    from onevoice.webhooks.models import Delivery

    found = (
        Delivery.objects.select_related("target__organization", "target__department")
        .filter(organization_id=member.organization_id, public_id=public_id)
        .first()
    )
    if found is None or not may_manage_notification_target(member, found.target.kind):
        raise Http404
    return found


# ---- API tokens -----------------------------------------------------------------------------------


def access_api_token(member: Membership, token_id: UUID) -> ApiToken:
    """A token the member may manage: their own personal one, or (administrators) any of the organisation's."""
    from onevoice.api.models import ApiToken

    token = ApiToken.objects.filter(organization_id=member.organization_id, public_id=token_id).first()
    if token is None:
        raise Http404
    if token.membership_id != member.pk and not member.can(Capability.MANAGE_SETTINGS):
        raise Http404
    return token
