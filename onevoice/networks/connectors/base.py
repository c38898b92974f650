"""The connector interface: what OneVoice needs from a social network, and the errors a network can cause.

A `Connector` describes one network (limits as class data) and acts for one channel (an account), given
its decrypted credentials. Connectors never touch the database: they take plain values and return
plain values, so services decide what to store and tests can drive them with recorded answers.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _


class Capability(enum.StrEnum):
    PUBLISH = "publish"
    DELETE = "delete"
    INBOX = "inbox"
    REPLY = "reply"
    METRICS = "metrics"
    LIKE = "like"  # like a message in the inbox as the channel's account
    HIDE = "hide"  # hide a comment under one of our posts (moderation)


class TextCounting(enum.StrEnum):
    GRAPHEMES = "graphemes"  # Bluesky: user-perceived characters
    CHARACTERS_URL_FIXED = "characters_url_fixed"  # Mastodon: code points, every URL counts as N


# ---- what goes out ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MediaItem:
    """An image to attach: its bytes, type and the alt text that describes it (BFSG)."""

    content: bytes
    mime_type: str
    alt_text: str = ""
    filename: str = "image"


@dataclass(frozen=True)
class PublishRequest:
    text: str
    media: Sequence[MediaItem] = ()
    language: str = ""  # BCP 47, e.g. "de"
    link: str = ""  # an extra link for a link card, where the network makes one
    in_reply_to: str = ""  # external id of the post answered, for replies
    visibility: str = ""  # Mastodon: public / unlisted / private / direct


@dataclass(frozen=True)
class PublishResult:
    external_id: str
    url: str
    published_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AccountInfo:
    """Who the credentials belong to, as the network says: shown on the channel page."""

    external_id: str
    handle: str
    display_name: str = ""
    avatar_url: str = ""
    profile_url: str = ""


# ---- what comes in ---------------------------------------------------------------------------------


class InboundKind(enum.StrEnum):
    REPLY = "reply"
    MENTION = "mention"
    QUOTE = "quote"
    DIRECT_MESSAGE = "direct_message"


@dataclass(frozen=True)
class InboundItem:
    external_id: str
    kind: InboundKind
    author_id: str
    author_handle: str
    text: str
    created_at: datetime  # the network's timestamp, UTC
    url: str = ""
    author_name: str = ""
    in_reply_to: str = ""  # external id of the post this answers
    thread_root: str = ""  # external id of the thread's first post
    language: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class InboxPage:
    items: list[InboundItem]
    cursor: str = ""  # pass back as `since` next time; empty when the network has no cursor


@dataclass(frozen=True)
class MetricSample:
    external_id: str  # the post (or the account, for channel metrics)
    name: str  # likes, reposts, replies, quotes, impressions, followers, posts …
    value: int
    measured_at: datetime


# ---- errors ----------------------------------------------------------------------------------------


class ConnectorError(Exception):
    """The network refused or failed. `permanent` means retrying the same request cannot help."""

    def __init__(self, message: str, *, permanent: bool = False, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.status = status


class AuthExpired(ConnectorError):
    """The credentials no longer work (wrong password, revoked or expired token): reconnect the channel."""

    def __init__(self, message: str = "", *, status: int | None = 401) -> None:
        super().__init__(
            message or str(_("The network no longer accepts the credentials.")), permanent=True, status=status
        )


class RateLimited(ConnectorError):
    """The network asks to wait; `retry_after` is when to try again (UTC)."""

    def __init__(self, message: str, *, retry_after: datetime, status: int | None = 429) -> None:
        super().__init__(message, permanent=False, status=status)
        self.retry_after = retry_after


class Unconfirmed(ConnectorError):
    """The outcome is unknown (timeout after sending): look the post up before any retry."""

    def __init__(self, message: str) -> None:
        super().__init__(message, permanent=False)


class NotSupported(ConnectorError):
    """The network has no such operation (e.g. hiding comments): nothing was sent."""

    def __init__(self, message: str) -> None:
        super().__init__(message, permanent=True)


@dataclass(frozen=True)
class LimitViolation:
    """One reason the network would refuse a post, in words for the person writing it."""

    code: str
    message: str


# ---- the connector ---------------------------------------------------------------------------------


class Connector:
    """One network. Subclasses set the class data and implement what their capabilities promise."""

    kind: ClassVar[str]
    label: ClassVar[str]
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    text_counting: ClassVar[TextCounting] = TextCounting.GRAPHEMES
    max_text_length: ClassVar[int]
    url_length: ClassVar[int] = 0  # with CHARACTERS_URL_FIXED: what each URL counts as
    max_images: ClassVar[int] = 4
    max_image_bytes: ClassVar[int] = 1_000_000
    image_mime_types: ClassVar[frozenset[str]] = frozenset(
        {"image/jpeg", "image/png", "image/gif", "image/webp"}
    )
    # Spacing between two posts of one account, kept by every worker together (0: the network has none
    # worth keeping; its rate limit answers are obeyed either way).
    min_seconds_between_posts: ClassVar[float] = 0
    supports_alt_text: ClassVar[bool] = True
    max_alt_text_length: ClassVar[int] = 1000

    def __init__(
        self,
        *,
        credentials: dict[str, Any],
        config: dict[str, Any] | None = None,
        on_credentials_changed: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        """`credentials` are decrypted; `on_credentials_changed` is called when a refresh rotated them."""
        self.credentials = dict(credentials)
        self.config = dict(config or {})
        self._on_credentials_changed = on_credentials_changed

    def credentials_changed(self, credentials: dict[str, Any]) -> None:
        self.credentials = dict(credentials)
        if self._on_credentials_changed is not None:
            self._on_credentials_changed(dict(credentials))

    # Limits ------------------------------------------------------------------------------------------

    def text_length(self, text: str) -> int:
        from onevoice.networks.text import count_characters_url_fixed, count_graphemes

        if self.text_counting is TextCounting.GRAPHEMES:
            return count_graphemes(text)
        return count_characters_url_fixed(text, self.url_length)

    def check(self, request: PublishRequest, *, require_alt_text: bool = False) -> list[LimitViolation]:
        """Everything the network would refuse, found before anything is sent."""
        problems: list[LimitViolation] = []
        length = self.text_length(request.text)
        if length > self.max_text_length:
            problems.append(
                LimitViolation(
                    "text_too_long",
                    str(
                        _("The text has %(length)s characters; %(network)s allows at most %(max)s.")
                        % {"length": length, "network": self.label, "max": self.max_text_length}
                    ),
                )
            )
        if not request.text.strip() and not request.media:
            problems.append(LimitViolation("empty", str(_("Write a text or add an image."))))
        if len(request.media) > self.max_images:
            problems.append(
                LimitViolation(
                    "too_many_images",
                    str(
                        _("%(network)s allows at most %(max)s images per post; this post has %(count)s.")
                        % {"network": self.label, "max": self.max_images, "count": len(request.media)}
                    ),
                )
            )
        for position, item in enumerate(request.media, start=1):
            if item.mime_type not in self.image_mime_types:
                problems.append(
                    LimitViolation(
                        "image_type",
                        str(
                            _("Image %(n)s is of type %(type)s, which %(network)s does not accept.")
                            % {"n": position, "type": item.mime_type, "network": self.label}
                        ),
                    )
                )
            if len(item.content) > self.max_image_bytes:
                problems.append(
                    LimitViolation(
                        "image_too_large",
                        str(
                            _("Image %(n)s is %(size)s KB; %(network)s allows at most %(max)s KB.")
                            % {
                                "n": position,
                                "size": len(item.content) // 1000,
                                "network": self.label,
                                "max": self.max_image_bytes // 1000,
                            }
                        ),
                    )
                )
            if require_alt_text and not item.alt_text.strip():
                problems.append(
                    LimitViolation(
                        "alt_text_missing",
                        str(
                            _("Image %(n)s has no alt text. Describe the image for people who cannot see it.")
                            % {"n": position}
                        ),
                    )
                )
            if len(item.alt_text) > self.max_alt_text_length:
                problems.append(
                    LimitViolation(
                        "alt_text_too_long",
                        str(
                            _("The alt text of image %(n)s is longer than %(max)s characters.")
                            % {"n": position, "max": self.max_alt_text_length}
                        ),
                    )
                )
        return problems

    # Operations --------------------------------------------------------------------------------------

    def verify(self) -> AccountInfo:
        """Check the credentials and say whose account they open; raises AuthExpired if they don't work."""
        raise NotImplementedError

    def publish(self, request: PublishRequest, *, idempotency_key: str) -> PublishResult:
        """Publish once: the same idempotency key never makes a second post, whatever happens in between."""
        raise NotImplementedError

    def find_published(
        self,
        *,
        idempotency_key: str,
        request: PublishRequest | None = None,
        not_before: datetime | None = None,
    ) -> PublishResult | None:
        """After an Unconfirmed outcome: the post published under this key, if the network has it.

        Networks that keep the key (Bluesky's record key) need only the key; others look for the
        request's text among the account's posts since `not_before`.
        """
        raise NotImplementedError

    def delete(self, external_id: str) -> None:
        raise NotImplementedError

    def fetch_inbox(self, *, since: str = "") -> InboxPage:
        raise NotImplementedError

    def reply(self, *, to_external_id: str, request: PublishRequest, idempotency_key: str) -> PublishResult:
        raise NotImplementedError

    def fetch_metrics(self, external_ids: Sequence[str]) -> list[MetricSample]:
        raise NotImplementedError

    def fetch_channel_metrics(self) -> list[MetricSample]:
        """The account's own figures (followers, posts …) as samples with the account's external id."""
        raise NotImplementedError

    def like(self, external_id: str) -> None:
        """Like the item as the channel's account; liking twice is no error."""
        raise NotSupported(_("%(network)s does not let OneVoice like messages.") % {"network": self.label})

    def hide(self, external_id: str) -> None:
        """Hide a comment under one of the channel's posts (moderation), where the network has that."""
        raise NotSupported(_("%(network)s does not let OneVoice hide comments.") % {"network": self.label})
