"""Facebook Pages: posts with text, a link or images through the Graph API, comments, likes and hiding.

Requests follow developers.facebook.com/docs/pages-api (posts, comments) and graph-api/reference
(page/feed, page/photos, comment). The Page token does not expire while the person who connected keeps
their role and the app its permissions; a 190 error means "connect again".
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar

from django.utils.translation import gettext as _

from onevoice.networks.connectors.base import (
    AccountInfo,
    Capability,
    ConnectorError,
    InboundItem,
    InboundKind,
    InboxPage,
    MetricSample,
    PublishRequest,
    PublishResult,
    TextCounting,
)
from onevoice.networks.connectors.meta import login
from onevoice.networks.connectors.meta.graph import (
    DEFAULT_VERSION,
    GRAPH,
    error_for,
    graph_time,
    version_sunset,
)
from onevoice.networks.connectors.rest import RestApi
from onevoice.networks.oauth import AccountChoice, OAuthConnector, OAuthProvider, TokenSet

PROVIDER = login.provider("facebook", "Facebook", login.FACEBOOK_SCOPES)
COMMENT_FIELDS = "id,from{id,name},message,created_time,permalink_url,parent{id}"


class FacebookConnector(OAuthConnector):
    kind = "facebook"
    label = "Facebook"
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
    text_counting = TextCounting.GRAPHEMES
    max_text_length = 63206
    max_images = 10
    max_image_bytes = 4_000_000  # Page photos: 4 MB is the documented maximum
    image_mime_types = frozenset({"image/jpeg", "image/png", "image/gif"})
    max_alt_text_length = 1000
    default_api_version = DEFAULT_VERSION
    find_published_window: ClassVar[timedelta] = timedelta(hours=2)

    @classmethod
    def api_version_sunset(cls, version: str) -> date | None:
        return version_sunset(version)

    @property
    def page_id(self) -> str:
        return str(self.config.get("page_id") or "")

    def _api(self) -> RestApi:
        return RestApi(
            label="Facebook",
            base_url=f"{GRAPH}/{self.api_version}",
            error_for=error_for("Facebook"),
            headers={"Authorization": f"Bearer {self.token()}"},
        )

    def verify(self) -> AccountInfo:
        body = self._api().json(
            "GET", f"/{self.page_id}", params={"fields": "id,name,username,link,picture{url}"}
        )
        page_id = str(body.get("id") or self.page_id)
        return AccountInfo(
            external_id=page_id,
            handle=str(body.get("username") or page_id),
            display_name=str(body.get("name") or ""),
            avatar_url=str(((body.get("picture") or {}).get("data") or {}).get("url") or ""),
            profile_url=str(body.get("link") or f"https://www.facebook.com/{page_id}"),
        )

    # ---- publishing --------------------------------------------------------------------------------

    def publish(self, request: PublishRequest, *, idempotency_key: str) -> PublishResult:
        """Text and link: POST /{page}/feed. Images: each uploaded unpublished to /{page}/photos, then
        attached to one feed post (attached_media), so several images make one post.

        The Graph API keeps no idempotency key: after an unknown outcome `find_published` looks for the text.
        """
        api = self._api()
        data: dict[str, str] = {"message": request.text}
        if request.media:
            for position, item in enumerate(request.media):
                photo_fields = {"published": "false"}
                if item.alt_text:
                    photo_fields["alt_text_custom"] = item.alt_text
                photo = api.json(
                    "POST",
                    f"/{self.page_id}/photos",
                    data=photo_fields,
                    files={"source": (item.filename, item.content, item.mime_type)},
                )
                data[f"attached_media[{position}]"] = json.dumps({"media_fbid": str(photo["id"])})
        elif request.link:
            data["link"] = request.link
        body = api.json("POST", f"/{self.page_id}/feed", data=data, sending=True)
        post_id = str(body.get("id") or "")
        if not post_id:
            raise ConnectorError(_("Facebook accepted the post but did not say its id."), permanent=False)
        return PublishResult(
            external_id=post_id, url=f"https://www.facebook.com/{post_id}", published_at=datetime.now(UTC)
        )

    def _recent_posts(self, api: RestApi, limit: int = 10) -> list[dict[str, Any]]:
        body = api.json(
            "GET",
            f"/{self.page_id}/published_posts",
            params={"fields": "id,message,created_time,permalink_url", "limit": str(limit)},
        )
        return [p for p in body.get("data") or [] if isinstance(p, dict)]

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
        for post in self._recent_posts(self._api(), limit=25):
            created = graph_time(post.get("created_time"))
            if created >= earliest and str(post.get("message") or "").strip() == request.text.strip():
                post_id = str(post["id"])
                return PublishResult(
                    external_id=post_id,
                    url=str(post.get("permalink_url") or f"https://www.facebook.com/{post_id}"),
                    published_at=created,
                )
        return None

    def delete(self, external_id: str) -> None:
        self._api().call("DELETE", f"/{external_id}")

    # ---- comments ----------------------------------------------------------------------------------

    def fetch_inbox(self, *, since: str = "") -> InboxPage:
        """Comments of others on the Page's recent posts (GET /{post}/comments?filter=stream), newer than `since`."""
        api = self._api()
        after = graph_time(since) if since else datetime(1970, 1, 1, tzinfo=UTC)
        newest = after
        items: list[InboundItem] = []
        for post in self._recent_posts(api):
            body = api.json(
                "GET",
                f"/{post['id']}/comments",
                params={"fields": COMMENT_FIELDS, "filter": "stream", "order": "reverse_chronological"},
            )
            for comment in body.get("data") or []:
                author = comment.get("from") or {}
                created = graph_time(comment.get("created_time"))
                if created <= after or str(author.get("id") or "") == self.page_id:
                    continue
                newest = max(newest, created)
                parent = str((comment.get("parent") or {}).get("id") or "")
                items.append(
                    InboundItem(
                        external_id=str(comment["id"]),
                        kind=InboundKind.REPLY,
                        author_id=str(author.get("id") or ""),
                        author_handle=str(author.get("name") or author.get("id") or ""),
                        author_name=str(author.get("name") or ""),
                        text=str(comment.get("message") or ""),
                        created_at=created,
                        url=str(comment.get("permalink_url") or ""),
                        in_reply_to=parent or str(post["id"]),
                        thread_root=str(post["id"]),
                        raw=comment,
                    )
                )
        return InboxPage(items=items, cursor=newest.isoformat() if newest > after else since)

    def reply(self, *, to_external_id: str, request: PublishRequest, idempotency_key: str) -> PublishResult:
        """Comment as the Page on a post or a comment (POST /{object}/comments)."""
        body = self._api().json(
            "POST", f"/{to_external_id}/comments", data={"message": request.text}, sending=True
        )
        comment_id = str(body.get("id") or "")
        return PublishResult(external_id=comment_id, url=f"https://www.facebook.com/{comment_id}")

    def like(self, external_id: str) -> None:
        self._api().call("POST", f"/{external_id}/likes")

    def hide(self, external_id: str) -> None:
        """Hide a comment from everyone but its author and their friends (POST /{comment} is_hidden=true)."""
        self._api().call("POST", f"/{external_id}", data={"is_hidden": "true"})

    # ---- metrics -----------------------------------------------------------------------------------

    def fetch_channel_metrics(self) -> list[MetricSample]:
        """Followers of the Page (followers_count; fan_count counts its likes)."""
        body = self._api().json("GET", f"/{self.page_id}", params={"fields": "followers_count,fan_count"})
        value = body.get("followers_count", body.get("fan_count"))
        if not isinstance(value, int):
            return []
        return [MetricSample(self.page_id, "followers", value, datetime.now(UTC))]

    def fetch_metrics(self, external_ids: Sequence[str]) -> list[MetricSample]:
        """Reactions, comments and shares per post, from the post's summary fields (no Insights permission)."""
        api = self._api()
        measured_at = datetime.now(UTC)
        samples: list[MetricSample] = []
        fields = "shares,comments.summary(true).limit(0),reactions.summary(true).limit(0)"
        for external_id in external_ids:
            body = api.json("GET", f"/{external_id}", params={"fields": fields})
            values = {
                "likes": ((body.get("reactions") or {}).get("summary") or {}).get("total_count"),
                "replies": ((body.get("comments") or {}).get("summary") or {}).get("total_count"),
                "reposts": (body.get("shares") or {}).get("count", 0),
            }
            samples.extend(
                MetricSample(external_id, name, int(value), measured_at)
                for name, value in values.items()
                if isinstance(value, int)
            )
        return samples


# ---- connecting ------------------------------------------------------------------------------------------


def provider_for(kind: str) -> OAuthProvider:
    return PROVIDER


def accounts(
    token: TokenSet, *, client_id: str, client_secret: str, api_version: str, kind: str
) -> list[AccountChoice]:
    return login.facebook_accounts(
        token, client_id=client_id, client_secret=client_secret, api_version=api_version
    )


MODULE = sys.modules[__name__]
