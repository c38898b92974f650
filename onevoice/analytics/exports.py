"""Every dashboard table as CSV (Excel-ready, formula-safe) or as an Excel workbook.

A figure the network does not provide is written as "not available from this network", never as 0.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from onevoice.analytics.definitions import NOT_AVAILABLE
from onevoice.analytics.selectors import Dashboard, posts_table
from onevoice.planning.exports import csv_safe

Cell = str | int | Decimal | date | None
Table = tuple[list[str], list[list[Cell]]]


def _na(value: Any, available: bool = True) -> Cell:
    if not available or value is None:
        return str(NOT_AVAILABLE) if not available else ""
    result: Cell = value
    return result


def _channels(board: Dashboard) -> Table:
    headers = [
        _("Channel"),
        _("Network"),
        _("Posts published"),
        _("Interactions"),
        _("Likes"),
        _("Reposts / shares"),
        _("Replies / comments"),
        _("Quotes"),
        _("Impressions"),
        _("Engagement rate (%)"),
        _("Followers"),
        _("Follower growth"),
    ]
    rows = [
        [
            r["name"],
            r["network"],
            r["published"],
            _na(r["interactions"], r["interactions"] is not None),
            _na(r["likes"], r["likes"] is not None),
            _na(r["reposts"], r["reposts"] is not None),
            _na(r["replies"], r["replies"] is not None),
            _na(r["quotes"], r["quotes"] is not None),
            _na(r["impressions"], r["impressions"] is not None),
            _na(r["engagement_rate"], r["rate_available"]),
            _na(r["followers"], r["followers_available"]),
            _na(r["follower_growth"], r["followers_available"]),
        ]
        for r in board.channels
    ]
    return headers, rows


def _breakdown(kind: str) -> Callable[[Dashboard], Table]:
    def table(board: Dashboard) -> Table:
        title = {"department": _("Department"), "campaign": _("Campaign"), "topic": _("Topic")}[kind]
        headers = [title, _("Posts published"), _("Interactions on these posts"), _("Engagement rate (%)")]
        rows = [
            [r["name"], r["published"], r["interactions"], _na(r["engagement_rate"])]
            for r in board.breakdowns.get(kind, [])
        ]
        return headers, rows

    return table


def _posts(board: Dashboard) -> Table:
    headers = [
        _("Published"),
        _("Channel"),
        _("Title"),
        _("Text"),
        _("Link"),
        _("Interactions"),
        _("Likes"),
        _("Reposts / shares"),
        _("Replies / comments"),
        _("Quotes"),
        _("Followers when published"),
        _("Engagement rate (%)"),
    ]
    rows: list[list[Cell]] = []
    for row in posts_table(board.scope, board.period):
        t, ok = row.tracked, row.available
        rows.append(
            [
                t.published_on,
                row.channel.name,
                t.title,
                t.excerpt,
                t.url,
                _na(t.interactions, ok),
                _na(t.likes, ok),
                _na(t.reposts, ok),
                _na(t.replies, ok),
                _na(t.quotes, ok),
                _na(t.followers_at_publication, t.followers_at_publication is not None),
                _na(row.rate, row.rate is not None),
            ]
        )
    return headers, rows


def _daily(board: Dashboard) -> Table:
    series = board.series
    headers = [_("Day"), _("Posts published"), _("Interactions"), _("Followers")]
    rows = [
        [
            date.fromisoformat(label),
            series["published"][i],
            _na(series["interactions"][i], series["has_interactions"]),
            _na(series["followers"][i], series["has_followers"]),
        ]
        for i, label in enumerate(series["labels"])
    ]
    return headers, rows


def _inbox(key: str) -> Callable[[Dashboard], Table]:
    def table(board: Dashboard) -> Table:
        title = _("Department") if key == "by_department" else _("Channel")
        headers = [title, _("Cases"), _("First response, median (business hours)")]
        rows = [
            [r["name"] or _("No department"), r["cases"], _na(r["first_response_hours"])]
            for r in getattr(board.inbox, key)
        ]
        return headers, rows

    return table


def _requests(board: Dashboard) -> Table:
    headers = [_("Department"), _("Requests received"), _("Accepted"), _("Declined"), _("Open")]
    rows = [
        [r["department__name"], r["received"], r["accepted"], r["declined"], r["open"]]
        for r in board.plan.requests
    ]
    return headers, rows


TABLES: dict[str, Callable[[Dashboard], Table]] = {
    "channels": _channels,
    "departments": _breakdown("department"),
    "campaigns": _breakdown("campaign"),
    "topics": _breakdown("topic"),
    "posts": _posts,
    "daily": _daily,
    "inbox-departments": _inbox("by_department"),
    "inbox-channels": _inbox("by_channel"),
    "requests": _requests,
}


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return csv_safe(value)
    return str(value)


def as_csv(table: Table) -> bytes:
    headers, rows = table
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([csv_safe(h) for h in headers])
    for row in rows:
        writer.writerow([_text(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8


def as_xlsx(table: Table, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    headers, rows = table
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        # Text is written as text (openpyxl never evaluates it); a leading "=" still gets defused.
        sheet.append(
            [csv_safe(c) if isinstance(c, str) else (float(c) if isinstance(c, Decimal) else c) for c in row]
        )
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 10), 60)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
