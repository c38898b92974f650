"""Instagram professional accounts (through their Facebook Page): image and carousel posts, comments.

Publishing follows developers.facebook.com/docs/instagram-platform/content-publishing: a container per
image (`POST /{ig-user}/media` with `image_url`, `alt_text`), a CAROUSEL container for several, its
`status_code` polled until FINISHED, then `POST /{ig-user}/media_publish`. The account's publishing
limit is read first (`GET /{ig-user}/content_publishing_limit`).

Exactly once: the container id is saved (with the channel's encrypted credentials) before publishing,
so a retry reuses it instead of making a second post; a container already PUBLISHED, or a publish call
without an answer, is looked up among the account's recent media.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar

import regex
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
from onevoice.networks.connectors.meta import login
from onevoice.networks.connectors.meta.containers import ContainerConnector
from onevoice.networks.connectors.meta.graph import (
    DEFAULT_VERSION,
    GRAPH,
    error_for,
    graph_time,
    version_sunset,
)
from onevoice.networks.connectors.rest import RestApi
from onevoice.networks.oauth import AccountChoice, OAuthProvider, TokenSet

PROVIDER = login.provider("instagram", "Instagram", login.INSTAGRAM_SCOPES)
HASHTAG = regex.compile(r"(?<![\w#])#\w+")
MIN_ASPECT, MAX_ASPECT = 4 / 5, 1.91
COMMENT_FIELDS = "id,text,timestamp,username,from{id,username},parent_id"


class InstagramConnector(ContainerConnector):
    kind = "instagram"
    label = "Instagram"
    oauth_provider = PROVIDER
    capabilities = frozenset(
        {Capability.PUBLISH, Capability.INBOX, Capability.REPLY, Capability.METRICS, Capability.HIDE}
    )
    text_counting = TextCounting.GRAPHEMES
    max_text_length = 2200
    max_hashtags: ClassVar[int] = 30
    max_images = 10
    max_image_bytes = 8_000_000
    image_mime_types = frozenset({"image/jpeg"})
    max_alt_text_length = 1000
    default_api_version = DEFAULT_VERSION
    # Waits between looks at a container Instagram is still fetching and checking: about a minute in all.
    container_wait_seconds: tuple[float, ...] = (2.0, 3.0, 5.0, 8.0, 13.0, 21.0)
    containers_credential = "ig_containers"
    publish_edge = "media_publish"
    home_url = "https://www.instagram.com/"

    @classmethod
    def api_version_sunset(cls, version: str) -> date | None:
        return version_sunset(version)

    @property
    def ig_user(self) -> str:
        return str(self.config.get("ig_user_id") or "")

    @property
    def owner(self) -> str:
        return self.ig_user

    def _api(self) -> RestApi:
        return RestApi(
            label="Instagram",
            base_url=f"{GRAPH}/{self.api_version}",
            error_for=error_for("Instagram"),
            headers={"Authorization": f"Bearer {self.token()}"},
        )

    # ---- limits ------------------------------------------------------------------------------------

    def check(self, request: PublishRequest, *, require_alt_text: bool = False) -> list[LimitViolation]:
        problems = super().check(request, require_alt_text=require_alt_text)
        if not request.media:
            problems.append(
                LimitViolation("image_required", _("Instagram posts need at least one image (JPEG)."))
            )
        hashtags = len(HASHTAG.findall(request.text))
        if hashtags > self.max_hashtags:
            problems.append(
                LimitViolation(
                    "too_many_hashtags",
                    _("The text has %(count)s hashtags; Instagram allows at most %(max)s.")
                    % {"count": hashtags, "max": self.max_hashtags},
                )
            )
        for position, item in enumerate(request.media, start=1):
            ratio = _aspect_ratio(item.content)
            if ratio is not None and not MIN_ASPECT - 0.005 <= ratio <= MAX_ASPECT + 0.005:
                problems.append(
                    LimitViolation(
                        "aspect_ratio",
                        _(
                            "Image %(n)s has an aspect ratio of %(ratio)s:1; Instagram takes images from 4:5 "
                            "(portrait) to 1.91:1 (landscape). Crop it first."
                        )
                        % {"n": position, "ratio": f"{ratio:.2f}"},
                    )
                )
        return problems

    def publishing_limit(self) -> tuple[int, int]:
        """(posts used, posts allowed) in the account's rolling 24 hours, as Instagram says now."""
        body = self._api().json(
            "GET", f"/{self.ig_user}/content_publishing_limit", params={"fields": "config,quota_usage"}
        )
        data = (body.get("data") or [{}])[0]
        total = int(((data.get("config") or {}).get("quota_total")) or 100)
        return int(data.get("quota_usage") or 0), total

    # ---- account -----------------------------------------------------------------------------------

    def verify(self) -> AccountInfo:
        body = self._api().json(
            "GET", f"/{self.ig_user}", params={"fields": "id,username,name,profile_picture_url"}
        )
        username = str(body.get("username") or self.ig_user)
        return AccountInfo(
            external_id=str(body.get("id") or self.ig_user),
            handle=username,
            display_name=str(body.get("name") or username),
            avatar_url=str(body.get("profile_picture_url") or ""),
            profile_url=f"https://www.instagram.com/{username}/",
        )

    # ---- publishing --------------------------------------------------------------------------------

    def _create_container(self, api: RestApi, request: PublishRequest) -> str:
        def image(item: MediaItem, **extra: str) -> str:
            data = {"image_url": self.media_url(item), **extra}
            if item.alt_text:
                data["alt_text"] = item.alt_text
            return str(api.json("POST", f"/{self.ig_user}/media", data=data)["id"])

        if len(request.media) == 1:
            return image(request.media[0], caption=request.text)
        children = [image(item, is_carousel_item="true") for item in request.media]
        body = api.json(
            "POST",
            f"/{self.ig_user}/media",
            data={"media_type": "CAROUSEL", "children": ",".join(children), "caption": request.text},
        )
        return str(body["id"])

    def _status(self, api: RestApi, container: str) -> tuple[str, str]:
        body = api.json("GET", f"/{container}", params={"fields": "status_code,status"})
        return str(body.get("status_code") or ""), str(body.get("status") or "")

    def _check_publishing_limit(self, api: RestApi) -> None:
        used, allowed = self.publishing_limit()
        if used >= allowed:
            raise RateLimited(
                _(
                    "The Instagram account has used its %(max)s posts of the last 24 hours. "
                    "OneVoice will try again later."
                )
                % {"max": allowed},
                retry_after=datetime.now(UTC) + timedelta(hours=1),
            )

    def _published_but_not_found(self) -> str:
        return _("Instagram says the post was published, but OneVoice cannot find it yet.")

    def _refused(self, reason: str) -> str:
        return _("Instagram could not take the images (%(reason)s). Check the images and try again.") % {
            "reason": reason
        }

    def _still_processing(self) -> str:
        return _("Instagram is still processing the images. OneVoice will try again shortly.")

    def _recent_media(self, api: RestApi, limit: int = 10) -> list[dict[str, Any]]:
        body = api.json(
            "GET",
            f"/{self.ig_user}/media",
            params={
                "fields": "id,caption,timestamp,permalink,like_count,comments_count",
                "limit": str(limit),
            },
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
        for media in self._recent_media(self._api(), limit=25):
            created = graph_time(media.get("timestamp"))
            if created >= earliest and str(media.get("caption") or "").strip() == request.text.strip():
                return PublishResult(
                    external_id=str(media["id"]), url=str(media.get("permalink") or ""), published_at=created
                )
        return None

    # ---- comments ----------------------------------------------------------------------------------

    def fetch_inbox(self, *, since: str = "") -> InboxPage:
        """Comments on the account's recent media (GET /{media}/comments), newer than `since`."""
        api = self._api()
        after = graph_time(since) if since else datetime(1970, 1, 1, tzinfo=UTC)
        newest = after
        items: list[InboundItem] = []
        for media in self._recent_media(api):
            if not media.get("comments_count"):
                continue
            body = api.json("GET", f"/{media['id']}/comments", params={"fields": COMMENT_FIELDS})
            for comment in body.get("data") or []:
                created = graph_time(comment.get("timestamp"))
                author = comment.get("from") or {}
                if created <= after or str(author.get("id") or "") == self.ig_user:
                    continue
                newest = max(newest, created)
                items.append(
                    InboundItem(
                        external_id=str(comment["id"]),
                        kind=InboundKind.REPLY,
                        author_id=str(author.get("id") or comment.get("username") or ""),
                        author_handle=str(comment.get("username") or author.get("username") or ""),
                        text=str(comment.get("text") or ""),
                        created_at=created,
                        url=str(media.get("permalink") or ""),
                        in_reply_to=str(comment.get("parent_id") or media["id"]),
                        thread_root=str(media["id"]),
                        raw=comment,
                    )
                )
        return InboxPage(items=items, cursor=newest.isoformat() if newest > after else since)

    def reply(self, *, to_external_id: str, request: PublishRequest, idempotency_key: str) -> PublishResult:
        """Answer a comment (POST /{comment}/replies)."""
        body = self._api().json(
            "POST", f"/{to_external_id}/replies", data={"message": request.text}, sending=True
        )
        return PublishResult(external_id=str(body.get("id") or ""), url="")

    def hide(self, external_id: str) -> None:
        """Hide a comment on the account's media (POST /{comment} hide=true)."""
        self._api().call("POST", f"/{external_id}", data={"hide": "true"})

    # ---- metrics -----------------------------------------------------------------------------------

    def fetch_metrics(self, external_ids: Sequence[str]) -> list[MetricSample]:
        api = self._api()
        measured_at = datetime.now(UTC)
        samples: list[MetricSample] = []
        for external_id in external_ids:
            body = api.json("GET", f"/{external_id}", params={"fields": "like_count,comments_count"})
            for name, field in (("likes", "like_count"), ("replies", "comments_count")):
                if isinstance(body.get(field), int):
                    samples.append(MetricSample(external_id, name, int(body[field]), measured_at))
        return samples

    def fetch_channel_metrics(self) -> list[MetricSample]:
        body = self._api().json("GET", f"/{self.ig_user}", params={"fields": "followers_count,media_count"})
        now = datetime.now(UTC)
        return [
            MetricSample(self.ig_user, name, int(body[field]), now)
            for name, field in (("followers", "followers_count"), ("posts", "media_count"))
            if isinstance(body.get(field), int)
        ]


def _aspect_ratio(content: bytes) -> float | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as image:
            width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    return width / height if height else None


# ---- connecting ------------------------------------------------------------------------------------------


def provider_for(kind: str) -> OAuthProvider:
    return PROVIDER


def accounts(
    token: TokenSet, *, client_id: str, client_secret: str, api_version: str, kind: str
) -> list[AccountChoice]:
    return login.instagram_accounts(
        token, client_id=client_id, client_secret=client_secret, api_version=api_version
    )


MODULE = sys.modules[__name__]
