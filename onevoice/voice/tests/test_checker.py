"""The voice checker: every kind of rule on a table of German and English sentences, and its validation."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from onevoice.voice import checker
from onevoice.voice.checker import Finding, Rule, RuleKind, Severity, VariantFacts, check, validate
from onevoice.voice.tests.cases_address import ADDRESS_CASES, AddressCase, detected, score
from onevoice.voice.tests.cases_rules import RULE_CASES, RuleCase

SIE = Rule("sie", RuleKind.ADDRESS, Severity.BLOCK, {"form": "sie"})
DU = Rule("du", RuleKind.ADDRESS, Severity.WARN, {"form": "du"})


def highlighted(text: str, finding: Finding) -> tuple[str, ...]:
    return tuple(text[start:end] for start, end in finding.spans)


def address_param(case: AddressCase) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason="a known limit of the detector")] if case.hard else []
    return pytest.param(case, id=case.text[:50], marks=marks)


class TestAddress:
    @pytest.mark.parametrize("case", [address_param(c) for c in ADDRESS_CASES])
    def test_it_highlights_the_words_of_the_other_form(self, case: AddressCase) -> None:
        assert detected(case) == (case.du, case.sie)

    def test_it_suggests_the_other_form(self) -> None:
        text = "Melde dich jetzt an und sichere dir deinen Platz! Haben Sie Fragen?"
        found = check(VariantFacts(text), [SIE, DU])
        assert [(highlighted(text, f), f.suggestion) for f in found if f.rule_id == "sie"] == [
            (("Melde dich",), "Melden Sie sich"),
            (("sichere dir deinen",), "sichern Sie sich Ihren"),
        ]
        assert [(highlighted(text, f), f.suggestion) for f in found if f.rule_id == "du"] == [
            (("Haben Sie",), "Hast du")
        ]

    def test_it_tells_which_form_the_channel_uses(self) -> None:
        (finding,) = check(VariantFacts("Wir freuen uns auf dich."), [SIE])
        assert finding.message == "“dich” addresses the reader with du; this channel uses Sie."
        assert finding.severity == Severity.BLOCK

    def test_it_says_so_in_german(self) -> None:
        with translation.override("de"):
            (finding,) = check(VariantFacts("Wir freuen uns auf dich."), [SIE])
        assert "dich" in finding.message

    def test_it_leaves_english_variants_alone_even_with_german_words(self) -> None:
        facts = VariantFacts("Our slogan in Germany is Melde dich, du bist nicht allein.", language="en")
        assert check(facts, [SIE]) == []

    def test_it_leaves_a_variant_set_to_german_but_written_in_english_to_the_language_rule(self) -> None:
        facts = VariantFacts("Do you want to join our team? Apply now, we look forward to hearing from you!")
        assert check(facts, [SIE, DU]) == []


def test_address_precision_recall() -> None:
    result = score(ADDRESS_CASES)
    print(
        f"\nSie/du detector on {len(ADDRESS_CASES)} sentences: precision {result.precision:.3f}, "
        f"recall {result.recall:.3f} (TP {result.true_positives}, FP {result.false_positives}, "
        f"FN {result.false_negatives})"
    )
    assert result.precision >= 0.95
    assert result.recall >= 0.95


def test_the_table_has_at_least_150_sentences_in_german_and_english() -> None:
    texts = {c.text for c in ADDRESS_CASES} | {c.text for c in RULE_CASES}
    assert len(texts) >= 150
    assert {c.language for c in ADDRESS_CASES} | {c.language for c in RULE_CASES} >= {"de", "en"}


def rule_param(case: RuleCase) -> Any:
    return pytest.param(case, id=f"{case.kind}:{case.text[:40]}")


class TestRules:
    @pytest.mark.parametrize("case", [rule_param(c) for c in RULE_CASES])
    def test_it_finds_what_the_rule_forbids_or_requires(self, case: RuleCase) -> None:
        facts = VariantFacts(
            text=case.text,
            language=case.language,
            link=case.link,
            image_alt_texts=case.images,
            paid_partnership=case.paid,
        )
        rule = Rule("r1", case.kind, case.severity, case.params)
        assert validate(case.kind, case.params) == []
        found = check(facts, [rule])
        assert [highlighted(case.text, f) for f in found] == list(case.expected)
        assert all(f.kind == case.kind and f.rule_id == "r1" and f.message for f in found)
        if case.suggestions is not None:
            assert [f.suggestion for f in found] == list(case.suggestions)
        severities = case.expected_severities or (case.severity,) * len(found)
        assert [f.severity for f in found] == list(severities)
        assert all(f.needs_extra_approval == (case.kind == RuleKind.SENSITIVE) for f in found)

    def test_a_sensitive_mention_asks_for_an_extra_approval_without_blocking(self) -> None:
        rule = Rule(
            "s", RuleKind.SENSITIVE, Severity.WARN, {"terms": ["Konkurrent AG"], "label": "Wettbewerber"}
        )
        (finding,) = check(VariantFacts("Besser als die Konkurrent AG!"), [rule])
        assert finding.needs_extra_approval
        assert finding.severity == Severity.WARN
        assert (
            finding.message == "The post mentions “Konkurrent AG” (Wettbewerber); it needs an extra approval."
        )

    def test_the_language_finding_names_the_language_and_the_confidence(self) -> None:
        rule = Rule("l", RuleKind.LANGUAGE, Severity.WARN)
        (finding,) = check(
            VariantFacts("We are looking forward to the summer party in the city park."), [rule]
        )
        assert finding.message.startswith("The text seems to be in English (confidence ")
        assert "%" in finding.message
        assert "German" in finding.message

    def test_the_disclosure_finding_says_to_put_the_marker_first(self) -> None:
        rule = Rule("d", RuleKind.DISCLOSURE, Severity.BLOCK)
        (finding,) = check(VariantFacts("Wir testen das neue E-Bike.", paid_partnership=True), [rule])
        assert "Anzeige" in finding.message
        assert "beginning" in finding.message


class TestCheck:
    def test_it_lists_blocking_findings_first_then_by_position(self) -> None:
        text = "Liebe Kunden, melde dich! 🎉🎉"
        rules = [
            Rule("emoji", RuleKind.EMOJI, Severity.WARN, {"max": 0}),
            Rule("terms", RuleKind.FORBIDDEN_TERMS, Severity.WARN, {"terms": ["Kunde"]}),
            Rule("alt", RuleKind.ALT_TEXT, Severity.BLOCK),
            SIE,
        ]
        found = check(VariantFacts(text, image_alt_texts=("",)), rules)
        assert [f.rule_id for f in found] == ["sie", "alt", "terms", "emoji"]

    def test_it_skips_a_rule_it_cannot_use_and_checks_the_others(self) -> None:
        rules = [
            Rule("broken", RuleKind.FORBIDDEN_TERMS, Severity.BLOCK, {"patterns": ["("]}),
            Rule("limit", RuleKind.HASHTAG_LIMIT, Severity.WARN, {"max": "three"}),
            Rule("terms", RuleKind.FORBIDDEN_TERMS, Severity.WARN, {"terms": ["Kunde"]}),
        ]
        found = check(VariantFacts("Liebe Kunden #a #b #c #d"), rules)
        assert [f.rule_id for f in found] == ["terms"]

    def test_it_compiles_a_rule_once(self) -> None:
        params = {"terms": ["Kunde", "Rabattschlacht"], "exceptions": ["Kundenservice"]}
        first = checker._terms_matcher(checker._frozen(params))
        assert checker._terms_matcher(checker._frozen(dict(reversed(params.items())))) is first

    def test_an_empty_text_has_no_findings_but_missing_elements(self) -> None:
        rules = [SIE, DU, Rule("h", RuleKind.REQUIRED_HASHTAGS, Severity.WARN, {"hashtags": ["#Muster"]})]
        assert [f.rule_id for f in check(VariantFacts(""), rules)] == ["h"]


VALIDATION_CASES: list[tuple[RuleKind, Any, list[str]]] = [
    (RuleKind.ADDRESS, {"form": "sie"}, []),
    (RuleKind.ADDRESS, {"form": "ihr"}, ["Choose the form of address: “sie” or “du”."]),
    (RuleKind.ADDRESS, {}, ["Choose the form of address: “sie” or “du”."]),
    (RuleKind.ADDRESS, ["sie"], ["The rule's settings must be a set of named values."]),
    (RuleKind.FORBIDDEN_TERMS, {"terms": []}, ["Enter at least one entry for “terms”."]),
    (RuleKind.FORBIDDEN_TERMS, {}, ["Enter at least one entry for “terms”."]),
    (RuleKind.FORBIDDEN_TERMS, {"terms": "Kunde"}, ["“terms” must be a list of texts."]),
    (RuleKind.FORBIDDEN_TERMS, {"terms": ["Kunde", " "]}, ["“terms” contains an empty entry; remove it."]),
    (
        RuleKind.FORBIDDEN_TERMS,
        {"terms": ["Kunde"], "exceptions": "Kundenservice"},
        ["“exceptions” must be a list of texts."],
    ),
    (
        RuleKind.FORBIDDEN_TERMS,
        {"patterns": ["(Rabatt"]},
        ["The pattern “(Rabatt” cannot be read: missing ) at position 7."],
    ),
    (
        RuleKind.FORBIDDEN_TERMS,
        {"patterns": ["x*"]},
        ["The pattern “x*” also matches an empty text; make it stricter."],
    ),
    (RuleKind.FORBIDDEN_TERMS, {"patterns": ["Rabatt(schlacht)?"]}, []),
    (
        RuleKind.FORBIDDEN_TERMS,
        {"terms": ["Kunde"], "colour": "red"},
        ["The setting “colour” does not belong to this kind of rule; remove it."],
    ),
    (RuleKind.PREFERRED_TERMS, {"replacements": {}}, ["Enter at least one term and what to write instead."]),
    (
        RuleKind.PREFERRED_TERMS,
        {"replacements": [["Kunden", "Kund*innen"]]},
        ["Enter at least one term and what to write instead."],
    ),
    (
        RuleKind.PREFERRED_TERMS,
        {"replacements": {"Kunden": ""}},
        ["Every term needs a replacement, and neither may be empty."],
    ),
    (
        RuleKind.PREFERRED_TERMS,
        {"replacements": {"OneVoice": "OneVoice"}},
        ["“OneVoice” is replaced by itself; remove it."],
    ),
    (RuleKind.DISCLOSURE, {}, []),
    (RuleKind.DISCLOSURE, {"markers": []}, ["Enter at least one entry for “markers”."]),
    (RuleKind.REQUIRED_HASHTAGS, {"hashtags": ["#MusterGmbH"], "mode": "any"}, []),
    (RuleKind.REQUIRED_HASHTAGS, {"hashtags": []}, ["Enter at least one entry for “hashtags”."]),
    (
        RuleKind.REQUIRED_HASHTAGS,
        {"hashtags": ["#Muster GmbH"]},
        ["“#Muster GmbH” is not a hashtag: letters, digits and _ only."],
    ),
    (
        RuleKind.REQUIRED_HASHTAGS,
        {"hashtags": ["#a"], "mode": "some"},
        ["Choose whether all or any of the hashtags must appear."],
    ),
    (RuleKind.TRACKING_LINK, {"parameters": []}, ["Enter at least one entry for “parameters”."]),
    (RuleKind.TRACKING_LINK, {"parameters": ["utm source"]}, ["“utm source” is not a link parameter."]),
    (RuleKind.ALT_TEXT, {}, []),
    (RuleKind.HASHTAG_LIMIT, {"max": -1}, ["The maximum cannot be negative; use 0 to allow none."]),
    (RuleKind.HASHTAG_LIMIT, {"max": "3"}, ["The maximum must be a whole number."]),
    (RuleKind.HASHTAG_LIMIT, {"max": True}, ["The maximum must be a whole number."]),
    (RuleKind.EMOJI, {"max": 0}, []),
    (RuleKind.EMOJI, {}, ["The maximum must be a whole number."]),
    (RuleKind.LANGUAGE, {}, []),
    (RuleKind.SENSITIVE, {"terms": ["Konkurrent AG"], "label": "Wettbewerber"}, []),
    (RuleKind.SENSITIVE, {"terms": [], "label": "Wettbewerber"}, ["Enter at least one entry for “terms”."]),
    (RuleKind.SENSITIVE, {"terms": ["Konkurrent AG"], "label": 3}, ["The label must be a text."]),
]


class TestValidate:
    @pytest.mark.parametrize(("kind", "params", "errors"), VALIDATION_CASES)
    def test_it_explains_what_is_wrong(self, kind: RuleKind, params: Any, errors: list[str]) -> None:
        assert validate(kind, params) == errors

    def test_it_refuses_an_unknown_kind(self) -> None:
        assert validate("colour", {}) == ["“colour” is not a kind of voice rule."]  # type: ignore[arg-type]

    def test_it_speaks_german(self) -> None:
        with translation.override("de"):
            errors = validate(RuleKind.HASHTAG_LIMIT, {"max": -1})
        assert len(errors) == 1
