"""Writes of webhooks and chat notifications: setting targets up, and the worker's side of delivering.

Delivery runs on the worker and is safe to repeat: a try claims the delivery with one conditional update
(pending → sending) and sends it under its delivery id, the same one on every retry. A failed try waits
1 min, 5 min, 30 min, 2 h, then 6 h; after the sixth failed try the delivery is given up, the target is
marked failing and the people who manage it are told (in-app and by e-mail). The next success clears it.
"""

from __future__ import annotations

import functools
import logging
import re
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from onevoice.core import audit
from onevoice.core.http import BlockedAddress, guard_url
from onevoice.organization.access import NotAllowed, may_manage_notification_target
from onevoice.organization.models import Department, Membership
from onevoice.organization.roles import Capability
from onevoice.webhooks import events as events_module
from onevoice.webhooks import signing, transports
from onevoice.webhooks.models import PING, Delivery, DeliveryAttempt, Event, Target

if TYPE_CHECKING:
    from onevoice.webhooks.events import EventData

log = logging.getLogger(__name__)

D = Delivery.State
BACKOFF: tuple[timedelta, ...] = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)
MAX_TRIES = len(BACKOFF) + 1
# A rotated secret still signs (next to the new one) for this long, so receivers can switch over.
ROTATION_GRACE = timedelta(hours=24)
# A claim older than this belongs to a worker that died mid-send: the sweeper sends it again.
CLAIM_TIMEOUT = timedelta(minutes=5)
KEEP_DELIVERIES = timedelta(days=30)
# "!opaque:server" (room versions up to 11) or "!opaque" (room version 12 drops the server part).
MATRIX_ROOM_ID = re.compile(r"^![A-Za-z0-9._~=+/\-]+(:[A-Za-z0-9.\-]+(:\d+)?)?$")


# ---- checks ------------------------------------------------------------------------------------------


def check_address(url: str, *, field: str = "url") -> None:
    """https only (http just for hosts the administrator allowed), no credentials, not internal."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    allowed = {h.lower() for h in getattr(settings, "HTTP_ALLOWED_PRIVATE_HOSTS", [])}
    if parts.scheme not in ("https", "http") or not host:
        raise ValidationError({field: _("Enter a complete address starting with https://.")})
    if parts.scheme == "http" and host not in allowed:
        raise ValidationError({field: _("Use an https:// address: events must not travel unencrypted.")})
    if parts.username or parts.password:
        raise ValidationError(
            {field: _("Leave user name and password out of the address; the signature proves the sender.")}
        )
    try:
        guard_url(url)
    except BlockedAddress:
        raise ValidationError(
            {
                field: _(
                    "OneVoice does not send to this address: it cannot be resolved or points into an internal network. Use a public address, or ask your administrator to allow the host."
                )
            }
        ) from None


def _require(actor: Membership, kind: str) -> None:
    if not may_manage_notification_target(actor, kind):
        raise NotAllowed(Capability.MANAGE_SETTINGS)


def _check_common(actor: Membership, name: str, events: Sequence[str], department: Department | None) -> None:
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Give it a name, e.g. the system or room it sends to.")]
    known = set(Event.values)
    if not events:
        errors["events"] = [_("Choose at least one event.")]
    elif any(e not in known for e in events):
        errors["events"] = [_("Choose events from the list.")]
    if department is not None and department.organization_id != actor.organization_id:
        raise NotAllowed(Capability.MANAGE_SETTINGS)
    if errors:
        raise ValidationError(errors)


def _verb(target: Target, action: str) -> str:
    return f"{'webhook' if target.is_webhook else 'chat_target'}.{action}"


def _saved(actor: Membership | None, target: Target, action: str, before: dict[str, Any] | None) -> None:
    audit.record(
        actor=actor.user if actor is not None else None,
        organization=target.organization,
        verb=_verb(target, action),
        obj=target,
        before=before,
        after=target.snapshot() if action != "deleted" else None,
    )
    events_module.forget(target.organization_id)


# ---- webhooks ----------------------------------------------------------------------------------------


@dataclass
class TargetInput:
    """What a person sets on a target; secrets empty on edit mean "keep the stored one"."""

    name: str
    events: list[str]
    department: Department | None = None
    url: str = ""
    language: str = "de"
    is_active: bool = True
    room_id: str = ""
    access_token: str = ""
    chat_url: str = ""


@transaction.atomic
def webhook_create(*, actor: Membership, data: TargetInput) -> Target:
    """Register an HTTPS endpoint for events; it gets its own signing secret."""
    _require(actor, Target.Kind.WEBHOOK)
    _check_common(actor, data.name, data.events, data.department)
    check_address(data.url)
    target = Target(
        organization=actor.organization,
        kind=Target.Kind.WEBHOOK,
        name=data.name.strip(),
        url=data.url,
        department=data.department,
        events=list(data.events),
        language=data.language,
        is_active=data.is_active,
        created_by=actor,
    )
    target.set_secrets({"secret": signing.new_secret(), "previous": [], "previous_until": None})
    target.save()
    _saved(actor, target, "created", None)
    return target


def _check_chat(data: TargetInput, kind: str, *, existing: Target | None) -> dict[str, Any]:
    """Validate the chat's address and credentials; return the secrets to store."""
    stored = existing.secrets if existing is not None else {}
    if kind == Target.Kind.MATRIX:
        check_address(data.url, field="url")
        if not MATRIX_ROOM_ID.match(data.room_id.strip()):
            raise ValidationError(
                {
                    "room_id": _(
                        "Enter the room's internal ID, e.g. !AbCdEf:example.org (Room settings → Advanced)."
                    )
                }
            )
        token = data.access_token.strip() or stored.get("access_token", "")
        if not token:
            raise ValidationError({"access_token": _("Enter the access token of the account that posts.")})
        return {"access_token": token}
    chat_url = data.chat_url.strip() or stored.get("url", "")
    if not chat_url:
        raise ValidationError({"chat_url": _("Paste the incoming webhook address from the chat.")})
    check_address(chat_url, field="chat_url")
    return {"url": chat_url}


@transaction.atomic
def chat_target_create(*, actor: Membership, kind: str, data: TargetInput) -> Target:
    """Send events of the organisation (or one department) to a Matrix room, Slack or Teams channel."""
    if kind not in (Target.Kind.MATRIX, Target.Kind.SLACK, Target.Kind.TEAMS):
        raise ValidationError(_("Choose Matrix, Slack or Microsoft Teams."))
    _require(actor, kind)
    _check_common(actor, data.name, data.events, data.department)
    secrets = _check_chat(data, kind, existing=None)
    target = Target(
        organization=actor.organization,
        kind=kind,
        name=data.name.strip(),
        url=data.url if kind == Target.Kind.MATRIX else "",
        config={"room_id": data.room_id.strip()} if kind == Target.Kind.MATRIX else {},
        department=data.department,
        events=list(data.events),
        language=data.language,
        is_active=data.is_active,
        created_by=actor,
    )
    target.set_secrets(secrets)
    target.save()
    _saved(actor, target, "created", None)
    return target


@transaction.atomic
def target_update(*, actor: Membership, target: Target, data: TargetInput) -> Target:
    _require(actor, target.kind)
    _check_common(actor, data.name, data.events, data.department)
    before = target.snapshot()
    if target.is_webhook:
        check_address(data.url)
        target.url = data.url
    else:
        target.set_secrets(_check_chat(data, target.kind, existing=target))
        if target.kind == Target.Kind.MATRIX:
            target.url = data.url
            target.config = {**target.config, "room_id": data.room_id.strip()}
    target.name = data.name.strip()
    target.department = data.department
    target.events = list(data.events)
    target.language = data.language
    target.is_active = data.is_active
    target.save()
    _saved(actor, target, "updated", before)
    return target


@transaction.atomic
def target_set_active(*, actor: Membership, target: Target, active: bool) -> Target:
    _require(actor, target.kind)
    before = target.snapshot()
    target.is_active = active
    target.save(update_fields=["is_active", "updated_at"])
    _saved(actor, target, "updated", before)
    return target


@transaction.atomic
def target_delete(*, actor: Membership, target: Target) -> None:
    _require(actor, target.kind)
    before = target.snapshot()
    organization_id = target.organization_id
    _saved(actor, target, "deleted", before)
    target.delete()
    events_module.forget(organization_id)


@transaction.atomic
def webhook_rotate_secret(*, actor: Membership, target: Target, now: datetime | None = None) -> str:
    """A new signing secret; the old one keeps signing alongside for 24 hours so receivers can switch."""
    _require(actor, target.kind)
    if not target.is_webhook:
        raise ValidationError(_("Only webhooks have a signing secret."))
    now = now or timezone.now()
    current = target.secrets
    fresh = signing.new_secret()
    target.set_secrets(
        {
            "secret": fresh,
            "previous": [current["secret"]] if current.get("secret") else [],
            "previous_until": (now + ROTATION_GRACE).isoformat(),
        }
    )
    target.save(update_fields=["secrets_encrypted", "updated_at"])
    audit.record(
        actor=actor.user,
        organization=target.organization,
        verb="webhook.secret_rotated",
        obj=target,
        after={"old_secret_valid_until": now + ROTATION_GRACE},
    )
    return fresh


# ---- deliveries --------------------------------------------------------------------------------------


def _envelope(
    target: Target, event: str, event_id: uuid.UUID, delivery_id: uuid.UUID, data: EventData
) -> dict[str, Any]:
    return {
        "id": str(delivery_id),
        "event": event,
        "event_id": str(event_id),
        "occurred_at": events_module.iso(timezone.now()),
        "organization": {"slug": target.organization.slug, "name": target.organization.name},
        "data": data.data,
    }


def deliveries_create(targets: Sequence[Target], event: str, data: EventData) -> list[Delivery]:
    """One delivery per target, in the caller's transaction; the worker is asked after commit."""
    event_id = uuid.uuid4()
    made: list[Delivery] = []
    now = timezone.now()
    for target in targets:
        delivery_id = uuid.uuid4()
        with translation.override(target.language):
            summary = data.text()
            if target.is_webhook:
                body = transports.webhook_body(_envelope(target, event, event_id, delivery_id, data))
            else:
                body = transports.chat_body(target.kind, summary, data.link, target.organization.name)
        delivery = Delivery(
            public_id=delivery_id,
            organization_id=target.organization_id,
            target=target,
            event=event,
            event_id=event_id,
            dedupe_key=data.dedupe_key[:200],
            body=body,
            summary=summary[:300],
            next_attempt_at=now,
        )
        if data.dedupe_key:
            if Delivery.objects.filter(target=target, dedupe_key=delivery.dedupe_key).exists():
                continue
            try:
                with transaction.atomic():
                    delivery.save()
            except IntegrityError:
                continue  # a concurrent raise of the same event won
        else:
            delivery.save()
        made.append(delivery)
    if made:
        transaction.on_commit(functools.partial(enqueue, [d.pk for d in made]))
    return made


def enqueue(delivery_ids: Sequence[int], *, eta: datetime | None = None) -> None:
    from onevoice.webhooks import tasks

    for delivery_id in delivery_ids:
        if eta is None:
            tasks.deliver(delivery_id)
        else:
            tasks.deliver.schedule(args=(delivery_id,), eta=eta)


@transaction.atomic
def target_test(*, actor: Membership, target: Target) -> Delivery:
    """Send the test event ("ping") to this target now, also while it is switched off."""
    _require(actor, target.kind)
    data = events_module.ping(target)
    (delivery,) = deliveries_create([target], PING, data)
    audit.record(
        actor=actor.user,
        organization=target.organization,
        verb=_verb(target, "tested"),
        obj=target,
        after={"delivery": str(delivery.public_id)},
    )
    return delivery


@transaction.atomic
def delivery_redeliver(*, actor: Membership, delivery: Delivery) -> Delivery:
    """Send a delivered or given-up delivery again, with the same delivery id and body."""
    _require(actor, delivery.target.kind)
    if delivery.state not in (D.DELIVERED, D.FAILED, D.CANCELLED):
        raise ValidationError(_("This delivery is still being sent; wait until it has an outcome."))
    changed = Delivery.objects.filter(pk=delivery.pk, state=delivery.state).update(
        state=D.PENDING, tries=0, next_attempt_at=timezone.now(), claimed_at=None
    )
    if changed:
        audit.record(
            actor=actor.user,
            organization=delivery.target.organization,
            verb=_verb(delivery.target, "redelivered"),
            obj=delivery.target,
            after={"delivery": str(delivery.public_id), "event": delivery.event},
        )
        transaction.on_commit(functools.partial(enqueue, [delivery.pk]))
    delivery.refresh_from_db()
    return delivery


# ---- the worker's side -------------------------------------------------------------------------------


def delivery_send(delivery_id: int, *, now: datetime | None = None) -> str:
    """One try of a due delivery; returns the state it ended in. Safe to call twice: one claim wins."""
    now = now or timezone.now()
    claimed = Delivery.objects.filter(pk=delivery_id, state=D.PENDING, next_attempt_at__lte=now).update(
        state=D.SENDING, claimed_at=now
    )
    delivery = Delivery.objects.select_related("target__organization").filter(pk=delivery_id).first()
    if delivery is None:
        return ""
    if not claimed:
        return delivery.state
    target = delivery.target
    if not target.is_active and delivery.event != PING:
        Delivery.objects.filter(pk=delivery.pk).update(
            state=D.CANCELLED, last_error=_("The target was switched off.")[:500]
        )
        return D.CANCELLED
    clock = time.monotonic()
    outcome = transports.send(target, delivery)
    duration = int((time.monotonic() - clock) * 1000)
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            delivery=delivery,
            started_at=now,
            duration_ms=duration,
            status_code=outcome.status_code,
            ok=outcome.ok,
            error=outcome.error[:500],
            response=outcome.response[:500],
        )
        delivery.tries += 1
        delivery.last_status_code = outcome.status_code
        delivery.last_error = outcome.error[:500]
        delivery.claimed_at = None
        if outcome.ok:
            delivery.state = D.DELIVERED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
            _target_succeeded(target, now)
        elif outcome.permanent or delivery.tries >= MAX_TRIES:
            delivery.state = D.FAILED
            delivery.next_attempt_at = None
            _target_failed(target, delivery, now, gave_up=True)
        else:
            wait = BACKOFF[delivery.tries - 1]
            if outcome.retry_after is not None:
                wait = max(wait, timedelta(seconds=outcome.retry_after))
            delivery.state = D.PENDING
            delivery.next_attempt_at = now + wait
            _target_failed(target, delivery, now, gave_up=False)
            transaction.on_commit(functools.partial(enqueue, [delivery.pk], eta=delivery.next_attempt_at))
        delivery.save(
            update_fields=[
                "tries",
                "state",
                "last_status_code",
                "last_error",
                "claimed_at",
                "delivered_at",
                "next_attempt_at",
            ]
        )
    return delivery.state


def _target_succeeded(target: Target, now: datetime) -> None:
    recovered = Target.objects.filter(pk=target.pk, failing_since__isnull=False).update(failing_since=None)
    Target.objects.filter(pk=target.pk).update(consecutive_failures=0, last_success_at=now)
    if recovered:
        audit.record(
            actor=None, organization=target.organization, verb=_verb(target, "recovered"), obj=target
        )


def _target_failed(target: Target, delivery: Delivery, now: datetime, *, gave_up: bool) -> None:
    Target.objects.filter(pk=target.pk).update(
        consecutive_failures=F("consecutive_failures") + 1, last_failure_at=now
    )
    if not gave_up:
        return
    # Conditional: only the delivery that turns the target to failing tells people, once.
    if not Target.objects.filter(pk=target.pk, failing_since__isnull=True).update(failing_since=now):
        return
    audit.record(
        actor=None,
        organization=target.organization,
        verb=_verb(target, "failing"),
        obj=target,
        after={"delivery": str(delivery.public_id), "error": delivery.last_error},
    )
    _tell_managers(target, delivery)


def managers_of(target: Target) -> list[Membership]:
    members = (
        Membership.objects.active().filter(organization_id=target.organization_id).select_related("user")
    )
    return [m for m in members if may_manage_notification_target(m, target.kind)]


FAILING_KIND = "webhook_failing"  # planning.Notification.Kind.WEBHOOK_FAILING


def _tell_managers(target: Target, delivery: Delivery) -> None:
    """A notification for everyone who manages the target, mailed by each person's preferences."""
    from onevoice.planning.notifications import notify

    path = reverse("webhooks:target", args=[target.organization.slug, target.public_id])
    notify(managers_of(target), FAILING_KIND, failing_text(target, delivery), path)


def failing_text(target: Target, delivery: Delivery) -> str:
    values = {"name": target.name, "error": delivery.last_error or "-"}
    if target.is_webhook:
        return (
            _("Webhook “%(name)s” is failing: a delivery was given up after all retries (%(error)s).")
            % values
        )
    return (
        _("Chat notification “%(name)s” is failing: a message was given up after all retries (%(error)s).")
        % values
    )


@dataclass
class SweepReport:
    sent: int = 0
    released: int = 0
    pruned: int = 0


def deliveries_sweep(*, now: datetime | None = None) -> SweepReport:
    """Send what is due (a lost task never strands a delivery); free claims of dead workers."""
    now = now or timezone.now()
    report = SweepReport()
    report.released = Delivery.objects.filter(state=D.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT).update(
        state=D.PENDING, claimed_at=None, next_attempt_at=now
    )
    due = list(
        Delivery.objects.filter(state=D.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:500]
    )
    enqueue(due)
    report.sent = len(due)
    return report


def deliveries_prune(*, now: datetime | None = None) -> int:
    """Forget deliveries (and their attempts) older than 30 days that have an outcome."""
    now = now or timezone.now()
    deleted, _rows = Delivery.objects.filter(
        created_at__lt=now - KEEP_DELIVERIES, state__in=[D.DELIVERED, D.FAILED, D.CANCELLED]
    ).delete()
    return deleted
