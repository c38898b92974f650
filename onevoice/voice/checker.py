"""The voice checker: a pure function from a variant's text and facts plus the rules that apply to findings.

No database, no request: the composer (live, while typing), submission, approval and the API all call
`check` with the same inputs and get the same findings. Rules arrive as plain `Rule` values (the models in
`voice/models.py` turn into them); findings carry character spans into the text so the UI can highlight
exactly the offending words.

Rule kinds and their `params` (validated by `validate`):

- ADDRESS: {"form": "sie" | "du"} — the form of address in German text; pronouns and verb forms, not
  just words; quotations ("…", „…“, »…«) and names (e.g. "Sie & Er GmbH") are excepted.
- FORBIDDEN_TERMS: {"terms": ["Kunden", …], "exceptions": ["Kundenservice", …]} — inflected forms count
  (Kunde, Kunden, Kundin …); an exception containing the match excuses it.
- PREFERRED_TERMS: {"replacements": {"Kunden": "Kund*innen", "One Voice": "OneVoice"}} — the left side
  found (inflected, or a misspelling of a product name) → a finding with the right side as suggestion.
- DISCLOSURE: {"markers": ["Anzeige", "Werbung"]} — when the variant is a paid partnership, one marker
  must appear (German practice: at the start, clearly visible).
- REQUIRED_HASHTAGS: {"hashtags": ["#MusterGmbH"], "mode": "all" | "any"}.
- TRACKING_LINK: {"parameters": ["utm_source", "utm_medium", "utm_campaign"]} — every link carries them.
- ALT_TEXT: {} — every image has an alt text (BFSG).
- HASHTAG_LIMIT: {"max": 3}.
- EMOJI: {"max": 2} (0 = none allowed).
- LANGUAGE: {} — the detected language of the text matches the variant's language.
- SENSITIVE: {"terms": ["Konkurrent AG", "Rückruf"], "label": "Wettbewerber"} — a mention means the post
  needs an extra approval step (the finding says so; it does not block).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


class RuleKind(enum.StrEnum):
    ADDRESS = "address"
    FORBIDDEN_TERMS = "forbidden_terms"
    PREFERRED_TERMS = "preferred_terms"
    DISCLOSURE = "disclosure"
    REQUIRED_HASHTAGS = "required_hashtags"
    TRACKING_LINK = "tracking_link"
    ALT_TEXT = "alt_text"
    HASHTAG_LIMIT = "hashtag_limit"
    EMOJI = "emoji"
    LANGUAGE = "language"
    SENSITIVE = "sensitive"


class Severity(enum.StrEnum):
    BLOCK = "block"  # the post cannot be submitted for review (unless the SMM overrides it)
    WARN = "warn"


@dataclass(frozen=True)
class Rule:
    id: str  # the rule's public id (or any stable key in tests)
    kind: RuleKind
    severity: Severity
    params: dict[str, Any] = field(default_factory=dict)
    name: str = ""


@dataclass(frozen=True)
class VariantFacts:
    text: str
    language: str = "de"  # the language the variant should be in (the channel's / the variant's setting)
    network: str = ""
    link: str = ""
    image_alt_texts: tuple[str, ...] = ()  # one entry per image, "" where it has none
    paid_partnership: bool = False


@dataclass(frozen=True)
class Finding:
    rule_id: str
    kind: RuleKind
    severity: Severity
    message: str  # in the active language, for the person writing
    spans: tuple[tuple[int, int], ...] = ()  # [start, end) character offsets into VariantFacts.text
    suggestion: str = ""
    needs_extra_approval: bool = False


def validate(kind: RuleKind, params: dict[str, Any]) -> list[str]:
    """What is wrong with a rule's parameters, in words (empty when it is valid)."""
    raise NotImplementedError


def check(facts: VariantFacts, rules: Sequence[Rule]) -> list[Finding]:
    """Every finding of every rule on this variant, blocking ones first, then by position in the text."""
    raise NotImplementedError
