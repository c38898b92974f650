"""The plan outside OneVoice: calendar feeds (a page and the public feed), CSV export and CSV import."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from onevoice.organization.access import membership_for
from onevoice.organization.roles import Capability
from onevoice.organization.shortcuts import render_for_member
from onevoice.planning import csv_import, exports
from onevoice.planning.export_forms import FeedForm, ImportForm
from onevoice.planning.models import CalendarFeed, Post

C = Capability
NEW_FEED_KEY = "planning_new_feed"
IMPORTED_KEY = "planning_imported"


def _import_key(org: str) -> str:
    return f"planning_import:{org}"


# ---- calendar feeds ---------------------------------------------------------------------------------


@login_required
def calendar_feeds(request: HttpRequest, org: str) -> HttpResponse:
    """The person's own feeds; a new one shows its address once (only its hash is kept)."""
    member = membership_for(request.user, org, need=C.VIEW_PLAN)
    form = FeedForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        feed, token = exports.feed_create(
            actor=member, name=form.cleaned_data["name"], plan_filter=form.plan_filter()
        )
        request.session[NEW_FEED_KEY] = {"id": str(feed.public_id), "url": exports.feed_url(token)}
        return redirect("planning:calendar-feeds", org)
    new_feed = request.session.pop(NEW_FEED_KEY, None)
    names = exports.FilterNames(member)
    feeds = [
        (feed, names.describe(feed.filters or {}))
        for feed in CalendarFeed.objects.filter(membership=member).order_by("revoked_at", "-created_at")
    ]
    if new_feed:
        url = new_feed["url"]
        new_feed["webcal"] = "webcal://" + url.split("://", 1)[1]
    context = {"form": form, "feeds": feeds, "new_feed": new_feed}
    return render_for_member(
        request, member, "planning/exports_feeds.html", context, 400 if form.errors else 200
    )


@require_POST
@login_required
def calendar_feed_revoke(request: HttpRequest, org: str, feed_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org, need=C.VIEW_PLAN)
    feed = CalendarFeed.objects.filter(membership=member, public_id=feed_id).first()
    if feed is None:  # someone else's feed looks like no feed
        raise Http404
    exports.feed_revoke(actor=member, feed=feed)
    messages.success(
        request,
        _("The feed “%(name)s” no longer works. Calendars subscribed to it stay empty.")
        % {"name": feed.name},
    )
    return redirect("planning:calendar-feeds", org)


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The public feed a calendar app subscribes to: the token is the only key, so it is never logged in."""
    feed = exports.feed_for_token(token)
    if feed is None:
        raise Http404
    response = HttpResponse(exports.feed_calendar(feed), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="onevoice-plan.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


# ---- CSV --------------------------------------------------------------------------------------------


@login_required
def plan_csv(request: HttpRequest, org: str) -> StreamingHttpResponse:
    """The plan as CSV, with the calendar's filters as query parameters."""
    member = membership_for(request.user, org, need=C.VIEW_PLAN)
    plan_filter = exports.PlanFilter.from_query(request.GET)
    response = StreamingHttpResponse(
        exports.plan_csv_lines(member, plan_filter), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="plan-{member.organization.slug}-{stamp}.csv"'
    return response


@login_required
def plan_import(request: HttpRequest, org: str) -> HttpResponse:
    """Upload a CSV plan, see every row checked, then import all of it or nothing.

    Between the preview and the confirmation the file's text stays in the session (at most 2 MB);
    the confirmation checks it again, so a change in between (a channel removed) is still caught.
    """
    member = membership_for(request.user, org, need=C.CREATE_CONTENT)
    key = _import_key(org)
    if request.method == "POST" and "confirm" in request.POST:
        stored = request.session.get(key)
        if not stored or stored["digest"] != request.POST.get("digest"):
            messages.error(request, _("The uploaded file is no longer at hand. Upload it again."))
            return redirect("planning:plan-import", org)
        try:
            posts = csv_import.import_plan(actor=member, text=stored["text"], filename=stored["name"])
        except csv_import.ImportRefused as refused:
            request.session.pop(key, None)
            context = {"preview": refused.preview, "filename": stored["name"], "form": ImportForm()}
            return render_for_member(request, member, "planning/import_preview.html", context, 400)
        request.session.pop(key, None)
        request.session[IMPORTED_KEY] = [str(p.public_id) for p in posts]
        messages.success(
            request,
            ngettext(
                "%(count)s post is in the plan as a draft.",
                "%(count)s posts are in the plan as drafts.",
                len(posts),
            )
            % {"count": len(posts)},
        )
        return redirect("planning:plan-import", org)

    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        text = csv_import.decode_upload(upload.read())
        preview = csv_import.import_preview(member, text)
        digest = csv_import.content_digest(text)
        if preview.ok:
            request.session[key] = {"name": upload.name, "text": text, "digest": digest}
        else:
            request.session.pop(key, None)
        context = {"preview": preview, "filename": upload.name, "digest": digest, "form": ImportForm()}
        return render_for_member(
            request, member, "planning/import_preview.html", context, 200 if preview.ok else 400
        )
    imported_ids = request.session.pop(IMPORTED_KEY, [])
    imported = Post.objects.filter(
        organization_id=member.organization_id, public_id__in=imported_ids
    ).select_related("department")
    context = {"form": form, "imported": imported, "header": csv_import.expected_header()}
    return render_for_member(request, member, "planning/import.html", context, 400 if form.errors else 200)
