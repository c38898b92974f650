"""The German interface is complete: every string has a translation that Django will use."""

from __future__ import annotations

import re
from pathlib import Path

PO = Path(__file__).resolve().parents[3] / "locale" / "de" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def entries() -> list[dict[str, str]]:
    """Each entry of the .po as {"flags", "msgid", "msgid_plural", "msgstr", "msgstr[0]", …}."""
    parsed = []
    for block in PO.read_text(encoding="utf-8").split("\n\n")[1:]:  # the first block is the header
        entry: dict[str, str] = {"flags": ""}
        key = ""
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += line
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                entry[key] += line[1:-1]
            else:
                key, _, value = line.partition(" ")
                entry[key] = value[1:-1]
        parsed.append(entry)
    return parsed


def test_no_entry_is_fuzzy() -> None:
    """Django ignores fuzzy entries, so the English text would show."""
    assert [e["msgid"] for e in entries() if "fuzzy" in e["flags"]] == []


def test_every_entry_is_translated() -> None:
    untranslated = [
        e["msgid"] for e in entries() for key, value in e.items() if key.startswith("msgstr") and not value
    ]
    assert untranslated == []


COUNTS = {"%(days)s", "%(count)s", "%(counter)s", "%(n)s"}


def test_placeholders_survive_translation() -> None:
    for e in entries():
        wanted = set(PLACEHOLDER.findall(e["msgid"] + e.get("msgid_plural", "")))
        for key, value in e.items():
            if key.startswith("msgstr"):
                assert set(PLACEHOLDER.findall(value)) <= wanted, e["msgid"]
                # a singular may drop the count (German "einen Tag", "ein Konflikt"), nothing else
                droppable = COUNTS if key == "msgstr[0]" else set()
                assert wanted - set(PLACEHOLDER.findall(value)) <= droppable, e["msgid"]
