"""Template helpers of the inbox: time left on the SLA in words, the navigation's count of my open cases."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from html import escape
from typing import Any

from django import template
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext_lazy

from onevoice.core.date_writer import DateWriter
from onevoice.inbox.models import MessageKind, Priority
from onevoice.inbox.selectors import CaseRow
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


# ---- the list's rows, built in Python: 25 rows of nested template logic cost more than the rest of the page,
# so every translated word, the date format and the case link are looked up once per page, not once per row.

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
_SENTIMENT_BADGES = {
    "negative": ("is-negative", "bi-emoji-frown", _lazy("Negative")),
    "positive": ("is-positive", "bi-emoji-smile", _lazy("Positive")),
}
_PRIORITY_BADGES = {
    "urgent": ("text-bg-danger", "bi-lightning-fill"),
    "high": ("ov-prio-high", "bi-arrow-up"),
    "low": ("ov-prio-low", ""),
}


class _RowWriter:
    """Writes the `<li>` of list rows in the reader's language; every value from outside is escaped with
    `html.escape` (what Django's `escape` does, without its lazy-string wrapper), the rest is fixed markup."""

    def __init__(self, organization: Any, now: datetime) -> None:
        from django.urls import reverse

        self.now = now
        self.link = reverse("inbox:case", args=[organization.slug, _ID_SLOT])
        self.write_date = DateWriter(get_format("SHORT_DATETIME_FORMAT"))
        self.unknown, self.unassigned = escape(_("Unknown")), escape(_("Unassigned"))
        self.ago = _("%(span)s ago")
        self.kinds = {value: escape(str(label)) for value, label in MessageKind.choices}
        self.priorities = {value: escape(str(label)) for value, label in Priority.choices}
        self.statuses = {value: escape(str(label)) for value, label in _STATUS_LABELS.items()}
        self.sentiments = {
            key: f'<span class="badge ov-sentiment {css}"><i class="bi {icon}" aria-hidden="true"></i> '
            f"{escape(str(label))}</span>"
            for key, (css, icon, label) in _SENTIMENT_BADGES.items()
        }
        self.offensive = (
            f'<span class="badge text-bg-danger" title="{escape(_("Offensive or abusive"))}">'
            f'<i class="bi bi-exclamation-octagon" aria-hidden="true"></i> {escape(_("Offensive"))}</span>'
        )
        self.sla_words = {
            "first": escape(_("First response")),
            "resolution": escape(_("Resolution")),
            "overdue": _("%(span)s overdue"),
            "left": _("%(span)s left"),
            "closed": (
                '<span class="ov-sla is-done"><i class="bi bi-check2" aria-hidden="true"></i> '
                f"{self.statuses['closed']}</span>"
            ),
        }

    def date(self, value: datetime) -> str:
        return escape(self.write_date(value))

    def badges(self, case: CaseRow) -> str:
        """Offensive, sentiment (not neutral), priority (not normal) and status."""
        parts = [self.offensive] if case.offensive else []
        if case.sentiment in self.sentiments:
            parts.append(self.sentiments[case.sentiment])
        priority = _PRIORITY_BADGES.get(case.priority)
        if priority is not None:
            css, icon = priority
            icon_html = f'<i class="bi {icon}" aria-hidden="true"></i> ' if icon else ""
            parts.append(f'<span class="badge {css}">{icon_html}{self.priorities[case.priority]}</span>')
        parts.append(
            f'<span class="badge ov-status ov-status-{escape(case.status)}" data-testid="status-badge">'
            f"{self.statuses.get(case.status) or escape(case.status)}</span>"
        )
        return "".join(parts)

    def sla(self, case: CaseRow) -> str:
        """Time left on the deadline that counts now, or how late it is; "closed" for closed cases."""
        if not case.sla_due:
            return self.sla_words["closed"] if case.status == "closed" else ""
        title = f"{self.sla_words[case.sla_kind]}: {self.date(case.sla_due)}"
        span = duration(case.sla_left)
        if case.sla_overdue:
            return (
                f'<span class="ov-sla is-overdue" data-testid="sla" title="{title}"><i class="bi bi-alarm-fill" '
                f'aria-hidden="true"></i> {escape(self.sla_words["overdue"] % {"span": span})}</span>'
            )
        css = " is-soon" if case.sla_left is not None and case.sla_left.total_seconds() < 3600 else ""
        return (
            f'<span class="ov-sla{css}" data-testid="sla" title="{title}"><i class="bi bi-hourglass-split" '
            f'aria-hidden="true"></i> {escape(self.sla_words["left"] % {"span": span})}</span>'
        )

    def row(self, case: CaseRow) -> str:
        """Who wrote, where, the latest words, deadline, badges, owner."""
        channel_name = escape(case.channel_name)
        css = " is-overdue" if case.sla_overdue else ""
        css += " is-new" if case.status == "new" else ""
        author_name, author_handle = case.author_name, case.author_handle
        author = escape(author_name or author_handle) if (author_name or author_handle) else self.unknown
        handle = (
            f'<span class="small ov-muted text-truncate">@<bdi>{escape(author_handle)}</bdi></span>'
            if author_handle
            else ""
        )
        extras = ""
        if case.post_title is not None:
            extras = (
                '<span class="ov-muted text-truncate ov-case-post"><i class="bi bi-reply" aria-hidden="true"></i> '
                f"{escape(case.post_title)}</span>"
            )
        extras += "".join(f'<span class="badge ov-tag">{escape(tag)}</span>' for tag in case.tags)
        if case.assignee_name is not None:
            owner = f'<i class="bi bi-person-fill" aria-hidden="true"></i> {escape(case.assignee_name)}'
        elif case.department_name is not None:
            owner = f'<i class="bi bi-diagram-3" aria-hidden="true"></i> {escape(case.department_name)}'
        else:
            owner = f'<i class="bi bi-person-dash" aria-hidden="true"></i> {self.unassigned}'
        at = case.last_message_at
        snippet = escape(case.snippet or case.subject)
        kind = self.kinds.get(case.kind) or escape(case.kind)
        return (
            f'<li class="ov-case-row{css}" data-testid="case-row">\n'
            f'  <a class="ov-case-link" href="{escape(self.link.replace(_ID_SLOT, str(case.public_id)))}">\n'
            f'    <div class="ov-case-channel" title="{channel_name}">'
            f"{_NETWORK_ICONS.get(case.channel_network, _OTHER_NETWORK)}</div>\n"
            '    <div class="ov-case-body min-w-0">\n'
            '      <div class="d-flex flex-wrap align-items-baseline gap-1">\n'
            f'        <bdi class="fw-semibold text-truncate ov-case-author">{author}</bdi>\n'
            f"        {handle}\n"
            f'        <span class="small ov-muted">· {channel_name} · {kind}</span>\n'
            "      </div>\n"
            f'      <p class="ov-case-snippet mb-1" dir="auto">{snippet}</p>\n'
            f'      <div class="d-flex flex-wrap align-items-center gap-1 small">{extras}</div>\n'
            "    </div>\n"
            '    <div class="ov-case-meta">\n'
            f"      {self.sla(case)}\n"
            f'      <div class="d-flex flex-wrap justify-content-end gap-1 mt-1">{self.badges(case)}</div>\n'
            f'      <div class="small ov-muted mt-1 text-nowrap">{owner} · <time datetime="{at.isoformat()}" '
            f'title="{self.date(at)}">{escape(self.ago % {"span": timesince(at, self.now)})}</time></div>\n'
            "    </div>\n"
            "  </a>\n"
            "</li>"
        )


@register.simple_tag
def case_rows(cases: list[CaseRow], organization: Any, now: datetime) -> SafeString:
    """The `<li>` of each case of the list."""
    writer = _RowWriter(organization, now)
    return mark_safe("\n".join(writer.row(case) for case in cases))  # noqa: S308 - fixed markup, values escaped


@register.simple_tag
def select_options(choices: Iterable[tuple[Any, Any]], selected: Any) -> SafeString:
    """The `<option>`s of a filter's `<select>`, the chosen value selected: the filter bar's four lists as
    template loops cost the inbox page more than its queries. Values and labels are escaped."""
    chosen = str(selected) if selected not in (None, "") else None
    return mark_safe(  # noqa: S308 - fixed markup, values escaped
        "".join(
            f'<option value="{escape(str(value))}"{" selected" if str(value) == chosen else ""}>'
            f"{escape(str(label))}</option>"
            for value, label in choices
        )
    )


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
