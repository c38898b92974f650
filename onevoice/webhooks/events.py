"""Raising events: the places where something happens call one function here, in their transaction.

Each function first asks whether any active target of the organisation subscribes to the event; that
answer is cached (and forgotten whenever a target changes), so where nobody listens a hook costs one cache
read and no query, also in the benchmarked inbox ingestion. Where someone listens, one `Delivery` per
target is written in the same transaction as the change (an outbox: an event exists exactly when its
change committed) and the worker is asked to send it after commit.

Payloads are stable JSON: `id` (the delivery id), `event`, `event_id`, `occurred_at`, `organization`
(slug and name) and `data` with the object's public ids, a few plain fields and `url`, a link into
OneVoice. No secrets, and as little personal data as possible: no message texts or authors of the
community, only the names of the organisation's own people where the event is about them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils.translation import gettext as _

from onevoice.webhooks.models import Event, Target

if TYPE_CHECKING:
    from onevoice.inbox.models import Case, SpikeAlert
    from onevoice.networks.models import Channel
    from onevoice.organization.models import Department, Membership
    from onevoice.planning.models import ContentRequest, Post, PostVariant
    from onevoice.publishing.models import Publication

CACHE_SECONDS = 30


@dataclass
class EventData:
    """What one event says: the `data` object, the link into OneVoice and its one-line text for chats."""

    data: dict[str, Any]
    link: str
    # Called with the target's language active, so chat messages read in that language.
    text: Callable[[], str]
    department_id: int | None = None
    dedupe_key: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _cache_key(organization_id: int) -> str:
    return f"webhooks:events:{organization_id}"


def subscribed(organization_id: int) -> frozenset[str]:
    """The events any active target of the organisation wants (cached; empty for most organisations)."""
    key = _cache_key(organization_id)
    found = cache.get(key)
    if found is None:
        rows = Target.objects.filter(organization_id=organization_id, is_active=True).values_list(
            "events", flat=True
        )
        found = sorted({str(e) for events in rows for e in (events or [])})
        cache.set(key, found, CACHE_SECONDS)
    return frozenset(found)


def forget(organization_id: int) -> None:
    """Drop the cached answer after a target changed."""
    cache.delete(_cache_key(organization_id))


def emit_many(organization_id: int, event: str, items: Iterable[Callable[[], EventData]]) -> int:
    """Record deliveries of one event for several objects; `items` build their data only if needed."""
    if event not in subscribed(organization_id):
        return 0
    targets = [
        t
        for t in Target.objects.filter(organization_id=organization_id, is_active=True).select_related(
            "organization"
        )
        if event in (t.events or [])
    ]
    if not targets:
        return 0
    from onevoice.webhooks.services import deliveries_create

    count = 0
    for build in items:
        data = build()
        wanted = [t for t in targets if t.department_id is None or t.department_id == data.department_id]
        if wanted:
            count += len(deliveries_create(wanted, event, data))
    return count


def emit(organization_id: int, event: str, build: Callable[[], EventData]) -> int:
    """Record one event's deliveries (see the module's docstring); returns how many were made."""
    return emit_many(organization_id, event, [build])


# ---- the pieces payloads are made of -----------------------------------------------------------------


def absolute(path: str) -> str:
    return settings.BASE_URL + path


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment is not None else None


def _department(department: Department | None) -> dict[str, str] | None:
    if department is None:
        return None
    return {"id": str(department.public_id), "name": department.name}


def _channel(channel: Channel | None) -> dict[str, str] | None:
    if channel is None:
        return None
    return {"id": str(channel.public_id), "name": channel.name, "network": channel.network}


def _person(member: Membership | None) -> dict[str, str] | None:
    if member is None:
        return None
    return {"id": str(member.public_id), "name": member.user.full_name or member.user.email}


def _post(post: Post) -> dict[str, Any]:
    link = absolute(reverse("planning:post", args=[post.organization.slug, post.public_id]))
    return {
        "id": str(post.public_id),
        "title": post.title,
        "status": post.status,
        "publish_at": iso(post.publish_at),
        "department": _department(post.department),
        "url": link,
    }


# ---- posts -------------------------------------------------------------------------------------------


def publication_settled(publication: Publication, post: Post, variant: PostVariant) -> None:
    """A publication went out (post.published) or failed for good (post.failed)."""
    from onevoice.publishing.models import Publication

    outcomes: dict[str, str] = {
        Publication.State.PUBLISHED: Event.POST_PUBLISHED,
        Publication.State.FAILED: Event.POST_FAILED,
    }
    event = outcomes.get(publication.state)
    if event is None:
        return

    def build() -> EventData:
        post_data = _post(post)
        data = {
            "post": post_data,
            "channel": _channel(variant.channel),
            "publication": {
                "id": str(publication.public_id),
                "state": publication.state,
                "published_url": publication.url or None,
                "error": publication.error[:300] or None,
            },
        }
        values = {"title": post.title, "channel": variant.channel.name}

        def text() -> str:
            if event == Event.POST_PUBLISHED:
                return _("“%(title)s” was published on %(channel)s.") % values
            return _("“%(title)s” could not be published on %(channel)s.") % values

        return EventData(
            data,
            post_data["url"],
            text,
            department_id=post.department_id,
            # A publication settles once per outcome; a retried one that fails again is a new event.
            dedupe_key=f"{event}:{publication.public_id}:{publication.tries}",
        )

    emit(post.organization_id, event, build)


def approval_needed(post: Post, step: str = "", *, sensitive: bool = False) -> None:
    """A post waits for an approval: a step of its policy, the SMMs without one, or the SMMs' extra
    approval of a sensitive mention."""

    def build() -> EventData:
        post_data = _post(post)
        data = {
            "post": post_data,
            "step": step or None,
            "reason": "sensitive_mention" if sensitive else ("policy_step" if step else "review"),
            "review_round": post.review_round,
        }
        values = {"title": post.title, "step": step}

        def text() -> str:
            if sensitive:
                return _("“%(title)s” mentions something sensitive and needs approval.") % values
            if step:
                return _("“%(title)s” needs approval: %(step)s.") % values
            return _("“%(title)s” needs approval.") % values

        key = "sensitive" if sensitive else step
        return EventData(
            data,
            post_data["url"],
            text,
            department_id=post.department_id,
            dedupe_key=f"approval:{post.public_id}:{post.review_round}:{key}",
        )

    emit(post.organization_id, Event.APPROVAL_NEEDED, build)


def request_filed(request: ContentRequest) -> None:
    def build() -> EventData:
        link = absolute(reverse("planning:request", args=[request.organization.slug, request.public_id]))
        data = {
            "request": {
                "id": str(request.public_id),
                "title": request.title,
                "status": request.status,
                "department": _department(request.department),
                "wished_from": request.wished_from.isoformat() if request.wished_from else None,
                "wished_until": request.wished_until.isoformat() if request.wished_until else None,
                "url": link,
            }
        }
        values = {"department": request.department.name, "title": request.title}
        return EventData(
            data,
            link,
            lambda: _("New request from %(department)s: “%(title)s”.") % values,
            department_id=request.department_id,
        )

    emit(request.organization_id, Event.REQUEST_FILED, build)


# ---- the inbox ---------------------------------------------------------------------------------------


def _case(case: Case, slug: str) -> dict[str, Any]:
    return {
        "id": str(case.public_id),
        "kind": case.kind,
        "status": case.status,
        "priority": case.priority,
        "sentiment": case.sentiment or None,
        "needs_reply": case.needs_reply,
        "first_response_due": iso(case.first_response_due),
        "channel": _channel(case.channel),
        "department": _department(case.department) if case.department_id else None,
        "assignee": _person(case.assignee) if case.assignee_id else None,
        "url": absolute(reverse("inbox:case", args=[slug, case.public_id])),
    }


def _case_values(case: Case) -> dict[str, str]:
    return {
        "channel": case.channel.name,
        "department": case.department.name if case.department_id and case.department else "",
        "assignee": (
            (case.assignee.user.full_name or case.assignee.user.email)
            if case.assignee_id and case.assignee
            else ""
        ),
    }


def cases_created(channel: Channel, cases: Iterable[Case | int]) -> None:
    """New cases (or their primary keys) from one ingestion batch: one event per case."""
    organization_id = channel.organization_id
    if Event.CASE_CREATED not in subscribed(organization_id):
        return
    from onevoice.inbox.models import Case

    given: list[Case] = []
    ids: list[int] = []
    for case in cases:
        if isinstance(case, int):
            ids.append(case)
        else:
            given.append(case)
    if ids:
        loaded = Case.objects.filter(pk__in=ids, channel=channel).select_related(
            "department", "assignee__user"
        )
        given += list(loaded.order_by("first_message_at", "id"))
    slug = channel.organization.slug

    def one(case: Case) -> Callable[[], EventData]:
        def build() -> EventData:
            case.channel = channel
            data = {"case": _case(case, slug)}
            values = _case_values(case)

            def text() -> str:
                if values["department"]:
                    return _("New case on %(channel)s for %(department)s.") % values
                return _("New case on %(channel)s.") % values

            return EventData(data, data["case"]["url"], text, department_id=case.department_id)

        return build

    emit_many(organization_id, Event.CASE_CREATED, [one(c) for c in given])


def case_assigned(case: Case) -> None:
    def build() -> EventData:
        data = {"case": _case(case, case.organization.slug)}
        values = _case_values(case)

        def text() -> str:
            if values["assignee"]:
                return _("A case on %(channel)s was assigned to %(assignee)s.") % values
            if values["department"]:
                return _("A case on %(channel)s was handed to %(department)s.") % values
            return _("A case on %(channel)s has no one assigned any more.") % values

        return EventData(data, data["case"]["url"], text, department_id=case.department_id)

    emit(case.organization_id, Event.CASE_ASSIGNED, build)


def case_overdue(case: Case) -> None:
    def build() -> EventData:
        data = {"case": _case(case, case.organization.slug)}
        values = _case_values(case)
        return EventData(
            data,
            data["case"]["url"],
            lambda: _("A case on %(channel)s is overdue: nobody has answered in time.") % values,
            department_id=case.department_id,
            dedupe_key=f"overdue:{case.public_id}:{iso(case.first_response_due)}:{iso(case.resolution_due)}",
        )

    emit(case.organization_id, Event.CASE_OVERDUE, build)


def spike_alert(alert: SpikeAlert, where: str, link: str) -> None:
    """A spike of negative or unanswered messages; `link` is the inbox filtered to it (a path)."""

    def build() -> EventData:
        from onevoice.inbox.models import SpikeAlert
        from onevoice.networks.models import Channel
        from onevoice.planning.models import Topic

        spike = SpikeAlert.objects.filter(pk=alert.pk).first() or alert
        channel = Channel.objects.filter(pk=spike.channel_id).first() if spike.channel_id else None
        topic = Topic.objects.filter(pk=spike.topic_id).first() if spike.topic_id else None
        data = {
            "spike": {
                "id": str(spike.public_id),
                "channel": _channel(channel),
                "topic": {"id": str(topic.public_id), "name": topic.name} if topic else None,
                "count": spike.count,
                "baseline": str(spike.baseline),
                "hour_start": iso(spike.hour_start),
                "url": absolute(link),
            }
        }
        values = {"count": spike.count, "where": where, "baseline": spike.baseline}
        return EventData(
            data,
            absolute(link),
            lambda: (
                _(
                    "Spike in the inbox: %(count)s negative or unanswered messages on %(where)s in the last hour (usually %(baseline)s an hour)."
                )
                % values
            ),
            department_id=channel.department_id if channel is not None else None,
        )

    emit(alert.organization_id, Event.SPIKE_ALERT, build)


def ping(target: Target) -> EventData:
    """The test event of one target."""
    link = absolute(reverse("webhooks:target", args=[target.organization.slug, target.public_id]))
    values = {"organization": target.organization.name}
    return EventData(
        {"target": {"id": str(target.public_id), "name": target.name}, "message": "ping"},
        link,
        lambda: _("Test message from OneVoice: notifications of %(organization)s arrive here.") % values,
    )
