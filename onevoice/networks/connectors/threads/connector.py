"""Threads: text and image posts (single or carousel) through the Threads API, replies, hiding, insights.

Follows developers.facebook.com/docs/threads (posts, reply-management, insights, long-lived-tokens):
a container (`POST /{user}/threads`, media_type TEXT/IMAGE/CAROUSEL, `alt_text` on images), its `status`
polled until FINISHED, then `POST /{user}/threads_publish`. Long-lived tokens last 60 days and are
renewed (grant_type=th_refresh_token) a week before they run out. The container id is saved before
publishing, so a retry reuses it (as for Instagram).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from django.utils.translation import gettext as _

from onevoice.networks.connectors.base import (
    AccountInfo,
    Capability,
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
from onevoice.networks.connectors.meta.containers import ContainerConnector
from onevoice.networks.connectors.meta.graph import error_for, graph_time
from onevoice.networks.connectors.rest import RestApi
from onevoice.networks.oauth import AccountChoice, OAuthProvider, TokenSet, expires_within
from onevoice.networks.text import URL_PATTERN

API = "https://graph.threads.net"
VERSION = "v1.0"
SCOPES = (
    "threads_basic",
    "threads_content_publish",
    "threads_read_replies",
    "threads_manage_replies",
    "threads_manage_insights",
)
PROVIDER = OAuthProvider(
    network="threads",
    label="Threads",
    authorize_endpoint="https://threads.net/oauth/authorize",
    exchange_endpoint=API + "/oauth/access_token",
    scopes=SCOPES,
    scope_separator=",",
    developer_portal="https://developers.facebook.com/apps/",
)
REPLY_FIELDS = "id,text,username,permalink,timestamp,replied_to{id},root_post{id},is_reply_owned_by_me"


class ThreadsConnector(ContainerConnector):
    kind = "threads"
    label = "Threads"
    oauth_provider = PROVIDER
    capabilities = frozenset(
        {
            Capability.PUBLISH,
            Capability.DELETE,
            Capability.INBOX,
            Capability.REPLY,
            Capability.METRICS,
            Capability.HIDE,
        }
    )
    text_counting = TextCounting.GRAPHEMES
    max_text_length = 500
    max_links: ClassVar[int] = 5
    max_images = 20
    max_image_bytes = 8_000_000
    image_mime_types = frozenset({"image/jpeg", "image/png"})
    max_alt_text_length = 1000
    # Long-lived tokens are renewed when less than a week is left (they must be at least a day old).
    refresh_margin_seconds: ClassVar[int] = 7 * 86400
    containers_credential = "threads_containers"
    publish_edge = "threads_publish"
    home_url = "https://www.threads.net/"

    @property
    def user(self) -> str:
        return str(self.config.get("threads_user_id") or "me")

    @property
    def owner(self) -> str:
        return self.user

    def _api(self) -> RestApi:
        return RestApi(
            label="Threads",
            base_url=f"{API}/{VERSION}",
            error_for=error_for("Threads"),
            headers={"Authorization": f"Bearer {self.token()}"},
        )

    # ---- tokens ------------------------------------------------------------------------------------

    def can_refresh(self) -> bool:
        # Threads renews the long-lived token itself, with no refresh token and no client secret.
        return bool(self.credentials.get("access_token")) and not expires_within(self.credentials, 0)

    def refreshed_credentials(self) -> dict[str, Any]:
        api = RestApi(label="Threads", base_url=API, error_for=error_for("Threads"))
        body = api.json(
            "GET",
            "/refresh_access_token",
            params={"grant_type": "th_refresh_token", "access_token": str(self.credentials["access_token"])},
        )
        return {
            "access_token": str(body["access_token"]),
            "expires_at": int(time.time()) + int(body.get("expires_in") or 5184000),
        }

    # ---- limits ------------------------------------------------------------------------------------

    def check(self, request: PublishRequest, *, require_alt_text: bool = False) -> list[LimitViolation]:
        problems = super().check(request, require_alt_text=require_alt_text)
        links = len(URL_PATTERN.findall(request.text))
        if links > self.max_links:
            problems.append(
                LimitViolation(
                    "too_many_links",
                    _("The text has %(count)s links; Threads allows at most %(max)s.")
                    % {"count": links, "max": self.max_links},
                )
            )
        return problems

    def verify(self) -> AccountInfo:
        body = self._api().json(
            "GET", f"/{self.user}", params={"fields": "id,username,name,threads_profile_picture_url"}
        )
        username = str(body.get("username") or "")
        return AccountInfo(
            external_id=str(body.get("id") or ""),
            handle=username,
            display_name=str(body.get("name") or username),
            avatar_url=str(body.get("threads_profile_picture_url") or ""),
            profile_url=f"https://www.threads.net/@{username}",
        )

    # ---- publishing --------------------------------------------------------------------------------

    def _create_container(self, api: RestApi, request: PublishRequest) -> str:
        extra: dict[str, str] = {}
        if request.in_reply_to:
            extra["reply_to_id"] = request.in_reply_to
        text = request.text
        if request.link and request.link not in text:
            text = f"{text.rstrip()}\n{request.link}".strip()

        def image(item: MediaItem, **fields: str) -> str:
            data = {"media_type": "IMAGE", "image_url": self.media_url(item), **fields}
            if item.alt_text:
                data["alt_text"] = item.alt_text
            return str(api.json("POST", f"/{self.user}/threads", data=data)["id"])

        if not request.media:
            body = api.json(
                "POST", f"/{self.user}/threads", data={"media_type": "TEXT", "text": text, **extra}
            )
            return str(body["id"])
        if len(request.media) == 1:
            return image(request.media[0], text=text, **extra)
        children = [image(item, is_carousel_item="true") for item in request.media]
        body = api.json(
            "POST",
            f"/{self.user}/threads",
            data={"media_type": "CAROUSEL", "children": ",".join(children), "text": text, **extra},
        )
        return str(body["id"])

    def _status(self, api: RestApi, container: str) -> tuple[str, str]:
        body = api.json("GET", f"/{container}", params={"fields": "status,error_message"})
        return str(body.get("status") or ""), str(body.get("error_message") or "")

    def _check_publishing_limit(self, api: RestApi) -> None:
        limit = api.json(
            "GET", f"/{self.user}/threads_publishing_limit", params={"fields": "quota_usage,config"}
        )
        data = (limit.get("data") or [{}])[0]
        allowed = int((data.get("config") or {}).get("quota_total") or 250)
        if int(data.get("quota_usage") or 0) >= allowed:
            raise RateLimited(
                _("The Threads profile has used its %(max)s posts of the last 24 hours.") % {"max": allowed},
                retry_after=datetime.now(UTC) + timedelta(hours=1),
            )

    def _published_but_not_found(self) -> str:
        return _("Threads says the post was published, but OneVoice cannot find it yet.")

    def _refused(self, reason: str) -> str:
        return _("Threads could not take the post (%(reason)s).") % {"reason": reason}

    def _still_processing(self) -> str:
        return _("Threads is still processing the post. OneVoice will try again shortly.")

    def _recent(self, api: RestApi, limit: int = 10) -> list[dict[str, Any]]:
        body = api.json(
            "GET",
            f"/{self.user}/threads",
            params={"fields": "id,text,timestamp,permalink", "limit": str(limit)},
        )
        return [m for m in body.get("data") or [] if isinstance(m, dict)]

    def find_published(
        self,
        *,
        idempotency_key: str,
        request: PublishRequest | None = None,
        not_before: datetime | None = None,
    ) -> PublishResult | None:
        if request is None:
            return None
        earliest = not_before or datetime.now(UTC) - self.find_published_window
        for post in self._recent(self._api(), limit=25):
            created = graph_time(post.get("timestamp"))
            if created >= earliest and str(post.get("text") or "").strip() == request.text.strip():
                return PublishResult(str(post["id"]), str(post.get("permalink") or ""), created)
        return None

    def delete(self, external_id: str) -> None:
        self._api().call("DELETE", f"/{external_id}")

    # ---- replies -----------------------------------------------------------------------------------

    def fetch_inbox(self, *, since: str = "") -> InboxPage:
        """Replies to the profile's recent posts (GET /{post}/conversation), newer than `since`."""
        api = self._api()
        after = graph_time(since) if since else datetime(1970, 1, 1, tzinfo=UTC)
        newest = after
        items: list[InboundItem] = []
        for post in self._recent(api):
            body = api.json("GET", f"/{post['id']}/conversation", params={"fields": REPLY_FIELDS})
            for reply in body.get("data") or []:
                created = graph_time(reply.get("timestamp"))
                if created <= after or reply.get("is_reply_owned_by_me"):
                    continue
                newest = max(newest, created)
                items.append(
                    InboundItem(
                        external_id=str(reply["id"]),
                        kind=InboundKind.REPLY,
                        author_id=str(reply.get("username") or ""),
                        author_handle=str(reply.get("username") or ""),
                        text=str(reply.get("text") or ""),
                        created_at=created,
                        url=str(reply.get("permalink") or ""),
                        in_reply_to=str((reply.get("replied_to") or {}).get("id") or post["id"]),
                        thread_root=str((reply.get("root_post") or {}).get("id") or post["id"]),
                        raw=reply,
                    )
                )
        return InboxPage(items=items, cursor=newest.isoformat() if newest > after else since)

    def reply(self, *, to_external_id: str, request: PublishRequest, idempotency_key: str) -> PublishResult:
        from dataclasses import replace

        return self.publish(replace(request, in_reply_to=to_external_id), idempotency_key=idempotency_key)

    def hide(self, external_id: str) -> None:
        """Hide a reply to one of the profile's posts (POST /{reply}/manage_reply hide=true)."""
        self._api().call("POST", f"/{external_id}/manage_reply", data={"hide": "true"})

    # ---- insights ----------------------------------------------------------------------------------

    def fetch_channel_metrics(self) -> list[MetricSample]:
        """Followers of the profile (GET /{user}/threads_insights?metric=followers_count)."""
        body = self._api().json("GET", f"/{self.user}/threads_insights", params={"metric": "followers_count"})
        for metric in body.get("data") or []:
            value = (metric.get("total_value") or {}).get("value")
            if metric.get("name") == "followers_count" and isinstance(value, int):
                return [
                    MetricSample(
                        str(self.config.get("threads_user_id") or ""), "followers", value, datetime.now(UTC)
                    )
                ]
        return []

    def fetch_metrics(self, external_ids: Sequence[str]) -> list[MetricSample]:
        api = self._api()
        measured_at = datetime.now(UTC)
        names = {
            "views": "impressions",
            "likes": "likes",
            "replies": "replies",
            "reposts": "reposts",
            "quotes": "quotes",
        }
        samples: list[MetricSample] = []
        for external_id in external_ids:
            body = api.json("GET", f"/{external_id}/insights", params={"metric": ",".join(names)})
            for metric in body.get("data") or []:
                values = metric.get("values") or [{}]
                value = values[0].get("value") if values else None
                if metric.get("name") in names and isinstance(value, int):
                    samples.append(MetricSample(external_id, names[metric["name"]], value, measured_at))
        return samples


# ---- connecting ------------------------------------------------------------------------------------------


def provider_for(kind: str) -> OAuthProvider:
    return PROVIDER


def accounts(
    token: TokenSet, *, client_id: str, client_secret: str, api_version: str, kind: str
) -> list[AccountChoice]:
    """Trade the one-hour token for a 60-day one (grant_type=th_exchange_token), then read the profile."""
    api = RestApi(label="Threads", base_url=API, error_for=error_for("Threads"))
    long_lived = api.json(
        "GET",
        "/access_token",
        params={
            "grant_type": "th_exchange_token",
            "client_secret": client_secret,
            "access_token": token.access_token,
        },
    )
    access = str(long_lived.get("access_token") or token.access_token)
    me = api.json(
        "GET",
        f"/{VERSION}/me",
        params={"fields": "id,username,name,threads_profile_picture_url"},
        headers={"Authorization": f"Bearer {access}"},
    )
    username = str(me.get("username") or me.get("id") or "")
    return [
        AccountChoice(
            external_id=str(me.get("id") or ""),
            handle=username,
            display_name=str(me.get("name") or username),
            kind="profile",
            credentials={
                "access_token": access,
                "expires_at": int(time.time()) + int(long_lived.get("expires_in") or 5184000),
            },
            config={"threads_user_id": str(me.get("id") or "")},
            avatar_url=str(me.get("threads_profile_picture_url") or ""),
            profile_url=f"https://www.threads.net/@{username}",
        )
    ]


MODULE = sys.modules[__name__]
