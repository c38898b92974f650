"""X: posts with up to four images (alt text), mentions, replies, likes, hidden replies, public metrics.

Follows docs.x.com (x-api/posts/creation-of-a-post, x-api/media/media-upload, x-api/media/metadata-create,
x-api/posts/mentions, x-api/fundamentals/rate-limits, fundamentals/authentication/oauth-2-0). The X API
is billed per use to the app's owner: the channel page says so before anything is published.
Access tokens live two hours; the refresh token (offline.access) renews them and is rotated each time.
"""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import httpx
import regex
from django.utils.translation import gettext as _

from onevoice.networks.connectors.base import (
    AccountInfo,
    AuthExpired,
    Capability,
    ConnectorError,
    InboundItem,
    InboundKind,
    InboxPage,
    MediaItem,
    MetricSample,
    PublishRequest,
    PublishResult,
    RateLimited,
    TextCounting,
)
from onevoice.networks.connectors.rest import RestApi, body_of, generic_error, retry_after, server_text
from onevoice.networks.oauth import AccountChoice, OAuthConnector, OAuthProvider, TokenSet
from onevoice.networks.text import URL_PATTERN

API = "https://api.x.com"
SCOPES = ("tweet.read", "tweet.write", "users.read", "offline.access", "media.write", "like.write")
PROVIDER = OAuthProvider(
    network="x",
    label="X",
    authorize_endpoint="https://x.com/i/oauth2/authorize",
    exchange_endpoint=API + "/2/oauth2/token",
    scopes=SCOPES,
    pkce=True,
    client_auth="basic",
    developer_portal="https://developer.x.com/en/portal/dashboard",
)
# twitter-text v3: these code point ranges weigh 1, everything else 2; an emoji weighs 2; URLs 23.
LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
EMOJI = regex.compile(r"\p{Extended_Pictographic}|\p{Regional_Indicator}")
GRAPHEME = regex.compile(r"\X")
URL_WEIGHT = 23
TWEET_FIELDS = "created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets,lang"


def weighted_length(text: str) -> int:
    """How X counts a post: weighted code points (CJK and most symbols 2), emoji 2, every URL 23."""
    text = unicodedata.normalize("NFC", text)
    total = 0
    position = 0
    for match in (*URL_PATTERN.finditer(text), None):
        end = match.start() if match else len(text)
        for cluster in GRAPHEME.findall(text[position:end]):
            if EMOJI.search(cluster):
                total += 2
                continue
            for char in cluster:
                point = ord(char)
                total += 1 if any(low <= point <= high for low, high in LIGHT_RANGES) else 2
        if match:
            total += URL_WEIGHT
            position = match.end()
    return total


def error_for(response: httpx.Response, sending: bool) -> ConnectorError:
    """X's problem details: {"title", "detail", "type", "status"} or {"errors": [{"message"}]}."""
    body = body_of(response)
    errors = body.get("errors") or []
    message = str(
        body.get("detail")
        or (errors[0].get("message") if errors and isinstance(errors[0], dict) else "")
        or body.get("title")
        or ""
    )
    status = response.status_code
    if status == 401:
        return AuthExpired(_("X no longer accepts OneVoice's access. Connect the channel again."))
    if status == 429:
        return RateLimited(
            _("X asks OneVoice to wait (rate limit). It will try again by itself."),
            retry_after=retry_after(response.headers, reset_header="x-rate-limit-reset"),
        )
    if status == 402:
        return ConnectorError(
            _(
                "X refused because the app's pay-per-use credits are used up (%(reason)s). Top them up in "
                "the X developer portal."
            )
            % {"reason": server_text(message) or status},
            permanent=True,
            status=status,
        )
    return generic_error("X", response, message, sending=sending)


class XConnector(OAuthConnector):
    kind = "x"
    label = "X"
    oauth_provider = PROVIDER
    capabilities = frozenset(
        {
            Capability.PUBLISH,
            Capability.DELETE,
            Capability.INBOX,
            Capability.REPLY,
            Capability.METRICS,
            Capability.LIKE,
            Capability.HIDE,
        }
    )
    # The composer's live counter approximates with URLs as 23; the check uses X's weighted count.
    text_counting = TextCounting.CHARACTERS_URL_FIXED
    url_length = URL_WEIGHT
    max_text_length = 280
    max_images = 4
    max_image_bytes = 5_000_000
    image_mime_types = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
    max_alt_text_length = 1000
    # Shown on the channel page before publishing.
    pay_per_use: ClassVar[bool] = True
    find_published_window: ClassVar[timedelta] = timedelta(hours=2)

    def text_length(self, text: str) -> int:
        return weighted_length(text)

    @property
    def user_id(self) -> str:
        return str(self.config.get("user_id") or "")

    def _api(self) -> RestApi:
        return RestApi(
            label="X", base_url=API, error_for=error_for, headers={"Authorization": f"Bearer {self.token()}"}
        )

    def verify(self) -> AccountInfo:
        data = (
            self._api().json("GET", "/2/users/me", params={"user.fields": "profile_image_url"}).get("data")
            or {}
        )
        username = str(data.get("username") or "")
        return AccountInfo(
            external_id=str(data.get("id") or ""),
            handle=username,
            display_name=str(data.get("name") or username),
            avatar_url=str(data.get("profile_image_url") or ""),
            profile_url=f"https://x.com/{username}",
        )

    # ---- publishing --------------------------------------------------------------------------------

    def _upload(self, api: RestApi, item: MediaItem) -> str:
        body = api.json(
            "POST",
            "/2/media/upload",
            data={"media_category": "tweet_image", "media_type": item.mime_type},
            files={"media": (item.filename, item.content, item.mime_type)},
        )
        media_id = str((body.get("data") or {}).get("id") or "")
        if not media_id:
            raise ConnectorError(_("X did not accept the image upload."), permanent=False)
        if item.alt_text:
            api.call(
                "POST",
                "/2/media/metadata",
                json={"id": media_id, "metadata": {"alt_text": {"text": item.alt_text}}},
            )
        return media_id

    def _url(self, post_id: str) -> str:
        handle = str(self.config.get("username") or "i/web")
        return f"https://x.com/{handle}/status/{post_id}"

    @staticmethod
    def _text(request: PublishRequest) -> str:
        if request.link and request.link not in request.text:
            return f"{request.text.rstrip()}\n{request.link}".strip()
        return request.text

    def publish(self, request: PublishRequest, *, idempotency_key: str) -> PublishResult:
        """Upload the images (with alt text), then POST /2/tweets. X keeps no idempotency key: after an
        unknown outcome `find_published` looks for the text among the account's recent posts."""
        api = self._api()
        payload: dict[str, Any] = {"text": self._text(request)}
        media_ids = [self._upload(api, item) for item in request.media]
        if media_ids:
            payload["media"] = {"media_ids": media_ids}
        if request.in_reply_to:
            payload["reply"] = {"in_reply_to_tweet_id": request.in_reply_to}
        data = api.json("POST", "/2/tweets", json=payload, sending=True).get("data") or {}
        post_id = str(data.get("id") or "")
        if not post_id:
            raise ConnectorError(_("X accepted the post but did not say its id."), permanent=False)
        return PublishResult(external_id=post_id, url=self._url(post_id), published_at=datetime.now(UTC))

    def find_published(
        self,
        *,
        idempotency_key: str,
        request: PublishRequest | None = None,
        not_before: datetime | None = None,
    ) -> PublishResult | None:
        if request is None:
            return None
        body = self._api().json(
            "GET",
            f"/2/users/{self.user_id}/tweets",
            params={"max_results": "10", "tweet.fields": "created_at"},
        )
        # X replaces links with t.co addresses: compare the text without them.
        wanted = " ".join(URL_PATTERN.sub("", self._text(request)).split())
        earliest = not_before or datetime.now(UTC) - self.find_published_window
        for post in body.get("data") or []:
            created = _x_time(post.get("created_at"))
            if (
                created >= earliest
                and " ".join(URL_PATTERN.sub("", str(post.get("text") or "")).split()) == wanted
            ):
                return PublishResult(str(post["id"]), self._url(str(post["id"])), created)
        return None

    def delete(self, external_id: str) -> None:
        self._api().call("DELETE", f"/2/tweets/{external_id}")

    # ---- community ---------------------------------------------------------------------------------

    def fetch_inbox(self, *, since: str = "") -> InboxPage:
        """Mentions of the account (GET /2/users/:id/mentions), after the post id `since`."""
        params = {
            "tweet.fields": TWEET_FIELDS,
            "expansions": "author_id",
            "user.fields": "username,name",
            "max_results": "50",
        }
        if since:
            params["since_id"] = since
        body = self._api().json("GET", f"/2/users/{self.user_id}/mentions", params=params)
        users = {u["id"]: u for u in (body.get("includes") or {}).get("users") or [] if isinstance(u, dict)}
        items = []
        for post in body.get("data") or []:
            author = users.get(post.get("author_id"), {})
            replied = next(
                (r["id"] for r in post.get("referenced_tweets") or [] if r.get("type") == "replied_to"), ""
            )
            quoted = any(r.get("type") == "quoted" for r in post.get("referenced_tweets") or [])
            kind = InboundKind.REPLY if replied else InboundKind.QUOTE if quoted else InboundKind.MENTION
            username = str(author.get("username") or "")
            items.append(
                InboundItem(
                    external_id=str(post["id"]),
                    kind=kind,
                    author_id=str(post.get("author_id") or ""),
                    author_handle=username,
                    author_name=str(author.get("name") or ""),
                    text=str(post.get("text") or ""),
                    created_at=_x_time(post.get("created_at")),
                    url=f"https://x.com/{username or 'i/web'}/status/{post['id']}",
                    in_reply_to=str(replied),
                    thread_root=str(post.get("conversation_id") or ""),
                    language=str(post.get("lang") or ""),
                    raw=post,
                )
            )
        newest = str((body.get("meta") or {}).get("newest_id") or since)
        return InboxPage(items=items, cursor=newest)

    def reply(self, *, to_external_id: str, request: PublishRequest, idempotency_key: str) -> PublishResult:
        from dataclasses import replace

        return self.publish(replace(request, in_reply_to=to_external_id), idempotency_key=idempotency_key)

    def like(self, external_id: str) -> None:
        self._api().call("POST", f"/2/users/{self.user_id}/likes", json={"tweet_id": external_id})

    def hide(self, external_id: str) -> None:
        """Hide a reply in a conversation the account started (PUT /2/tweets/:id/hidden)."""
        self._api().call("PUT", f"/2/tweets/{external_id}/hidden", json={"hidden": True})

    # ---- metrics -----------------------------------------------------------------------------------

    def fetch_metrics(self, external_ids: Sequence[str]) -> list[MetricSample]:
        if not external_ids:
            return []
        body = self._api().json(
            "GET", "/2/tweets", params={"ids": ",".join(external_ids[:100]), "tweet.fields": "public_metrics"}
        )
        names = {
            "like_count": "likes",
            "retweet_count": "reposts",
            "reply_count": "replies",
            "quote_count": "quotes",
            "impression_count": "impressions",
        }
        now = datetime.now(UTC)
        return [
            MetricSample(str(post["id"]), name, int(value), now)
            for post in body.get("data") or []
            for field, name in names.items()
            if isinstance(value := (post.get("public_metrics") or {}).get(field), int)
        ]

    def fetch_channel_metrics(self) -> list[MetricSample]:
        data = (
            self._api().json("GET", "/2/users/me", params={"user.fields": "public_metrics"}).get("data") or {}
        )
        metrics = data.get("public_metrics") or {}
        now = datetime.now(UTC)
        return [
            MetricSample(str(data.get("id") or self.user_id), name, int(metrics[field]), now)
            for field, name in (("followers_count", "followers"), ("tweet_count", "posts"))
            if isinstance(metrics.get(field), int)
        ]


def _x_time(value: object) -> datetime:
    if isinstance(value, str) and value:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    return datetime.now(UTC)


# ---- connecting ------------------------------------------------------------------------------------------


def provider_for(kind: str) -> OAuthProvider:
    return PROVIDER


def accounts(
    token: TokenSet, *, client_id: str, client_secret: str, api_version: str, kind: str
) -> list[AccountChoice]:
    api = RestApi(
        label="X",
        base_url=API,
        error_for=error_for,
        headers={"Authorization": f"Bearer {token.access_token}"},
    )
    data = api.json("GET", "/2/users/me", params={"user.fields": "profile_image_url"}).get("data") or {}
    username = str(data.get("username") or "")
    return [
        AccountChoice(
            external_id=str(data.get("id") or ""),
            handle=username,
            display_name=str(data.get("name") or username),
            kind="user",
            credentials={**token.credentials(), "client_id": client_id, "client_secret": client_secret},
            config={"user_id": str(data.get("id") or ""), "username": username},
            avatar_url=str(data.get("profile_image_url") or ""),
            profile_url=f"https://x.com/{username}",
        )
    ]


MODULE = sys.modules[__name__]
