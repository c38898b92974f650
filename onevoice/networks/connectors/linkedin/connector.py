"""LinkedIn: posts of an organisation page or a member through the versioned REST API (Posts, Images, Comments).

Requests follow learn.microsoft.com/linkedin/marketing (community-management/shares/posts-api, images-api,
comments-api, reactions-api): `https://api.linkedin.com/rest/...` with `Linkedin-Version: YYYYMM` and
`X-Restli-Protocol-Version: 2.0.0`. The version is pinned per app registration (default below) and the
channel page warns when it nears its sunset (LinkedIn supports each version for about a year).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import quote

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
from onevoice.networks.oauth import OAuthConnector, OAuthProvider

API = "https://api.linkedin.com"
DEFAULT_VERSION = "202610"
# LinkedIn keeps a version for (at least) twelve months after its release month.
VERSION_LIFETIME_MONTHS = 12
# "Little text": these characters must be escaped in commentary, or LinkedIn cuts the text there.
RESERVED = regex.compile(r"([\\|{}@\[\]()<>#*_~])")
HASHTAG = regex.compile(r"(?<![\w#])#(\w+)")

ORGANIZATION_SCOPES = (
    "r_organization_social",
    "w_organization_social",
    "rw_organization_admin",
)
MEMBER_SCOPES = ("openid", "profile", "w_member_social")

PROVIDER = OAuthProvider(
    network="linkedin",
    label="LinkedIn",
    authorize_endpoint="https://www.linkedin.com/oauth/v2/authorization",
    exchange_endpoint="https://www.linkedin.com/oauth/v2/accessToken",
    scopes=ORGANIZATION_SCOPES,
    pkce=False,  # the organisation flow; the member flow adds PKCE (see oauth.py in this package)
    default_api_version=DEFAULT_VERSION,
    developer_portal="https://www.linkedin.com/developers/apps",
    account_kinds=("organization", "member"),
)


def little_text(text: str) -> str:
    """The commentary as LinkedIn's little text: reserved characters escaped, #hashtags as hashtag templates."""
    parts: list[str] = []
    position = 0
    for match in HASHTAG.finditer(text):
        parts.append(RESERVED.sub(r"\\\1", text[position : match.start()]))
        parts.append("{hashtag|\\#|" + RESERVED.sub(r"\\\1", match.group(1)) + "}")
        position = match.end()
    parts.append(RESERVED.sub(r"\\\1", text[position:]))
    return "".join(parts)


def version_sunset(version: str) -> date | None:
    digits = version.split(".")[0]
    if len(digits) != 6 or not digits.isdigit():
        return None
    year, month = int(digits[:4]), int(digits[4:])
    if not 1 <= month <= 12:
        return None
    month += VERSION_LIFETIME_MONTHS
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return date(year, month, 15)


def error_for(response: httpx.Response, sending: bool) -> ConnectorError:
    """LinkedIn's error body: {"status": 401, "serviceErrorCode": 65600, "code": "INVALID_ACCESS_TOKEN", "message": …}."""
    body = body_of(response)
    message = str(body.get("message") or "")
    status = response.status_code
    if status == 401:
        return AuthExpired(_("LinkedIn no longer accepts OneVoice's access. Connect the channel again."))
    if status == 429:
        return RateLimited(
            _("LinkedIn asks OneVoice to wait (daily limit reached). It will try again by itself."),
            retry_after=retry_after(response.headers),
        )
    if status == 403:
        return ConnectorError(
            _(
                "LinkedIn does not allow this: %(reason)s. Check that the app has the Community Management API "
                "and that the person who connected is an administrator of the page."
            )
            % {"reason": server_text(message) or status},
            permanent=True,
            status=status,
        )
    if status == 426:
        return ConnectorError(
            _(
                "LinkedIn no longer answers API version %(version)s. Set a newer version under Channels → "
                "App registrations."
            )
            % {"version": response.request.headers.get("Linkedin-Version", "")},
            permanent=True,
            status=status,
        )
    return generic_error("LinkedIn", response, message, sending=sending)


def _utc_ms(value: object) -> datetime:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    return datetime.now(UTC)


class LinkedInConnector(OAuthConnector):
    kind = "linkedin"
    label = "LinkedIn"
    oauth_provider = PROVIDER
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
    max_text_length = 3000
    max_images = 20  # one image, or a multi-image post of 2 to 20
    # LinkedIn limits images by pixels (36,152,320); 10 MB keeps uploads within what it processes quickly.
    max_image_bytes = 10_000_000
    image_mime_types = frozenset({"image/jpeg", "image/png", "image/gif"})
    max_alt_text_length = 4086
    default_api_version = DEFAULT_VERSION
    find_published_window: ClassVar[timedelta] = timedelta(hours=2)

    @classmethod
    def api_version_sunset(cls, version: str) -> date | None:
        return version_sunset(version)

    @property
    def author(self) -> str:
        return str(self.config.get("author_urn") or "")

    def _api(self) -> RestApi:
        return RestApi(
            label="LinkedIn",
            base_url=API,
            error_for=error_for,
            headers={
                "Authorization": f"Bearer {self.token()}",
                "Linkedin-Version": self.api_version,
                "X-Restli-Protocol-Version": "2.0.0",
            },
        )

    # ---- account -----------------------------------------------------------------------------------

    def verify(self) -> AccountInfo:
        api = self._api()
        if self.author.startswith("urn:li:organization:"):
            org_id = self.author.rsplit(":", 1)[1]
            body = api.json("GET", f"/rest/organizations/{org_id}")
            vanity = str(body.get("vanityName") or org_id)
            return AccountInfo(
                external_id=self.author,
                handle=vanity,
                display_name=str(body.get("localizedName") or vanity),
                profile_url=f"https://www.linkedin.com/company/{vanity}/",
            )
        body = api.json("GET", "/v2/userinfo")
        sub = str(body.get("sub") or "")
        return AccountInfo(
            external_id=f"urn:li:person:{sub}",
            handle=str(body.get("email") or body.get("name") or sub),
            display_name=str(body.get("name") or ""),
            avatar_url=str(body.get("picture") or ""),
        )

    # ---- publishing --------------------------------------------------------------------------------

    def _upload(self, api: RestApi, item: MediaItem) -> str:
        body = api.json(
            "POST",
            "/rest/images?action=initializeUpload",
            json={"initializeUploadRequest": {"owner": self.author}},
        )
        value = body.get("value") or {}
        upload_url, image = str(value.get("uploadUrl") or ""), str(value.get("image") or "")
        if not upload_url or not image:
            raise ConnectorError(_("LinkedIn did not accept the image upload."), permanent=False)
        api.call("PUT", upload_url, content=item.content, headers={"Content-Type": item.mime_type})
        return image

    def _post_body(self, request: PublishRequest, images: list[tuple[str, str]]) -> dict[str, Any]:
        body: dict[str, Any] = {
            "author": self.author,
            "commentary": little_text(request.text),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        if len(images) == 1:
            body["content"] = {"media": {"id": images[0][0], "altText": images[0][1]}}
        elif images:
            body["content"] = {"multiImage": {"images": [{"id": i, "altText": alt} for i, alt in images]}}
        elif request.link:
            body["content"] = {"article": {"source": request.link, "title": request.link[:400]}}
        return body

    def publish(self, request: PublishRequest, *, idempotency_key: str) -> PublishResult:
        """Upload the images (initializeUpload, then PUT), then POST /rest/posts; the id comes in x-restli-id.

        LinkedIn has no idempotency key: after an unknown outcome `find_published` looks for the text.
        """
        api = self._api()
        images = [(self._upload(api, item), item.alt_text) for item in request.media]
        response = api.call("POST", "/rest/posts", json=self._post_body(request, images), sending=True)
        urn = response.headers.get("x-restli-id") or str(body_of(response).get("id") or "")
        if not urn:
            raise ConnectorError(_("LinkedIn accepted the post but did not say its id."), permanent=False)
        return PublishResult(
            external_id=urn,
            url=f"https://www.linkedin.com/feed/update/{urn}/",
            published_at=datetime.now(UTC),
        )

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
            "/rest/posts",
            params={"q": "author", "author": self.author, "count": "20", "sortBy": "LAST_MODIFIED"},
        )
        wanted = little_text(request.text).strip()
        earliest = not_before or datetime.now(UTC) - self.find_published_window
        for element in body.get("elements") or []:
            created = _utc_ms(element.get("createdAt") or element.get("publishedAt"))
            if created >= earliest and str(element.get("commentary") or "").strip() == wanted:
                urn = str(element.get("id") or "")
                return PublishResult(
                    external_id=urn, url=f"https://www.linkedin.com/feed/update/{urn}/", published_at=created
                )
        return None

    def delete(self, external_id: str) -> None:
        self._api().call("DELETE", f"/rest/posts/{quote(external_id, safe='')}")

    # ---- comments ----------------------------------------------------------------------------------

    def fetch_inbox(self, *, since: str = "") -> InboxPage:
        """Comments on the channel's recent posts (GET /rest/socialActions/{post}/comments), newer than `since` (ms)."""
        api = self._api()
        posts = api.json("GET", "/rest/posts", params={"q": "author", "author": self.author, "count": "10"})
        after = int(since) if since.isdigit() else 0
        newest = after
        items: list[InboundItem] = []
        for post in posts.get("elements") or []:
            post_urn = str(post.get("id") or "")
            comments = api.json("GET", f"/rest/socialActions/{quote(post_urn, safe='')}/comments")
            for comment in comments.get("elements") or []:
                created_ms = int((comment.get("created") or {}).get("time") or 0)
                actor = str(comment.get("actor") or "")
                if created_ms <= after or actor == self.author:
                    continue
                newest = max(newest, created_ms)
                items.append(
                    InboundItem(
                        external_id=str(
                            comment.get("commentUrn") or comment.get("$URN") or comment.get("id")
                        ),
                        kind=InboundKind.REPLY,
                        author_id=actor,
                        author_handle=actor,
                        text=str((comment.get("message") or {}).get("text") or ""),
                        created_at=_utc_ms(created_ms),
                        url=f"https://www.linkedin.com/feed/update/{post_urn}/",
                        in_reply_to=str(comment.get("parentComment") or post_urn),
                        thread_root=post_urn,
                        raw=comment,
                    )
                )
        return InboxPage(items=items, cursor=str(newest) if newest else since)

    def reply(self, *, to_external_id: str, request: PublishRequest, idempotency_key: str) -> PublishResult:
        """Comment as the page or member; answering a comment names it as parentComment on its post."""
        post_urn, parent = to_external_id, ""
        if to_external_id.startswith("urn:li:comment:("):
            parent = to_external_id
            post_urn = to_external_id[len("urn:li:comment:(") :].rsplit(",", 1)[0]
        payload: dict[str, Any] = {
            "actor": self.author,
            "object": post_urn,
            "message": {"text": request.text},
        }
        if parent:
            payload["parentComment"] = parent
        response = self._api().call(
            "POST", f"/rest/socialActions/{quote(post_urn, safe='')}/comments", json=payload, sending=True
        )
        body = body_of(response)
        urn = str(body.get("commentUrn") or response.headers.get("x-restli-id") or body.get("id") or "")
        return PublishResult(external_id=urn, url=f"https://www.linkedin.com/feed/update/{post_urn}/")

    def like(self, external_id: str) -> None:
        """React with LIKE as the channel's page or member (POST /rest/reactions?actor=…)."""
        self._api().call(
            "POST",
            "/rest/reactions",
            params={"actor": self.author},
            json={"root": external_id, "reactionType": "LIKE"},
        )

    # ---- metrics -----------------------------------------------------------------------------------

    def fetch_channel_metrics(self) -> list[MetricSample]:
        """Followers of an organisation page (GET /rest/networkSizes/{org}?edgeType=COMPANY_FOLLOWED_BY_MEMBER)."""
        if not self.author.startswith("urn:li:organization:"):
            return []  # member follower counts need partner access
        body = self._api().json(
            "GET",
            f"/rest/networkSizes/{quote(self.author, safe='')}",
            params={"edgeType": "COMPANY_FOLLOWED_BY_MEMBER"},
        )
        value = body.get("firstDegreeSize")
        if not isinstance(value, int):
            return []
        return [MetricSample(self.author, "followers", value, datetime.now(UTC))]

    def fetch_metrics(self, external_ids: Sequence[str]) -> list[MetricSample]:
        """Likes and comments per post from GET /rest/socialActions/{post} (likesSummary, commentsSummary)."""
        api = self._api()
        measured_at = datetime.now(UTC)
        samples: list[MetricSample] = []
        for external_id in external_ids:
            body = api.json("GET", f"/rest/socialActions/{quote(external_id, safe='')}")
            likes = (body.get("likesSummary") or {}).get("totalLikes")
            comments = (body.get("commentsSummary") or {}).get("aggregatedTotalComments")
            for name, value in (("likes", likes), ("replies", comments)):
                if isinstance(value, int):
                    samples.append(MetricSample(external_id, name, value, measured_at))
        return samples
