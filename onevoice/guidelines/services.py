"""Writes to the guidelines: drafts, publishing, acknowledgements and reminders, each checked and audited."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from onevoice.core import audit
from onevoice.guidelines.models import Acknowledgement, Guideline, GuidelineVersion, Reminder
from onevoice.guidelines.selectors import current_version, pending_members
from onevoice.organization.access import NotAllowed, require_same_organization
from onevoice.organization.models import Membership
from onevoice.organization.roles import Capability


def _clean_title(actor: Membership, title: str, guideline: Guideline | None) -> str:
    title = title.strip()
    if not title:
        raise ValidationError({"title": _("Give the guideline a title, e.g. “Social-Media-Leitlinien”.")})
    clash = Guideline.objects.filter(organization_id=actor.organization_id, title__iexact=title)
    if guideline is not None:
        clash = clash.exclude(pk=guideline.pk)
    if clash.exists():
        raise ValidationError(
            {
                "title": _("A guideline named “%(title)s” already exists; choose another title.")
                % {"title": title}
            }
        )
    return title


def _clean_body(body: str) -> str:
    if not body.strip():
        raise ValidationError({"body": _("Write the text of the guideline; it cannot be empty.")})
    return body


@transaction.atomic
def guideline_create(*, actor: Membership, title: str, body: str, change_note: str = "") -> GuidelineVersion:
    """Start a guideline with its first version as a draft; nobody but the managers sees it yet."""
    actor.require(Capability.MANAGE_STRATEGY)
    title = _clean_title(actor, title, None)
    body = _clean_body(body)
    guideline = Guideline.objects.create(organization=actor.organization, title=title)
    version = GuidelineVersion.objects.create(
        guideline=guideline, number=1, body=body, change_note=change_note.strip(), created_by=actor
    )
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="guideline.created",
        obj=guideline,
        after={"title": title},
    )
    return version


@transaction.atomic
def draft_save(
    *, actor: Membership, guideline: Guideline, title: str, body: str, change_note: str
) -> GuidelineVersion:
    """Save the guideline's draft (starting one after the newest version if there is none) and its title."""
    actor.require(Capability.MANAGE_STRATEGY)
    require_same_organization(actor, guideline)
    guideline = Guideline.objects.select_for_update().get(pk=guideline.pk)
    title = _clean_title(actor, title, guideline)
    body = _clean_body(body)
    draft = guideline.versions.filter(published_at=None).first()
    before = None
    if draft is None:
        newest = guideline.versions.aggregate(n=Max("number"))["n"] or 0
        draft = GuidelineVersion(guideline=guideline, number=newest + 1, created_by=actor)
    else:
        before = {"title": guideline.title, "version": draft.number, "change_note": draft.change_note}
    draft.body, draft.change_note = body, change_note.strip()
    draft.save()
    if guideline.title != title:
        guideline.title = title
        guideline.save(update_fields=["title", "updated_at"])
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="guideline.draft_saved",
        obj=guideline,
        before=before,
        after={"title": title, "version": draft.number, "change_note": draft.change_note},
    )
    return draft


@transaction.atomic
def draft_discard(*, actor: Membership, version: GuidelineVersion) -> None:
    """Throw away an unpublished draft; a guideline that never had a published version goes with it."""
    actor.require(Capability.MANAGE_STRATEGY)
    guideline = version.guideline
    require_same_organization(actor, guideline)
    version = GuidelineVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_published:
        raise ValidationError(_("A published version stays in the history; it cannot be discarded."))
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="guideline.draft_discarded",
        obj=guideline,
        before={"title": guideline.title, "version": version.number},
    )
    version.delete()
    if not guideline.versions.exists():
        guideline.delete()


def _tell(members: Sequence[Membership], version: GuidelineVersion, text: str) -> None:
    from onevoice.planning.models import Notification
    from onevoice.planning.notifications import notify

    guideline = version.guideline
    url = reverse("guidelines:detail", args=[guideline.organization.slug, guideline.public_id])
    notify(members, Notification.Kind.GUIDELINE_PUBLISHED, text, url)


def notify_published(version: GuidelineVersion) -> list[Membership]:
    """Tell the members who must read a newly published version (in-app, and by e-mail if they want)."""
    members = [m for m in pending_members(version) if m.pk != version.published_by_id]
    _tell(
        members,
        version,
        _("Version %(number)s of “%(title)s” is published. Please read it and confirm.")
        % {"number": version.number, "title": version.guideline.title},
    )
    return members


def remind(
    version: GuidelineVersion, members: Sequence[Membership], *, by: Membership | None = None
) -> list[Reminder]:
    """Remind members to read a version: record who was reminded and when ."""
    now = timezone.now()
    reminders = Reminder.objects.bulk_create(
        [Reminder(version=version, membership=m, reminded_by=by, reminded_at=now) for m in members]
    )
    _tell(
        members,
        version,
        _("Reminder: please read “%(title)s” (version %(number)s) and confirm.")
        % {"number": version.number, "title": version.guideline.title},
    )
    return reminders


@transaction.atomic
def version_publish(*, actor: Membership, version: GuidelineVersion) -> GuidelineVersion:
    """Publish a draft: it becomes the current version everyone is asked to read."""
    actor.require(Capability.MANAGE_STRATEGY)
    require_same_organization(actor, version.guideline)
    # Locked so two managers pressing "Publish" at once publish it once.
    version = GuidelineVersion.objects.select_for_update().select_related("guideline").get(pk=version.pk)
    if version.published_at is not None:
        raise ValidationError(
            _(
                "Version %(number)s was already published on %(date)s. To change the guideline, "
                "write a new draft."
            )
            % {
                "number": version.number,
                "date": date_format(timezone.localtime(version.published_at), "SHORT_DATETIME_FORMAT"),
            }
        )
    previous = current_version(version.guideline)
    if previous is not None:
        if previous.body.strip() == version.body.strip():
            raise ValidationError(
                _("The draft has the same text as version %(number)s. Change the text before publishing.")
                % {"number": previous.number}
            )
        if not version.change_note.strip():
            raise ValidationError(
                _("Say in a sentence what changed, so people know what to look for; then publish.")
            )
    _clean_body(version.body)
    version.published_at = timezone.now()
    version.published_by = actor
    version.save(update_fields=["published_at", "published_by", "updated_at"])
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="guideline.published",
        obj=version.guideline,
        after={
            "title": version.guideline.title,
            "version": version.number,
            "change_note": version.change_note,
        },
    )
    notify_published(version)
    return version


@transaction.atomic
def acknowledge(*, member: Membership, version: GuidelineVersion) -> Acknowledgement:
    """Confirm having read the current version of a guideline; confirming twice changes nothing."""
    if not member.is_active or version.guideline.organization_id != member.organization_id:
        raise NotAllowed(Capability.VIEW_PLAN)
    current = current_version(version.guideline)
    if current is None or current.pk != version.pk:
        raise ValidationError(
            _("There is a newer version of this guideline. Please read the current version and confirm that.")
        )
    existing = Acknowledgement.objects.filter(version=version, membership=member).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            ack = Acknowledgement.objects.create(version=version, membership=member)
    except IntegrityError:  # the same person confirmed in another tab a moment ago
        return Acknowledgement.objects.get(version=version, membership=member)
    audit.record(
        actor=member.user,
        organization=member.organization,
        verb="guideline.acknowledged",
        obj=version.guideline,
        after={"title": version.guideline.title, "version": version.number},
    )
    return ack


@transaction.atomic
def reminders_send(*, actor: Membership, version: GuidelineVersion) -> list[Membership]:
    """Remind everyone who has not yet confirmed the current version; returns who was reminded."""
    actor.require(Capability.MANAGE_STRATEGY)
    require_same_organization(actor, version.guideline)
    current = current_version(version.guideline)
    if current is None or current.pk != version.pk:
        raise ValidationError(_("Only the current version can be sent as a reminder."))
    members = [m for m in pending_members(version) if m.pk != actor.pk]
    if not members:
        raise ValidationError(_("Everyone has confirmed this version; there is nobody to remind."))
    remind(version, members, by=actor)
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="guideline.reminded",
        obj=version.guideline,
        after={"version": version.number, "members": sorted(m.user.full_name for m in members)},
    )
    return members
