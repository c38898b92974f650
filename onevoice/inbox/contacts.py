"""Contacts: the people who write to the organisation, their handles across channels, notes and VIP flag.

Reads take the contacts a member may see from `organization/access.py`; writes check the capability,
save with `update_fields` and leave an audit event that names the contact only by its public id, so the
audit log itself holds no personal text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Max, Q
from django.utils.translation import gettext as _

from onevoice.core import audit
from onevoice.inbox.models import Case, Contact, ContactHandle, Message
from onevoice.organization.access import NotAllowed, may_manage_contacts, visible_cases, visible_contacts
from onevoice.organization.models import Membership
from onevoice.organization.roles import Capability

C = Capability


def audit_ref(contact: Contact) -> Contact:
    """An unsaved stand-in naming the contact only by its public id: the audit log keeps no names."""
    return Contact(pk=contact.pk, public_id=contact.public_id)


# ---- reads -------------------------------------------------------------------------------------------


def contact_list(member: Membership, *, query: str = "", vip_only: bool = False) -> models.QuerySet[Contact]:
    """The contacts this person may see, searchable by name or handle, with their case count."""
    contacts = visible_contacts(member)
    query = query.strip()
    if query:
        contacts = contacts.filter(
            Q(display_name__icontains=query)
            | Q(handles__handle__icontains=query)
            | Q(handles__author_id__iexact=query)
        ).distinct()
    if vip_only:
        contacts = contacts.filter(is_vip=True)
    return (
        contacts.annotate(
            case_count=Count("cases", distinct=True), last_case_at=Max("cases__last_message_at")
        )
        .prefetch_related("handles")
        .order_by(models.F("last_case_at").desc(nulls_last=True), "display_name", "id")
    )


def contact_cases(member: Membership, contact: Contact) -> list[Case]:
    """The contact's cases this person may see, newest first."""
    return list(
        visible_cases(member)
        .filter(contact=contact)
        .select_related("channel", "department", "assignee__user")
        .order_by("-last_message_at", "-id")
    )


def contact_hidden_case_count(member: Membership, contact: Contact, visible: int) -> int:
    """How many of the contact's cases this person cannot open (shown as a number, never the content)."""
    return max(0, Case.objects.filter(contact=contact).count() - visible)


def merge_candidates(member: Membership, contact: Contact, query: str) -> list[Contact]:
    """Other visible contacts matching a search, to merge into this one."""
    if not query.strip():
        return []
    return list(contact_list(member, query=query).exclude(pk=contact.pk)[:10])


# ---- writes ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactChanges:
    display_name: str
    notes: str
    is_vip: bool


@transaction.atomic
def contact_update(*, actor: Membership, contact: Contact, changes: ContactChanges) -> Contact:
    """Change a contact's name, notes or VIP flag (routing rules can treat VIPs differently)."""
    if not actor.can(C.REPLY) and not may_manage_contacts(actor):
        raise NotAllowed(C.REPLY)
    contact = Contact.objects.select_for_update().get(pk=contact.pk, organization_id=actor.organization_id)
    if contact.anonymized_at is not None:
        raise ValidationError(_("This contact was anonymised and can no longer be changed."))
    fields: dict[str, Any] = {
        "display_name": changes.display_name.strip(),
        "notes": changes.notes.strip(),
        "is_vip": changes.is_vip,
    }
    changed = [name for name, value in fields.items() if getattr(contact, name) != value]
    if not changed:
        return contact
    before_vip = contact.is_vip
    for name in changed:
        setattr(contact, name, fields[name])
    contact.save(update_fields=[*changed, "updated_at"])
    # Only which fields changed and the VIP flag: names and notes are personal data.
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="contact.updated",
        obj=audit_ref(contact),
        before={"is_vip": before_vip},
        after={"is_vip": contact.is_vip, "changed": changed},
    )
    return contact


@transaction.atomic
def contact_merge(*, actor: Membership, target: Contact, source: Contact) -> Contact:
    """Merge `source` into `target` (the same person): handles and cases move, notes join, VIP is kept if
    either was one, and `source` is deleted."""
    if not actor.can(C.REPLY) and not may_manage_contacts(actor):
        raise NotAllowed(C.REPLY)
    if target.pk == source.pk:
        raise ValidationError(_("Choose a different contact to merge."))
    locked = {
        c.pk: c
        for c in Contact.objects.select_for_update()
        .filter(pk__in=[target.pk, source.pk], organization_id=actor.organization_id)
        .order_by("pk")
    }
    if len(locked) != 2:
        raise ValidationError(_("One of the contacts no longer exists."))
    target, source = locked[target.pk], locked[source.pk]
    if target.anonymized_at is not None or source.anonymized_at is not None:
        raise ValidationError(_("An anonymised contact cannot be merged."))
    handles = list(ContactHandle.objects.filter(contact=source).values_list("pk", flat=True))
    ContactHandle.objects.filter(pk__in=handles).update(contact=target)
    moved_cases = Case.objects.filter(contact=source).update(contact=target)
    update = ["is_vip", "updated_at"]
    target.is_vip = target.is_vip or source.is_vip
    if source.notes.strip():
        target.notes = "\n\n".join(part for part in (target.notes.strip(), source.notes.strip()) if part)
        update.append("notes")
    if not target.display_name and source.display_name:
        target.display_name = source.display_name
        update.append("display_name")
    target.save(update_fields=update)
    source_ref = audit_ref(source)
    source.delete()
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="contact.merged",
        obj=audit_ref(target),
        before={"merged": str(source_ref.public_id)},
        after={"handles_moved": len(handles), "cases_moved": moved_cases},
    )
    return target


def contact_message_count(contact: Contact) -> int:
    return Message.objects.filter(case__contact=contact, direction=Message.Direction.INBOUND).count()
