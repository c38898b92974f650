"""What the API answers and accepts. Ids are the public UUIDs the pages use in their addresses.

Answers are plain pydantic models built from dicts (django-ninja's `Schema` would wrap every value to read
Django objects, which the endpoints never hand over): validating a page of 50 posts stays cheap.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from onevoice.api.v1.core import StrictSchema


class Ref(BaseModel):
    id: UUID
    name: str


class ChannelRef(BaseModel):
    id: UUID
    name: str
    network: str


class Page(BaseModel):
    count: int
    page: int
    pages: int
    next: str | None
    previous: str | None


# ---- posts ---------------------------------------------------------------------------------------------


class VariantOut(BaseModel):
    id: UUID
    channel: ChannelRef
    text: str
    link: str
    language: str
    state: str
    url: str


class PostOut(BaseModel):
    id: UUID
    title: str
    status: str
    status_label: str
    department: Ref
    campaign: Ref | None
    topic: Ref | None
    owner: Ref
    publish_at: datetime | None
    window_end: datetime | None
    base_text: str
    notes: str
    version: int
    created_at: datetime
    updated_at: datetime
    variants: list[VariantOut]
    web_url: str


class PostPage(Page):
    results: list[PostOut]


PostStatus = Literal[
    "idea",
    "draft",
    "in_review",
    "changes_requested",
    "approved",
    "scheduled",
    "published",
    "failed",
    "withdrawn",
]


class PostIn(StrictSchema):
    title: str = Field(min_length=1, max_length=200)
    department: UUID
    channels: list[UUID] = Field(default_factory=list, max_length=50)
    base_text: str = Field("", max_length=20000)
    notes: str = Field("", max_length=20000)
    campaign: UUID | None = None
    topic: UUID | None = None
    publish_at: datetime | None = None
    window_end: datetime | None = None
    status: Literal["draft", "idea"] = "draft"


class PostPatch(StrictSchema):
    version: int = Field(
        ge=1, description="The version you read; a save over someone else's change is refused (409)."
    )
    title: str | None = Field(None, min_length=1, max_length=200)
    department: UUID | None = None
    channels: list[UUID] | None = Field(None, max_length=50)
    base_text: str | None = Field(None, max_length=20000)
    notes: str | None = Field(None, max_length=20000)
    publish_at: datetime | None = None
    window_end: datetime | None = None


class VariantPatch(StrictSchema):
    version: int = Field(ge=1)
    text: str | None = Field(None, max_length=20000)
    link: str | None = Field(None, max_length=2000)
    language: str | None = Field(None, max_length=12)


# ---- requests ------------------------------------------------------------------------------------------


class RequestOut(BaseModel):
    id: UUID
    title: str
    status: str
    status_label: str
    department: Ref
    requester: Ref
    topic: Ref | None
    goal: str
    briefing: str
    links: list[str]
    wished_from: date | None
    wished_until: date | None
    wished_channels: list[ChannelRef]
    answer: str
    created_at: datetime
    web_url: str


class RequestPage(Page):
    results: list[RequestOut]


class RequestIn(StrictSchema):
    title: str = Field(min_length=1, max_length=200)
    department: UUID
    goal: str = Field("", max_length=5000)
    briefing: str = Field("", max_length=20000)
    links: list[str] = Field(default_factory=list, max_length=50)
    topic: UUID | None = None
    wished_from: date | None = None
    wished_until: date | None = None
    channels: list[UUID] = Field(default_factory=list, max_length=50)


# ---- calendar ------------------------------------------------------------------------------------------


class CalendarPost(BaseModel):
    id: UUID
    title: str
    status: str
    publish_at: datetime
    department: Ref
    channels: list[ChannelRef]


class Blackout(BaseModel):
    id: UUID
    name: str
    reason: str
    starts_at: datetime
    ends_at: datetime
    channels: list[ChannelRef]


class CalendarOut(BaseModel):
    start: datetime
    end: datetime
    time_zone: str
    posts: list[CalendarPost]
    blackouts: list[Blackout]


# ---- inbox ---------------------------------------------------------------------------------------------


class MessageOut(BaseModel):
    id: UUID
    direction: str
    kind: str
    author_handle: str
    author_name: str
    text: str
    url: str
    created_at: datetime


class CaseOut(BaseModel):
    id: UUID
    subject: str
    status: str
    status_label: str
    priority: str
    kind: str
    channel: ChannelRef
    department: Ref | None
    assignee: Ref | None
    needs_reply: bool
    language: str
    sentiment: str
    message_count: int
    first_message_at: datetime
    last_message_at: datetime
    first_response_due: datetime | None
    closed_at: datetime | None
    web_url: str


class CaseDetail(CaseOut):
    messages: list[MessageOut]


class CasePage(Page):
    results: list[CaseOut]


class AssignIn(StrictSchema):
    assignee: UUID | None = Field(description="A membership id; null gives the case back to nobody.")
    department: UUID | None = None
    change_department: bool = False


class ReplyIn(StrictSchema):
    text: str = Field(min_length=1, max_length=10000)
    confirm: bool = Field(False, description="Send even if someone else answered in the meantime.")


class ReplyOut(BaseModel):
    id: UUID
    state: str
    text: str


class StatusIn(StrictSchema):
    status: Literal["open", "waiting", "closed"]


# ---- channels ------------------------------------------------------------------------------------------


class ChannelOut(BaseModel):
    id: UUID
    name: str
    network: str
    handle: str
    state: str
    department: Ref | None
    access: str
    profile_url: str


# ---- analytics -----------------------------------------------------------------------------------------


class FigureOut(BaseModel):
    key: str
    label: str
    value: float | None
    previous: float | None
    change_percent: float | None
    available: bool
    unit: str


class MetricsOut(BaseModel):
    start: date
    end: date
    figures: list[FigureOut]
    inbox_cases: int
    planned_posts: int


class TargetOut(BaseModel):
    id: UUID
    metric: str
    label: str
    comparison: str
    target_value: float
    unit: str
    channel: ChannelRef | None
    network: str
    state: str
    state_label: str
    actual: float | None
    expected: float | None


class GoalOut(BaseModel):
    id: UUID
    name: str
    period: str
    period_start: date
    department: Ref | None
    targets: list[TargetOut]


# ---- audit ---------------------------------------------------------------------------------------------


class AuditOut(BaseModel):
    id: int
    at: datetime
    actor: str
    verb: str
    label: str
    object_type: str
    object_id: str
    object_repr: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    ip_address: str | None


class AuditPage(Page):
    results: list[AuditOut]


class MeOut(BaseModel):
    token: str
    kind: str
    name: str
    scopes: list[str]
    expires_at: datetime
    organization: str
    acting_as: str
    role: str
