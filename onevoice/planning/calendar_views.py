"""The calendar of the plan: month, week and list views (FullCalendar), a list that works without
JavaScript, drag and drop to reschedule, saved filters.

Times: the calendar shows and takes wall-clock times of the person's time zone if they set one, else of
the organisation whose plan it is. A time that does not exist (02:30 on the spring-forward day) is read
as the time it means after the clocks went forward (03:30) and the answer says so; a time that exists
twice (02:30 on the autumn day) is read as the first of the two (still summer time).
"""

from __future__ import annotations

import gc
import json
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onevoice.organization.access import access_plan_object, access_post, membership_for
from onevoice.organization.models import Membership
from onevoice.organization.roles import Capability
from onevoice.organization.shortcuts import render_for_member
from onevoice.planning import selectors, services
from onevoice.planning.models import SavedFilter

C = Capability
COLOUR_CHOICES = ("department", "campaign", "topic")


def _colour_choices() -> list[tuple[str, str]]:
    return [("department", _("Department")), ("campaign", _("Campaign")), ("topic", _("Topic"))]


MAX_DAYS = 100  # the longest period one events request may ask for (a month view asks for six weeks)


def _activate_zone(member: Membership) -> zoneinfo.ZoneInfo:
    """The person's own time zone, else the zone of the organisation whose plan they look at."""
    for name in (member.user.time_zone, member.organization.time_zone):
        if name:
            try:
                zone = zoneinfo.ZoneInfo(name)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                continue
            timezone.activate(zone)  # the middleware deactivates it after the response
            return zone
    return timezone.get_current_timezone()


def _member(request: HttpRequest, org: str, need: Capability) -> Membership:
    member = membership_for(request.user, org, need=need)
    _activate_zone(member)
    return member


def _colour_by(request: HttpRequest) -> str:
    value = request.GET.get("colour", "department")
    return value if value in COLOUR_CHOICES else "department"


def _parse_moment(value: Any) -> datetime | None:
    """A wall-clock time from the calendar, read in the current time zone.

    The calendar runs in "UTC" mode so that it shows the plan's wall-clock times whatever the browser's
    zone is; any offset it sends is therefore dropped and the time read as local.
    """
    if not value or not isinstance(value, str):
        return None
    try:
        moment = parse_datetime(value.replace(" ", "+"))
    except ValueError:
        return None
    if moment is None:
        try:
            moment = datetime.combine(date.fromisoformat(value[:10]), time.min)
        except ValueError:
            return None
    return timezone.make_aware(moment.replace(tzinfo=None, second=0, microsecond=0))


def _query_without(request: HttpRequest, *keys: str) -> str:
    query = request.GET.copy()
    for key in keys:
        query.pop(key, None)
    return query.urlencode()


def _wall_clock(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


@login_required
def calendar(request: HttpRequest, org: str) -> HttpResponse:
    member = _member(request, org, C.VIEW_PLAN)
    plan_filter = selectors.PlanFilter.from_query(request.GET)
    try:
        initial_date = date.fromisoformat(request.GET.get("date", "")).isoformat()
    except ValueError:
        initial_date = ""
    options = selectors.filter_options(member)
    colour_by = _colour_by(request)
    context = {
        "filter": plan_filter.as_dict(),
        "filter_active": not plan_filter.is_empty,
        "options": options,
        "colour_by": colour_by,
        "colour_choices": _colour_choices(),
        "keep": [("colour", colour_by)] if colour_by != "department" else [],
        "ideas": selectors.unscheduled_ideas(member, plan_filter),
        "saved_filters": [
            (saved, saved_filter_query(saved))
            for saved in SavedFilter.objects.filter(membership=member).order_by("name")
        ],
        "query": _query_without(request, "date"),
        "filter_query": _query_without(request, "date", "colour"),
        "can_plan": member.can(C.CREATE_CONTENT),
        "time_zone": timezone.get_current_timezone_name(),
        "initial_date": initial_date,
        "now_wall_clock": timezone.localtime().replace(tzinfo=None).isoformat(timespec="seconds"),
        "legend": _legend(options, colour_by),
    }
    return render_for_member(request, member, "planning/calendar.html", context)


def _legend(options: dict[str, Any], colour_by: str) -> list[tuple[str, str]]:
    """What each colour means, for the key under the calendar."""
    if colour_by == "campaign":
        return [(c.name, c.color) for c in options["campaigns"]] + [(_("No campaign"), selectors.NO_COLOUR)]
    if colour_by == "topic":
        return [(t.name, t.color) for t in options["topics"]] + [(_("No topic"), selectors.NO_COLOUR)]
    return [(d.name, selectors.department_colour(d.pk)) for d in options["departments"]]


@login_required
def calendar_events(request: HttpRequest, org: str) -> HttpResponse:
    """The posts of [start, end) as FullCalendar events."""
    member = _member(request, org, C.VIEW_PLAN)
    start, end = _parse_moment(request.GET.get("start")), _parse_moment(request.GET.get("end"))
    if start is None or end is None or end <= start or end - start > timedelta(days=MAX_DAYS):
        return JsonResponse(
            {"error": _("Choose a period of at most %(days)d days.") % {"days": MAX_DAYS}}, status=400
        )
    # One reverse() for all rows: the post URL differs only in its id.
    placeholder = "00000000-0000-0000-0000-000000000000"
    pattern = reverse("planning:post", args=[member.organization.slug, placeholder])
    before, after = pattern.split(placeholder)
    # Thousands of small dicts, none of them in a cycle: without the collector running over the whole
    # process meanwhile (measured: a full collection every dozen requests, 50 ms each), and freed before
    # it runs again. orjson encodes them in a seventh of the standard library's time.
    with _collector_paused():
        body = selectors.calendar_events_json(
            member,
            start,
            end,
            selectors.PlanFilter.from_query(request.GET),
            _colour_by(request),
            (before, after),
        )
    return HttpResponse(body, content_type="application/json")


@contextmanager
def _collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@require_POST
@login_required
def calendar_move(request: HttpRequest, org: str) -> JsonResponse:
    """Drag and drop: move a post (or schedule an idea) to a new time of day, as the person sees it."""
    member = _member(request, org, C.CREATE_CONTENT)
    try:
        data = json.loads(request.body or b"{}")
        post_id = UUID(str(data.get("post")))
        version = int(data.get("version"))
    except (ValueError, TypeError, AttributeError):
        return JsonResponse(
            {"error": _("The request was incomplete. Reload the page and try again.")}, status=400
        )
    post = access_post(member, post_id, edit=True)
    wanted = _parse_moment(data.get("start"))
    if wanted is None:
        return JsonResponse({"error": _("Drop the post on a day or a time.")}, status=400)
    # Normalise through UTC: a wall-clock time that does not exist (spring forward) becomes the real one.
    publish_at = timezone.localtime(wanted.astimezone(UTC))
    try:
        post = services.post_reschedule(
            actor=member, post=post, publish_at=publish_at, expected_version=version
        )
    except services.ConcurrentEdit as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=409)
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=400)
    assert post.publish_at is not None
    text = _("“%(title)s” moved to %(when)s.") % {"title": post.title, "when": _wall_clock(post.publish_at)}
    if publish_at.replace(tzinfo=None) != wanted.replace(tzinfo=None):
        text += " " + _(
            "%(asked)s does not exist on that day because the clocks go forward; the post goes out at %(real)s."
        ) % {"asked": wanted.strftime("%H:%M"), "real": publish_at.strftime("%H:%M")}
    return JsonResponse(
        {
            "ok": True,
            "version": post.version,
            "start": publish_at.replace(tzinfo=None).isoformat(timespec="seconds"),
            "status": str(post.get_status_display()),
            "statusCode": post.status,
            "message": text,
        }
    )


@login_required
def calendar_list(request: HttpRequest, org: str) -> HttpResponse:
    """The plan as a table per day for a week or a month, server-rendered: works without JavaScript."""
    member = _member(request, org, C.VIEW_PLAN)
    today = timezone.localdate()
    try:
        anchor = date.fromisoformat(request.GET.get("from", ""))
    except ValueError:
        anchor = today
    span = "month" if request.GET.get("span") == "month" else "week"
    if span == "month":
        first = anchor.replace(day=1)
        after = (first + timedelta(days=32)).replace(day=1)
        previous, following = (first - timedelta(days=1)).replace(day=1), after
    else:
        first = anchor - timedelta(days=anchor.weekday())
        after = first + timedelta(days=7)
        previous, following = first - timedelta(days=7), after
    start = timezone.make_aware(datetime.combine(first, time.min))
    end = timezone.make_aware(datetime.combine(after, time.min))
    plan_filter = selectors.PlanFilter.from_query(request.GET)
    by_day: dict[date, list[Any]] = {}
    if span == "week":  # a week shows its empty days too: free days are part of planning
        by_day = {first + timedelta(days=i): [] for i in range(7)}
    for post in selectors.posts_in_range(member, start, end, plan_filter):
        by_day.setdefault(timezone.localtime(post.publish_at).date(), []).append(post)
    context = {
        "days": sorted(by_day.items()),
        "count": sum(len(posts) for posts in by_day.values()),
        "today": today,
        "first": first,
        "last": after - timedelta(days=1),
        "previous": previous,
        "following": following,
        "span": span,
        "query": _query_without(request, "from", "span"),
        "keep": [("span", span), ("from", first.isoformat())],
        "filter": plan_filter.as_dict(),
        "filter_active": not plan_filter.is_empty,
        "options": selectors.filter_options(member),
        "ideas": selectors.unscheduled_ideas(member, plan_filter),
        "can_plan": member.can(C.CREATE_CONTENT),
        "time_zone": timezone.get_current_timezone_name(),
    }
    return render_for_member(request, member, "planning/calendar_list.html", context)


def _back_to_calendar(request: HttpRequest, org: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if not target or not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = reverse("planning:calendar", args=[org])
    return redirect(target)


@require_POST
@login_required
def filter_save(request: HttpRequest, org: str) -> HttpResponse:
    """Keep the current filter under a name, for the person who saves it."""
    member = _member(request, org, C.VIEW_PLAN)
    name = request.POST.get("name", "").strip()[:120]
    plan_filter = selectors.PlanFilter.from_query(request.POST)
    if not name:
        messages.error(request, _("Give the filter a name, then save it again."))
    elif plan_filter.is_empty:
        messages.error(request, _("Choose at least one filter value first, then save it under a name."))
    else:
        SavedFilter.objects.update_or_create(
            membership=member, name=name, defaults={"filters": plan_filter.as_dict()}
        )
        messages.success(request, _("The filter “%(name)s” was saved.") % {"name": name})
    return _back_to_calendar(request, org)


@require_POST
@login_required
def filter_delete(request: HttpRequest, org: str, filter_id: UUID) -> HttpResponse:
    """Delete one of one's own saved filters; someone else's is not found."""
    member = _member(request, org, C.VIEW_PLAN)
    saved = access_plan_object(member, SavedFilter, filter_id)
    if saved.membership_id != member.pk:
        raise Http404
    saved.delete()
    messages.success(request, _("The filter “%(name)s” was deleted.") % {"name": saved.name})
    return _back_to_calendar(request, org)


def saved_filter_query(saved: SavedFilter) -> str:
    """The calendar query string of a saved filter."""
    query = QueryDict(mutable=True)
    filters = saved.filters or {}
    # In the filter form's order: PostgreSQL's jsonb does not keep the order the keys were saved in.
    for key in ("department", "channel", "campaign", "topic", "status", "owner"):
        values = filters.get(key)
        if isinstance(values, list):
            query.setlist(key, [str(v) for v in values])
    return query.urlencode()
