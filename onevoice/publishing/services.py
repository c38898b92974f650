"""Publishing scheduled posts exactly once, by whichever worker gets there first.

The rules (ARCHITECTURE.md, "Publishing exactly once"):
- one `Publication` per variant, claimed with a single `UPDATE … WHERE state IN (…) AND schedule_version = …`;
  only the worker that changed the row goes on;
- the network sees the publication's idempotency key, so a retry after a crash lands on the same post;
- the answer is saved right after the call; an unknown outcome becomes "unconfirmed" and is settled by
  looking the post up on the network, never by publishing again blindly;
- every reschedule, retry and cancel bumps `schedule_version`: a delayed task for an older one does nothing;
- rate limits wait for the network's `retry_after` without spending a try; temporary errors back off with
  jitter, a few times; refusals and login errors stop and tell people;
- past the organisation's late window nothing goes out silently: it waits for a person;
- a sweeper re-enqueues what is due without a live task and settles what a dead worker left running.
"""

from __future__ import annotations

import logging
import os
import random
import secrets
import socket
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from onevoice.core import audit
from onevoice.core.http import BlockedAddress
from onevoice.networks.connectors.base import (
    AuthExpired,
    ConnectorError,
    MediaItem,
    PublishRequest,
    PublishResult,
    RateLimited,
    Unconfirmed,
)
from onevoice.networks.models import Access, Channel, ChannelPost, ChannelPostImage
from onevoice.networks.registry import connector_class, connector_for
from onevoice.organization.access import NotAllowed, has_channel_access
from onevoice.organization.models import Membership, Organization
from onevoice.organization.roles import Capability, Role
from onevoice.planning.models import Notification, Post, PostVariant
from onevoice.planning.notifications import notify
from onevoice.publishing.models import (
    STUCK,
    ChannelThrottle,
    Publication,
    PublishAttempt,
    PublishingSettings,
)
from onevoice.webhooks import events as webhook_events

log = logging.getLogger(__name__)

P = Publication.State
O = PublishAttempt.Outcome  # noqa: E741

MAX_TRIES = 5  # temporary errors per publication before it fails and a person is told
BACKOFF_SECONDS = 20.0  # first wait after a temporary error; doubles each time, with ±20 % jitter
BACKOFF_MAX_SECONDS = 600.0
EARLY_TOLERANCE = timedelta(seconds=1)  # a task woken a moment early still counts as on time
RECONCILE_EVERY = timedelta(minutes=1)  # how often an unconfirmed publication is looked up again
WAITING = (P.QUEUED, P.RATE_LIMITED)  # states a worker may claim


def running_timeout() -> timedelta:
    """How long a claim may stay "running" before the sweeper assumes its worker died."""
    return timedelta(seconds=getattr(settings, "PUBLISHING_RUNNING_TIMEOUT_SECONDS", 180))


def sweep_grace() -> timedelta:
    """How long past its time a queued publication may wait for its own task before the sweeper sends one."""
    return timedelta(seconds=getattr(settings, "PUBLISHING_SWEEP_GRACE_SECONDS", 10))


# A token per process: a restarted container keeps its host name and often its process id (1), so host and
# pid alone would make a new worker take a dead one's claims for its own.
_PROCESS_TOKEN = secrets.token_hex(4)


def worker_name() -> str:
    """Host, process and token: shown in the publishing log, and how a restarted worker finds dead claims."""
    return f"{socket.gethostname()}:{os.getpid()}:{_PROCESS_TOKEN}"


def settings_for(organization: Organization | int) -> PublishingSettings:
    org_id = organization if isinstance(organization, int) else organization.pk
    found, _created = PublishingSettings.objects.get_or_create(organization_id=org_id)
    return found


# ---- scheduling: the plan says what should go out when ------------------------------------------------


def publications_sync(post: Post) -> None:
    """Bring the post's publications in line with its status and time; call inside the service's transaction.

    A scheduled post gets a queued publication per variant at its time; a moved one gets its new time and
    a new schedule version (the task for the old time then does nothing); a post that is no longer
    scheduled (withdrawn, back in review, made an idea) has what was still waiting cancelled.
    """
    if post.status in (Post.Status.FAILED, Post.Status.PUBLISHED):
        return  # what is left waits for a person's retry or cancel, not for edits to the post
    wanted = post.status == Post.Status.SCHEDULED and post.publish_at is not None
    existing = {p.variant_id: p for p in Publication.objects.select_for_update().filter(variant__post=post)}
    due: list[Publication] = []
    for variant in post.variants.all():
        publication = existing.get(variant.pk)
        if wanted:
            assert post.publish_at is not None
            if publication is None:
                publication = Publication.objects.create(
                    organization_id=post.organization_id,
                    variant=variant,
                    channel_id=variant.channel_id,
                    due_at=post.publish_at,
                    next_attempt_at=post.publish_at,
                    idempotency_key=variant.public_id.hex,
                )
                due.append(publication)
            elif publication.state in (P.QUEUED, P.RATE_LIMITED, P.NEEDS_PERSON, P.CANCELLED) and (
                publication.state != P.QUEUED or publication.due_at != post.publish_at
            ):
                _requeue(publication, due_at=post.publish_at)
                due.append(publication)
        elif publication is not None and publication.state in (P.QUEUED, P.RATE_LIMITED, P.NEEDS_PERSON):
            _move(publication, P.CANCELLED)
    if due:
        transaction.on_commit(lambda: enqueue(due))


def _requeue(publication: Publication, *, due_at: datetime) -> None:
    """Queue again under a new schedule version (the old version's task then exits untouched)."""
    publication.due_at = due_at
    publication.state = P.QUEUED
    publication.next_attempt_at = max(due_at, timezone.now())
    publication.schedule_version += 1
    publication.tries = 0
    publication.error_kind = publication.error = ""
    publication.retry_after = None
    publication.save(
        update_fields=[
            "state",
            "due_at",
            "next_attempt_at",
            "schedule_version",
            "tries",
            "error_kind",
            "error",
            "retry_after",
            "updated_at",
        ]
    )


def _move(publication: Publication, state: str) -> None:
    publication.state = state
    publication.schedule_version += 1
    publication.save(update_fields=["state", "schedule_version", "updated_at"])


def enqueue(publications: Iterable[Publication]) -> None:
    """One delayed task per publication, at its next attempt time (now, if that has passed)."""
    from onevoice.publishing import tasks

    for publication in publications:
        tasks.publish.schedule(
            args=(publication.pk, publication.schedule_version), eta=publication.next_attempt_at
        )


# ---- the worker's side ---------------------------------------------------------------------------------


def _late_window(organization_id: int) -> timedelta:
    return timedelta(minutes=settings_for(organization_id).late_window_minutes)


def publication_run(publication_id: int, version: int, *, now: datetime | None = None) -> str:
    """Publish one variant if it is still due under this schedule version; returns the state it ended in.

    Safe to call any number of times, from any worker: only one claim succeeds.
    """
    now = now or timezone.now()
    publication = (
        Publication.objects.select_related("channel__throttle", "organization__publishing")
        .filter(pk=publication_id)
        .first()
    )
    if publication is None or publication.schedule_version != version or publication.state not in WAITING:
        return publication.state if publication else ""
    if publication.next_attempt_at > now + EARLY_TOLERANCE:
        enqueue([publication])  # woken early (clock skew, a re-sent task): wait for the right time
        return publication.state
    channel = publication.channel
    current = _settings_of(publication)
    if current.is_paused or channel.state != Channel.State.CONNECTED:
        return publication.state  # resuming the organisation or the channel sends it on
    if now > publication.due_at + timedelta(minutes=current.late_window_minutes):
        _needs_person(publication, version, now)
        return P.NEEDS_PERSON
    wait = _channel_wait(channel, now)
    if wait is not None:
        _rate_limited(publication, version, wait, "")
        return P.RATE_LIMITED
    claim = {"state": P.RUNNING, "claimed_by": worker_name(), "claimed_at": now, "updated_at": now}
    claimed = Publication.objects.filter(
        pk=publication.pk, state__in=WAITING, schedule_version=version
    ).update(**claim)
    if not claimed:
        return ""  # another worker has it, or a person changed it a moment ago
    for field, value in claim.items():
        setattr(publication, field, value)
    variant = PostVariant.objects.select_related("post", "channel").get(pk=publication.variant_id)
    if variant.post.status != Post.Status.SCHEDULED:
        # Withdrawn between the last look and the claim: let go without calling the network.
        Publication.objects.filter(pk=publication.pk, state=P.RUNNING).update(
            state=P.CANCELLED, schedule_version=F("schedule_version") + 1
        )
        return P.CANCELLED
    return _call_network(publication, variant)


def _settings_of(publication: Publication) -> PublishingSettings:
    """The organisation's settings, loaded with the publication (created on first use)."""
    try:
        return publication.organization.publishing
    except PublishingSettings.DoesNotExist:
        return settings_for(publication.organization_id)


def _channel_wait(channel: Channel, now: datetime) -> datetime | None:
    """When the channel may be used again, if not now: the network's rate limit and its minimum spacing,
    shared by every worker through one row per channel."""
    spacing = timedelta(seconds=connector_class(channel.network).min_seconds_between_posts)
    try:
        blocked_until = channel.throttle.blocked_until  # loaded with the publication
    except ChannelThrottle.DoesNotExist:
        blocked_until = None
    if blocked_until and blocked_until > now:
        return blocked_until
    if not spacing:
        return None
    throttle, _created = ChannelThrottle.objects.get_or_create(channel=channel)
    free = Q(last_started_at__isnull=True) | Q(last_started_at__lte=now - spacing)
    if ChannelThrottle.objects.filter(pk=throttle.pk).filter(free).update(last_started_at=now):
        return None
    throttle.refresh_from_db()
    assert throttle.last_started_at is not None
    return throttle.last_started_at + spacing


def request_for(variant: PostVariant) -> PublishRequest:
    media = []
    for image in variant.images.all():
        with image.file.open("rb") as handle:
            content = handle.read()
        media.append(
            MediaItem(
                content=content,
                mime_type=image.mime_type,
                alt_text=image.alt_text,
                filename=str(image.file.name).rsplit("/", 1)[-1],
            )
        )
    return PublishRequest(text=variant.text, media=media, language=variant.language, link=variant.link)


def _call_network(publication: Publication, variant: PostVariant) -> str:
    channel = variant.channel
    started = timezone.now()
    clock = time.perf_counter()

    def log_attempt(outcome: str, answer: str = "") -> None:
        PublishAttempt.objects.create(
            publication=publication,
            organization_id=publication.organization_id,
            channel_id=publication.channel_id,
            worker=worker_name(),
            started_at=started,
            duration_ms=int((time.perf_counter() - clock) * 1000),
            outcome=outcome,
            answer=answer[:1000],
        )

    try:
        connector = connector_for(channel)
        request = request_for(variant)
        result = connector.publish(request, idempotency_key=publication.idempotency_key)
    except Unconfirmed as error:
        log_attempt(O.UNCONFIRMED, error.message)
        _settle(publication, P.UNCONFIRMED, kind="unconfirmed", error=error.message)
        return publication_reconcile(publication.pk)
    except RateLimited as error:
        log_attempt(O.RATE_LIMITED, error.message)
        ChannelThrottle.objects.update_or_create(
            channel=channel, defaults={"blocked_until": error.retry_after}
        )
        _rate_limited(publication, None, error.retry_after, error.message)
        return P.RATE_LIMITED
    except AuthExpired as error:
        log_attempt(O.AUTH, error.message)
        from onevoice.networks.services import channel_mark_reconnect, explain

        channel_mark_reconnect(channel, explain(error, channel.get_network_display()), None)
        _settle(publication, P.FAILED, kind="auth", error=error.message)
        return P.FAILED
    except BlockedAddress as error:
        log_attempt(O.FAILED, str(error))
        _settle(publication, P.FAILED, kind="blocked", error=str(error))
        return P.FAILED
    except ConnectorError as error:
        if error.permanent:
            log_attempt(O.FAILED, error.message)
            _settle(publication, P.FAILED, kind="refused", error=error.message)
            return P.FAILED
        log_attempt(O.TRANSIENT, error.message)
        return _after_transient(publication, error.message)
    except (OSError, ValueError) as error:
        # A missing image file or a broken stored credential: nothing a retry would fix.
        log_attempt(O.FAILED, str(error))
        _settle(publication, P.FAILED, kind="local", error=str(error))
        return P.FAILED
    log_attempt(O.PUBLISHED, result.url)
    _settle(publication, P.PUBLISHED, result=result)
    return P.PUBLISHED


def _channel_post_for(publication: Publication, variant: PostVariant, post: Post) -> None:
    """What went out is listed on the channel's page too, and the newsroom's feed shows it."""
    if ChannelPost.objects.filter(idempotency_key=publication.idempotency_key).exists():
        return  # settled twice (a look-up after a lost answer): listed already
    channel_post = ChannelPost.objects.create(
        idempotency_key=publication.idempotency_key,
        channel_id=publication.channel_id,
        author=post.owner,
        text=variant.text,
        language=variant.language,
        link=variant.link,
        state=ChannelPost.State.PUBLISHED,
        external_id=publication.external_id,
        url=publication.url,
        published_at=publication.published_at,
    )
    ChannelPostImage.objects.bulk_create(
        ChannelPostImage(
            post=channel_post,
            file=image.file.name,
            mime_type=image.mime_type,
            alt_text=image.alt_text,
            position=image.position,
        )
        for image in variant.images.all()
    )


def _after_transient(publication: Publication, message: str) -> str:
    tries = publication.tries + 1
    if tries >= MAX_TRIES:
        publication.tries = tries
        _settle(publication, P.FAILED, kind="transient", error=message)
        return P.FAILED
    wait = min(BACKOFF_SECONDS * 2 ** (tries - 1), BACKOFF_MAX_SECONDS) * random.uniform(0.8, 1.2)
    at = timezone.now() + timedelta(seconds=wait)
    Publication.objects.filter(pk=publication.pk, state=P.RUNNING).update(
        state=P.QUEUED,
        tries=tries,
        next_attempt_at=at,
        error_kind="transient",
        error=message[:1000],
        schedule_version=F("schedule_version") + 1,
        updated_at=timezone.now(),
    )
    publication.refresh_from_db()
    enqueue([publication])
    return P.QUEUED


def _rate_limited(publication: Publication, version: int | None, until: datetime, message: str) -> None:
    """Wait until the network allows it again, without spending a try; a task is sent for that moment."""
    rows = Publication.objects.filter(pk=publication.pk)
    rows = (
        rows.filter(schedule_version=version, state__in=WAITING) if version else rows.filter(state=P.RUNNING)
    )
    changed = rows.update(
        state=P.RATE_LIMITED,
        retry_after=until,
        next_attempt_at=until,
        error_kind="rate_limited",
        error=message[:1000],
        schedule_version=F("schedule_version") + 1,
        updated_at=timezone.now(),
    )
    if changed:
        publication.refresh_from_db()
        enqueue([publication])


def _needs_person(publication: Publication, version: int, now: datetime) -> None:
    with transaction.atomic():
        changed = Publication.objects.filter(
            pk=publication.pk, schedule_version=version, state__in=WAITING
        ).update(
            state=P.NEEDS_PERSON,
            error_kind="late",
            error="",
            schedule_version=F("schedule_version") + 1,
            updated_at=now,
        )
        if changed:
            publication.refresh_from_db()
            _after_settled(publication)


def _settle(
    publication: Publication,
    state: str,
    *,
    kind: str = "",
    error: str = "",
    result: PublishResult | None = None,
) -> None:
    """Save the outcome at once (the external id first of all), then the variant's and the post's state."""
    with transaction.atomic():
        publication.state = state
        publication.error_kind = kind
        publication.error = error[:1000]
        if result is not None:
            publication.external_id = result.external_id
            publication.url = result.url
            publication.published_at = result.published_at or timezone.now()
        if state == P.UNCONFIRMED:
            publication.next_attempt_at = timezone.now() + RECONCILE_EVERY
        publication.save(
            update_fields=[
                "state",
                "error_kind",
                "error",
                "tries",
                "external_id",
                "url",
                "published_at",
                "next_attempt_at",
                "updated_at",
            ]
        )
        _after_settled(publication)


VARIANT_STATE: dict[str, str] = {P.PUBLISHED: PostVariant.State.PUBLISHED, P.FAILED: PostVariant.State.FAILED}
NOTIFY_KIND: dict[str, str] = {
    P.FAILED: Notification.Kind.POST_FAILED,
    P.UNCONFIRMED: Notification.Kind.PUBLISH_UNCONFIRMED,
    P.NEEDS_PERSON: Notification.Kind.PUBLISH_WAITING,
}
AUDIT_VERB: dict[str, str] = {
    P.PUBLISHED: "publication.published",
    P.FAILED: "publication.failed",
    P.UNCONFIRMED: "publication.unconfirmed",
    P.NEEDS_PERSON: "publication.needs_person",
}


def _after_settled(publication: Publication) -> None:
    """Mirror the outcome on the variant and the post, audit it and tell the people concerned."""
    # Only the post's row is locked (not its owner's): posts of one person settle side by side.
    post = (
        Post.objects.select_for_update(of=("self",))
        .select_related("owner__user", "organization")
        .get(variants__publication=publication)
    )
    variant = PostVariant.objects.select_related("channel").get(pk=publication.variant_id)
    variant.state = VARIANT_STATE.get(publication.state, PostVariant.State.PENDING)
    variant.external_id, variant.url = publication.external_id, publication.url
    variant.error = publication.error
    variant.save(update_fields=["state", "external_id", "url", "error"])
    if publication.state == P.PUBLISHED:
        _channel_post_for(publication, variant, post)
    audit.record(
        actor=None,
        organization=publication.organization,
        verb=AUDIT_VERB.get(publication.state, "publication.changed"),
        obj=post,
        after={
            "channel": variant.channel.name,
            "state": publication.state,
            "url": publication.url,
            "error": publication.error,
        },
    )
    post_status_follow(post)
    webhook_events.publication_settled(publication, post, variant)
    kind = NOTIFY_KIND.get(publication.state)
    if kind:
        notify(
            _people_to_tell(post),
            kind,
            _notification_text(publication.state, post.title, variant.channel.name),
            reverse("planning:post", args=[publication.organization.slug, post.public_id]),
        )


def _notification_text(state: str, title: str, channel: str) -> str:
    values = {"title": title, "channel": channel}
    if state == P.FAILED:
        return _("“%(title)s” could not be published on %(channel)s.") % values
    if state == P.UNCONFIRMED:
        return (
            _("%(channel)s did not confirm “%(title)s”. OneVoice is checking whether it went out.") % values
        )
    return (
        _("“%(title)s” was not published on %(channel)s in time. Decide whether it should still go out.")
        % values
    )


def _people_to_tell(post: Post) -> list[Membership]:
    smms = Membership.objects.active().filter(organization_id=post.organization_id, role__in=[Role.SMM])
    return [post.owner, *smms]


def post_status_follow(post: Post) -> None:
    """The post's status follows its publications: published when all went out, failed when one is stuck."""
    states = set(Publication.objects.filter(variant__post=post).values_list("state", flat=True))
    if not states or post.status not in (Post.Status.SCHEDULED, Post.Status.FAILED, Post.Status.PUBLISHED):
        return
    if states & {P.QUEUED, P.RUNNING, P.RATE_LIMITED, P.UNCONFIRMED}:
        status = Post.Status.SCHEDULED
    elif states & {P.FAILED, P.NEEDS_PERSON}:
        status = Post.Status.FAILED
    elif P.PUBLISHED in states:
        status = Post.Status.PUBLISHED
    else:
        status = Post.Status.APPROVED  # everything cancelled: approved, waiting for a new time
    if status != post.status:
        before = post.status
        post.status = status
        post.save(update_fields=["status", "updated_at"])
        audit.record(
            actor=None,
            organization=post.organization,
            verb="post.status_followed",
            obj=post,
            before={"status": before},
            after={"status": status},
        )


# ---- unknown outcomes and dead workers ----------------------------------------------------------------


def publication_reconcile(publication_id: int) -> str:
    """Look an unconfirmed publication up on the network: found, it is published; not there, it is queued
    again (a retry now is not blind, and the idempotency key still guards it)."""
    publication = Publication.objects.select_related("channel").filter(pk=publication_id).first()
    if publication is None or publication.state != P.UNCONFIRMED:
        return publication.state if publication else ""
    variant = PostVariant.objects.select_related("post", "channel").get(pk=publication.variant_id)
    started = timezone.now()
    clock = time.perf_counter()
    not_before = (publication.claimed_at or publication.due_at) - timedelta(minutes=2)
    try:
        found = connector_for(variant.channel).find_published(
            idempotency_key=publication.idempotency_key, request=request_for(variant), not_before=not_before
        )
    except (ConnectorError, BlockedAddress) as error:
        _log_lookup(publication, started, clock, O.UNCONFIRMED, str(error))
        Publication.objects.filter(pk=publication.pk, state=P.UNCONFIRMED).update(
            next_attempt_at=timezone.now() + RECONCILE_EVERY
        )
        return P.UNCONFIRMED
    except NotImplementedError:
        found = None
    if found is not None:
        _log_lookup(publication, started, clock, O.FOUND, found.url)
        claimed = Publication.objects.filter(pk=publication.pk, state=P.UNCONFIRMED).update(state=P.RUNNING)
        if claimed:
            publication.refresh_from_db()
            _settle(publication, P.PUBLISHED, result=found)
        return P.PUBLISHED
    _log_lookup(publication, started, clock, O.NOT_FOUND, "")
    with transaction.atomic():
        locked = Publication.objects.select_for_update().get(pk=publication.pk)
        if locked.state != P.UNCONFIRMED:
            return str(locked.state)
        locked.state = P.QUEUED
        locked.next_attempt_at = timezone.now()
        locked.schedule_version += 1
        locked.save(update_fields=["state", "next_attempt_at", "schedule_version", "updated_at"])
        transaction.on_commit(lambda: enqueue([locked]))
    return P.QUEUED


def _log_lookup(publication: Publication, started: datetime, clock: float, outcome: str, answer: str) -> None:
    PublishAttempt.objects.create(
        publication=publication,
        organization_id=publication.organization_id,
        channel_id=publication.channel_id,
        worker=worker_name(),
        started_at=started,
        duration_ms=int((time.perf_counter() - clock) * 1000),
        outcome=outcome,
        answer=answer[:1000],
    )


def _interrupted(publications: Sequence[Publication]) -> list[int]:
    """Claims whose worker is gone: the outcome of their call is unknown, so they become unconfirmed."""
    settled = []
    for publication in publications:
        changed = Publication.objects.filter(
            pk=publication.pk, state=P.RUNNING, claimed_at=publication.claimed_at
        ).update(
            state=P.UNCONFIRMED,
            error_kind="interrupted",
            next_attempt_at=timezone.now(),
            updated_at=timezone.now(),
        )
        if changed:
            PublishAttempt.objects.create(
                publication=publication,
                organization_id=publication.organization_id,
                channel_id=publication.channel_id,
                worker=publication.claimed_by,
                started_at=publication.claimed_at or timezone.now(),
                outcome=O.INTERRUPTED,
            )
            settled.append(publication.pk)
    return settled


def publications_recover_after_restart() -> int:
    """On worker start: claims of this host's dead processes are looked up at once, not after the timeout."""
    host = socket.gethostname()
    dead = []
    for publication in Publication.objects.filter(state=P.RUNNING, claimed_by__startswith=f"{host}:"):
        _host, pid, token = [*publication.claimed_by.split(":"), "", ""][:3]
        if not pid.isdigit():
            continue
        reused = int(pid) == os.getpid() and token != _PROCESS_TOKEN  # our pid, an earlier process's claim
        if reused or not _process_alive(int(pid)):
            dead.append(publication)
    recovered = _interrupted(dead)
    for publication_id in recovered:
        publication_reconcile(publication_id)
    return len(recovered)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True)
class SweepReport:
    enqueued: int
    interrupted: int
    reconciled: int


def publications_sweep(*, now: datetime | None = None) -> SweepReport:
    """The safety net, every minute: whatever is due and has no live task gets one; whatever a dead
    worker left running is looked up; unconfirmed ones are looked up again."""
    now = now or timezone.now()
    held_orgs = PublishingSettings.objects.filter(paused_at__isnull=False).values("organization_id")
    due = list(
        Publication.objects.filter(state__in=WAITING, next_attempt_at__lte=now - sweep_grace())
        .exclude(organization_id__in=held_orgs)
        .filter(channel__state=Channel.State.CONNECTED)
    )
    enqueue(due)
    stale = list(Publication.objects.filter(state=P.RUNNING, claimed_at__lt=now - running_timeout()))
    interrupted = _interrupted(stale)
    unconfirmed = set(interrupted) | set(
        Publication.objects.filter(state=P.UNCONFIRMED, next_attempt_at__lte=now).values_list("pk", flat=True)
    )
    for publication_id in sorted(unconfirmed):
        publication_reconcile(publication_id)
    return SweepReport(enqueued=len(due), interrupted=len(interrupted), reconciled=len(unconfirmed))


# ---- people act: retry, publish late, cancel, re-drive ------------------------------------------------


def _require_channel(actor: Membership, publication: Publication) -> None:
    if publication.organization_id != actor.organization_id:
        raise NotAllowed(Capability.PUBLISH)
    if not has_channel_access(actor, publication.channel, Access.PUBLISH):
        raise NotAllowed(Capability.PUBLISH)


RETRYABLE = (P.FAILED, P.NEEDS_PERSON, P.RATE_LIMITED, P.CANCELLED)


@transaction.atomic
def publication_retry(*, actor: Membership, publication: Publication) -> Publication:
    """Try again now (a failed one, or one that waited for a person: "publish it anyway, late")."""
    _require_channel(actor, publication)
    locked = Publication.objects.select_for_update().select_related("channel").get(pk=publication.pk)
    if locked.state not in RETRYABLE:
        raise ValidationError(_("This publication is not waiting for a retry."), code="not_retryable")
    if locked.channel.state != Channel.State.CONNECTED:
        raise ValidationError(
            _("The channel is %(state)s; reconnect or resume it first.")
            % {"state": locked.channel.get_state_display()}
        )
    before = locked.state
    now = timezone.now()
    # "Publish anyway" counts from now, so the late window does not stop it again.
    _requeue(locked, due_at=now)
    post = Post.objects.select_for_update().get(variants__publication=locked)
    if post.status in (Post.Status.FAILED, Post.Status.APPROVED):
        post.status = Post.Status.SCHEDULED
        post.save(update_fields=["status", "updated_at"])
    PostVariant.objects.filter(pk=locked.variant_id).update(state=PostVariant.State.PENDING, error="")
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="publication.retried",
        obj=post,
        before={"state": before},
        after={"state": locked.state, "channel": locked.channel.name},
    )
    transaction.on_commit(lambda: enqueue([locked]))
    return locked


CANCELLABLE = (P.QUEUED, P.FAILED, P.NEEDS_PERSON, P.RATE_LIMITED, P.UNCONFIRMED)


@transaction.atomic
def publication_cancel(*, actor: Membership, publication: Publication) -> Publication:
    """Do not publish this variant (any more); the rest of the post is unaffected."""
    _require_channel(actor, publication)
    locked = Publication.objects.select_for_update().select_related("channel").get(pk=publication.pk)
    if locked.state not in CANCELLABLE:
        raise ValidationError(_("This publication can no longer be cancelled."), code="not_cancellable")
    before = locked.state
    _move(locked, P.CANCELLED)
    post = Post.objects.select_for_update().get(variants__publication=locked)
    PostVariant.objects.filter(pk=locked.variant_id).update(state=PostVariant.State.PENDING)
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="publication.cancelled",
        obj=post,
        before={"state": before},
        after={"state": locked.state, "channel": locked.channel.name},
    )
    post_status_follow(post)
    return locked


@dataclass(frozen=True)
class BulkResult:
    done: int
    skipped: int


def publications_redrive(*, actor: Membership, publications: Sequence[Publication]) -> BulkResult:
    """The SMM sends everything stuck on its way again, in one go."""
    return _each(actor, publications, publication_retry)


def publications_cancel(*, actor: Membership, publications: Sequence[Publication]) -> BulkResult:
    """The SMM decides that none of these goes out."""
    return _each(actor, publications, publication_cancel)


def _each(
    actor: Membership, publications: Sequence[Publication], action: Callable[..., Publication]
) -> BulkResult:
    """One action on many, each in its own transaction: one that cannot be done is skipped, not fatal."""
    actor.require(Capability.MANAGE_PUBLISHING)
    done = skipped = 0
    for publication in publications:
        try:
            action(actor=actor, publication=publication)
            done += 1
        except (ValidationError, NotAllowed):
            skipped += 1
    return BulkResult(done, skipped)


# ---- pause all (the crisis button) and resume -------------------------------------------------------


@transaction.atomic
def publishing_pause(*, actor: Membership, reason: str) -> PublishingSettings:
    """Stop every publication of the organisation at once: workers leave everything queued."""
    actor.require(Capability.MANAGE_PUBLISHING)
    current = PublishingSettings.objects.select_for_update().get(pk=settings_for(actor.organization).pk)
    if current.is_paused:
        raise ValidationError(_("Publishing is already paused."), code="already_paused")
    current.paused_at = timezone.now()
    current.paused_by = actor
    current.pause_reason = reason.strip()[:500]
    current.save(update_fields=["paused_at", "paused_by", "pause_reason"])
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="publishing.paused",
        obj=actor.organization,
        after={"reason": current.pause_reason},
    )
    people = Membership.objects.active().filter(
        organization=actor.organization, role__in=[Role.ADMIN, Role.SMM, Role.CM]
    )
    notify(
        people,
        Notification.Kind.PUBLISHING_PAUSED,
        _("%(who)s paused all publishing: %(reason)s")
        % {"who": actor.user, "reason": current.pause_reason or _("no reason given")},
        reverse("publishing:log", args=[actor.organization.slug]),
        exclude=actor,
    )
    return current


@dataclass(frozen=True)
class ResumeResult:
    sent: int  # still within the late window: on their way now
    waiting: int  # past it: waiting for a person to decide


@transaction.atomic
def publishing_resume(*, actor: Membership) -> ResumeResult:
    """Resume: what is still within the late window goes out now, the rest waits for a person."""
    actor.require(Capability.MANAGE_PUBLISHING)
    current = PublishingSettings.objects.select_for_update().get(pk=settings_for(actor.organization).pk)
    if not current.is_paused:
        raise ValidationError(_("Publishing is not paused."), code="not_paused")
    paused_since = current.paused_at
    current.paused_at = None
    current.paused_by = None
    current.pause_reason = ""
    current.save(update_fields=["paused_at", "paused_by", "pause_reason"])
    result = _release(
        Publication.objects.filter(organization=actor.organization, channel__state=Channel.State.CONNECTED),
        timedelta(minutes=current.late_window_minutes),
    )
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="publishing.resumed",
        obj=actor.organization,
        before={"paused_at": paused_since},
        after={"sent": result.sent, "waiting": result.waiting},
    )
    return result


def channel_released(channel: Channel) -> ResumeResult:
    """A channel resumed or reconnected: the same rule as resuming the organisation, for its publications."""
    if settings_for(channel.organization_id).is_paused:
        return ResumeResult(0, 0)
    with transaction.atomic():
        return _release(Publication.objects.filter(channel=channel), _late_window(channel.organization_id))


def _release(publications: QuerySet[Publication], window: timedelta) -> ResumeResult:
    now = timezone.now()
    send: list[Publication] = []
    waiting = 0
    for publication in publications.filter(state__in=WAITING).select_for_update():
        if publication.next_attempt_at > now:
            continue  # not due yet: its own task is still ahead
        if now > publication.due_at + window:
            _needs_person(publication, publication.schedule_version, now)
            waiting += 1
        else:
            publication.schedule_version += 1
            publication.save(update_fields=["schedule_version", "updated_at"])
            send.append(publication)
    if send:
        transaction.on_commit(lambda: enqueue(send))
    return ResumeResult(len(send), waiting)


@transaction.atomic
def publishing_settings_update(*, actor: Membership, late_window_minutes: int) -> PublishingSettings:
    actor.require(Capability.MANAGE_PUBLISHING)
    if not 5 <= late_window_minutes <= 7 * 24 * 60:
        raise ValidationError(
            {"late_window_minutes": _("Choose between 5 minutes and 7 days (10080 minutes).")}
        )
    current = settings_for(actor.organization)
    before = current.late_window_minutes
    current.late_window_minutes = late_window_minutes
    current.save(update_fields=["late_window_minutes"])
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="publishing.settings_changed",
        obj=actor.organization,
        before={"late_window_minutes": before},
        after={"late_window_minutes": late_window_minutes},
    )
    return current


def is_stuck(publication: Publication) -> bool:
    return publication.state in STUCK
