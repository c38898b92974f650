"""The voice checker: a pure function from a variant's text and facts plus the rules that apply to findings.

No database, no request: the composer (live, while typing), submission, approval and the API all call
`check` with the same inputs and get the same findings. Rules arrive as plain `Rule` values (the models in
`voice/models.py` turn into them); findings carry character spans into the text so the UI can highlight
exactly the offending words.

Rule kinds and their `params` (validated by `validate`):

- ADDRESS: {"form": "sie" | "du"} — the form of address in German text; pronouns and verb forms, not
  just words; quotations ("…", „…“, »…«), names (e.g. "Sie & Er GmbH"), hashtags, mentions and links are
  excepted (see `address.py`). Runs only on variants in German; one finding per group of adjacent words.
- FORBIDDEN_TERMS: {"terms": ["Kunden", …], "exceptions": ["Kundenservice", …], "patterns": [regex, …]} —
  inflected forms and compounds count (Kunde, Kunden, Kundin, Stammkunden …, see `terms.py`); an exception
  containing the match excuses it; "patterns" (optional) are regular expressions, matched case-insensitively.
- PREFERRED_TERMS: {"replacements": {"Kunden": "Kund*innen", "One Voice": "OneVoice"}} — the left side
  found (inflected, as a whole word, or a misspelling of a product name) → a finding with the right side as
  suggestion; the right side itself is never a finding ("OneVoice" is not flagged by "Onevoice").
- DISCLOSURE: {"markers": ["Anzeige", "Werbung"]} — when the variant is a paid partnership, one marker
  must appear (German practice: at the start, clearly visible). Missing → a finding of the rule's severity;
  only after the first line / first 80 characters → a warning. "markers" may be left out (these two).
- REQUIRED_HASHTAGS: {"hashtags": ["#MusterGmbH"], "mode": "all" | "any"}.
- TRACKING_LINK: {"parameters": ["utm_source", "utm_medium", "utm_campaign"]} — every link carries them.
- ALT_TEXT: {} — every image has an alt text (BFSG).
- HASHTAG_LIMIT: {"max": 3}.
- EMOJI: {"max": 2} (0 = none allowed).
- LANGUAGE: {} — the detected language of the text matches the variant's language.
- SENSITIVE: {"terms": ["Konkurrent AG", "Rückruf"], "label": "Wettbewerber", "patterns": [regex, …]} — a
  mention means the post needs an extra approval step (the finding says so and has needs_extra_approval; it
  blocks only when the rule's severity is BLOCK).

Compiled matchers are cached per (kind, params), so a rule set is compiled once, not on every keystroke.
Unknown parameters and invalid values are refused by `validate`; `check` skips a rule it cannot use rather
than fail the whole check.
"""

from __future__ import annotations

import enum
import functools
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import regex
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from onevoice.voice.address import detect_address
from onevoice.voice.check_text import emoji, hashtags, urls
from onevoice.voice.language import SUPPORTED, detect_language
from onevoice.voice.terms import TermMatcher, term_matcher


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


logger = logging.getLogger(__name__)

_PARAMS: dict[RuleKind, frozenset[str]] = {
    RuleKind.ADDRESS: frozenset({"form"}),
    RuleKind.FORBIDDEN_TERMS: frozenset({"terms", "exceptions", "patterns"}),
    RuleKind.PREFERRED_TERMS: frozenset({"replacements"}),
    RuleKind.DISCLOSURE: frozenset({"markers"}),
    RuleKind.REQUIRED_HASHTAGS: frozenset({"hashtags", "mode"}),
    RuleKind.TRACKING_LINK: frozenset({"parameters"}),
    RuleKind.ALT_TEXT: frozenset(),
    RuleKind.HASHTAG_LIMIT: frozenset({"max"}),
    RuleKind.EMOJI: frozenset({"max"}),
    RuleKind.LANGUAGE: frozenset(),
    RuleKind.SENSITIVE: frozenset({"terms", "patterns", "label"}),
}
DEFAULT_DISCLOSURE_MARKERS = ("Anzeige", "Werbung")
DISCLOSURE_WINDOW = 80  # characters a reader sees before "… mehr"
_HASHTAG_WORD = regex.compile(r"#?[\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*")
_PARAMETER_NAME = regex.compile(r"[A-Za-z0-9_.\-\[\]]+")


def validate(kind: RuleKind, params: dict[str, Any]) -> list[str]:
    """What is wrong with a rule's parameters, in words (empty when it is valid)."""
    try:
        kind = RuleKind(kind)
    except ValueError:
        return [_("“%(kind)s” is not a kind of voice rule.") % {"kind": kind}]
    if not isinstance(params, dict):
        return [_("The rule's settings must be a set of named values.")]
    errors = [
        _("The setting “%(name)s” does not belong to this kind of rule; remove it.") % {"name": name}
        for name in sorted(set(params) - _PARAMS[kind], key=str)
    ]
    errors.extend(_VALIDATORS[kind](params))
    return errors


def _string_list(params: dict[str, Any], name: str, *, required: bool) -> tuple[list[str], list[str]]:
    """The list under `name` and what is wrong with it."""
    value = params.get(name)
    if value is None:
        return [], ([_("Enter at least one entry for “%(name)s”.") % {"name": name}] if required else [])
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        return [], [_("“%(name)s” must be a list of texts.") % {"name": name}]
    if any(not v.strip() for v in value):
        return [], [_("“%(name)s” contains an empty entry; remove it.") % {"name": name}]
    if required and not value:
        return [], [_("Enter at least one entry for “%(name)s”.") % {"name": name}]
    return list(value), []


def _limit(params: dict[str, Any]) -> list[str]:
    value = params.get("max")
    if isinstance(value, bool) or not isinstance(value, int):
        return [_("The maximum must be a whole number.")]
    if value < 0:
        return [_("The maximum cannot be negative; use 0 to allow none.")]
    return []


def _validate_address(params: dict[str, Any]) -> list[str]:
    if params.get("form") not in ("sie", "du"):
        return [_("Choose the form of address: “sie” or “du”.")]
    return []


def _validate_terms(params: dict[str, Any]) -> list[str]:
    terms, errors = _string_list(params, "terms", required="patterns" not in params)
    patterns, pattern_errors = _string_list(params, "patterns", required=False)
    errors += pattern_errors
    if "exceptions" in params:
        errors += _string_list(params, "exceptions", required=False)[1]
    if "label" in params and not isinstance(params["label"], str):
        errors.append(_("The label must be a text."))
    if not errors and not terms and not patterns:
        errors.append(_("Enter at least one term or pattern."))
    for pattern in patterns:
        try:
            regex.compile(pattern)
        except regex.error as error:
            errors.append(
                _("The pattern “%(pattern)s” cannot be read: %(error)s.")
                % {"pattern": pattern, "error": error}
            )
        else:
            if regex.fullmatch(pattern, "", flags=regex.IGNORECASE, timeout=0.05):
                errors.append(
                    _("The pattern “%(pattern)s” also matches an empty text; make it stricter.")
                    % {"pattern": pattern}
                )
    return errors


def _validate_replacements(params: dict[str, Any]) -> list[str]:
    value = params.get("replacements")
    if not isinstance(value, dict) or not value:
        return [_("Enter at least one term and what to write instead.")]
    errors = []
    for left, right in value.items():
        if not isinstance(left, str) or not isinstance(right, str) or not left.strip() or not right.strip():
            errors.append(_("Every term needs a replacement, and neither may be empty."))
        elif left.strip() == right.strip():
            errors.append(_("“%(term)s” is replaced by itself; remove it.") % {"term": left})
    return errors


def _validate_disclosure(params: dict[str, Any]) -> list[str]:
    if "markers" not in params:
        return []
    return _string_list(params, "markers", required=True)[1]


def _validate_hashtags(params: dict[str, Any]) -> list[str]:
    tags, errors = _string_list(params, "hashtags", required=True)
    errors += [
        _("“%(tag)s” is not a hashtag: letters, digits and _ only.") % {"tag": tag}
        for tag in tags
        if not _HASHTAG_WORD.fullmatch(tag.strip())
    ]
    if params.get("mode", "all") not in ("all", "any"):
        errors.append(_("Choose whether all or any of the hashtags must appear."))
    return errors


def _validate_tracking(params: dict[str, Any]) -> list[str]:
    names, errors = _string_list(params, "parameters", required=True)
    errors += [
        _("“%(name)s” is not a link parameter.") % {"name": name}
        for name in names
        if not _PARAMETER_NAME.fullmatch(name.strip())
    ]
    return errors


_VALIDATORS: dict[RuleKind, Callable[[dict[str, Any]], list[str]]] = {
    RuleKind.ADDRESS: _validate_address,
    RuleKind.FORBIDDEN_TERMS: _validate_terms,
    RuleKind.PREFERRED_TERMS: _validate_replacements,
    RuleKind.DISCLOSURE: _validate_disclosure,
    RuleKind.REQUIRED_HASHTAGS: _validate_hashtags,
    RuleKind.TRACKING_LINK: _validate_tracking,
    RuleKind.ALT_TEXT: lambda params: [],
    RuleKind.HASHTAG_LIMIT: _limit,
    RuleKind.EMOJI: _limit,
    RuleKind.LANGUAGE: lambda params: [],
    RuleKind.SENSITIVE: _validate_terms,
}


# ---------------------------------------------------------------------------------------------- checking


def check(facts: VariantFacts, rules: Sequence[Rule]) -> list[Finding]:
    """Every finding of every rule on this variant, blocking ones first, then by position in the text."""
    findings: list[Finding] = []
    for rule in rules:
        try:
            findings.extend(_CHECKS[RuleKind(rule.kind)](facts, rule))
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            # an invalid rule (validate refuses it when it is saved) must not break the composer
            logger.warning("Voice rule %s (%s) skipped: %r", rule.id, rule.kind, error)
    end = len(facts.text) + 1
    findings.sort(key=lambda f: (f.severity != Severity.BLOCK, f.spans[0][0] if f.spans else end, f.rule_id))
    return findings


def _finding(rule: Rule, message: str, spans: Sequence[tuple[int, int]] = (), **extra: Any) -> Finding:
    return Finding(
        rule_id=rule.id,
        kind=RuleKind(rule.kind),
        severity=Severity(rule.severity),
        message=message,
        spans=tuple(spans),
        **extra,
    )


def _frozen(params: dict[str, Any]) -> str:
    """A hashable, stable key for a rule's parameters (the cache key of its compiled matcher)."""
    return json.dumps(params, sort_keys=True, ensure_ascii=False, default=str)


def _is_german(facts: VariantFacts) -> bool:
    if not facts.language.lower().startswith("de"):
        return False
    detected = detect_language(facts.text)
    # a variant set to German that is plainly in another language gets a language finding, not Sie/du ones
    return detected is None or detected.code == "de" or detected.confidence < 0.8


def _check_address(facts: VariantFacts, rule: Rule) -> list[Finding]:
    wanted = rule.params["form"]
    if wanted not in ("sie", "du") or not _is_german(facts):
        return []
    findings = []
    for cue in detect_address(facts.text):
        if cue.form == wanted:
            continue
        if wanted == "sie":
            message = _("“%(words)s” addresses the reader with du; this channel uses Sie.")
        else:
            message = _("“%(words)s” addresses the reader with Sie; this channel uses du.")
        findings.append(
            _finding(rule, message % {"words": cue.text}, [(cue.start, cue.end)], suggestion=cue.suggestion)
        )
    return findings


@functools.lru_cache(maxsize=2048)
def _terms_matcher(frozen: str) -> tuple[TermMatcher, TermMatcher | None]:
    params = json.loads(frozen)
    matcher = term_matcher(tuple(params.get("terms", ())), tuple(params.get("patterns", ())))
    exceptions = tuple(params.get("exceptions", ()))
    return matcher, (term_matcher(tuple(e for e in exceptions if e.strip())) if exceptions else None)


def _excused(span: tuple[int, int], exceptions: list[tuple[int, int]]) -> bool:
    return any(start <= span[0] and span[1] <= end for start, end in exceptions)


def _exception_spans(text: str, exceptions: TermMatcher | None) -> list[tuple[int, int]]:
    return exceptions.find(text) if exceptions is not None else []


def _outside_links(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    links = urls(text)
    if not links:
        return spans
    return [s for s in spans if not any(a <= s[0] < b for a, b in links)]


def _check_forbidden(facts: VariantFacts, rule: Rule) -> list[Finding]:
    matcher, exceptions = _terms_matcher(_frozen(rule.params))
    text = facts.text
    spans = _outside_links(matcher.find(text), text)
    if not spans:
        return []
    excused = _exception_spans(text, exceptions)
    return [
        _finding(
            rule,
            _("“%(term)s” is not used in our posts; rephrase it.") % {"term": text[start:end]},
            [(start, end)],
        )
        for start, end in spans
        if not _excused((start, end), excused)
    ]


@functools.lru_cache(maxsize=1024)
def _replacement_matchers(frozen: str) -> tuple[tuple[TermMatcher, str], ...]:
    replacements: dict[str, str] = json.loads(frozen)["replacements"]
    # whole words only: "Kundenservice" is not "Kund*innen"
    return tuple((term_matcher((left,), compounds=False), right) for left, right in replacements.items())


def _check_preferred(facts: VariantFacts, rule: Rule) -> list[Finding]:
    text = facts.text
    findings = []
    taken: list[tuple[int, int]] = []
    for matcher, right in _replacement_matchers(_frozen(rule.params)):
        for start, end in _outside_links(matcher.find(text), text):
            found = text[start:end]
            if found == right or right in found or any(a < end and start < b for a, b in taken):
                continue  # already the preferred spelling ("OneVoice" is found by "Onevoice")
            taken.append((start, end))
            findings.append(
                _finding(
                    rule,
                    _("Write “%(preferred)s” instead of “%(term)s”.") % {"preferred": right, "term": found},
                    [(start, end)],
                    suggestion=right,
                )
            )
    return findings


@functools.lru_cache(maxsize=256)
def _markers(markers: tuple[str, ...]) -> regex.Pattern[str]:
    """The markers as whole words ("Anzeige", "#Anzeige"), so "anzeigen" or "Werbungskosten" don't count."""
    words = "|".join(regex.escape(m.strip()) for m in markers if m.strip())
    return regex.compile(rf"(?<![\p{{L}}\p{{N}}])#?(?:{words})(?![\p{{L}}\p{{N}}])", regex.IGNORECASE)


def _check_disclosure(facts: VariantFacts, rule: Rule) -> list[Finding]:
    if not facts.paid_partnership:
        return []
    params = rule.params
    markers = params.get("markers") or list(DEFAULT_DISCLOSURE_MARKERS)
    text = facts.text
    found = list(_markers(tuple(markers)).finditer(text))
    first_line_end = text.find("\n")
    window = min(DISCLOSURE_WINDOW, first_line_end if first_line_end >= 0 else len(text))
    if not found:
        return [
            _finding(
                rule,
                _("This is a paid partnership: mark it as “%(marker)s” at the very beginning of the text.")
                % {"marker": markers[0]},
                suggestion=f"{markers[0]}: ",
            )
        ]
    if any(m.start() < max(window, 1) for m in found):
        return []
    first = found[0]
    return [
        Finding(
            rule_id=rule.id,
            kind=RuleKind.DISCLOSURE,
            severity=Severity.WARN,
            message=_(
                "“%(marker)s” appears only further down; put it at the beginning so that readers see it "
                "before “more”."
            )
            % {"marker": first.group()},
            spans=(first.span(),),
            suggestion=f"{first.group().lstrip('#')}: ",
        )
    ]


def _tag_key(tag: str) -> str:
    return tag.strip().lstrip("#").casefold()


def _check_required_hashtags(facts: VariantFacts, rule: Rule) -> list[Finding]:
    wanted = [t.strip() for t in rule.params["hashtags"]]
    present = {_tag_key(facts.text[a:b]) for a, b in hashtags(facts.text)}
    display = ["#" + t.lstrip("#") for t in wanted]
    if rule.params.get("mode", "all") == "any":
        if any(_tag_key(t) in present for t in wanted):
            return []
        message = _("Add one of these hashtags: %(hashtags)s.") % {"hashtags": ", ".join(display)}
        return [_finding(rule, message, suggestion=display[0])]
    missing = [d for t, d in zip(wanted, display, strict=True) if _tag_key(t) not in present]
    if not missing:
        return []
    message = ngettext("Add the hashtag %(hashtags)s.", "Add the hashtags %(hashtags)s.", len(missing)) % {
        "hashtags": ", ".join(missing)
    }
    return [_finding(rule, message, suggestion=" ".join(missing))]


def _missing_parameters(url: str, names: list[str]) -> list[str]:
    query = urlsplit(url if "://" in url else "https://" + url).query
    present = {key for key, _value in parse_qsl(query, keep_blank_values=False)}
    return [name for name in names if name not in present]


def _check_tracking(facts: VariantFacts, rule: Rule) -> list[Finding]:
    names = [n.strip() for n in rule.params["parameters"]]
    findings = []
    for start, end in urls(facts.text):
        missing = _missing_parameters(facts.text[start:end], names)
        if missing:
            findings.append(
                _finding(
                    rule,
                    _("This link lacks the tracking parameters %(parameters)s; add them.")
                    % {"parameters": ", ".join(missing)},
                    [(start, end)],
                    suggestion=", ".join(missing),
                )
            )
    if facts.link.strip():
        missing = _missing_parameters(facts.link.strip(), names)
        if missing:
            findings.append(
                _finding(
                    rule,
                    _("The post's link lacks the tracking parameters %(parameters)s; add them.")
                    % {"parameters": ", ".join(missing)},
                    suggestion=", ".join(missing),
                )
            )
    return findings


def _check_alt_text(facts: VariantFacts, rule: Rule) -> list[Finding]:
    missing = [i for i, alt in enumerate(facts.image_alt_texts, start=1) if not alt.strip()]
    if not missing:
        return []
    if len(facts.image_alt_texts) == 1:
        message = _("The image has no alt text; describe it for people who cannot see it.")
    else:
        message = ngettext(
            "Image %(images)s has no alt text; describe it for people who cannot see it.",
            "Images %(images)s have no alt text; describe them for people who cannot see them.",
            len(missing),
        ) % {"images": ", ".join(str(i) for i in missing)}
    return [_finding(rule, message)]


def _check_hashtag_limit(facts: VariantFacts, rule: Rule) -> list[Finding]:
    limit = int(rule.params["max"])
    spans = hashtags(facts.text)
    if len(spans) <= limit:
        return []
    if limit == 0:
        message = _("Hashtags are not used on this channel; remove them.")
    else:
        message = ngettext(
            "The post has %(count)s hashtag; the limit is %(max)s. Remove the highlighted ones.",
            "The post has %(count)s hashtags; the limit is %(max)s. Remove the highlighted ones.",
            len(spans),
        ) % {"count": len(spans), "max": limit}
    return [_finding(rule, message, spans[limit:])]


def _check_emoji(facts: VariantFacts, rule: Rule) -> list[Finding]:
    limit = int(rule.params["max"])
    spans = emoji(facts.text)
    if len(spans) <= limit:
        return []
    if limit == 0:
        message = _("Emoji are not used on this channel; remove them.")
    else:
        message = ngettext(
            "The post has %(count)s emoji; the limit is %(max)s. Remove the highlighted ones.",
            "The post has %(count)s emoji; the limit is %(max)s. Remove the highlighted ones.",
            len(spans),
        ) % {"count": len(spans), "max": limit}
    return [_finding(rule, message, spans[limit:])]


LANGUAGE_NAMES = {
    "de": gettext_lazy("German"),
    "en": gettext_lazy("English"),
    "fr": gettext_lazy("French"),
    "it": gettext_lazy("Italian"),
    "es": gettext_lazy("Spanish"),
    "nl": gettext_lazy("Dutch"),
    "pl": gettext_lazy("Polish"),
    "tr": gettext_lazy("Turkish"),
}
LANGUAGE_CONFIDENCE = 0.5  # below this, lingua is unsure and the check stays silent


def _check_language(facts: VariantFacts, rule: Rule) -> list[Finding]:
    expected = facts.language.lower()[:2]
    if expected not in SUPPORTED:
        return []
    detected = detect_language(facts.text)
    if detected is None or detected.code == expected or detected.confidence < LANGUAGE_CONFIDENCE:
        return []
    message = _(
        "The text seems to be in %(detected)s (confidence %(confidence)s %%), but this variant should be in "
        "%(expected)s; translate it or change the variant's language."
    ) % {
        "detected": LANGUAGE_NAMES[detected.code],
        "confidence": round(detected.confidence * 100),
        "expected": LANGUAGE_NAMES[expected],
    }
    return [_finding(rule, message)]


def _check_sensitive(facts: VariantFacts, rule: Rule) -> list[Finding]:
    matcher, _exceptions = _terms_matcher(_frozen({k: v for k, v in rule.params.items() if k != "label"}))
    spans = _outside_links(matcher.find(facts.text), facts.text)
    if not spans:
        return []
    words = ", ".join(dict.fromkeys(f"“{facts.text[a:b]}”" for a, b in spans))
    label = str(rule.params.get("label") or "").strip()
    if label:
        message = _("The post mentions %(words)s (%(label)s); it needs an extra approval.") % {
            "words": words,
            "label": label,
        }
    else:
        message = _("The post mentions %(words)s; it needs an extra approval.") % {"words": words}
    return [_finding(rule, message, spans, needs_extra_approval=True)]


_CHECKS: dict[RuleKind, Callable[[VariantFacts, Rule], list[Finding]]] = {
    RuleKind.ADDRESS: _check_address,
    RuleKind.FORBIDDEN_TERMS: _check_forbidden,
    RuleKind.PREFERRED_TERMS: _check_preferred,
    RuleKind.DISCLOSURE: _check_disclosure,
    RuleKind.REQUIRED_HASHTAGS: _check_required_hashtags,
    RuleKind.TRACKING_LINK: _check_tracking,
    RuleKind.ALT_TEXT: _check_alt_text,
    RuleKind.HASHTAG_LIMIT: _check_hashtag_limit,
    RuleKind.EMOJI: _check_emoji,
    RuleKind.LANGUAGE: _check_language,
    RuleKind.SENSITIVE: _check_sensitive,
}
