from __future__ import annotations

import re
from pathlib import Path

from onevoice.core.audit import VERB_LABELS

ROOT = Path(__file__).resolve().parents[2]


def test_every_audited_verb_has_a_readable_label() -> None:
    """A new `audit.record(verb=…)` without a label would show its code on the audit log page."""
    verbs: set[str] = set()
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts:
            continue
        verbs |= set(re.findall(r'verb=(?:"([a-z_]+\.[a-z_]+)")', path.read_text()))
        for a, b in re.findall(
            r'verb="([a-z_]+\.[a-z_]+)" if [^"]+ else "([a-z_]+\.[a-z_]+)"', path.read_text()
        ):
            verbs |= {a, b}
    assert verbs, "no audit verbs found: the pattern is out of date"
    assert verbs - set(VERB_LABELS) == set()
