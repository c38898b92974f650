"""Mastodon and compatible servers: publish statuses, read mentions and replies, count favourites and boosts.

All calls go through mastodon-py with a `GuardedSession`, so the SSRF guard covers every request.
mastodon-py is told to throw on rate limits (`ratelimit_method="throw"`): the publishing queue waits,
never a worker thread.

Tested on answers written from the official API documentation (docs.joinmastodon.org), not on a live
server: no Mastodon server can run in the test environment (see tests/recorded/README.md).
"""

from __future__ import annotations

import mimetypes
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import regex
from django.utils.translation import gettext as _
from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonError,
    MastodonNetworkError,
    MastodonRatelimitError,
)
from mastodon.versions import parse_version_string

from onevoice.core.http import USER_AGENT
from onevoice.networks.connectors.base import (
    AccountInfo,
    AuthExpired,
    Capability,
    Connector,
    ConnectorError,
    InboundItem,
    InboundKind,
    InboxPage,
    LimitViolation,
    MediaItem,
    MetricSample,
    PublishRequest,
    PublishResult,
    RateLimited,
    TextCounting,
)
from onevoice.networks.connectors.mastodon.content import status_text
from onevoice.networks.connectors.mastodon.transport import (
    GuardedSession,
    error_for_network_failure,
    error_for_status,
    host_of,
    normalize_instance_url,
    root_cause,
    server_text,
)
from onevoice.networks.text import URL_PATTERN, count_graphemes

DEFAULT_INSTANCE = "https://mastodon.social"
VISIBILITIES = ("public", "unlisted", "private", "direct")
# Mastodon counts a mention of a remote account (@name@server) as "@name" only.
REMOTE_MENTION = regex.compile(r"(?<![=/\w])@(\w+(?:[\w.-]*\w)?)@[\w.-]*\w", regex.IGNORECASE)
# Mastodon 4.5 (API version 7) added quote posts and the `quote` notification.
QUOTES_API_VERSION = 7
# Assumed when the channel's config does not know the server's version: new enough for /api/v2/media.
ASSUMED_VERSION = "4.0.0"


def _comparable(text: str) -> str:
    return " ".join(REMOTE_MENTION.sub(r"@\1", text).split())


# ---- small conversions ---------------------------------------------------------------------------


def _utc(value: object) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, str) and value:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    return datetime.now(UTC)


def _id(value: object) -> str:
    return "" if value is None else str(value)


def _id_order(value: str) -> tuple[int, str]:
    # Mastodon ids are numeric strings, other servers use ULIDs: both sort by (length, text).
    return (len(value), value)


def _rank(visibility: str) -> int:
    """How restricted a visibility is; "" (the account's default) counts as public."""
    return VISIBILITIES.index(visibility) if visibility in VISIBILITIES else 0


def _language(tag: str) -> str | None:
    """Mastodon takes ISO 639 codes: "de-DE" is sent as "de"."""
    primary = (tag or "").strip().replace("_", "-").split("-")[0].lower()
    return primary or None


class MastodonConnector(Connector):
    kind = "mastodon"
    label = "Mastodon"
    capabilities = frozenset(
        {Capability.PUBLISH, Capability.DELETE, Capability.INBOX, Capability.REPLY, Capability.METRICS}
    )
    text_counting = TextCounting.CHARACTERS_URL_FIXED
    max_text_length = 500
    url_length = 23
    max_images = 4
    max_image_bytes = 16 * 1024 * 1024
    max_alt_text_length = 1500

    request_timeout = 30.0
    # Waits between looks at an image the server is still processing: about half a minute in all.
    media_wait_seconds: tuple[float, ...] = (1.0, 2.0, 3.0, 5.0, 8.0, 13.0)
    inbox_page_size = 40
    inbox_max_pages = 5
    inbox_max_thread_lookups = 20
    find_published_window = timedelta(hours=2)

    def __init__(
        self,
        *,
        credentials: dict[str, Any],
        config: dict[str, Any] | None = None,
        on_credentials_changed: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        super().__init__(
            credentials=credentials, config=config, on_credentials_changed=on_credentials_changed
        )
        self.instance_url = normalize_instance_url(str(self.config.get("instance_url") or DEFAULT_INSTANCE))
        self.host = host_of(self.instance_url)
        self.session = GuardedSession()
        self._api: Mastodon | None = None
        self._sent: dict[str, PublishRequest] = {}
        self.sleep: Callable[[float], None] = time.sleep  # tests replace it
        self._apply_limits(self.config.get("limits") or {})

    # ---- limits ----------------------------------------------------------------------------------

    def _apply_limits(self, limits: Mapping[str, Any]) -> None:
        """The server's own limits (from `instance_limits()`, kept in the channel's config) replace the defaults."""
        numbers = {
            "max_text_length": limits.get("max_characters"),
            "url_length": limits.get("characters_reserved_per_url"),
            "max_images": limits.get("max_media_attachments"),
            "max_image_bytes": limits.get("image_size_limit"),
            "max_alt_text_length": limits.get("description_limit"),
        }
        for name, value in numbers.items():
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                # The base class declares limits as class data; this server's limits shadow them here.
                setattr(self, name, value)
        mime_types = limits.get("supported_mime_types")
        if isinstance(mime_types, list):
            images = frozenset(str(m) for m in mime_types if str(m).startswith("image/"))
            if images:
                setattr(self, "image_mime_types", images)  # noqa: B010 - same reason as above

    def instance_limits(self) -> dict[str, Any]:
        """Read the server's limits from /api/v2/instance (Mastodon 4.0+), else from /api/v1/instance."""
        client = self._client()
        try:
            with self._errors():
                info: Mapping[str, Any] = client.instance_v2()
        except ConnectorError as error:
            if error.status != 404:
                raise
            with self._errors():
                info = client.instance_v1()
        configuration = info.get("configuration") or {}
        statuses = configuration.get("statuses") or {}
        media = configuration.get("media_attachments") or {}
        limits: dict[str, Any] = {
            "max_characters": statuses.get("max_characters") or info.get("max_toot_chars"),
            "characters_reserved_per_url": statuses.get("characters_reserved_per_url"),
            "max_media_attachments": statuses.get("max_media_attachments"),
            "image_size_limit": media.get("image_size_limit"),
            "description_limit": media.get("description_limit"),
            "supported_mime_types": list(media.get("supported_mime_types") or []),
            "version": str(info.get("version") or ""),
            "api_version": int((info.get("api_versions") or {}).get("mastodon") or 0),
        }
        return {key: value for key, value in limits.items() if value not in (None, "", [])}

    def text_length(self, text: str) -> int:
        """Mastodon's own rule: grapheme clusters, every URL as `url_length`, remote mentions without server."""
        countable = REMOTE_MENTION.sub(r"@\1", text)
        total = 0
        position = 0
        for match in URL_PATTERN.finditer(countable):
            total += count_graphemes(countable[position : match.start()]) + self.url_length
            position = match.end()
        return total + count_graphemes(countable[position:])

    def check(self, request: PublishRequest, *, require_alt_text: bool = False) -> list[LimitViolation]:
        return super().check(
            replace(request, text=self._status_text(request)), require_alt_text=require_alt_text
        )

    # ---- the client --------------------------------------------------------------------------------

    def _client(self) -> Mastodon:
        if self._api is None:
            version = str((self.config.get("limits") or {}).get("version") or ASSUMED_VERSION)
            try:
                major, minor, patch = parse_version_string(version)
            except (AttributeError, IndexError, ValueError):
                version, (major, minor, patch) = ASSUMED_VERSION, (4, 0, 0)
            api = Mastodon(
                api_base_url=self.instance_url,
                access_token=self.credentials.get("access_token") or None,
                request_timeout=self.request_timeout,
                ratelimit_method="throw",
                version_check_mode="none",
                mastodon_version=version,
                session=self.session,
                user_agent=USER_AGENT,
            )
            # With version checks off, mastodon-py takes the version as known without parsing it, yet
            # media_post() asks it whether to upload to /api/v2/media: tell it, instead of a lookup per call.
            api.mastodon_major, api.mastodon_minor, api.mastodon_patch = major, minor, patch
            self._api = api
        return self._api

    @contextmanager
    def _errors(self, *, sending_status: bool = False) -> Iterator[None]:
        """Turn mastodon-py's exceptions into the connector errors; `sending_status` for POST /api/v1/statuses."""
        try:
            yield
        except MastodonRatelimitError as error:
            raise self._error(429, "", sending_status) from error
        except MastodonNetworkError as error:
            raise error_for_network_failure(
                root_cause(error), host=self.host, sending_status=sending_status
            ) from error
        except MastodonAPIError as error:
            # mastodon-py raises MastodonAPIError(text, status, reason, server's error) for HTTP errors.
            status = error.args[1] if len(error.args) > 1 and isinstance(error.args[1], int) else None
            if status is None:
                # An answer that could not be read: for a status post, it may well have been created.
                raise error_for_network_failure(
                    error, host=self.host, sending_status=sending_status
                ) from error
            message = error.args[3] if len(error.args) > 3 else ""
            raise self._error(status, str(message or ""), sending_status) from error
        except MastodonError as error:
            raise ConnectorError(
                _("OneVoice could not prepare the request for Mastodon: %(reason)s")
                % {"reason": server_text(error)},
                permanent=True,
            ) from error

    def _error(self, status: int, message: str, sending_status: bool) -> ConnectorError:
        last = self.session.last_response
        headers = last.headers if last is not None and last.status_code == status else {}
        return error_for_status(
            status, message, host=self.host, headers=headers, sending_status=sending_status
        )

    # ---- account -----------------------------------------------------------------------------------

    def _handle(self, acct: str) -> str:
        return acct if "@" in acct else f"{acct}@{self.host}"

    def verify(self) -> AccountInfo:
        with self._errors():
            account = self._client().account_verify_credentials()
        return AccountInfo(
            external_id=_id(account["id"]),
            handle=self._handle(str(account.get("acct") or account.get("username") or "")),
            display_name=str(account.get("display_name") or ""),
            avatar_url=str(account.get("avatar") or ""),
            profile_url=str(account.get("url") or ""),
        )

    def _account_id(self) -> str:
        return str(self.config.get("account_id") or "") or self.verify().external_id

    # ---- publishing --------------------------------------------------------------------------------

    @staticmethod
    def _status_text(request: PublishRequest) -> str:
        """Mastodon makes its link card from a link in the text, so a separate link goes at the end."""
        if request.link and request.link not in request.text:
            return f"{request.text.rstrip()}\n\n{request.link}" if request.text.strip() else request.link
        return request.text

    def publish(self, request: PublishRequest, *, idempotency_key: str) -> PublishResult:
        """Upload the images with their alt texts, then post the status under the Idempotency-Key.

        Mastodon remembers the key for an hour: the same key again within that hour returns the
        status already created instead of a second one.
        """
        visibility = request.visibility.strip().lower()
        if visibility and visibility not in VISIBILITIES:
            raise ConnectorError(
                _("Mastodon does not know the visibility “%(visibility)s”.")
                % {"visibility": request.visibility},
                permanent=True,
            )
        client = self._client()
        media_ids = [self._upload(client, position, item) for position, item in enumerate(request.media, 1)]
        self._sent[idempotency_key] = request
        with self._errors(sending_status=True):
            status = client.status_post(
                self._status_text(request),
                in_reply_to_id=request.in_reply_to or None,
                media_ids=media_ids or None,
                visibility=visibility or None,
                language=_language(request.language),
                idempotency_key=idempotency_key,
            )
        return self._result(status)

    def _upload(self, client: Mastodon, position: int, item: MediaItem) -> str:
        filename = item.filename
        if "." not in filename:
            filename += mimetypes.guess_extension(item.mime_type) or ""
        with self._errors():
            media = client.media_post(
                item.content, mime_type=item.mime_type, description=item.alt_text or None, file_name=filename
            )
        # 202 Accepted: the server is still processing; GET /api/v1/media/:id until it has a url.
        for delay in self.media_wait_seconds:
            if media.get("url"):
                break
            self.sleep(delay)
            with self._errors():
                media = client.media(media["id"])
        if not media.get("url"):
            raise ConnectorError(
                _("Mastodon is still processing image %(n)s. OneVoice will try again shortly.")
                % {"n": position},
                permanent=False,
            )
        return _id(media["id"])

    @staticmethod
    def _result(status: Mapping[str, Any]) -> PublishResult:
        return PublishResult(
            external_id=_id(status["id"]),
            url=str(status.get("url") or status.get("uri") or ""),
            published_at=_utc(status.get("created_at")),
            raw={
                "id": _id(status["id"]),
                "uri": str(status.get("uri") or ""),
                "visibility": str(status.get("visibility") or ""),
            },
        )

    def find_published(
        self,
        *,
        idempotency_key: str,
        request: PublishRequest | None = None,
        not_before: datetime | None = None,
    ) -> PublishResult | None:
        """Find the post among the account's latest statuses by its text; None when that cannot tell.

        Mastodon keeps nothing of the Idempotency-Key on the status, so the key alone finds nothing.
        The text comes from `request`, or from a `publish()` on this same object. A match needs the same
        text (Mastodon shows remote mentions without their server), the same post answered and the same
        alt texts, posted after `not_before` (default: the last two hours). Two posts with equal text in
        that window cannot be told apart; the older one is returned. None means "not found", not
        "never published": within an hour of the first try, publishing again with the same key is safe,
        because Mastodon answers with the status it already created.
        """
        request = request or self._sent.get(idempotency_key)
        if request is None:
            return None
        expected = _comparable(self._status_text(request))
        descriptions = [item.alt_text for item in request.media]
        since = not_before or datetime.now(UTC) - self.find_published_window
        with self._errors():
            statuses = self._client().account_statuses(self._account_id(), exclude_reblogs=True, limit=40)
        matches = [
            status
            for status in statuses
            if _comparable(status_text(str(status.get("content") or ""))) == expected
            and _id(status.get("in_reply_to_id")) == (request.in_reply_to or "")
            and [str(m.get("description") or "") for m in status.get("media_attachments") or []]
            == descriptions
            and _utc(status.get("created_at")) >= since
        ]
        if not matches:
            return None
        return self._result(min(matches, key=lambda status: _id_order(_id(status["id"]))))

    def delete(self, external_id: str) -> None:
        """Delete the status; one that is already gone counts as deleted."""
        try:
            with self._errors():
                self._client().status_delete(external_id)
        except ConnectorError as error:
            if error.status != 404:
                raise

    def reply(self, *, to_external_id: str, request: PublishRequest, idempotency_key: str) -> PublishResult:
        """Answer a status: its author is mentioned (else Mastodon would not tell them), and a private
        conversation stays private (the reply is never more visible than the status it answers)."""
        with self._errors():
            original = self._client().status(to_external_id)
        author = original.get("account") or {}
        acct = str(author.get("acct") or "")
        text = request.text
        is_us = _id(author.get("id")) == str(self.config.get("account_id") or "")
        if acct and not is_us and not self._mentions(text, acct):
            text = f"@{acct} {text}"
        visibility = request.visibility.strip().lower()
        theirs = str(original.get("visibility") or "")
        if theirs in ("private", "direct") and VISIBILITIES.index(theirs) > _rank(visibility):
            visibility = theirs
        return self.publish(
            replace(request, text=text, in_reply_to=to_external_id, visibility=visibility),
            idempotency_key=idempotency_key,
        )

    def _mentions(self, text: str, acct: str) -> bool:
        """Whether the text already mentions the account (a local one also as name@this-server)."""
        names = [acct] if "@" in acct else [f"{acct}@{self.host}", acct]
        pattern = "|".join(regex.escape(name) for name in names)
        return bool(regex.search(rf"(?<![\w@])@(?:{pattern})(?![\w@-]|\.\w)", text, regex.IGNORECASE))

    # ---- inbox -------------------------------------------------------------------------------------

    def _supports_quotes(self) -> bool:
        limits = self.config.get("limits") or {}
        return int(limits.get("api_version") or 0) >= QUOTES_API_VERSION

    def fetch_inbox(self, *, since: str = "") -> InboxPage:
        """Mentions, replies, private mentions and (Mastodon 4.5+) quotes, oldest first.

        `since` is the newest notification id already read; the next page starts right after it
        (`min_id`). Without it, only the latest page is read. The returned cursor is the newest
        notification id seen, including ones that are not messages.
        """
        types = ["mention", "quote"] if self._supports_quotes() else ["mention"]
        client = self._client()
        cursor = since
        notifications: list[Mapping[str, Any]] = []
        for _page in range(self.inbox_max_pages):
            with self._errors():
                page = client.notifications(types=types, min_id=cursor or None, limit=self.inbox_page_size)
            if not page:
                break
            notifications.extend(page)
            cursor = max((_id(n["id"]) for n in page), key=_id_order)
            if not since or len(page) < self.inbox_page_size:
                break
        items = [self._inbound(n) for n in notifications if n.get("type") in types and n.get("status")]
        items.sort(key=lambda item: (item.created_at, _id_order(item.external_id)))
        return InboxPage(items=self._with_thread_roots(items), cursor=cursor)

    def _inbound(self, notification: Mapping[str, Any]) -> InboundItem:
        status = notification["status"]
        account = status.get("account") or notification.get("account") or {}
        visibility = str(status.get("visibility") or "")
        in_reply_to = _id(status.get("in_reply_to_id"))
        if visibility == "direct":
            kind = InboundKind.DIRECT_MESSAGE
        elif notification.get("type") == "quote":
            kind = InboundKind.QUOTE
        elif in_reply_to:
            kind = InboundKind.REPLY
        else:
            kind = InboundKind.MENTION
        return InboundItem(
            external_id=_id(status["id"]),
            kind=kind,
            author_id=_id(account.get("id")),
            author_handle=self._handle(str(account.get("acct") or account.get("username") or "")),
            author_name=str(account.get("display_name") or ""),
            text=status_text(str(status.get("content") or "")),
            created_at=_utc(status.get("created_at")),
            url=str(status.get("url") or status.get("uri") or ""),
            in_reply_to=in_reply_to,
            thread_root="" if in_reply_to else _id(status["id"]),
            language=str(status.get("language") or ""),
            raw={
                "notification_id": _id(notification.get("id")),
                "notification_type": str(notification.get("type") or ""),
                "visibility": visibility,
                "spoiler_text": str(status.get("spoiler_text") or ""),
                "in_reply_to_account_id": _id(status.get("in_reply_to_account_id")),
            },
        )

    def _with_thread_roots(self, items: list[InboundItem]) -> list[InboundItem]:
        """Replies learn their thread's first post from GET /api/v1/statuses/:id/context (bounded)."""
        roots = {item.external_id: item.thread_root for item in items if item.thread_root}
        lookups = 0
        result = []
        for item in items:
            if not item.thread_root and item.in_reply_to in roots:
                item = replace(item, thread_root=roots[item.in_reply_to])
            elif not item.thread_root and lookups < self.inbox_max_thread_lookups:
                lookups += 1
                root = self._thread_root(item.external_id)
                if root is None:
                    lookups = self.inbox_max_thread_lookups  # rate-limited: leave the rest for the inbox
                elif root:
                    item = replace(item, thread_root=root)
            if item.thread_root:
                roots[item.external_id] = item.thread_root
            result.append(item)
        return result

    def _thread_root(self, status_id: str) -> str | None:
        """The id of the thread's first post; "" if the server will not say, None when rate-limited."""
        try:
            with self._errors():
                context = self._client().status_context(status_id)
        except RateLimited:
            return None
        except AuthExpired:
            raise
        except ConnectorError:
            return ""
        ancestors = context.get("ancestors") or []
        return _id(ancestors[0]["id"]) if ancestors else ""

    # ---- metrics -----------------------------------------------------------------------------------

    def fetch_metrics(self, external_ids: Sequence[str]) -> list[MetricSample]:
        """Favourites, boosts, replies (and quotes, where the server counts them) per status; deleted ones are skipped."""
        measured_at = datetime.now(UTC)
        client = self._client()
        samples: list[MetricSample] = []
        for external_id in external_ids:
            try:
                with self._errors():
                    status = client.status(external_id)
            except ConnectorError as error:
                if error.status == 404:
                    continue
                raise
            counts = {
                "likes": status.get("favourites_count"),
                "reposts": status.get("reblogs_count"),
                "replies": status.get("replies_count"),
                "quotes": status.get("quotes_count"),
            }
            samples.extend(
                MetricSample(external_id=external_id, name=name, value=int(value), measured_at=measured_at)
                for name, value in counts.items()
                if isinstance(value, int)
            )
        return samples
