"""The plan's set-up: who may change what, the rules the services keep, and what the pages show."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from onevoice.core.audit import VERB_LABELS
from onevoice.core.models import AuditEvent
from onevoice.organization.access import NotAllowed
from onevoice.planning import services
from onevoice.planning import setup_services as setup
from onevoice.planning.models import BlackoutPeriod, Campaign, PlanningRules, Topic
from onevoice.planning.setup_views import campaign_timeline
from onevoice.planning.tests.conftest import BERLIN, later

pytestmark = pytest.mark.django_db
SMM_STEP = setup.StepSpec(name="Social Media", roles=["smm"])


def url(name: str, personas, *args) -> str:
    return reverse(f"planning:{name}", args=[personas.organization.slug, *args])


def policy(personas, actor=None, **scope):
    return setup.policy_save(
        actor=actor or personas.smm,
        policy=None,
        name=scope.pop("name", "Standard"),
        department=scope.get("department"),
        channel=scope.get("channel"),
        campaign=scope.get("campaign"),
        reapprove_after_edit=True,
        review_hours_before=2,
        steps=scope.get("steps", [SMM_STEP]),
    )


class TestApprovalPolicies:
    def test_one_policy_per_scope(self, personas) -> None:
        policy(personas, name="Standard")
        with pytest.raises(ValidationError, match="“Standard” already applies"):
            policy(personas, name="Noch einer")
        policy(personas, name="Personal", department=personas.hr)  # another scope is fine
        with pytest.raises(ValidationError, match="“Personal” already applies"):
            policy(personas, name="Personal 2", department=personas.hr)

    def test_saving_a_policy_again_keeps_its_own_scope(self, personas) -> None:
        first = policy(personas)
        setup.policy_save(
            actor=personas.smm,
            policy=first,
            name="Standard, neu",
            department=None,
            channel=None,
            campaign=None,
            reapprove_after_edit=False,
            review_hours_before=4,
            steps=[SMM_STEP],
        )
        first.refresh_from_db()
        assert (first.name, first.review_hours_before) == ("Standard, neu", 4)

    @pytest.mark.parametrize(
        ("step", "message"),
        [
            (setup.StepSpec(name="Fachabteilung", roles=["contributor"]), "cannot approve posts"),
            (setup.StepSpec(name="Geschäftsleitung", roles=["viewer"]), "cannot approve posts"),
            (setup.StepSpec(name="GL", kind="feedback", roles=["viewer"]), "cannot comment"),
        ],
    )
    def test_roles_that_cannot_decide_are_refused(self, personas, step, message) -> None:
        with pytest.raises(ValidationError, match=message):
            policy(personas, steps=[SMM_STEP, step])

    def test_a_person_who_cannot_approve_is_named(self, personas) -> None:
        step = setup.StepSpec(name="Personal", people=[personas.contributor])
        with pytest.raises(ValidationError, match="Hanna Personal cannot approve"):
            policy(personas, steps=[step])

    def test_a_contributor_may_give_feedback(self, personas) -> None:
        feedback = setup.StepSpec(name="Personal", kind="feedback", people=[personas.contributor])
        saved = policy(personas, steps=[SMM_STEP, feedback])
        assert saved.steps.count() == 2

    def test_the_saved_policy_decides_who_approves(self, personas, channels) -> None:
        two_steps = [
            setup.StepSpec(name="Recht", people=[personas.reviewer]),
            setup.StepSpec(name="Social Media", roles=["smm"]),
        ]
        policy(personas, department=personas.marketing, steps=two_steps)
        post = services.post_create(
            actor=personas.cm,
            title="P",
            department=personas.marketing,
            channels=channels[:1],
            base_text="x",
            publish_at=later(days=3),
        )
        services.post_submit(actor=personas.cm, post=post)
        assert services.current_step(post).name == "Recht"
        services.post_decide(actor=personas.reviewer, post=post, verdict="approved")
        assert services.current_step(post).name == "Social Media"

    def test_only_those_who_manage_strategy_write_policies(self, personas) -> None:
        with pytest.raises(NotAllowed):
            policy(personas, actor=personas.cm)


class TestOtherWrites:
    def test_a_cm_may_plan_a_campaign_but_a_contributor_may_not(self, personas) -> None:
        data: dict[str, Any] = {
            "name": "Herbst",
            "goal": "",
            "starts_on": date(2030, 9, 1),
            "ends_on": date(2030, 9, 30),
            "departments": [personas.marketing],
            "channels": [],
            "color": "#123456",
        }
        setup.campaign_save(actor=personas.cm, campaign=None, **data)
        with pytest.raises(NotAllowed):
            setup.campaign_save(actor=personas.contributor, campaign=None, **data | {"name": "X"})

    def test_channel_rules_must_make_sense(self, personas, channels) -> None:
        with pytest.raises(ValidationError, match="per day than per week"):
            setup.channel_rules_save(
                actor=personas.smm, channel=channels[0], min_gap_minutes=30, max_per_day=5, max_per_week=3
            )
        assert not PlanningRules.objects.exists()

    def test_every_write_is_audited_with_a_label(self, personas, channels) -> None:
        topic = setup.topic_save(
            actor=personas.smm, topic=None, name="Karriere", department=None, color="#000000"
        )
        setup.topic_save(
            actor=personas.smm, topic=topic, name="Karriere & Ausbildung", department=None, color="#000000"
        )
        setup.topic_delete(actor=personas.smm, topic=topic)
        period = setup.blackout_create(
            actor=personas.smm,
            name="Ruhe",
            reason="",
            starts_at=later(days=5),
            ends_at=later(days=6),
            channels=[channels[0]],
        )
        setup.blackout_delete(actor=personas.smm, period=period)
        setup.channel_rules_save(
            actor=personas.smm, channel=channels[0], min_gap_minutes=30, max_per_day=None, max_per_week=None
        )
        setup.policy_delete(actor=personas.smm, policy=policy(personas))
        verbs = set(
            AuditEvent.objects.filter(organization=personas.organization).values_list("verb", flat=True)
        )
        for verb in (
            "topic.created",
            "topic.updated",
            "topic.deleted",
            "blackout.created",
            "blackout.deleted",
            "channel.rules_changed",
            "policy.created",
            "policy.deleted",
        ):
            assert verb in verbs
            assert verb in VERB_LABELS


class TestPages:
    @pytest.mark.parametrize(("persona", "status"), [("smm", 200), ("cm", 404), ("outsider", 404)])
    def test_a_topic_is_edited_by_those_who_manage_strategy(self, personas, persona, status) -> None:
        topic = setup.topic_save(
            actor=personas.smm, topic=None, name="Karriere", department=None, color="#000000"
        )
        client = personas.client_for(getattr(personas, persona))
        assert client.get(url("topic", personas, topic.public_id)).status_code == status
        response = client.post(
            url("topic", personas, topic.public_id),
            {"name": "Karriere & Ausbildung", "department": personas.hr.pk, "color": "#0ca678"},
        )
        topic.refresh_from_db()
        if status == 200:
            assert response.status_code == 302
            assert (topic.name, topic.department, topic.color) == (
                "Karriere & Ausbildung",
                personas.hr,
                "#0ca678",
            )
        else:
            assert response.status_code == 404
            assert topic.name == "Karriere"

    def test_renaming_a_topic_onto_another_says_so(self, personas) -> None:
        setup.topic_save(actor=personas.smm, topic=None, name="Karriere", department=None, color="#000000")
        other = setup.topic_save(
            actor=personas.smm, topic=None, name="Produkte", department=None, color="#000000"
        )
        response = personas.client_for(personas.smm).post(
            url("topic", personas, other.public_id), {"name": "KARRIERE", "color": "#000000"}
        )
        assert response.status_code == 400
        assert "already exists" in response.content.decode()

    def test_a_colour_must_be_a_colour(self, personas) -> None:
        response = personas.client_for(personas.smm).post(
            url("topics", personas), {"name": "Karriere", "color": "red;x"}
        )
        assert response.status_code == 400
        assert not Topic.objects.exists()

    @pytest.mark.parametrize(
        ("persona", "status"),
        [("cm", 200), ("smm", 200), ("contributor", 404), ("viewer", 404), ("outsider", 404)],
    )
    def test_who_may_edit_a_campaign(self, personas, persona, status) -> None:
        campaign = setup.campaign_save(
            actor=personas.smm,
            campaign=None,
            name="Herbst",
            goal="",
            starts_on=date(2030, 9, 1),
            ends_on=date(2030, 9, 30),
            departments=[],
            channels=[],
            color="#123456",
        )
        client = personas.client_for(getattr(personas, persona))
        response = client.get(url("campaign-edit", personas, campaign.public_id))
        assert response.status_code == status
        assert client.get(url("campaign-new", personas)).status_code == status
        if status == 200:
            # Date inputs only understand ISO dates, whatever the language.
            assert 'value="2030-09-01"' in response.content.decode()

    def test_the_campaign_page_is_visible_to_viewers_but_not_outsiders(self, personas) -> None:
        campaign = setup.campaign_save(
            actor=personas.smm,
            campaign=None,
            name="Herbst",
            goal="Mehr Reichweite",
            starts_on=date(2030, 9, 1),
            ends_on=date(2030, 9, 30),
            departments=[],
            channels=[],
            color="#123456",
        )
        viewer = personas.client_for(personas.viewer, language="de").get(
            url("campaign", personas, campaign.public_id)
        )
        assert viewer.status_code == 200
        assert "campaign-edit" not in viewer.content.decode()
        outsider = personas.client_for(personas.outsider).get(url("campaign", personas, campaign.public_id))
        assert outsider.status_code == 404

    def test_blackout_times_are_entered_in_the_organisations_time_zone(self, personas) -> None:
        personas.smm.user.time_zone = "America/New_York"
        personas.smm.user.save(update_fields=["time_zone"])
        day = later(days=10).date()
        personas.client_for(personas.smm).post(
            url("blackouts", personas),
            {"name": "Ruhe", "starts_at": f"{day}T08:00", "ends_at": f"{day}T18:00"},
        )
        period = BlackoutPeriod.objects.get()
        assert period.starts_at.astimezone(BERLIN).hour == 8
        assert period.ends_at.astimezone(BERLIN).hour == 18

    def test_wrong_channel_rules_keep_what_was_typed_and_say_why(self, personas, channels) -> None:
        response = personas.client_for(personas.smm).post(
            url("channel-rules", personas),
            {"channel": channels[0].public_id, "min_gap_minutes": "45", "max_per_day": "0"},
        )
        assert response.status_code == 400
        body = response.content.decode()
        assert "Allow at least 1 post per day" in body
        assert 'value="45"' in body
        assert not PlanningRules.objects.exists()


class TestCampaignTimeline:
    def campaign(self) -> Campaign:
        return Campaign(name="Herbst", starts_on=date(2030, 9, 2), ends_on=date(2030, 9, 29))

    def test_posts_sit_at_their_local_day_and_do_not_overlap(self, personas, channels) -> None:
        def at(day: int, hour: int):
            from datetime import datetime

            return datetime(2030, 9, day, hour, tzinfo=BERLIN)

        posts = [
            services.post_create(
                actor=personas.smm, title=str(i), department=personas.marketing, channels=channels[:1],
                publish_at=when,
            )
            for i, when in enumerate([at(2, 10), at(2, 16), at(16, 0) - timedelta(minutes=30), at(29, 23)])
        ]  # fmt: skip
        timeline = campaign_timeline(self.campaign(), posts, BERLIN)
        marks = timeline["marks"]
        assert [m.left for m in marks] == ["1.79", "1.79", "48.21", "98.21"]  # 15.9. 23:30 is the 15th
        assert [m.lane for m in marks] == [0, 1, 0, 0]
        assert timeline["lanes"] == 2
        assert not any(m.outside for m in marks)
        assert [t["day"].weekday() for t in timeline["ticks"]] == [0, 0, 0, 0]  # Mondays

    def test_a_post_outside_the_period_is_marked(self, personas, channels) -> None:
        from datetime import datetime

        post = services.post_create(
            actor=personas.smm,
            title="Spät",
            department=personas.marketing,
            channels=channels[:1],
            publish_at=datetime(2030, 10, 3, 10, tzinfo=BERLIN),
        )
        (mark,) = campaign_timeline(self.campaign(), [post], BERLIN)["marks"]
        assert mark.outside
        assert mark.left == "100.00"
