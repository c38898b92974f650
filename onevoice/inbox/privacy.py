"""DSGVO: everything stored about one contact as a download, erasure on request, and the retention rule.

Anonymising keeps the figures (how many cases, on which channel, how fast answered, sentiment) and removes
whatever identifies the person: message texts, handles, names, links, the network ids (a Bluesky id contains
the author's DID), notes and replies in their cases, and the contact itself. Deleting removes the cases too.
The audit log records that it happened and how much, never the personal text.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat
from django.template.loader import render_to_string
from django.utils import timezone, translation

from onevoice.core import audit
from onevoice.inbox.contacts import audit_ref
from onevoice.inbox.models import (
    Case,
    Contact,
    ContactHandle,
    ForwardToken,
    InboxSettings,
    InternalNote,
    Message,
    Reply,
    TriageCorrection,
)
from onevoice.organization.access import NotAllowed, may_manage_contacts
from onevoice.organization.models import Membership, Organization
from onevoice.organization.roles import Capability

RetentionMode = InboxSettings.RetentionMode
ANON_PREFIX = "anon:"
BATCH = 500


def settings_of(organization: Organization) -> InboxSettings:
    found, _created = InboxSettings.objects.get_or_create(organization=organization)
    return found


def _require_manage(actor: Membership) -> None:
    if not may_manage_contacts(actor):
        raise NotAllowed(Capability.MANAGE_INBOX)


# ---- export ------------------------------------------------------------------------------------------


def _handle_filter(handles: list[ContactHandle]) -> Q:
    q = Q(pk__in=[])
    for h in handles:
        q |= Q(channel__network=h.network, author_id=h.author_id)
    return q


def _message_json(message: Message) -> dict[str, Any]:
    return {
        "id": str(message.public_id),
        "direction": message.direction,
        "kind": message.kind,
        "author_handle": message.author_handle,
        "author_name": message.author_name,
        "text": message.text,
        "url": message.url,
        "written_at": message.created_at,
        "received_at": message.received_at,
        "language": message.language,
        "sentiment": message.sentiment,
        "offensive": message.offensive,
        "corrections": [
            {"field": c.field, "from": c.old_value, "to": c.new_value, "at": c.at}
            for c in message.corrections.all()
        ],
    }


def contact_export(contact: Contact) -> dict[str, Any]:
    """Everything OneVoice stores about this person, as plain JSON-able data (Art. 15 DSGVO)."""
    handles = list(contact.handles.all().order_by("network", "handle"))
    cases = list(
        Case.objects.filter(contact=contact)
        .select_related("channel", "department")
        .prefetch_related(
            "tags",
            models.Prefetch(
                "messages",
                queryset=Message.objects.prefetch_related("corrections").order_by("created_at", "id"),
            ),
            models.Prefetch("notes", queryset=InternalNote.objects.select_related("author__user")),
            models.Prefetch("replies", queryset=Reply.objects.order_by("created_at", "id")),
            models.Prefetch("forwards", queryset=ForwardToken.objects.order_by("created_at", "id")),
        )
        .order_by("first_message_at", "id")
    )
    case_ids = [c.pk for c in cases]
    elsewhere = list(
        Message.objects.filter(case__organization_id=contact.organization_id)
        .filter(_handle_filter(handles))
        .exclude(case_id__in=case_ids)
        .select_related("case")
        .prefetch_related("corrections")
        .order_by("created_at", "id")
    )
    terms = [t for t in {contact.display_name, *(h.handle for h in handles)} if t and len(t) >= 3]
    mentioning: list[InternalNote] = []
    if terms:
        term_q = Q(pk__in=[])
        for term in terms:
            term_q |= Q(text__icontains=term)
        mentioning = list(
            InternalNote.objects.filter(case__organization_id=contact.organization_id)
            .exclude(case_id__in=case_ids)
            .filter(term_q)
            .order_by("created_at", "id")
        )
    return {
        "exported_at": timezone.now(),
        "organization": contact.organization.name,
        "contact": {
            "id": str(contact.public_id),
            "name": contact.display_name,
            "notes": contact.notes,
            "vip": contact.is_vip,
            "created_at": contact.created_at,
            "updated_at": contact.updated_at,
        },
        "handles": [{"network": h.network, "account_id": h.author_id, "handle": h.handle} for h in handles],
        "cases": [
            {
                "id": str(case.public_id),
                "channel": case.channel.name,
                "network": case.channel.network,
                "type": case.kind,
                "subject": case.subject,
                "status": case.status,
                "priority": case.priority,
                "department": case.department.name if case.department else "",
                "tags": [t.name for t in case.tags.all()],
                "language": case.language,
                "sentiment": case.sentiment,
                "offensive": case.offensive,
                "first_message_at": case.first_message_at,
                "last_message_at": case.last_message_at,
                "closed_at": case.closed_at,
                "messages": [_message_json(m) for m in case.messages.all()],
                "internal_notes": [
                    {"at": n.created_at, "by": str(n.author.user) if n.author else "", "text": n.text}
                    for n in case.notes.all()
                ],
                "replies_not_sent": [
                    {"at": r.created_at, "state": r.state, "text": r.text}
                    for r in case.replies.all()
                    if r.message_id is None
                ],
                "forwarded_questions": [
                    {"at": f.created_at, "question": f.question, "suggested_answer": f.answer}
                    for f in case.forwards.all()
                ],
            }
            for case in cases
        ],
        "messages_in_other_conversations": [_message_json(m) for m in elsewhere],
        "notes_mentioning_the_contact": [{"at": n.created_at, "text": n.text} for n in mentioning],
    }


def export_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


def _all_messages(data: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    rows = [(case["id"], m) for case in data["cases"] for m in case["messages"]]
    rows += [("", m) for m in data["messages_in_other_conversations"]]
    return rows


def export_zip(data: dict[str, Any], *, language: str) -> bytes:
    """A ZIP with the JSON, the messages as CSV and a readable HTML page of it all."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("contact.json", export_json(data))
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(
            ["case", "message", "direction", "type", "written_at", "handle", "name", "text", "url"]
        )
        for case_id, m in _all_messages(data):
            writer.writerow(
                [
                    case_id,
                    m["id"],
                    m["direction"],
                    m["kind"],
                    m["written_at"].isoformat() if isinstance(m["written_at"], datetime) else m["written_at"],
                    m["author_handle"],
                    m["author_name"],
                    m["text"],
                    m["url"],
                ]
            )
        archive.writestr("messages.csv", "\ufeff" + text.getvalue())  # the BOM lets Excel read UTF-8
        with translation.override(language):
            archive.writestr("index.html", render_to_string("inbox/contacts/export.html", {"data": data}))
    return buffer.getvalue()


@transaction.atomic
def contact_export_record(*, actor: Membership, contact: Contact, fmt: str) -> dict[str, Any]:
    """Build the export and audit that it was taken (who, which contact, which format)."""
    _require_manage(actor)
    data = contact_export(contact)
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="contact.exported",
        obj=audit_ref(contact),
        after={"format": fmt, "cases": len(data["cases"])},
    )
    return data


# ---- anonymising and deleting ------------------------------------------------------------------------


def _anon_key() -> Concat:
    return Concat(Value(ANON_PREFIX), Cast("id", output_field=CharField()))


def _anonymise_messages(messages: models.QuerySet[Message]) -> int:
    return messages.update(
        text="",
        author_id="",
        author_handle="",
        author_name="",
        url="",
        in_reply_to="",
        thread_root="",
        triage={},
        external_id=_anon_key(),
    )


def _anonymise_cases(case_ids: list[int]) -> None:
    """Remove all personal text from these cases and their messages; keep the figures."""
    now = timezone.now()
    _anonymise_messages(Message.objects.filter(case_id__in=case_ids))
    InternalNote.objects.filter(case_id__in=case_ids).update(text="")
    Reply.objects.filter(case_id__in=case_ids).update(text="", decision_note="", error="")
    forwards = ForwardToken.objects.filter(case_id__in=case_ids)
    forwards.filter(revoked_at=None).update(revoked_at=now)
    forwards.update(question="", answer="", name="")
    Case.objects.filter(pk__in=case_ids).update(subject="", contact=None, thread_key=_anon_key())


def _delete_cases(case_ids: list[int]) -> None:
    # Replies point at forwards and messages with SET_NULL; deleting the cases cascades to all of them.
    TriageCorrection.objects.filter(message__case_id__in=case_ids).delete()
    Case.objects.filter(pk__in=case_ids).delete()


def _apply(case_ids: list[int], mode: str) -> None:
    for start in range(0, len(case_ids), BATCH):
        chunk = case_ids[start : start + BATCH]
        if mode == RetentionMode.DELETE:
            _delete_cases(chunk)
        else:
            _anonymise_cases(chunk)


@dataclass(frozen=True)
class ErasureResult:
    mode: str
    cases: int
    messages_elsewhere: int


def erasure_preview(contact: Contact) -> dict[str, int]:
    handles = list(contact.handles.all())
    cases = Case.objects.filter(contact=contact)
    return {
        "cases": cases.count(),
        "messages": Message.objects.filter(case__contact=contact).count(),
        "messages_elsewhere": Message.objects.filter(case__organization_id=contact.organization_id)
        .filter(_handle_filter(handles))
        .exclude(case__contact=contact)
        .count(),
        "handles": len(handles),
    }


@transaction.atomic
def contact_erase(*, actor: Membership, contact: Contact, mode: str) -> ErasureResult:
    """Erase a person on request (Art. 17 DSGVO): anonymise their cases (the figures stay) or delete them,
    remove what they wrote in other conversations, and delete the contact with its handles and notes."""
    _require_manage(actor)
    if mode not in RetentionMode.values:
        raise ValueError(mode)
    contact = Contact.objects.select_for_update().get(pk=contact.pk, organization_id=actor.organization_id)
    handles = list(contact.handles.all())
    case_ids = list(Case.objects.filter(contact=contact).values_list("pk", flat=True))
    elsewhere = (
        Message.objects.filter(case__organization_id=contact.organization_id)
        .filter(_handle_filter(handles))
        .exclude(case_id__in=case_ids)
    )
    if mode == RetentionMode.DELETE:
        elsewhere_count = elsewhere.count()
        TriageCorrection.objects.filter(message__in=elsewhere).delete()
        elsewhere.delete()
    else:
        elsewhere_count = _anonymise_messages(elsewhere)
    _apply(case_ids, mode)
    ref = audit_ref(contact)
    contact.delete()
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="contact.erased",
        obj=ref,
        after={
            "mode": mode,
            "cases": len(case_ids),
            "messages_elsewhere": elsewhere_count,
            "handles": len(handles),
        },
    )
    return ErasureResult(mode=mode, cases=len(case_ids), messages_elsewhere=elsewhere_count)


# ---- retention ---------------------------------------------------------------------------------------


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the last day of a shorter month)."""
    import calendar

    total = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


@dataclass(frozen=True)
class RetentionResult:
    cases: int
    contacts: int
    cutoff: datetime
    mode: str


def _retention_cases(organization: Organization, cutoff: datetime, mode: str) -> models.QuerySet[Case]:
    cases = Case.objects.filter(organization=organization, status=Case.Status.CLOSED, closed_at__lt=cutoff)
    if mode != RetentionMode.DELETE:
        cases = cases.exclude(thread_key__startswith=ANON_PREFIX)  # already anonymised
    return cases


def _orphan_contacts(
    organization: Organization, cutoff: datetime, leaving: models.QuerySet[Case] | None
) -> models.QuerySet[Contact]:
    remaining = Case.objects.filter(organization=organization, contact__isnull=False)
    if leaving is not None:
        remaining = remaining.exclude(pk__in=leaving.values("pk"))
    return Contact.objects.filter(organization=organization, created_at__lt=cutoff).exclude(
        pk__in=remaining.values("contact_id")
    )


def retention_preview(
    organization: Organization, *, months: int, mode: str, now: datetime | None = None
) -> RetentionResult:
    """What the retention rule would do today with these settings (the dry run on the settings page)."""
    cutoff = months_before(now or timezone.now(), months)
    cases = _retention_cases(organization, cutoff, mode)
    return RetentionResult(
        cases=cases.count(),
        contacts=_orphan_contacts(organization, cutoff, cases).count(),
        cutoff=cutoff,
        mode=mode,
    )


def retention_apply(organization: Organization, *, now: datetime | None = None) -> RetentionResult:
    """Anonymise or delete the organisation's closed cases older than its retention period, then delete the
    contacts left without any case; audited once per run when anything was affected."""
    inbox_settings = settings_of(organization)
    mode = inbox_settings.retention_mode
    cutoff = months_before(now or timezone.now(), inbox_settings.retention_months)
    case_ids = list(_retention_cases(organization, cutoff, mode).values_list("pk", flat=True))
    for start in range(0, len(case_ids), BATCH):
        with transaction.atomic():
            _apply(case_ids[start : start + BATCH], mode)
    with transaction.atomic():
        orphans = list(_orphan_contacts(organization, cutoff, None).values_list("pk", flat=True))
        Contact.objects.filter(pk__in=orphans).delete()
        if case_ids or orphans:
            audit.record(
                actor=None,
                organization=organization,
                verb="inbox.retention_applied",
                obj=inbox_settings,
                after={
                    "mode": mode,
                    "months": inbox_settings.retention_months,
                    "cases": len(case_ids),
                    "contacts": len(orphans),
                },
            )
    return RetentionResult(cases=len(case_ids), contacts=len(orphans), cutoff=cutoff, mode=mode)


@transaction.atomic
def retention_update(*, actor: Membership, months: int, mode: str) -> InboxSettings:
    """Change how long closed cases are kept and what happens after that."""
    _require_manage(actor)
    found = InboxSettings.objects.select_for_update().filter(organization=actor.organization).first()
    if found is None:
        found = settings_of(actor.organization)
    before = {"retention_months": found.retention_months, "retention_mode": found.retention_mode}
    found.retention_months = months
    found.retention_mode = mode
    found.save(update_fields=["retention_months", "retention_mode", "updated_at"])
    after = {"retention_months": months, "retention_mode": mode}
    if before != after:
        audit.record(
            actor=actor.user,
            organization=actor.organization,
            verb="inbox.retention_changed",
            obj=found,
            before=before,
            after=after,
        )
    return found
