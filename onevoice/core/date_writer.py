"""Dates in a fixed format, many times on one page: Django's `dateformat.format` builds a formatter object and
splits the format string for every date, which for a list of 25 rows with two dates each costs more than the
list's queries. A `DateWriter` splits the format once and looks up its words ("a.m.", "noon") once, in the
language active when it is made; a format with a code it does not know is left to Django entirely."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.utils import dateformat
from django.utils.timezone import localtime
from django.utils.translation import gettext

# Each code as `django.utils.dateformat` writes it; `w` holds the translated words.
_CODES: dict[str, Callable[[datetime, dict[str, str]], str]] = {
    "d": lambda t, w: f"{t.day:02d}",
    "j": lambda t, w: str(t.day),
    "m": lambda t, w: f"{t.month:02d}",
    "n": lambda t, w: str(t.month),
    "Y": lambda t, w: f"{t.year:04d}",
    "y": lambda t, w: f"{t.year % 100:02d}",
    "H": lambda t, w: f"{t.hour:02d}",
    "G": lambda t, w: str(t.hour),
    "h": lambda t, w: f"{t.hour % 12 or 12:02d}",
    "g": lambda t, w: str(t.hour % 12 or 12),
    "i": lambda t, w: f"{t.minute:02d}",
    "s": lambda t, w: f"{t.second:02d}",
    "a": lambda t, w: w["p.m."] if t.hour > 11 else w["a.m."],
    "A": lambda t, w: w["PM"] if t.hour > 11 else w["AM"],
    "f": lambda t, w: _twelve_hour(t),
    "P": lambda t, w: (
        w["midnight"]
        if (t.hour, t.minute) == (0, 0)
        else w["noon"]
        if (t.hour, t.minute) == (12, 0)
        else f"{_twelve_hour(t)} {w['p.m.'] if t.hour > 11 else w['a.m.']}"
    ),
}


def _twelve_hour(t: datetime) -> str:
    hour = t.hour % 12 or 12
    return f"{hour}:{t.minute:02d}" if t.minute else str(hour)


class DateWriter:
    """`DateWriter("d.m.Y H:i")(moment)` is `dateformat.format(localtime(moment), "d.m.Y H:i")`."""

    def __init__(self, format_string: str) -> None:
        self.format = format_string
        pieces = dateformat.re_formatchars.split(format_string)
        # Odd pieces are codes; a backslash escapes a letter, which only Django's own parser handles.
        self.fast = "\\" not in format_string and all(code in _CODES for code in pieces[1::2])
        self.pieces = [(index % 2 == 1, piece) for index, piece in enumerate(pieces) if piece]
        words = ("a.m.", "p.m.", "AM", "PM", "midnight", "noon")
        self.words = {word: gettext(word) for word in words} if self.fast else {}

    def __call__(self, moment: datetime) -> str:
        local = localtime(moment)
        if not self.fast:
            return dateformat.format(local, self.format)
        words = self.words
        return "".join(_CODES[piece](local, words) if is_code else piece for is_code, piece in self.pieces)
