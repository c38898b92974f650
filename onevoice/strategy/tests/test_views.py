"""The strategy pages by role and organisation: who reads, who edits, what bad input shows."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from onevoice.planning import setup_services
from onevoice.planning.models import PlanningRules
from onevoice.strategy.models import ChannelStrategy, Goal, KpiTarget, TargetGroup

pytestmark = pytest.mark.django_db


def url(personas, name: str, *args) -> str:
    return reverse(f"strategy:{name}", args=[personas.organization.slug, *args])


class TestOverview:
    def test_everyone_who_sees_the_plan_reads_it(self, personas, goal, target, presse, channel) -> None:
        setup_services.topic_save(
            actor=personas.smm, topic=None, name="Karriere", department=personas.hr, color="#0ca678"
        )
        for member in (personas.viewer, personas.contributor, personas.reviewer, personas.cm):
            response = personas.client_for(member).get(url(personas, "overview"))
            assert response.status_code == 200
            text = response.content.decode()
            for expected in ("Sichtbarkeit im Quartal", "No data yet", "Presse", "Newsroom", "Karriere"):
                assert expected in text
            assert url(personas, "goal-new") not in text

    def test_the_smm_sees_the_links_to_edit(self, personas, goal, channel) -> None:
        text = personas.client_for(personas.smm).get(url(personas, "overview")).content.decode()
        assert url(personas, "goal-new") in text
        assert url(personas, "goal", goal.public_id) in text
        assert url(personas, "channel", channel.public_id) in text
        assert reverse("planning:topics", args=[personas.organization.slug]) in text

    def test_another_organisation_gets_404(self, personas) -> None:
        assert personas.client_for(personas.outsider).get(url(personas, "overview")).status_code == 404

    def test_it_escapes_what_people_typed(self, personas) -> None:
        from onevoice.strategy import services

        services.target_group_save(
            actor=personas.smm, target_group=None, name="<script>x</script>", description="<b>fett</b>"
        )
        text = personas.client_for(personas.viewer).get(url(personas, "overview")).content.decode()
        assert "<script>x</script>" not in text
        assert "&lt;b&gt;fett&lt;/b&gt;" in text


class TestGoalNew:
    def test_the_smm_creates_a_goal_and_goes_on_to_its_targets(self, personas) -> None:
        response = personas.client_for(personas.smm).post(
            url(personas, "goal-new"),
            {"name": "Mehr Bewerbungen", "period_kind": "quarter", "period_start_on": "2027-02-10"},
        )
        goal = Goal.objects.get()
        assert response.status_code == 302
        assert response["Location"] == url(personas, "goal", goal.public_id)
        assert goal.period_start == date(2027, 1, 1)

    def test_a_community_manager_gets_404(self, personas) -> None:
        client = personas.client_for(personas.cm)
        assert client.get(url(personas, "goal-new")).status_code == 404
        assert client.post(url(personas, "goal-new"), {"name": "X"}).status_code == 404
        assert not Goal.objects.exists()

    def test_another_organisation_gets_404(self, personas) -> None:
        assert personas.client_for(personas.outsider).get(url(personas, "goal-new")).status_code == 404

    def test_bad_input_keeps_what_was_typed(self, personas) -> None:
        response = personas.client_for(personas.smm).post(
            url(personas, "goal-new"),
            {"name": "Mehr Bewerbungen", "description": "Für die Ausbildung", "period_kind": "quarter"},
        )
        text = response.content.decode()
        assert response.status_code == 400
        assert "Enter a day of the period." in text
        assert 'value="Mehr Bewerbungen"' in text
        assert "Für die Ausbildung" in text


class TestGoal:
    def test_the_smm_edits_a_goal_and_sees_its_targets(self, personas, goal, target) -> None:
        client = personas.client_for(personas.smm)
        text = client.get(url(personas, "goal", goal.public_id)).content.decode()
        assert "Engagement rate" in text
        response = client.post(
            url(personas, "goal", goal.public_id),
            {"name": "Anders", "period_kind": "year", "period_start_on": "2027-06-01"},
        )
        assert response.status_code == 302
        goal.refresh_from_db()
        assert (goal.name, goal.period_start) == ("Anders", date(2027, 1, 1))

    def test_a_viewer_gets_404(self, personas, goal) -> None:
        assert (
            personas.client_for(personas.viewer).get(url(personas, "goal", goal.public_id)).status_code == 404
        )

    def test_another_organisation_gets_404(self, personas, goal) -> None:
        client = personas.client_for(personas.outsider)
        other_org_url = reverse("strategy:goal", args=[personas.outsider.organization.slug, goal.public_id])
        assert client.get(other_org_url).status_code == 404
        assert client.get(url(personas, "goal", goal.public_id)).status_code == 404

    def test_a_bad_period_is_refused_and_the_name_kept(self, personas, goal) -> None:
        response = personas.client_for(personas.smm).post(
            url(personas, "goal", goal.public_id),
            {"name": "Neu", "period_kind": "decade", "period_start_on": "2027-01-01"},
        )
        assert response.status_code == 400
        assert 'value="Neu"' in response.content.decode()
        goal.refresh_from_db()
        assert goal.name == "Sichtbarkeit im Quartal"


class TestGoalDelete:
    def test_the_smm_deletes_a_goal(self, personas, goal) -> None:
        response = personas.client_for(personas.smm).post(url(personas, "goal-delete", goal.public_id))
        assert response.status_code == 302
        assert not Goal.objects.exists()

    def test_a_get_is_refused(self, personas, goal) -> None:
        assert (
            personas.client_for(personas.smm).get(url(personas, "goal-delete", goal.public_id)).status_code
            == 405
        )

    def test_a_cm_and_another_organisation_get_404(self, personas, goal) -> None:
        for member in (personas.cm, personas.outsider):
            client = personas.client_for(member)
            assert client.post(url(personas, "goal-delete", goal.public_id)).status_code == 404
        assert Goal.objects.exists()


TARGET = {"metric": "engagement_rate", "comparison": "gte", "target_value": "3,5", "unit": "percent"}


class TestTargetNew:
    def test_the_smm_adds_a_target_in_german_notation(self, personas, goal, channel) -> None:
        client = personas.client_for(personas.smm, language="de")
        response = client.post(
            url(personas, "target-new", goal.public_id), TARGET | {"channel": str(channel.pk)}
        )
        assert response.status_code == 302
        target = KpiTarget.objects.get()
        assert (str(target.target_value), target.channel) == ("3.50", channel)

    def test_a_unit_that_does_not_suit_the_metric_is_explained(self, personas, goal) -> None:
        response = personas.client_for(personas.smm).post(
            url(personas, "target-new", goal.public_id), TARGET | {"target_value": "3.5", "unit": "per_week"}
        )
        text = response.content.decode()
        assert response.status_code == 400
        assert "choose one of these units: %" in text
        assert 'value="3.5"' in text
        assert not KpiTarget.objects.exists()

    def test_a_number_that_is_no_number_is_explained(self, personas, goal) -> None:
        response = personas.client_for(personas.smm).post(
            url(personas, "target-new", goal.public_id), TARGET | {"target_value": "drei"}
        )
        assert response.status_code == 400
        assert "as a number" in response.content.decode()
        assert 'value="drei"' in response.content.decode()

    def test_a_reviewer_gets_404(self, personas, goal) -> None:
        client = personas.client_for(personas.reviewer)
        assert client.post(url(personas, "target-new", goal.public_id), TARGET).status_code == 404

    def test_another_organisation_gets_404(self, personas, goal) -> None:
        client = personas.client_for(personas.outsider)
        theirs = reverse("strategy:target-new", args=[personas.outsider.organization.slug, goal.public_id])
        assert client.post(theirs, TARGET).status_code == 404
        assert not KpiTarget.objects.exists()

    def test_a_channel_of_another_organisation_is_not_a_choice(self, personas, goal) -> None:
        from onevoice.networks import services as channel_services

        foreign = channel_services.channel_create_newsroom(
            actor=personas.outsider, name="Fremd", department=None
        )
        response = personas.client_for(personas.smm).post(
            url(personas, "target-new", goal.public_id),
            TARGET | {"target_value": "3", "channel": str(foreign.pk)},
        )
        assert response.status_code == 400
        assert not KpiTarget.objects.exists()


class TestTarget:
    def test_the_smm_edits_a_target(self, personas, target) -> None:
        client = personas.client_for(personas.smm)
        assert client.get(url(personas, "target", target.public_id)).status_code == 200
        response = client.post(url(personas, "target", target.public_id), TARGET | {"target_value": "4"})
        assert response.status_code == 302
        target.refresh_from_db()
        assert str(target.target_value) == "4.00"

    def test_a_cm_and_another_organisation_get_404(self, personas, target) -> None:
        for member in (personas.cm, personas.outsider):
            assert (
                personas.client_for(member).get(url(personas, "target", target.public_id)).status_code == 404
            )

    def test_a_percentage_above_100_is_refused(self, personas, target) -> None:
        response = personas.client_for(personas.smm).post(
            url(personas, "target", target.public_id), TARGET | {"target_value": "300"}
        )
        assert response.status_code == 400
        assert "between 0 and 100" in response.content.decode()


class TestTargetDelete:
    def test_the_smm_deletes_a_target(self, personas, target, goal) -> None:
        response = personas.client_for(personas.smm).post(url(personas, "target-delete", target.public_id))
        assert response["Location"] == url(personas, "goal", goal.public_id)
        assert not KpiTarget.objects.exists()

    def test_a_cm_and_another_organisation_get_404(self, personas, target) -> None:
        for member in (personas.cm, personas.outsider):
            assert (
                personas.client_for(member).post(url(personas, "target-delete", target.public_id)).status_code
                == 404
            )
        assert KpiTarget.objects.exists()


class TestTargetGroups:
    def test_the_smm_adds_a_target_group(self, personas) -> None:
        client = personas.client_for(personas.smm)
        assert client.get(url(personas, "target-groups")).status_code == 200
        response = client.post(
            url(personas, "target-groups"), {"name": "Fachkräfte Logistik", "description": ""}
        )
        assert response.status_code == 302
        assert TargetGroup.objects.get().name == "Fachkräfte Logistik"

    def test_a_duplicate_name_is_explained_and_kept(self, personas, presse) -> None:
        response = personas.client_for(personas.smm).post(
            url(personas, "target-groups"), {"name": "Presse", "description": "Journalist*innen"}
        )
        text = response.content.decode()
        assert response.status_code == 400
        assert "already exists" in text
        assert "Journalist*innen" in text

    def test_a_viewer_and_another_organisation_get_404(self, personas) -> None:
        for member in (personas.viewer, personas.outsider):
            assert personas.client_for(member).get(url(personas, "target-groups")).status_code == 404


class TestTargetGroup:
    def test_the_admin_renames_a_target_group(self, personas, presse) -> None:
        response = personas.client_for(personas.admin).post(
            url(personas, "target-group", presse.public_id), {"name": "Presse & Medien", "description": ""}
        )
        assert response.status_code == 302
        presse.refresh_from_db()
        assert presse.name == "Presse & Medien"

    def test_an_empty_name_is_refused(self, personas, presse) -> None:
        response = personas.client_for(personas.admin).post(
            url(personas, "target-group", presse.public_id), {"name": "", "description": "Neu"}
        )
        assert response.status_code == 400
        assert "This field is required." in response.content.decode()

    def test_a_cm_and_another_organisation_get_404(self, personas, presse) -> None:
        for member in (personas.cm, personas.outsider):
            client = personas.client_for(member)
            assert client.get(url(personas, "target-group", presse.public_id)).status_code == 404


class TestTargetGroupDelete:
    def test_the_smm_deletes_a_target_group(self, personas, presse) -> None:
        personas.client_for(personas.smm).post(url(personas, "target-group-delete", presse.public_id))
        assert not TargetGroup.objects.exists()

    def test_a_cm_and_another_organisation_get_404(self, personas, presse) -> None:
        for member in (personas.cm, personas.outsider):
            response = personas.client_for(member).post(
                url(personas, "target-group-delete", presse.public_id)
            )
            assert response.status_code == 404
        assert TargetGroup.objects.exists()


STRATEGY = {
    "purpose": "Neuigkeiten für Presse und Partner",
    "min_per_week": "2",
    "max_per_week": "5",
    "max_per_day": "1",
    "min_gap_minutes": "90",
    "preferred_weekdays": ["1", "3"],
    "preferred_times": "9:00, 12.30",
}


class TestChannelStrategy:
    def test_the_smm_sets_the_strategy_and_the_plan_uses_the_numbers(self, personas, channel, presse) -> None:
        client = personas.client_for(personas.smm)
        page = client.get(url(personas, "channel", channel.public_id)).content.decode()
        assert (
            reverse("networks:channel-settings", args=[personas.organization.slug, channel.public_id]) in page
        )
        response = client.post(
            url(personas, "channel", channel.public_id), STRATEGY | {"target_groups": [presse.pk]}
        )
        assert response.status_code == 302
        strategy = ChannelStrategy.objects.get(channel=channel)
        assert (strategy.min_per_week, strategy.preferred_weekdays) == (2, [1, 3])
        assert strategy.preferred_times == ["09:00", "12:30"]
        assert list(strategy.target_groups.all()) == [presse]
        rules = PlanningRules.objects.get(channel=channel)
        assert (rules.min_gap_minutes, rules.max_per_day, rules.max_per_week) == (90, 1, 5)

    def test_it_shows_what_is_saved(self, personas, channel) -> None:
        client = personas.client_for(personas.smm)
        client.post(url(personas, "channel", channel.public_id), STRATEGY)
        page = client.get(url(personas, "channel", channel.public_id)).content.decode()
        assert 'value="09:00, 12:30"' in page
        assert 'value="90"' in page

    def test_a_bad_time_is_explained_and_nothing_typed_is_lost(self, personas, channel) -> None:
        response = personas.client_for(personas.smm).post(
            url(personas, "channel", channel.public_id), STRATEGY | {"preferred_times": "9:00, mittags"}
        )
        text = response.content.decode()
        assert response.status_code == 400
        assert "“mittags” is not a time" in text
        assert 'value="9:00, mittags"' in text
        assert "Neuigkeiten für Presse und Partner" in text
        assert not ChannelStrategy.objects.exists()

    def test_a_minimum_above_the_maximum_is_explained(self, personas, channel) -> None:
        response = personas.client_for(personas.smm).post(
            url(personas, "channel", channel.public_id), STRATEGY | {"min_per_week": "6", "max_per_day": ""}
        )
        assert response.status_code == 400
        assert "cannot fit into at most 5 per week" in response.content.decode()
        assert not PlanningRules.objects.exists()

    def test_a_cm_gets_404(self, personas, channel) -> None:
        response = personas.client_for(personas.cm).post(
            url(personas, "channel", channel.public_id), STRATEGY
        )
        assert response.status_code == 404
        assert not ChannelStrategy.objects.exists()

    def test_another_organisation_gets_404(self, personas, channel) -> None:
        client = personas.client_for(personas.outsider)
        theirs = reverse("strategy:channel", args=[personas.outsider.organization.slug, channel.public_id])
        assert client.get(theirs).status_code == 404
        assert client.get(url(personas, "channel", channel.public_id)).status_code == 404
