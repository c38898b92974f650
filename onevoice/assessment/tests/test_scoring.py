"""Scoring, maturity levels, the organisation model and the order of the recommendations (table-driven)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from onevoice.assessment import scoring
from onevoice.assessment.questionnaire import DIMENSIONS, QUESTION_BY_KEY, VERSION, level_for
from onevoice.assessment.scoring import Facts, recommend_model


def best_answers() -> dict[str, str]:
    return {
        q.key: max((o for o in q.options if o.points is not None), key=lambda o: o.points or 0).value
        for d in DIMENSIONS
        for q in d.questions
    }


def worst_answers() -> dict[str, str]:
    return {
        q.key: min((o for o in q.options if o.points is not None), key=lambda o: o.points or 0).value
        for d in DIMENSIONS
        for q in d.questions
    }


class TestQuestionnaire:
    def test_it_is_versioned_and_every_question_has_a_best_answer_and_a_link(self):
        assert VERSION >= 1
        keys = [q.key for d in DIMENSIONS for q in d.questions]
        assert len(keys) == len(set(keys))
        for d in DIMENSIONS:
            assert len(d.questions) >= 3, d.key
        for key in keys:
            question = QUESTION_BY_KEY[key]
            assert question.max_points == 4
            assert ":" in question.link.url_name
            assert str(question.why)
            assert str(question.recommendation)

    def test_every_link_reverses_with_the_organisation_slug(self):
        from django.urls import reverse

        for question in QUESTION_BY_KEY.values():
            assert reverse(question.link.url_name, args=["muster"]).startswith("/o/muster/")

    def test_the_dimensions_cover_the_issue(self):
        assert [d.key for d in DIMENSIONS] == [
            "strategy",
            "roles",
            "processes",
            "resources",
            "measurement",
            "legal",
            "training",
        ]


class TestLevels:
    @pytest.mark.parametrize(
        ("percent", "level"),
        [(0, 1), (19, 1), (20, 2), (39, 2), (40, 3), (59, 3), (60, 4), (79, 4), (80, 5), (100, 5)],
    )
    def test_a_percentage_maps_to_a_level(self, percent, level):
        assert level_for(percent).number == level


class TestScore:
    def test_best_answers_score_100_and_level_5_everywhere(self):
        result = scoring.result_of(best_answers())
        assert {d["percent"] for d in result["dimensions"].values()} == {100}
        assert result["overall"] == {"percent": 100, "level": 5}

    def test_worst_answers_score_0_and_level_1(self):
        result = scoring.result_of(worst_answers())
        assert {d["level"] for d in result["dimensions"].values()} == {1}
        assert result["overall"]["percent"] == 0

    @pytest.mark.parametrize(
        ("answers", "points", "maximum", "percent"),
        [
            (
                {"strategy_goals": "written", "strategy_guidelines": "published", "strategy_voice": "none"},
                5,
                12,
                42,
            ),
            (
                {
                    "strategy_goals": "measurable",
                    "strategy_guidelines": "draft",
                    "strategy_voice": "informal",
                },
                6,
                12,
                50,
            ),
            ({"strategy_goals": "informal"}, 1, 12, 8),  # unanswered count as no points
        ],
    )
    def test_a_dimension_scores_its_points_against_the_best(self, answers, points, maximum, percent):
        score = scoring.score_dimension(answers, DIMENSIONS[0])
        assert (score.points, score.max_points, score.percent) == (points, maximum, percent)

    def test_a_question_that_does_not_apply_is_left_out(self):
        legal = next(d for d in DIMENSIONS if d.key == "legal")
        answers = {
            "legal_impressum": "all",
            "legal_dsgvo": "documented",
            "legal_accessibility": "always",
            "legal_works_agreement": "na",
        }
        score = scoring.score_dimension(answers, legal)
        assert (score.points, score.max_points, score.percent) == (12, 12, 100)

    def test_an_unknown_option_counts_as_unanswered(self):
        score = scoring.score_dimension({"strategy_goals": "<script>"}, DIMENSIONS[0])
        assert score.answered == 0
        assert score.points == 0

    def test_overall_is_the_mean_of_the_dimensions(self):
        answers = best_answers()
        for q in DIMENSIONS[0].questions:  # strategy to 0 %
            answers[q.key] = "none"
        result = scoring.result_of(answers)
        assert result["dimensions"]["strategy"]["percent"] == 0
        assert result["overall"]["percent"] == round(600 / 7)


class TestOrganisationModel:
    @pytest.mark.parametrize(
        ("facts", "model", "needs_smm"),
        [
            # A 6-person company: one person does it.
            (Facts(employees=6, departments_active=1, weekly_hours=Decimal(5), channels=2), "solo", False),
            # Small even with several departments wanting to speak.
            (Facts(employees=15, departments_active=3, weekly_hours=Decimal(12)), "solo", False),
            # 80 people, one department, 10 hours: still one person's job.
            (Facts(employees=80, departments_active=1, weekly_hours=Decimal(10)), "solo", False),
            # 2,000 people, five active departments, no central team: decentral with an SMM.
            (Facts(employees=2000, departments_active=5, weekly_hours=Decimal(120)), "decentral", True),
            # 300 people, three departments, no central team.
            (Facts(employees=300, departments_active=3, weekly_hours=Decimal(40)), "decentral", True),
            # 5,000 people, eight departments: a central team would become the bottleneck.
            (
                Facts(employees=5000, departments_active=8, central_team=True, weekly_hours=Decimal(200)),
                "decentral",
                True,
            ),
            # 300 people, two departments and a central team: central.
            (
                Facts(employees=300, departments_active=2, central_team=True, weekly_hours=Decimal(40)),
                "central",
                True,
            ),
            # 150 people, four departments, a central team that collects their input.
            (
                Facts(employees=150, departments_active=4, central_team=True, weekly_hours=Decimal(60)),
                "central",
                True,
            ),
            # 40 people, one department with 30 hours: a small central team.
            (Facts(employees=40, departments_active=1, weekly_hours=Decimal(30)), "central", True),
        ],
    )
    def test_the_model_that_fits(self, facts, model, needs_smm):
        advice = recommend_model(facts)
        assert (advice.model, advice.needs_smm) == (model, needs_smm)
        assert advice.reasons

    def test_the_reasons_name_the_figures_of_the_answers(self):
        advice = recommend_model(Facts(employees=2000, departments_active=5, weekly_hours=Decimal(120)))
        text = " ".join(advice.reasons)
        assert "5 departments are active" in text
        assert "no central team" in text
        assert "social media manager coordinates" in text

    def test_solo_says_why(self):
        advice = recommend_model(Facts(employees=6, departments_active=1, weekly_hours=Decimal(5)))
        assert any("6 employees" in r for r in advice.reasons)
        assert any("5 hours a week" in r for r in advice.reasons)

    def test_decentral_with_too_few_hours_per_department_warns(self):
        advice = recommend_model(Facts(employees=500, departments_active=6, weekly_hours=Decimal(12)))
        assert advice.model == "decentral"
        assert any("2 hours a week per department" in w for w in advice.warnings)

    def test_facts_from_stored_answers(self):
        facts = scoring.facts_of(
            {
                "employees": 120,
                "departments_active": "3",
                "central_team": True,
                "weekly_hours": "7.5",
                "channels": 4,
            }
        )
        assert facts == Facts(120, 3, True, Decimal("7.5"), 4)
        assert scoring.facts_of({"employees": "abc", "weekly_hours": "-3"}) == Facts()


class TestRecommendations:
    def test_best_answers_need_nothing(self):
        assert scoring.recommendations(best_answers()) == []

    def test_impact_times_gap_comes_first(self):
        answers = best_answers()
        answers["resources_budget"] = "none"  # impact 1, gap 4 → 4
        answers["strategy_guidelines"] = "published"  # impact 3, gap 1 → 3
        answers["processes_inbox"] = "whoever"  # impact 3, gap 3 → 9
        answers["strategy_voice"] = "written"  # impact 2, gap 2 → 4
        found = scoring.recommendations(answers)
        assert [r.question.key for r in found] == [
            "processes_inbox",
            "strategy_voice",
            "resources_budget",
            "strategy_guidelines",
        ]
        assert [r.priority for r in found] == [9, 4, 4, 3]
        assert found[0].link.url_name == "inbox:settings"

    def test_a_question_that_does_not_apply_gets_no_recommendation(self):
        answers = best_answers()
        answers["legal_works_agreement"] = "na"
        assert scoring.recommendations(answers) == []

    def test_unanswered_questions_are_recommended_as_gaps(self):
        found = scoring.recommendations({})
        assert len(found) == len(QUESTION_BY_KEY)
