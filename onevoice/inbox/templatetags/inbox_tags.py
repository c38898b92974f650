"""Template helpers of the inbox: time left on the SLA in words, the navigation's count of my open cases."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import template
from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext_lazy

from onevoice.organization.models import Membership

register = template.Library()


@register.filter
def duration(value: timedelta | None) -> str:
    """A span as people say it: "3 d 4 h", "2 h 15 min", "5 min" (the sign is dropped)."""
    if value is None:
        return ""
    minutes = abs(int(value.total_seconds())) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(d)s d %(h)s h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)s h %(m)s min") % {"h": hours, "m": minutes}
    return _("%(m)s min") % {"m": max(minutes, 1)}


@register.simple_tag
def my_open_cases(member: Membership | None) -> int:
    """Cases assigned to this person that are not closed (one query; 0 outside an organisation)."""
    if member is None or not getattr(member, "pk", None):
        return 0
    from onevoice.inbox.selectors import my_open_count
    from onevoice.organization.access import may_use_inbox

    return my_open_count(member) if may_use_inbox(member) else 0


_STATUS_LABELS = {
    "new": pgettext_lazy("case status", "New"),
    "open": pgettext_lazy("case status", "Open"),
    "waiting": pgettext_lazy("case status", "Waiting for customer"),
    "closed": pgettext_lazy("case status", "Closed"),
}


@register.filter
def case_status(value: str) -> str:
    """A case's status as an adjective ("Offen"), not the verb the bare word would translate to."""
    return str(_STATUS_LABELS.get(value, value))


# ---- the list's badges, built in Python: a page has 25 rows of them, and templates cost more than strings.

_SENTIMENT_BADGES = {
    "negative": ("is-negative", "bi-emoji-frown", _lazy("Negative")),
    "positive": ("is-positive", "bi-emoji-smile", _lazy("Positive")),
}
_PRIORITY_BADGES = {
    "urgent": ("text-bg-danger", "bi-lightning-fill"),
    "high": ("ov-prio-high", "bi-arrow-up"),
    "low": ("ov-prio-low", ""),
}


@register.simple_tag
def row_badges(case: Any) -> SafeString:
    """Offensive, sentiment (not neutral), priority (not normal) and status of a case row."""
    parts: list[SafeString] = []
    if case.offensive:
        parts.append(
            format_html(
                '<span class="badge text-bg-danger" title="{}"><i class="bi bi-exclamation-octagon" '
                'aria-hidden="true"></i> {}</span>',
                _("Offensive or abusive"),
                _("Offensive"),
            )
        )
    sentiment = _SENTIMENT_BADGES.get(case.sentiment)
    if sentiment is not None:
        css, icon, label = sentiment
        parts.append(
            format_html(
                '<span class="badge ov-sentiment {}"><i class="bi {}" aria-hidden="true"></i> {}</span>',
                css,
                icon,
                label,
            )
        )
    priority = _PRIORITY_BADGES.get(case.priority)
    if priority is not None:
        css, icon = priority
        icon_html = format_html('<i class="bi {}" aria-hidden="true"></i> ', icon) if icon else ""
        parts.append(
            format_html('<span class="badge {}">{}{}</span>', css, icon_html, case.get_priority_display())
        )
    parts.append(
        format_html(
            '<span class="badge ov-status ov-status-{}" data-testid="status-badge">{}</span>',
            case.status,
            case_status(case.status),
        )
    )
    return mark_safe("".join(parts))  # noqa: S308 - every part is built by format_html


@register.simple_tag
def sla_chip(case: Any) -> SafeString:
    """Time left on the deadline that counts now, or how late it is; "closed" for closed cases."""
    if not getattr(case, "sla_due", None):
        if case.status == "closed":
            return format_html(
                '<span class="ov-sla is-done"><i class="bi bi-check2" aria-hidden="true"></i> {}</span>',
                case_status("closed"),
            )
        return mark_safe("")
    kind = _("First response") if case.sla_kind == "first" else _("Resolution")
    title = f"{kind}: {date_format(localtime(case.sla_due), 'SHORT_DATETIME_FORMAT')}"
    span = duration(case.sla_left)
    if case.sla_overdue:
        return format_html(
            '<span class="ov-sla is-overdue" data-testid="sla" title="{}"><i class="bi bi-alarm-fill" '
            'aria-hidden="true"></i> {}</span>',
            title,
            _("%(span)s overdue") % {"span": span},
        )
    css = " is-soon" if case.sla_left.total_seconds() < 3600 else ""
    return format_html(
        '<span class="ov-sla{}" data-testid="sla" title="{}"><i class="bi bi-hourglass-split" '
        'aria-hidden="true"></i> {}</span>',
        css,
        title,
        _("%(span)s left") % {"span": span},
    )


# ---- the list's rows, built in Python: 25 rows of nested template logic cost more than the rest of the page.

_NETWORK_ICONS = {  # as networks/includes/network_icon.html draws them
    "bluesky": '<i class="bi bi-cloud-fill text-primary" aria-hidden="true"></i>',
    "mastodon": '<i class="bi bi-mastodon" style="color:#6364ff" aria-hidden="true"></i>',
    "linkedin": '<i class="bi bi-linkedin" style="color:#0a66c2" aria-hidden="true"></i>',
    "facebook": '<i class="bi bi-facebook" style="color:#0866ff" aria-hidden="true"></i>',
    "instagram": '<i class="bi bi-instagram" style="color:#d62976" aria-hidden="true"></i>',
    "threads": '<i class="bi bi-threads" aria-hidden="true"></i>',
    "x": '<i class="bi bi-twitter-x" aria-hidden="true"></i>',
}
_OTHER_NETWORK = '<i class="bi bi-rss-fill text-warning" aria-hidden="true"></i>'
_ID_SLOT = "00000000-0000-0000-0000-000000000000"


@register.simple_tag
def case_rows(cases: Any, organization: Any, now: Any) -> SafeString:
    """The `<li>` of each case of the list: who wrote, where, the latest words, deadline, badges, owner.

    Every value from outside goes through `escape`; the rest is fixed markup."""
    from django.urls import reverse
    from django.utils.timesince import timesince

    # One reverse for the page: every row's link differs only in the case's id.
    link = reverse("inbox:case", args=[organization.slug, _ID_SLOT])
    unknown, unassigned, ago = escape(_("Unknown")), escape(_("Unassigned")), _("%(span)s ago")
    out: list[str] = []
    kinds: dict[str, str] = {}  # the translated kind of case, once per page
    for case in cases:
        channel = case.channel
        if case.kind not in kinds:
            kinds[case.kind] = escape(case.get_kind_display())
        channel_name = escape(channel.name)
        css = " is-overdue" if getattr(case, "sla_overdue", False) else ""
        css += " is-new" if case.status == "new" else ""
        author_name = getattr(case, "author_name", "") or ""
        author_handle = getattr(case, "author_handle", "") or ""
        author = escape(author_name or author_handle) if (author_name or author_handle) else unknown
        handle = (
            f'<span class="small ov-muted text-truncate">@<bdi>{escape(author_handle)}</bdi></span>'
            if author_handle
            else ""
        )
        extras = ""
        if case.post_id is not None and case.post is not None:
            extras = (
                '<span class="ov-muted text-truncate ov-case-post"><i class="bi bi-reply" aria-hidden="true"></i> '
                f"{escape(case.post.title)}</span>"
            )
        extras += "".join(f'<span class="badge ov-tag">{escape(tag.name)}</span>' for tag in case.tags.all())
        if case.assignee_id is not None and case.assignee is not None:
            owner = (
                f'<i class="bi bi-person-fill" aria-hidden="true"></i> {escape(case.assignee.user.full_name)}'
            )
        elif case.department_id is not None and case.department is not None:
            owner = f'<i class="bi bi-diagram-3" aria-hidden="true"></i> {escape(case.department.name)}'
        else:
            owner = f'<i class="bi bi-person-dash" aria-hidden="true"></i> {unassigned}'
        at = case.last_message_at
        snippet = escape(getattr(case, "snippet", "") or case.subject)
        out.append(
            f'<li class="ov-case-row{css}" data-testid="case-row">\n'
            f'  <a class="ov-case-link" href="{escape(link.replace(_ID_SLOT, str(case.public_id)))}">\n'
            f'    <div class="ov-case-channel" title="{channel_name}">'
            f"{_NETWORK_ICONS.get(channel.network, _OTHER_NETWORK)}</div>\n"
            '    <div class="ov-case-body min-w-0">\n'
            '      <div class="d-flex flex-wrap align-items-baseline gap-1">\n'
            f'        <bdi class="fw-semibold text-truncate ov-case-author">{author}</bdi>\n'
            f"        {handle}\n"
            f'        <span class="small ov-muted">· {channel_name} · {kinds[case.kind]}</span>\n'
            "      </div>\n"
            f'      <p class="ov-case-snippet mb-1" dir="auto">{snippet}</p>\n'
            f'      <div class="d-flex flex-wrap align-items-center gap-1 small">{extras}</div>\n'
            "    </div>\n"
            '    <div class="ov-case-meta">\n'
            f"      {sla_chip(case)}\n"
            f'      <div class="d-flex flex-wrap justify-content-end gap-1 mt-1">{row_badges(case)}</div>\n'
            f'      <div class="small ov-muted mt-1 text-nowrap">{owner} · <time datetime="{at.isoformat()}" '
            f'title="{escape(date_format(localtime(at), "SHORT_DATETIME_FORMAT"))}">'
            f"{escape(ago % {'span': timesince(at, now)})}</time></div>\n"
            "    </div>\n"
            "  </a>\n"
            "</li>"
        )
    return mark_safe("\n".join(out))  # noqa: S308 - fixed markup, every value escaped


@register.filter
def language_label(code: str) -> str:
    """ "de" → "Deutsch" (in the reader's language); unknown codes stay as they are."""
    from django.utils.translation import get_language_info

    if not code:
        return "?"
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


@register.filter
def sentiment_label(value: str) -> str:
    from onevoice.inbox.models import Sentiment

    try:
        return str(Sentiment(value).label)
    except ValueError:
        return value or "–"
