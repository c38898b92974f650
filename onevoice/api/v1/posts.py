"""Posts and their variants: list with filters, read, create drafts, edit, submit for review."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, Literal
from uuid import UUID
from zoneinfo import ZoneInfo

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Prefetch, QuerySet, Window
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from onevoice.api.v1 import posts_cache
from onevoice.api.v1.core import ERRORS, MAX_PAGE_SIZE, PAGE_SIZE, ApiError, acting, page_links, page_slice
from onevoice.api.v1.schemas import PostIn, PostOut, PostPage, PostPatch, PostStatus, VariantOut, VariantPatch
from onevoice.networks.models import Access, Channel, ChannelPermission
from onevoice.organization.access import (
    access_channel,
    access_department,
    access_plan_object,
    access_post,
    channel_access_level,
)
from onevoice.organization.models import Membership
from onevoice.planning import services
from onevoice.planning.models import Campaign, Post, PostVariant, Topic
from onevoice.planning.selectors import PlanFilter, readable_channels
from onevoice.planning.services import post_url

router = Router(tags=["posts"])


def zone_of(member: Membership) -> ZoneInfo:
    return ZoneInfo(member.organization.time_zone or "Europe/Berlin")


def range_bounds(
    member: Membership, range_: str | None, anchor: date | None, start: datetime | None, end: datetime | None
) -> tuple[datetime | None, datetime | None]:
    """`range=day|week|month` around `date` (default today, in the organisation's zone), or start/end."""
    if range_:
        zone = zone_of(member)
        day = anchor or timezone.now().astimezone(zone).date()
        if range_ == "day":
            first, following = day, day + timedelta(days=1)
        elif range_ == "week":
            first = day - timedelta(days=day.weekday())
            following = first + timedelta(days=7)
        else:
            first = day.replace(day=1)
            following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return datetime.combine(first, time(), zone), datetime.combine(following, time(), zone)
    if start and end and end <= start:
        raise ApiError(
            422,
            "invalid",
            _("The end of the range must be after its start."),
            [{"field": "end", "message": _("The end of the range must be after its start.")}],
        )
    return start, end


def _ref(obj: Any) -> dict[str, Any] | None:
    return {"id": obj.public_id, "name": obj.name} if obj is not None else None


def post_out(post: Post, channels: dict[int, Channel]) -> dict[str, Any]:
    return {
        "id": post.public_id,
        "title": post.title,
        "status": post.status,
        "status_label": str(post.get_status_display()),
        "department": _ref(post.department),
        "campaign": _ref(post.campaign),
        "topic": _ref(post.topic),
        "owner": {"id": post.owner.public_id, "name": post.owner.user.full_name or post.owner.user.email},
        "publish_at": post.publish_at,
        "window_end": post.window_end,
        "base_text": post.base_text,
        "notes": post.notes,
        "version": post.version,
        "created_at": post.created_at,
        "updated_at": post.updated_at,
        "variants": [
            variant_out(v, channels[v.channel_id]) for v in post.variants.all() if v.channel_id in channels
        ],
        "web_url": post_url(post),
    }


def variant_out(variant: PostVariant, channel: Channel) -> dict[str, Any]:
    return {
        "id": variant.public_id,
        "channel": {"id": channel.public_id, "name": channel.name, "network": channel.network},
        "text": variant.text,
        "link": variant.link,
        "language": variant.language,
        "state": variant.state,
        "url": variant.url,
    }


def _posts(member: Membership) -> QuerySet[Post]:
    return Post.objects.filter(organization_id=member.organization_id)


def _loaded(posts: QuerySet[Post]) -> QuerySet[Post]:
    return posts.select_related(
        "department", "campaign", "topic", "owner__user", "organization"
    ).prefetch_related(Prefetch("variants", queryset=PostVariant.objects.order_by("id")))


@router.get("/posts", response={200: PostPage, **ERRORS}, summary="List posts")
def list_posts(
    request: HttpRequest,
    range: Annotated[
        Literal["day", "week", "month"] | None,
        Query(description="A calendar day, week or month around `date` (default: today)."),
    ] = None,
    date: Annotated[
        date | None, Query(description="The day the range is around (organisation time zone).")
    ] = None,
    start: Annotated[datetime | None, Query(description="Publish time from (inclusive).")] = None,
    end: Annotated[datetime | None, Query(description="Publish time until (exclusive).")] = None,
    status: Annotated[list[PostStatus] | None, Query()] = None,
    channel: Annotated[list[UUID] | None, Query()] = None,
    department: Annotated[list[UUID] | None, Query()] = None,
    campaign: Annotated[list[UUID] | None, Query()] = None,
    topic: Annotated[list[UUID] | None, Query()] = None,
    unscheduled: Annotated[bool, Query(description="Only posts without a publish time (ideas).")] = False,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = PAGE_SIZE,
) -> HttpResponse:
    """Posts of the organisation in publish-time order; everyone who sees the plan sees all of it (the
    variants on channels closed to the token's person are left out)."""
    member = acting(request, "posts:read")
    first, following = range_bounds(member, range, date, start, end)
    plan_filter = PlanFilter(
        departments=[str(d) for d in department or []],
        channels=[str(c) for c in channel or []],
        campaigns=[str(c) for c in campaign or []],
        topics=[str(t) for t in topic or []],
        statuses=list(status or []),
    )

    def build() -> bytes:
        posts = plan_filter.apply(_posts(member))
        if unscheduled:
            posts = posts.filter(publish_at__isnull=True)
        if first is not None:
            posts = posts.filter(publish_at__gte=first)
        if following is not None:
            posts = posts.filter(publish_at__lt=following)
        # The page's ids with the total in one query (COUNT(*) OVER () is taken before LIMIT), then the
        # rows: the joins run for 50 posts, not for all of the month's, whatever the planner thinks.
        window = (
            posts.order_by("publish_at", "id").annotate(total=Window(Count("*"))).values_list("pk", "total")
        )
        found = list(window[page_slice(page, page_size)])
        count = found[0][1] if found else posts.count()
        page_ids = [pk for pk, _total in found]
        rows = (
            _page_of(member, Post.objects.filter(pk__in=page_ids).order_by("publish_at", "id"))
            if found
            else []
        )
        # Built from plain rows in the documented shape (PostPage; the schemathesis test holds it to
        # that), so it is encoded directly instead of being validated again field by field.
        body = {**page_links(request, page, page_size, count), "results": rows}
        return json.dumps(body, cls=DjangoJSONEncoder).encode()

    # Kept per process and served again while nothing shown has changed (posts_cache explains the key).
    answer = posts_cache.cached_answer(request, member, first=first, following=following, build=build)
    return HttpResponse(answer, content_type="application/json")


LIST_FIELDS = (
    "pk", "public_id", "title", "status", "publish_at", "window_end", "base_text", "notes", "version",
    "created_at", "updated_at", "department__public_id", "department__name", "campaign__public_id",
    "campaign__name", "topic__public_id", "topic__name", "owner__public_id", "owner__user__full_name",
    "owner__user__email",
)  # fmt: skip


def channel_refs(member: Membership) -> dict[int, dict[str, Any]]:
    """The channels the person may see, as light rows: the rule of `visible_channels` (access.py's
    `channel_access_level`), without loading whole channels for every page of the list."""
    explicit = dict(ChannelPermission.objects.filter(membership=member).values_list("channel_id", "access"))
    refs = {}
    for channel in Channel.objects.filter(organization_id=member.organization_id).only(
        "id", "public_id", "organization_id", "department_id", "name", "network"
    ):
        channel._explicit_access = explicit.get(channel.pk, "")  # type: ignore[attr-defined]
        if channel_access_level(member, channel) != Access.NONE:
            refs[channel.pk] = {"id": channel.public_id, "name": channel.name, "network": channel.network}
    return refs


def _page_of(member: Membership, posts: QuerySet[Post]) -> list[dict[str, Any]]:
    """One page of the list from plain rows (two queries, no model instances): the list is what
    integrations poll all day, so it is built for speed; `post_out` gives the same shape."""
    rows = list(posts.values(*LIST_FIELDS))
    if not rows:
        return []
    channels = channel_refs(member)
    variants: dict[int, list[dict[str, Any]]] = {row["pk"]: [] for row in rows}
    for v in (
        PostVariant.objects.filter(post_id__in=list(variants))
        .order_by("id")
        .values("post_id", "public_id", "channel_id", "text", "link", "language", "state", "url")
    ):
        if v["channel_id"] in channels:
            variants[v["post_id"]].append(
                {
                    "id": v["public_id"],
                    "channel": channels[v["channel_id"]],
                    "text": v["text"],
                    "link": v["link"],
                    "language": v["language"],
                    "state": v["state"],
                    "url": v["url"],
                }
            )
    web = reverse("planning:post", args=[member.organization.slug, UUID(int=0)])
    labels = dict(Post.Status.choices)
    return [
        {
            "id": row["public_id"],
            "title": row["title"],
            "status": row["status"],
            "status_label": str(labels.get(row["status"], row["status"])),
            "department": {"id": row["department__public_id"], "name": row["department__name"]},
            "campaign": (
                {"id": row["campaign__public_id"], "name": row["campaign__name"]}
                if row["campaign__public_id"]
                else None
            ),
            "topic": {"id": row["topic__public_id"], "name": row["topic__name"]}
            if row["topic__public_id"]
            else None,
            "owner": {
                "id": row["owner__public_id"],
                "name": row["owner__user__full_name"] or row["owner__user__email"],
            },
            "publish_at": row["publish_at"],
            "window_end": row["window_end"],
            "base_text": row["base_text"],
            "notes": row["notes"],
            "version": row["version"],
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
            "variants": variants[row["pk"]],
            "web_url": web.replace(str(UUID(int=0)), str(row["public_id"])),
        }
        for row in rows
    ]


@router.get("/posts/{post_id}", response={200: PostOut, **ERRORS}, summary="Read a post")
def get_post(request: HttpRequest, post_id: UUID) -> dict[str, Any]:
    member = acting(request, "posts:read")
    post = access_post(member, post_id)
    return post_out(_loaded(_posts(member)).get(pk=post.pk), readable_channels(member))


def _channels(member: Membership, ids: list[UUID]) -> list[Channel]:
    return [access_channel(member, channel_id, need=Access.DRAFT) for channel_id in dict.fromkeys(ids)]


@router.post("/posts", response={201: PostOut, **ERRORS}, summary="Create a draft or an idea")
def create_post(request: HttpRequest, payload: PostIn) -> Status[dict[str, Any]]:
    member = acting(request, "posts:write")
    post = services.post_create(
        actor=member,
        title=payload.title,
        department=access_department(member, payload.department),
        channels=_channels(member, payload.channels),
        base_text=payload.base_text,
        notes=payload.notes,
        campaign=access_plan_object(member, Campaign, payload.campaign) if payload.campaign else None,
        topic=access_plan_object(member, Topic, payload.topic) if payload.topic else None,
        publish_at=payload.publish_at,
        window_end=payload.window_end,
        status=payload.status,
    )
    return Status(201, post_out(_loaded(_posts(member)).get(pk=post.pk), readable_channels(member)))


@router.patch("/posts/{post_id}", response={200: PostOut, **ERRORS}, summary="Change a post")
def update_post(request: HttpRequest, post_id: UUID, payload: PostPatch) -> dict[str, Any]:
    """Only the fields sent change; `version` must be the one you read (409 if someone saved since)."""
    member = acting(request, "posts:write")
    post = access_post(member, post_id, edit=True)
    sent = payload.model_fields_set
    channels = (
        _channels(member, payload.channels or [])
        if "channels" in sent
        else [v.channel for v in post.variants.select_related("channel")]
    )
    services.post_update(
        actor=member,
        post=post,
        expected_version=payload.version,
        title=payload.title if payload.title is not None else post.title,
        department=access_department(member, payload.department) if payload.department else post.department,
        base_text=payload.base_text if payload.base_text is not None else post.base_text,
        notes=payload.notes if payload.notes is not None else post.notes,
        campaign=post.campaign,
        topic=post.topic,
        publish_at=payload.publish_at if "publish_at" in sent else post.publish_at,
        window_end=payload.window_end if "window_end" in sent else post.window_end,
        channels=channels,
    )
    return post_out(_loaded(_posts(member)).get(pk=post.pk), readable_channels(member))


@router.patch(
    "/posts/{post_id}/variants/{variant_id}",
    response={200: VariantOut, **ERRORS},
    summary="Change a channel text",
)
def update_variant(
    request: HttpRequest, post_id: UUID, variant_id: UUID, payload: VariantPatch
) -> dict[str, Any]:
    member = acting(request, "posts:write")
    post = access_post(member, post_id, edit=True)
    variant = post.variants.select_related("channel").filter(public_id=variant_id).first()
    if variant is None or variant.channel_id not in readable_channels(member):
        raise ApiError(404, "not_found", _("Not found, or not in your organisation, or not visible to you."))
    variant.post = post
    services.variant_update(
        actor=member,
        variant=variant,
        expected_version=payload.version,
        text=payload.text if payload.text is not None else variant.text,
        link=payload.link if payload.link is not None else variant.link,
        language=payload.language if payload.language is not None else variant.language,
    )
    return variant_out(variant, variant.channel)


@router.post("/posts/{post_id}/submit", response={200: PostOut, **ERRORS}, summary="Submit for review")
def submit_post(request: HttpRequest, post_id: UUID) -> dict[str, Any]:
    member = acting(request, "posts:write")
    post = access_post(member, post_id)
    services.post_submit(actor=member, post=post)
    return post_out(_loaded(_posts(member)).get(pk=post.pk), readable_channels(member))
