"""CSV import of a plan: every row checked and shown first, then all posts created or none.

The file is UTF-8 (with or without BOM) or Windows-1252, comma- or semicolon-separated, with the columns
of the CSV export (headers in any of the app's languages). Rows with the same title, date and time
become one post with a variant per channel; the first row's text is the post's base text. Status,
owner and post ID are not imported: every post starts as a draft (an idea when it has no date) of the
person importing. A row naming a post already in this organisation's plan is refused, so importing an
export twice does not double the plan.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from onevoice.core import audit
from onevoice.networks.connectors.base import PublishRequest
from onevoice.networks.models import Access, Channel
from onevoice.networks.registry import connector_class
from onevoice.organization.access import has_channel_access, visible_channels
from onevoice.organization.models import Department, Membership
from onevoice.organization.roles import Capability, Role
from onevoice.planning import services
from onevoice.planning.exports import (
    COLUMNS,
    FORMULA_START,
    REQUIRED_COLUMNS,
    organization_zone,
    uuid_or_none,
)
from onevoice.planning.models import Campaign, Post, Topic

S = Post.Status
MAX_IMPORT_BYTES = 2_000_000
MAX_IMPORT_ROWS = 2_000


def _csv_unsafe(value: str) -> str:
    """Take off the apostrophe the export put before a cell a spreadsheet would run as a formula."""
    return value[1:] if value[:1] == "'" and value[1:2] in FORMULA_START else value


@dataclass
class ImportRow:
    line: int  # the line number in the file, as a spreadsheet shows it
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)


@dataclass
class PlannedVariant:
    channel: Channel
    text: str
    link: str


@dataclass
class PlannedPost:
    """Rows with the same title, date and time: one post with a variant per row."""

    title: str
    department: Department
    campaign: Campaign | None
    topic: Topic | None
    publish_at: datetime | None
    text: str
    lines: list[int]
    variants: list[PlannedVariant] = field(default_factory=list)


@dataclass
class ImportPreview:
    rows: list[ImportRow] = field(default_factory=list)
    posts: list[PlannedPost] = field(default_factory=list)
    problem: str = ""  # a problem of the whole file (encoding, columns, size)

    @property
    def bad_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.errors]

    @property
    def ok(self) -> bool:
        return not self.problem and bool(self.posts) and not self.bad_rows


class ImportRefused(ValidationError):
    """The file has bad rows; nothing was imported."""

    def __init__(self, preview: ImportPreview) -> None:
        super().__init__(preview.problem or _("Some rows have errors; nothing was imported."))
        self.preview = preview


def decode_upload(content: bytes) -> str:
    """UTF-8 (with or without BOM); older Excel versions save Windows-1252."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def expected_header() -> str:
    return ", ".join(str(label) for _key, label in COLUMNS)


def _header_aliases() -> dict[str, str]:
    aliases: dict[str, str] = {}
    for key, label in COLUMNS:
        aliases[key.casefold()] = key
        aliases[key.replace("_", " ").casefold()] = key
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                aliases[str(label).strip().casefold()] = key
    return aliases


def _delimiter(header_line: str) -> str:
    return max((",", ";", "\t"), key=header_line.count)


def _parse_date(value: str) -> date | None:
    value = value.strip()
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def _parse_time(value: str) -> time | None:
    value = value.strip().replace(".", ":")
    for fmt in ("%H:%M", "%H:%M:%S"):
        try:
            return datetime.strptime(value, fmt).time()
        except ValueError:
            continue
    return None


def local_moment(day: date, clock: time, zone: ZoneInfo) -> datetime | None:
    """The instant of a wall-clock time; None if the clocks jump over it. Of a doubled hour, the first."""
    local = datetime.combine(day, clock, zone)
    back = local.astimezone(UTC).astimezone(zone)
    if back.replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return local


class _Names[T]:
    """Objects by name, case-insensitively; a name two objects share is ambiguous."""

    def __init__(self, objects: Iterable[T], name: Callable[[T], str]) -> None:
        self.by_name: dict[str, list[T]] = {}
        for obj in objects:
            self.by_name.setdefault(name(obj).strip().casefold(), []).append(obj)
        self.names = sorted({name(o) for found in self.by_name.values() for o in found}, key=str.casefold)

    def get(self, value: str) -> list[T]:
        return self.by_name.get(value.strip().casefold(), [])


class _Checker:
    """Checks one row at a time against the organisation's names, the clock and the networks' limits."""

    def __init__(self, member: Membership) -> None:
        self.member = member
        self.zone = organization_zone(member)
        org = member.organization_id
        self.departments = _Names(Department.objects.filter(organization_id=org), lambda d: d.name)
        self.campaigns = _Names(Campaign.objects.filter(organization_id=org), lambda c: c.name)
        self.topics = _Names(Topic.objects.filter(organization_id=org), lambda t: t.name)
        draftable = [c for c, _lvl in visible_channels(member) if has_channel_access(member, c, Access.DRAFT)]
        self.channels = _Names(draftable, lambda c: c.name)
        self.own_departments = {d.pk for d in member.departments.all()}
        self.now = timezone.now()
        self.url = URLValidator(schemes=["http", "https"])

    def one(self, value: str, names: _Names[Any], *, unknown: str, missing: str = "") -> Any:
        """The one object of that name; None for an empty cell unless `missing` says what to do."""
        found = names.get(value)
        if not value.strip():
            if missing:
                raise ValueError(missing)
            return None
        if not found:
            raise ValueError(unknown % {"name": value, "names": ", ".join(names.names) or "—"})
        if len(found) > 1:
            raise ValueError(
                _("More than one entry is called “%(name)s”; rename one of them in OneVoice first.")
                % {"name": value}
            )
        return found[0]

    def check(self, row: ImportRow) -> tuple[Any, ...] | None:
        v = row.values
        result: dict[str, Any] = {}

        def attempt(key: str, fn: Any) -> None:
            try:
                result[key] = fn()
            except ValueError as error:
                row.errors.append(str(error))

        title = v["title"].strip()
        if not title:
            row.errors.append(_("Give the post a title."))
        elif len(title) > 200:
            row.errors.append(_("The title is longer than 200 characters."))
        attempt("publish_at", lambda: self.moment(v["date"], v["time"]))
        attempt("department", lambda: self.department(v["department"]))
        attempt(
            "campaign",
            lambda: self.one(
                v["campaign"],
                self.campaigns,
                unknown=_("There is no campaign “%(name)s”. Campaigns: %(names)s."),
            ),
        )
        attempt(
            "topic",
            lambda: self.one(
                v["topic"],
                self.topics,
                unknown=_("There is no topic “%(name)s”. Topics: %(names)s."),
            ),
        )
        attempt(
            "channel",
            lambda: self.one(
                v["channel"],
                self.channels,
                unknown=_("There is no channel “%(name)s” you can plan for. Your channels: %(names)s."),
            ),
        )
        link = v["link"].strip()
        if link:
            try:
                self.url(link)
            except ValidationError:
                row.errors.append(_("The link “%(link)s” is not a web address.") % {"link": link})
        channel = result.get("channel")
        if channel is not None:
            row.errors += self.limits(channel, v["text"], link)
        if row.errors:
            return None
        return (
            title,
            result["publish_at"],
            result["department"],
            result["campaign"],
            result["topic"],
            channel,
            v["text"],
            link,
        )

    def moment(self, day_text: str, time_text: str) -> datetime | None:
        if not day_text.strip() and not time_text.strip():
            return None  # an unscheduled idea
        day, clock = _parse_date(day_text), _parse_time(time_text)
        problems = []
        if day is None:
            problems.append(
                _("“%(value)s” is not a date. Write dates as 2027-03-28 or 28.03.2027.") % {"value": day_text}
            )
        if clock is None:
            problems.append(
                _("“%(value)s” is not a time of day. Write times as 09:30.") % {"value": time_text}
            )
        if day is None or clock is None:
            raise ValueError(" ".join(problems))
        moment = local_moment(day, clock, self.zone)
        if moment is None:
            raise ValueError(
                _(
                    "%(time)s on %(date)s does not exist in %(zone)s: the clocks go forward then. "
                    "Choose another time."
                )
                % {"time": clock.strftime("%H:%M"), "date": formats.date_format(day), "zone": self.zone.key}
            )
        if moment < self.now - timedelta(minutes=1):
            raise ValueError(
                _("The publish time %(when)s is in the past. Choose a later time.")
                % {"when": formats.date_format(moment, "SHORT_DATETIME_FORMAT")}
            )
        return moment

    def department(self, value: str) -> Department:
        department: Department = self.one(
            value,
            self.departments,
            unknown=_("There is no department “%(name)s”. Departments: %(names)s."),
            missing=_("Name the department the post belongs to."),
        )
        if self.member.role not in (Role.ADMIN, Role.SMM) and department.pk not in self.own_departments:
            raise ValueError(
                _("You can only plan posts for your own departments; “%(name)s” is not one of them.")
                % {"name": department.name}
            )
        return department

    def limits(self, channel: Channel, text: str, link: str) -> list[str]:
        config = (channel.config or {}) | {"channel_public_id": str(channel.public_id)}
        connector = connector_class(channel.network)(credentials={}, config=config)
        problems = connector.check(PublishRequest(text=text, link=link))
        # An empty text is fine in a draft; the composer asks for it before review.
        return [f"{channel.name}: {p.message}" for p in problems if p.code != "empty"]


def _read_rows(text: str) -> tuple[list[ImportRow], str]:
    """The rows of the file by column key, or a problem with the file as a whole."""
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        return [], _("The file is empty. Export the plan as CSV to see the expected columns.")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(lines[0]))
    header = next(reader)
    aliases = _header_aliases()
    keys = [aliases.get(name.strip().casefold()) for name in header]
    unknown = [name for name, key in zip(header, keys, strict=True) if key is None and name.strip()]
    missing = [str(label) for key, label in COLUMNS if key in REQUIRED_COLUMNS and key not in keys]
    doubled = sorted({key for key in keys if key and keys.count(key) > 1})
    if unknown or missing or doubled:
        details = []
        if missing:
            details.append(_("Missing: %(names)s.") % {"names": ", ".join(missing)})
        if unknown:
            details.append(_("Not known: %(names)s.") % {"names": ", ".join(unknown)})
        if doubled:
            details.append(_("Given twice: %(names)s.") % {"names": ", ".join(doubled)})
        return [], " ".join(
            [
                _(
                    "The first line must name the columns: %(header)s (date, time, title, department, "
                    "channel and text are needed; the others may be left out)."
                )
                % {"header": expected_header()},
                *details,
            ]
        )
    rows: list[ImportRow] = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) >= MAX_IMPORT_ROWS:
            return [], _("The file has more than %(max)s rows. Split it into smaller files.") % {
                "max": MAX_IMPORT_ROWS
            }
        values = {key: "" for key, _label in COLUMNS}
        for key, cell in zip(keys, cells, strict=False):
            if key:
                values[key] = _csv_unsafe(cell)
        row = ImportRow(line=reader.line_num, values=values)
        if len(cells) > len(keys) and any(c.strip() for c in cells[len(keys) :]):
            row.errors.append(_("This row has more cells than the first line has columns."))
        rows.append(row)
    if not rows:
        return [], _("The file has the columns but no rows. Add one row per post and channel.")
    return rows, ""


def import_preview(member: Membership, text: str) -> ImportPreview:
    """Check every row of a CSV plan and group them into posts; nothing is written."""
    rows, problem = _read_rows(text)
    preview = ImportPreview(rows=rows, problem=problem)
    if problem:
        return preview
    checker = _Checker(member)
    listed_ids = {i for row in rows if (i := uuid_or_none(row.values["post_id"]))}
    in_plan = {
        str(public_id): title
        for public_id, title in Post.objects.filter(
            organization_id=member.organization_id, public_id__in=listed_ids
        ).values_list("public_id", "title")
    }
    groups: dict[tuple[str, datetime | None], PlannedPost] = {}
    for row in rows:
        known = in_plan.get(uuid_or_none(row.values["post_id"]) or "")
        if known is not None:
            row.errors.append(
                _(
                    "This is the post “%(title)s”, which is already in the plan. Remove the line, or empty "
                    "its post ID to plan a copy."
                )
                % {"title": known}
            )
        checked = checker.check(row)
        if checked is None:
            continue
        title, publish_at, department, campaign, topic, channel, text_, link = checked
        planned = groups.get((title, publish_at))
        if planned is None:
            planned = PlannedPost(title, department, campaign, topic, publish_at, text_, [row.line])
            groups[(title, publish_at)] = planned
        else:
            first = planned.lines[0]
            disagreements = (
                (
                    department != planned.department,
                    _("Line %(line)s plans the same post (title, date and time) for another department."),
                ),
                (
                    campaign != planned.campaign,
                    _("Line %(line)s plans the same post (title, date and time) in another campaign."),
                ),
                (
                    topic != planned.topic,
                    _("Line %(line)s plans the same post (title, date and time) with another topic."),
                ),
            )
            row.errors += [message % {"line": first} for differs, message in disagreements if differs]
            if channel is None or not planned.variants:
                row.errors.append(
                    _(
                        "Line %(line)s plans the same post (title, date and time); name a channel in every "
                        "line of a post with several channels."
                    )
                    % {"line": first}
                )
            elif any(v.channel.pk == channel.pk for v in planned.variants):
                row.errors.append(
                    _("Line %(line)s already plans this post for %(channel)s.")
                    % {"line": first, "channel": channel.name}
                )
            if row.errors:
                continue
            planned.lines.append(row.line)
        if channel is not None:
            planned.variants.append(PlannedVariant(channel, text_, link))
    preview.posts = list(groups.values())
    return preview


@transaction.atomic
def import_plan(*, actor: Membership, text: str, filename: str = "") -> list[Post]:
    """Create the file's posts as drafts (ideas when undated), all or none; raises ImportRefused."""
    actor.require(Capability.CREATE_CONTENT)
    preview = import_preview(actor, text)
    if not preview.ok:
        raise ImportRefused(preview)
    created: list[Post] = []
    for planned in preview.posts:
        post = services.post_create(
            actor=actor,
            title=planned.title,
            department=planned.department,
            channels=[v.channel for v in planned.variants],
            base_text=planned.text,
            campaign=planned.campaign,
            topic=planned.topic,
            publish_at=planned.publish_at,
            status=S.DRAFT if planned.publish_at else S.IDEA,
        )
        by_channel = {v.channel_id: v for v in post.variants.all()}
        for wanted in planned.variants:
            variant = by_channel[wanted.channel.pk]
            if (variant.text, variant.link) != (wanted.text, wanted.link):
                variant = services.variant_update(
                    actor=actor,
                    variant=variant,
                    expected_version=post.version,
                    text=wanted.text,
                    link=wanted.link,
                    language=variant.language,
                )
                post = variant.post
        created.append(post)
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="plan.imported",
        after={"file": filename, "posts": len(created), "rows": len(preview.rows)},
    )
    return created


def content_digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
