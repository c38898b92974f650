"""The calendar of the plan: month, week and list views (FullCalendar), a list that works without
JavaScript, drag and drop to reschedule, saved filters."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onevoice.organization.access import access_plan_object, access_post, membership_for
from onevoice.organization.roles import Capability
from onevoice.organization.shortcuts import render_for_member
from onevoice.planning import selectors, services
from onevoice.planning.models import SavedFilter

C = Capability
COLOUR_CHOICES = ("department", "campaign", "topic")


def _colour_by(request: HttpRequest) -> str:
    value = request.GET.get("colour", "department")
    return value if value in COLOUR_CHOICES else "department"


def _parse_moment(value: str | None) -> datetime | None:
    """A wall-clock time from the calendar, in the person's time zone.

    The calendar runs in "UTC" mode so that it shows the organisation's wall-clock times whatever the
    browser's zone is; any offset it sends is therefore dropped and the time read as local.
    """
    if not value:
        return None
    moment = parse_datetime(value.replace(" ", "+"))
    if moment is None:
        try:
            moment = datetime.combine(date.fromisoformat(value[:10]), time.min)
        except ValueError:
            return None
    return timezone.make_aware(moment.replace(tzinfo=None), timezone.get_current_timezone())


@login_required
def calendar(request: HttpRequest, org: str) -> HttpResponse:
    member = membership_for(request.user, org, need=C.VIEW_PLAN)
    plan_filter = selectors.PlanFilter.from_query(request.GET)
    context = {
        "filter": plan_filter.as_dict(),
        "options": selectors.filter_options(member),
        "colour_by": _colour_by(request),
        "ideas": selectors.unscheduled_ideas(member, plan_filter),
        "saved_filters": SavedFilter.objects.filter(membership=member),
        "query": request.GET.urlencode(),
        "can_plan": member.can(C.CREATE_CONTENT),
        "time_zone": timezone.get_current_timezone_name(),
    }
    return render_for_member(request, member, "planning/calendar.html", context)


@login_required
def calendar_events(request: HttpRequest, org: str) -> JsonResponse:
    """The posts of [start, end) as FullCalendar events."""
    member = membership_for(request.user, org, need=C.VIEW_PLAN)
    start, end = _parse_moment(request.GET.get("start")), _parse_moment(request.GET.get("end"))
    if start is None or end is None or end <= start or end - start > timedelta(days=100):
        return JsonResponse({"error": _("Choose a period of at most 100 days.")}, status=400)
    plan_filter = selectors.PlanFilter.from_query(request.GET)
    colour_by = _colour_by(request)
    # One reverse() for all rows: the post URL differs only in its id.
    placeholder = "00000000-0000-0000-0000-000000000000"
    pattern = reverse("planning:post", args=[member.organization.slug, placeholder])
    events = selectors.calendar_events(
        member,
        start,
        end,
        plan_filter,
        colour_by,
        lambda public_id: pattern.replace(placeholder, str(public_id)),
    )
    return JsonResponse(events, safe=False)


@require_POST
@login_required
def calendar_move(request: HttpRequest, org: str) -> JsonResponse:
    """Drag and drop: move a post (or schedule an idea) to a new time."""
    member = membership_for(request.user, org, need=C.CREATE_CONTENT)
    try:
        data = json.loads(request.body or b"{}")
        post_id = UUID(str(data.get("post")))
        version = int(data.get("version"))
    except (ValueError, TypeError):
        return JsonResponse(
            {"error": _("The request was incomplete. Reload the page and try again.")}, status=400
        )
    post = access_post(member, post_id, edit=True)
    publish_at = _parse_moment(data.get("start"))
    if publish_at is None:
        return JsonResponse({"error": _("Drop the post on a day or a time.")}, status=400)
    # 02:30 on the spring-forward day does not exist: zoneinfo reads it as 03:30, which is what a person means.
    publish_at = timezone.localtime(publish_at)
    try:
        post = services.post_reschedule(
            actor=member, post=post, publish_at=publish_at, expected_version=version
        )
    except services.ConcurrentEdit as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=409)
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=400)
    return JsonResponse(
        {
            "ok": True,
            "version": post.version,
            "status": str(post.get_status_display()),
            "message": _("“%(title)s” moved to %(when)s.")
            % {"title": post.title, "when": timezone.localtime(post.publish_at).strftime("%d.%m.%Y %H:%M")},
        }
    )


@login_required
def calendar_list(request: HttpRequest, org: str) -> HttpResponse:
    """The plan as a list per day, server-rendered: works without JavaScript."""
    member = membership_for(request.user, org, need=C.VIEW_PLAN)
    today = timezone.localdate()
    try:
        start_day = date.fromisoformat(request.GET.get("from", "")) if request.GET.get("from") else today
    except ValueError:
        start_day = today
    days = 14 if request.GET.get("span") != "month" else 31
    zone = timezone.get_current_timezone()
    start = datetime.combine(start_day, time.min, tzinfo=zone)
    end = datetime.combine(start_day + timedelta(days=days), time.min, tzinfo=zone)
    plan_filter = selectors.PlanFilter.from_query(request.GET)
    posts = selectors.posts_in_range(member, start, end, plan_filter)
    by_day: dict[date, list] = {}
    for post in posts:
        by_day.setdefault(timezone.localtime(post.publish_at).date(), []).append(post)
    query = request.GET.copy()
    query.pop("from", None)
    context = {
        "days": sorted(by_day.items()),
        "start_day": start_day,
        "end_day": start_day + timedelta(days=days - 1),
        "previous": start_day - timedelta(days=days),
        "next": start_day + timedelta(days=days),
        "span": "month" if days == 31 else "two_weeks",
        "query": query.urlencode(),
        "filter": plan_filter.as_dict(),
        "options": selectors.filter_options(member),
        "ideas": selectors.unscheduled_ideas(member, plan_filter),
    }
    return render_for_member(request, member, "planning/calendar_list.html", context)


@require_POST
@login_required
def filter_save(request: HttpRequest, org: str) -> HttpResponse:
    member = membership_for(request.user, org, need=C.VIEW_PLAN)
    name = request.POST.get("name", "").strip()[:120]
    if not name:
        messages.error(request, _("Give the filter a name."))
    else:
        filters = selectors.PlanFilter.from_query(request.POST).as_dict()
        SavedFilter.objects.create(membership=member, name=name, filters=filters)
        messages.success(request, _("The filter “%(name)s” was saved.") % {"name": name})
    return redirect(f"{reverse('planning:calendar', args=[org])}?{request.POST.get('query', '')}")


@require_POST
@login_required
def filter_delete(request: HttpRequest, org: str, filter_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org, need=C.VIEW_PLAN)
    saved = access_plan_object(member, SavedFilter, filter_id)
    if saved.membership_id != member.pk:
        raise Http404
    saved.delete()
    messages.success(request, _("The filter was deleted."))
    return redirect("planning:calendar", org)
