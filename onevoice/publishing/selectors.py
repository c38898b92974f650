"""Reads for the publishing log, the post page and the banner."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from onevoice.networks.models import Access, Channel
from onevoice.organization.access import visible_channels
from onevoice.organization.models import Membership
from onevoice.publishing.models import STUCK, Publication, PublishAttempt, PublishingSettings

P = Publication.State
LOG_SIZE = 200


def _when(moment: object) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")  # type: ignore[arg-type]


@dataclass(frozen=True)
class Explanation:
    reason: str
    what_to_do: str


def explain(publication: Publication) -> Explanation | None:
    """Why a publication did not go out (yet), in plain words, and what a person can do about it."""
    network = publication.channel.get_network_display()
    message = publication.error
    kind = publication.error_kind
    if publication.state == P.RATE_LIMITED:
        return Explanation(
            _("%(network)s asked OneVoice to slow down.") % {"network": network},
            _("Nothing: it goes out by itself at %(when)s.") % {"when": _when(publication.retry_after)},
        )
    if publication.state == P.UNCONFIRMED:
        return Explanation(
            _("%(network)s did not say whether the post went out.") % {"network": network}
            if kind != "interrupted"
            else _("The worker stopped while publishing."),
            _(
                "Nothing yet: OneVoice looks the post up on %(network)s every minute and settles it; it is never "
                "published twice."
            )
            % {"network": network},
        )
    if publication.state == P.NEEDS_PERSON:
        return Explanation(
            _(
                "It could not go out in time (planned for %(when)s), e.g. because publishing was paused or "
                "the network was down."
            )
            % {"when": _when(publication.due_at)},
            _("Publish it now if it is still right, or cancel it."),
        )
    if publication.state == P.QUEUED and kind == "transient":
        return Explanation(
            _("%(network)s had a temporary problem: %(message)s") % {"network": network, "message": message},
            _("Nothing: OneVoice tries again at %(when)s (try %(n)s of %(max)s).")
            % {"when": _when(publication.next_attempt_at), "n": publication.tries + 1, "max": 5},
        )
    if publication.state != P.FAILED:
        return None
    if kind == "auth":
        return Explanation(
            _("%(network)s no longer accepts the channel's login.") % {"network": network},
            _("Reconnect the channel with a new password or token, then retry."),
        )
    if kind == "refused":
        return Explanation(
            _("%(network)s refused the post: %(message)s") % {"network": network, "message": message},
            _("Change the text or images so the network accepts them, then retry."),
        )
    if kind == "transient":
        return Explanation(
            _("%(network)s could not be reached, several times: %(message)s")
            % {"network": network, "message": message},
            _("Check the network's status page, then retry."),
        )
    if kind == "blocked":
        return Explanation(
            _("OneVoice does not connect to the channel's server address."),
            _("Check the channel's server address in its settings."),
        )
    return Explanation(
        _("It failed: %(message)s") % {"message": message or _("unknown error")},
        _("Retry; if it fails again, tell your administrator."),
    )


@dataclass(frozen=True)
class LogScope:
    """What one person's publishing log covers: the channels they can read, worked out once per page."""

    member: Membership
    channels: list[tuple[Channel, Access]]

    @classmethod
    def of(cls, member: Membership) -> LogScope:
        return cls(member, visible_channels(member))

    @property
    def channel_ids(self) -> list[int]:
        return [channel.pk for channel, _level in self.channels]


def publications(
    scope: LogScope, *, channel: Channel | None = None, states: list[str] | None = None
) -> QuerySet[Publication]:
    rows = Publication.objects.filter(
        organization_id=scope.member.organization_id, channel_id__in=scope.channel_ids
    )
    if channel is not None:
        rows = rows.filter(channel=channel)
    if states:
        rows = rows.filter(state__in=states)
    return (
        rows.select_related("channel", "variant__post")
        .annotate(attempt_count=Count("attempts"))
        .order_by("-due_at", "-id")
    )


def attempts(scope: LogScope, *, channel: Channel | None = None) -> list[PublishAttempt]:
    rows = PublishAttempt.objects.filter(
        organization_id=scope.member.organization_id, channel_id__in=scope.channel_ids
    )
    if channel is not None:
        rows = rows.filter(channel=channel)
    return list(rows.select_related("channel", "publication__variant__post")[:LOG_SIZE])


def stuck_count(scope: LogScope) -> int:
    return publications(scope, states=sorted(STUCK)).count()


def pause_of(organization_id: int) -> PublishingSettings | None:
    """The organisation's pause, if everything is paused (for the banner on every page)."""
    return (
        PublishingSettings.objects.select_related("paused_by__user")
        .filter(organization_id=organization_id, paused_at__isnull=False)
        .first()
    )


def for_post(post_id: int) -> dict[int, Publication]:
    """The post page: each variant's publication, by variant id."""
    return {
        p.variant_id: p
        for p in Publication.objects.filter(variant__post_id=post_id)
        .select_related("channel")
        .annotate(attempt_count=Count("attempts"))
    }
