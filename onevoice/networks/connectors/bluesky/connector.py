"""Bluesky (AT Protocol) through the `atproto` SDK, with the SDK's HTTP sent through `core.http`.

Credentials: {"identifier": handle or DID, "app_password": …} and, once signed in, the session
("access_jwt", "refresh_jwt", "did", "handle", "pds"). Config: {"service": PDS URL (default
https://bsky.social), "appview": optional atproto-proxy target such as "did:web:api.bsky.app#bsky_appview";
empty means the PDS's own AppView}.

Publishing once: every post gets a record key derived from its idempotency key (`record_key.py`), so a
retried `createRecord` cannot make a second post; the PDS answers a taken key with a 500, after which
the existing record is looked up and returned.

Without an AppView behind the PDS (a self-hosted PDS, the PDS-only testbed) the app.bsky.* reads answer
502/501: `verify()` falls back to the profile record in the repo, `fetch_inbox()` returns an empty page
and `fetch_metrics()` an empty list, so that a missing AppView never fails a channel.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import httpx
from atproto_client import Client, models
from atproto_client.client.session import Session, SessionEvent
from atproto_client.exceptions import RequestErrorBase
from atproto_client.models.utils import get_response_model
from atproto_client.request import Request, RequestBase
from atproto_core.exceptions import AtProtocolError
from atproto_server.auth.jwt import get_jwt_payload
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from onevoice.core import http
from onevoice.core.http import BlockedAddress
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
    MetricSample,
    PublishRequest,
    PublishResult,
    TextCounting,
)
from onevoice.networks.connectors.bluesky import errors
from onevoice.networks.connectors.bluesky.record_key import record_key_for
from onevoice.networks.connectors.bluesky.richtext import build_facets

DEFAULT_SERVICE = "https://bsky.social"
POST = "app.bsky.feed.post"
MAX_TEXT_BYTES = 3000  # the lexicon's maxLength of app.bsky.feed.post#text, in UTF-8 bytes
INBOX_REASONS = {"reply": InboundKind.REPLY, "mention": InboundKind.MENTION, "quote": InboundKind.QUOTE}
INBOX_PAGE_SIZE = 100
INBOX_MAX_PAGES = 10
GET_POSTS_BATCH = 25
METRICS = {"likes": "likeCount", "reposts": "repostCount", "replies": "replyCount", "quotes": "quoteCount"}
AT_URI = re.compile(r"^at://(?P<repo>[^/]+)/(?P<collection>[^/]+)/(?P<rkey>[^/?#]+)$")
ISO_FRACTION = re.compile(r"(\.\d{6})\d+")


class GuardedRequest(Request):
    """The SDK's request layer, but every request goes through OneVoice's guarded HTTP client."""

    def __init__(self, **kwargs: Any) -> None:
        RequestBase.__init__(self)
        self._client_kwargs = kwargs
        self._client = http.client(**kwargs)


class BlueskyConnector(Connector):
    kind = "bluesky"
    label = "Bluesky"  # a name: the same in every language
    capabilities = frozenset(
        {
            Capability.PUBLISH,
            Capability.DELETE,
            Capability.INBOX,
            Capability.REPLY,
            Capability.METRICS,
            Capability.LIKE,
        }
    )
    text_counting = TextCounting.GRAPHEMES
    max_text_length = 300
    max_images = 4
    max_image_bytes = 1_000_000  # maxSize of the image blob in app.bsky.embed.images
    supports_alt_text = True
    # The lexicon sets no limit on `alt`; the Bluesky app stops at 2000 characters.
    max_alt_text_length = 2000

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
        self._sdk: Client | None = None
        self._session_is_stored = False

    # Limits ------------------------------------------------------------------------------------------

    def check(self, request: PublishRequest, *, require_alt_text: bool = False) -> list[LimitViolation]:
        problems = super().check(request, require_alt_text=require_alt_text)
        size = len(request.text.encode())
        if size > MAX_TEXT_BYTES and not any(p.code == "text_too_long" for p in problems):
            problems.append(
                LimitViolation(
                    "text_too_long",
                    _(
                        "The text takes %(size)s bytes; Bluesky allows at most %(max)s. "
                        "Emoji and special characters take several bytes each: shorten the text."
                    )
                    % {"size": size, "max": MAX_TEXT_BYTES},
                )
            )
        return problems

    # Operations --------------------------------------------------------------------------------------

    def verify(self) -> AccountInfo:
        def operation(client: Client) -> AccountInfo:
            did, handle = self._identity(client)
            profile = self._profile(client, did)
            handle = str(profile.get("handle") or handle)
            return AccountInfo(
                external_id=did,
                handle=handle,
                display_name=str(profile.get("displayName") or ""),
                avatar_url=str(profile.get("avatar") or ""),
                profile_url=f"https://bsky.app/profile/{profile_name(did, handle)}",
            )

        return self._run(operation)

    def publish(self, request: PublishRequest, *, idempotency_key: str) -> PublishResult:
        return self._publish(request, idempotency_key=idempotency_key, reply_to=request.in_reply_to)

    def reply(self, *, to_external_id: str, request: PublishRequest, idempotency_key: str) -> PublishResult:
        return self._publish(request, idempotency_key=idempotency_key, reply_to=to_external_id)

    def find_published(
        self,
        *,
        idempotency_key: str,
        request: PublishRequest | None = None,
        not_before: datetime | None = None,
    ) -> PublishResult | None:
        """The post under the record key of `idempotency_key`; the key alone is enough on Bluesky."""
        rkey = record_key_for(idempotency_key)
        return self._run(lambda client: self._existing_post(client, rkey))

    def delete(self, external_id: str) -> None:
        repo, collection, rkey = parse_at_uri(external_id)

        def operation(client: Client) -> None:
            did, handle = self._identity(client)
            if repo not in (did, handle):
                raise ConnectorError(
                    _("OneVoice can only delete posts of this channel's own account."), permanent=True
                )
            client.com.atproto.repo.delete_record(
                models.ComAtprotoRepoDeleteRecord.Data(repo=did, collection=collection, rkey=rkey)
            )

        self._run(operation)

    def like(self, external_id: str) -> None:
        """Like a post as the channel's account; the like's record key comes from the post's address, so
        liking twice (or a retry after a lost answer) leaves one like."""
        repo, collection, rkey = parse_at_uri(external_id)
        like_key = record_key_for(f"like:{external_id}")

        def operation(client: Client) -> None:
            did, _handle = self._identity(client)
            try:
                target = client.com.atproto.repo.get_record(
                    models.ComAtprotoRepoGetRecord.Params(repo=repo, collection=collection, rkey=rkey)
                )
            except RequestErrorBase as error:
                if errors.error_name(error) == "RecordNotFound":
                    raise ConnectorError(
                        _("The post no longer exists on Bluesky."), permanent=True, status=400
                    ) from error
                raise
            record = models.AppBskyFeedLike.Record(
                subject=models.ComAtprotoRepoStrongRef.Main(uri=target.uri, cid=target.cid),
                created_at=client.get_current_time_iso(),
            )
            try:
                client.app.bsky.feed.like.create(did, record, rkey=like_key)
            except RequestErrorBase as error:
                status = errors.status_of(error)
                if (
                    status is not None
                    and (status >= 500 or status == 409)
                    and self._has_record(client, did, "app.bsky.feed.like", like_key)
                ):
                    return  # liked before: the key is taken by our own like
                raise

        self._run(operation)

    def _has_record(self, client: Client, did: str, collection: str, rkey: str) -> bool:
        try:
            client.com.atproto.repo.get_record(
                models.ComAtprotoRepoGetRecord.Params(repo=did, collection=collection, rkey=rkey)
            )
        except RequestErrorBase as error:
            if errors.status_of(error) in (400, 404):
                return False
            raise
        return True

    def fetch_inbox(self, *, since: str = "") -> InboxPage:
        """Replies, mentions and quotes indexed after `since`, oldest first; the cursor is the newest indexedAt.

        Notifications come from the AppView (through the PDS). Without one the PDS answers 502/501:
        then the inbox is empty, not an error, and `since` is handed back unchanged. One call reads at
        most INBOX_MAX_PAGES pages of notifications.
        """
        since_at = parse_datetime(since) if since else None

        def operation(client: Client) -> InboxPage:
            items: list[InboundItem] = []
            newest, newest_at = since, since_at
            cursor: str | None = None
            for _page in range(INBOX_MAX_PAGES):
                params = models.AppBskyNotificationListNotifications.Params(
                    limit=INBOX_PAGE_SIZE, cursor=cursor, reasons=sorted(INBOX_REASONS)
                )
                try:
                    page = self._query(
                        client, "app.bsky.notification.listNotifications", params, appview=True
                    )
                except RequestErrorBase as error:
                    if errors.is_not_served(error):
                        return InboxPage(items=[], cursor=since)
                    raise
                reached_since = False
                for notification in page.get("notifications") or []:
                    indexed_at = parse_datetime(str(notification.get("indexedAt") or ""))
                    if indexed_at is None:
                        continue
                    if since_at is not None and indexed_at <= since_at:
                        reached_since = True
                        continue
                    if newest_at is None or indexed_at > newest_at:
                        newest, newest_at = str(notification["indexedAt"]), indexed_at
                    item = inbound_item(notification)
                    if item is not None:
                        items.append(item)
                cursor = page.get("cursor")
                if reached_since or not cursor:
                    break
            items.sort(key=lambda item: item.created_at)
            return InboxPage(items=items, cursor=newest)

        return self._run(operation)

    def fetch_metrics(self, external_ids: Sequence[str]) -> list[MetricSample]:
        """Like, repost, reply and quote counts from the AppView; none without an AppView."""

        def operation(client: Client) -> list[MetricSample]:
            samples: list[MetricSample] = []
            uris = list(dict.fromkeys(external_ids))
            for start in range(0, len(uris), GET_POSTS_BATCH):
                params = models.AppBskyFeedGetPosts.Params(uris=uris[start : start + GET_POSTS_BATCH])
                try:
                    answer = self._query(client, "app.bsky.feed.getPosts", params, appview=True)
                except RequestErrorBase as error:
                    if errors.is_not_served(error):
                        return []
                    raise
                measured_at = datetime.now(UTC)
                for post in answer.get("posts") or []:
                    samples.extend(
                        MetricSample(
                            external_id=post["uri"],
                            name=name,
                            value=int(post.get(field) or 0),
                            measured_at=measured_at,
                        )
                        for name, field in METRICS.items()
                    )
            return samples

        return self._run(operation)

    def fetch_channel_metrics(self) -> list[MetricSample]:
        """Followers and posts of the account from the AppView profile; none without an AppView."""

        def operation(client: Client) -> list[MetricSample]:
            did, _handle = self._identity(client)
            try:
                profile = self._query(
                    client,
                    "app.bsky.actor.getProfile",
                    models.AppBskyActorGetProfile.Params(actor=did),
                    appview=True,
                )
            except RequestErrorBase as error:
                if errors.is_not_served(error):
                    return []
                raise
            measured_at = datetime.now(UTC)
            return [
                MetricSample(external_id=did, name=name, value=int(profile[field]), measured_at=measured_at)
                for name, field in (("followers", "followersCount"), ("posts", "postsCount"))
                if isinstance(profile.get(field), int)
            ]

        return self._run(operation)

    def close(self) -> None:
        if self._sdk is not None:
            self._sdk.request.close()
            self._sdk = None

    # Publishing --------------------------------------------------------------------------------------

    def _publish(self, request: PublishRequest, *, idempotency_key: str, reply_to: str) -> PublishResult:
        rkey = record_key_for(idempotency_key)

        def operation(client: Client) -> PublishResult:
            did, _handle = self._identity(client)
            created_at = client.get_current_time_iso()
            record = models.AppBskyFeedPost.Record(
                text=request.text,
                created_at=created_at,
                facets=build_facets(request.text, lambda handle: self._resolve_handle(client, handle))
                or None,
                embed=self._embed(client, request),
                langs=[request.language] if request.language else None,
                reply=self._reply_ref(client, reply_to) if reply_to else None,
            )
            try:
                created = client.app.bsky.feed.post.create(did, record, rkey=rkey)
            except (AtProtocolError, httpx.HTTPError) as error:
                if errors.lost_after_sending(error):
                    raise errors.to_connector_error(error, unconfirmed_if_sent=True) from error
                status = errors.status_of(error)
                if status is not None and (status >= 500 or status == 409):
                    # A taken record key answers 500: this key was published before (a retry after a
                    # crash or a lost answer). Hand back that post instead of failing.
                    existing = self._existing_post(client, rkey)
                    if existing is not None:
                        return existing
                raise
            return PublishResult(
                external_id=created.uri,
                url=self._post_url(client, rkey),
                published_at=parse_datetime(created_at),
                raw={"uri": created.uri, "cid": created.cid},
            )

        return self._run(operation)

    def _existing_post(self, client: Client, rkey: str) -> PublishResult | None:
        did, _handle = self._identity(client)
        try:
            found = client.com.atproto.repo.get_record(
                models.ComAtprotoRepoGetRecord.Params(repo=did, collection=POST, rkey=rkey)
            )
        except RequestErrorBase as error:
            # A missing record answers 400 RecordNotFound, not 404.
            if errors.status_of(error) in (400, 404) and errors.error_name(error) in ("RecordNotFound", ""):
                return None
            raise
        return PublishResult(
            external_id=found.uri,
            url=self._post_url(client, rkey),
            published_at=parse_datetime(str(getattr(found.value, "created_at", "") or "")),
            raw={"uri": found.uri, "cid": found.cid},
        )

    def _embed(self, client: Client, request: PublishRequest) -> Any:
        if request.media:
            images = []
            for item in request.media:
                # The bytes go as `content` with their own type (the SDK's helper sends `*/*` as `data`).
                uploaded = client.invoke_procedure(
                    "com.atproto.repo.uploadBlob",
                    content=item.content,
                    headers={"Content-Type": item.mime_type},
                )
                blob = get_response_model(uploaded, models.ComAtprotoRepoUploadBlob.Response).blob
                images.append(
                    models.AppBskyEmbedImages.Image(
                        alt=item.alt_text, image=blob, aspect_ratio=aspect_ratio(item.content)
                    )
                )
            return models.AppBskyEmbedImages.Main(images=images)
        if request.link:
            # The card is built from the link alone: OneVoice never fetches the linked page.
            return models.AppBskyEmbedExternal.Main(
                external=models.AppBskyEmbedExternal.External(
                    uri=request.link, title=request.link, description=""
                )
            )
        return None

    def _reply_ref(self, client: Client, parent_uri: str) -> Any:
        repo, collection, rkey = parse_at_uri(parent_uri)
        try:
            parent = client.com.atproto.repo.get_record(
                models.ComAtprotoRepoGetRecord.Params(repo=repo, collection=collection, rkey=rkey)
            )
        except RequestErrorBase as error:
            if errors.error_name(error) == "RecordNotFound":
                raise ConnectorError(
                    _("The post to answer no longer exists on Bluesky."), permanent=True, status=400
                ) from error
            raise
        parent_ref = models.ComAtprotoRepoStrongRef.Main(uri=parent.uri, cid=parent.cid)
        parent_reply = getattr(parent.value, "reply", None)
        root_ref = parent_reply.root if parent_reply is not None else parent_ref
        return models.AppBskyFeedPost.ReplyRef(root=root_ref, parent=parent_ref)

    def _resolve_handle(self, client: Client, handle: str) -> str | None:
        try:
            answer = client.com.atproto.identity.resolve_handle(
                models.ComAtprotoIdentityResolveHandle.Params(handle=handle)
            )
        except RequestErrorBase as error:
            if errors.status_of(error) == 400:  # HandleNotFound: stays plain text
                return None
            raise
        return str(answer.did)

    def _post_url(self, client: Client, rkey: str) -> str:
        did, handle = self._identity(client)
        return f"https://bsky.app/profile/{profile_name(did, handle)}/post/{rkey}"

    # Reads -------------------------------------------------------------------------------------------

    def _profile(self, client: Client, did: str) -> dict[str, Any]:
        """The account's profile from the AppView, else from the repo's profile record, else nothing."""
        try:
            return self._query(
                client,
                "app.bsky.actor.getProfile",
                models.AppBskyActorGetProfile.Params(actor=did),
                appview=True,
            )
        except RequestErrorBase as error:
            if errors.is_auth_error(error) or errors.status_of(error) == 429:
                raise
        try:
            record = self._query(
                client,
                "com.atproto.repo.getRecord",
                models.ComAtprotoRepoGetRecord.Params(
                    repo=did, collection="app.bsky.actor.profile", rkey="self"
                ),
            )
        except RequestErrorBase as error:
            if errors.status_of(error) in (400, 404):
                return {}
            raise
        value = record.get("value") or {}
        profile: dict[str, Any] = {"displayName": value.get("displayName") or ""}
        avatar_cid = ((value.get("avatar") or {}).get("ref") or {}).get("$link")
        if avatar_cid:
            base = client._base_url.removesuffix("/xrpc")
            profile["avatar"] = f"{base}/xrpc/com.atproto.sync.getBlob?did={did}&cid={avatar_cid}"
        return profile

    def _query(self, client: Client, nsid: str, params: Any, *, appview: bool = False) -> dict[str, Any]:
        """A read as plain JSON: records of other people are not forced through the SDK's models."""
        headers = {}
        appview_target = str(self.config.get("appview") or "")
        if appview and appview_target.startswith("did:"):
            headers["atproto-proxy"] = appview_target
        response = client.invoke_query(nsid, params=params, headers=headers)
        content = response.content
        return content if isinstance(content, dict) else {}

    # Session -----------------------------------------------------------------------------------------

    @property
    def service(self) -> str:
        return str(self.config.get("service") or DEFAULT_SERVICE).rstrip("/")

    def _run[T](self, operation: Callable[[Client], T]) -> T:
        """Run an operation with a signed-in client; a stored session that was refused gets one fresh sign-in."""
        try:
            try:
                return operation(self._client())
            except AtProtocolError as error:
                if not (errors.is_auth_error(error) and self._session_is_stored and self._app_password()):
                    raise
                assert self._sdk is not None
                self._sign_in(self._sdk)
                return operation(self._sdk)
        except ConnectorError:
            raise
        except (AtProtocolError, httpx.HTTPError, BlockedAddress) as error:
            raise errors.to_connector_error(error) from error

    def _client(self) -> Client:
        if self._sdk is None:
            http.guard_url(self.service)
            client = Client(base_url=self.service, request=GuardedRequest())
            client.on_session_change(self._session_changed)
            if not self._import_session(client):
                self._sign_in(client)
            self._sdk = client  # only once signed in: a failed sign-in is tried again next time
        return self._sdk

    def _app_password(self) -> str:
        return str(self.credentials.get("app_password") or "")

    def _sign_in(self, client: Client) -> None:
        identifier = str(self.credentials.get("identifier") or "")
        if not identifier or not self._app_password():
            raise AuthExpired(_("The channel has no Bluesky handle and app password. Reconnect the channel."))
        self._session_is_stored = False
        client.login(identifier, self._app_password(), fetch_bsky_profile=False)

    def _import_session(self, client: Client) -> bool:
        """Reuse the stored session unless its refresh token has run out; the SDK refreshes the rest."""
        stored = self.credentials
        if not all(stored.get(key) for key in ("access_jwt", "refresh_jwt", "did")):
            return False
        try:
            expires = get_jwt_payload(stored["refresh_jwt"]).exp
            get_jwt_payload(stored["access_jwt"])
        except Exception:  # an unreadable token is as good as none
            return False
        if expires is not None and expires <= datetime.now(UTC).timestamp() + 60:
            return False
        session = Session(
            handle=str(stored.get("handle") or ""),
            did=str(stored["did"]),
            access_jwt=str(stored["access_jwt"]),
            refresh_jwt=str(stored["refresh_jwt"]),
            pds_endpoint=str(stored.get("pds") or self.service),
        )
        client.login(session_string=session.encode(), fetch_bsky_profile=False)
        self._session_is_stored = True
        return True

    def _session_changed(self, event: SessionEvent, session: Session) -> None:
        if event not in (SessionEvent.CREATE, SessionEvent.REFRESH):
            return
        self.credentials_changed(
            {
                **self.credentials,
                "access_jwt": session.access_jwt,
                "refresh_jwt": session.refresh_jwt,
                "did": session.did,
                "handle": session.handle,
                "pds": session.pds_endpoint or self.service,
            }
        )

    def _identity(self, client: Client) -> tuple[str, str]:
        session = client._session
        if session is None:
            raise AuthExpired()
        return str(session.did), str(session.handle or "")


# ---- helpers ---------------------------------------------------------------------------------------


def profile_name(did: str, handle: str) -> str:
    """What bsky.app links use: the handle, or the DID when the handle is missing or broken."""
    return handle if handle and handle != "handle.invalid" else did


def parse_at_uri(uri: str) -> tuple[str, str, str]:
    match = AT_URI.match(uri or "")
    if match is None:
        raise ConnectorError(_("%(id)s is not the address of a Bluesky post.") % {"id": uri}, permanent=True)
    return match["repo"], match["collection"], match["rkey"]


def parse_datetime(value: str) -> datetime | None:
    """An AT Protocol datetime (ISO 8601, any fraction) in UTC; naive ones are taken as UTC."""
    try:
        moment = datetime.fromisoformat(ISO_FRACTION.sub(r"\1", value.strip()))
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def aspect_ratio(content: bytes) -> Any:
    """Width and height of an image, so the apps reserve the right space; None if Pillow can't read it."""
    try:
        with Image.open(io.BytesIO(content)) as image:
            width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    if width < 1 or height < 1:
        return None
    return models.AppBskyEmbedDefs.AspectRatio(width=width, height=height)


def inbound_item(notification: dict[str, Any]) -> InboundItem | None:
    """A reply, mention or quote notification as an inbox item; None for the other reasons."""
    kind = INBOX_REASONS.get(str(notification.get("reason") or ""))
    if kind is None:
        return None
    uri = str(notification.get("uri") or "")
    record = notification.get("record") or {}
    author = notification.get("author") or {}
    reply = record.get("reply") or {}
    parent = str((reply.get("parent") or {}).get("uri") or "")
    root = str((reply.get("root") or {}).get("uri") or "") or uri
    if kind is InboundKind.QUOTE:
        quoted = ((record.get("embed") or {}).get("record") or {}).get("uri")
        parent = str(notification.get("reasonSubject") or quoted or parent)
    indexed_at = parse_datetime(str(notification.get("indexedAt") or ""))
    created_at = parse_datetime(str(record.get("createdAt") or "")) or indexed_at
    if created_at is None:
        return None
    handle = str(author.get("handle") or "")
    did = str(author.get("did") or "")
    match = AT_URI.match(uri)
    rkey = match["rkey"] if match else ""
    langs = record.get("langs") or []
    return InboundItem(
        external_id=uri,
        kind=kind,
        author_id=did,
        author_handle=handle,
        author_name=str(author.get("displayName") or ""),
        text=str(record.get("text") or ""),
        created_at=created_at,
        url=f"https://bsky.app/profile/{profile_name(did, handle)}/post/{rkey}" if rkey else "",
        in_reply_to=parent,
        thread_root=root,
        language=str(langs[0]) if langs else "",
        raw=notification,
    )
