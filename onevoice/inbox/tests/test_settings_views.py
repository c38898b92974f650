"""The inbox settings pages: admin and SMM only, their own organisation only, bad input kept and explained."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from onevoice.core.models import AuditEvent
from onevoice.inbox.models import (
    ClosedDay,
    InboxSettings,
    ReplyApprovalRule,
    RoutingRule,
    SlaPolicy,
    Tag,
)
from onevoice.networks.models import Channel

pytestmark = pytest.mark.django_db


def url(personas: Any, name: str, *args: Any) -> str:
    return reverse(name, args=[personas.organization.slug, *args])


PAGES = [
    "inbox:settings",
    "inbox:settings-sla",
    "inbox:settings-calendar",
    "inbox:settings-tags",
    "inbox:settings-spike",
    "inbox:settings-rule-new",
    "inbox:settings-sla-new",
]


class TestAccess:
    @pytest.mark.parametrize("name", PAGES)
    @pytest.mark.parametrize("who", ["admin", "smm"])
    def test_admin_and_smm_see_the_pages(self, personas: Any, name: str, who: str) -> None:
        response = personas.client_for(getattr(personas, who)).get(url(personas, name))
        assert response.status_code == 200

    @pytest.mark.parametrize("name", PAGES)
    @pytest.mark.parametrize("who", ["cm", "contributor", "reviewer", "viewer", "outsider"])
    def test_everyone_else_gets_404(self, personas: Any, name: str, who: str) -> None:
        response = personas.client_for(getattr(personas, who)).get(url(personas, name))
        assert response.status_code == 404

    def test_a_cm_cannot_create_a_rule(self, personas: Any) -> None:
        response = personas.client_for(personas.cm).post(
            url(personas, "inbox:settings-rule-new"), {"name": "X"}
        )
        assert response.status_code == 404
        assert not RoutingRule.objects.exists()

    def test_another_organisations_rule_is_not_found(self, personas: Any) -> None:
        foreign = RoutingRule.objects.create(organization=personas.outsider.organization, name="Fremd")
        client = personas.client_for(personas.smm)
        assert client.get(url(personas, "inbox:settings-rule", foreign.public_id)).status_code == 404
        assert client.post(url(personas, "inbox:settings-rule-delete", foreign.public_id)).status_code == 404
        assert RoutingRule.objects.filter(pk=foreign.pk).exists()

    def test_another_organisations_channel_cannot_be_chosen(self, personas: Any) -> None:
        foreign = Channel.objects.create(
            organization=personas.outsider.organization, network="bluesky", name="F"
        )
        response = personas.client_for(personas.smm).post(
            url(personas, "inbox:settings-rule-new"),
            {"name": "Fremdkanal", "channel": foreign.pk, "stop": "on"},
        )
        assert response.status_code == 400
        assert not RoutingRule.objects.exists()


class TestRoutingRules:
    def test_the_smm_creates_a_rule_and_it_is_audited(self, personas: Any) -> None:
        tag = Tag.objects.create(organization=personas.organization, name="Recht")
        response = personas.client_for(personas.smm).post(
            url(personas, "inbox:settings-rule-new"),
            {
                "name": "Anwalt an Recht",
                "active": "on",
                "keywords": "Anwalt\nAbmahnung",
                "assign_department": personas.hr.pk,
                "set_priority": "urgent",
                "add_tags": [tag.pk],
                "offensive": "unknown",
                "stop": "on",
            },
        )
        assert response.status_code == 302
        rule = RoutingRule.objects.get()
        assert (rule.assign_department, rule.set_priority, rule.offensive) == (personas.hr, "urgent", None)
        assert list(rule.add_tags.all()) == [tag]
        event = AuditEvent.objects.get(verb="inbox.rule_created")
        assert event.after["keywords"] == "Anwalt\nAbmahnung"

    def test_bad_input_keeps_what_was_typed(self, personas: Any) -> None:
        response = personas.client_for(personas.smm).post(
            url(personas, "inbox:settings-rule-new"),
            {"name": "", "keywords": "Kündigung", "offensive": "unknown"},
        )
        assert response.status_code == 400
        assert "Kündigung" in response.content.decode()
        assert "Please correct the marked fields" in response.content.decode()

    def test_rules_move_up_and_down(self, personas: Any) -> None:
        org = personas.organization
        a, b, c = (
            RoutingRule.objects.create(organization=org, name=n, position=i) for i, n in enumerate("ABC")
        )
        client = personas.client_for(personas.smm)
        client.post(url(personas, "inbox:settings-rule-move", c.public_id, "up"))
        assert list(RoutingRule.objects.order_by("position").values_list("name", flat=True)) == [
            "A",
            "C",
            "B",
        ]
        client.post(url(personas, "inbox:settings-rule-move", a.public_id, "up"))  # first stays first
        client.post(url(personas, "inbox:settings-rule-move", a.public_id, "down"))
        assert list(RoutingRule.objects.order_by("position").values_list("name", flat=True)) == [
            "C",
            "A",
            "B",
        ]
        assert AuditEvent.objects.filter(verb="inbox.rule_moved").count() == 2
        assert (
            client.post(url(personas, "inbox:settings-rule-move", b.public_id, "sideways")).status_code == 404
        )

    def test_a_rule_is_edited_and_deleted(self, personas: Any) -> None:
        rule = RoutingRule.objects.create(organization=personas.organization, name="Alt")
        client = personas.client_for(personas.admin)
        response = client.post(
            url(personas, "inbox:settings-rule", rule.public_id), {"name": "Neu", "offensive": "true"}
        )
        assert response.status_code == 302
        rule.refresh_from_db()
        assert rule.name == "Neu"
        assert rule.offensive is True
        assert not rule.stop
        client.post(url(personas, "inbox:settings-rule-delete", rule.public_id))
        assert not RoutingRule.objects.exists()
        assert AuditEvent.objects.filter(verb__in=["inbox.rule_updated", "inbox.rule_deleted"]).count() == 2

    def test_trying_a_message_shows_the_matching_rules(self, personas: Any) -> None:
        org = personas.organization
        RoutingRule.objects.create(
            organization=org, name="Rückerstattung", keywords="Rückerstattung", position=1
        )
        RoutingRule.objects.create(organization=org, name="Bewerbung", keywords="Bewerbung", position=2)
        response = personas.client_for(personas.smm).post(
            url(personas, "inbox:settings"), {"text": "Wann kommt meine RÜCKERSTATTUNG?", "kind": "reply"}
        )
        body = response.content.decode()
        assert response.status_code == 200
        assert "1 rule matches" in body
        assert body.count("matches</span>") == 1

    def test_a_message_with_markup_is_shown_as_text(self, personas: Any) -> None:
        response = personas.client_for(personas.smm).post(
            url(personas, "inbox:settings"), {"text": "<script>alert(1)</script>", "kind": "reply"}
        )
        assert "<script>alert(1)</script>" not in response.content.decode()


class TestSla:
    def test_a_policy_is_created_and_bad_minutes_are_explained(self, personas: Any) -> None:
        client = personas.client_for(personas.smm)
        bad = client.post(
            url(personas, "inbox:settings-sla-new"),
            {"name": "Standard", "first_response_minutes": 120, "resolution_minutes": 60},
        )
        assert bad.status_code == 400
        assert "Resolution cannot be due before the first answer" in bad.content.decode()
        good = client.post(
            url(personas, "inbox:settings-sla-new"),
            {"name": "Standard", "first_response_minutes": 120, "resolution_minutes": 960},
        )
        assert good.status_code == 302
        policy = SlaPolicy.objects.get()
        assert (policy.first_response_minutes, policy.priority, policy.channel) == (120, "", None)
        client.post(url(personas, "inbox:settings-sla-delete", policy.public_id))
        assert not SlaPolicy.objects.exists()
        assert AuditEvent.objects.filter(verb__startswith="inbox.sla_policy_").count() == 2


class TestCalendar:
    def test_the_state_and_closed_days_are_saved(self, personas: Any) -> None:
        client = personas.client_for(personas.smm)
        assert (
            client.post(url(personas, "inbox:settings-calendar"), {"holiday_state": "BY"}).status_code == 302
        )
        assert InboxSettings.objects.get().holiday_state == "BY"
        assert (
            client.post(url(personas, "inbox:settings-calendar"), {"holiday_state": "XX"}).status_code == 400
        )
        client.post(
            url(personas, "inbox:settings-closed-day-add"), {"day": "2026-12-24", "name": "Heiligabend"}
        )
        twice = client.post(
            url(personas, "inbox:settings-closed-day-add"), {"day": "2026-12-24", "name": "x"}
        )
        assert twice.status_code == 400
        assert "already closed" in twice.content.decode()
        bad = client.post(
            url(personas, "inbox:settings-closed-day-add"), {"day": "morgen", "name": "Betriebsfeier"}
        )
        assert bad.status_code == 400
        assert "Betriebsfeier" in bad.content.decode()
        closed = ClosedDay.objects.get()
        assert closed.day == date(2026, 12, 24)
        client.post(url(personas, "inbox:settings-closed-day-delete", closed.pk))
        assert not ClosedDay.objects.exists()

    def test_the_business_hours_link_is_for_admins(self, personas: Any) -> None:
        link = reverse("organization:settings", args=[personas.organization.slug])
        assert (
            link
            in personas.client_for(personas.admin)
            .get(url(personas, "inbox:settings-calendar"))
            .content.decode()
        )
        assert (
            link
            not in personas.client_for(personas.smm)
            .get(url(personas, "inbox:settings-calendar"))
            .content.decode()
        )


class TestTagsAndApproval:
    def test_tags_are_added_renamed_and_unique(self, personas: Any) -> None:
        client = personas.client_for(personas.smm)
        client.post(url(personas, "inbox:settings-tags"), {"name": "Recht", "replies_need_approval": "on"})
        tag = Tag.objects.get()
        assert tag.replies_need_approval
        twice = client.post(url(personas, "inbox:settings-tags"), {"name": "recht"})
        assert twice.status_code == 400
        assert "exists already" in twice.content.decode()
        client.post(url(personas, "inbox:settings-tag", tag.public_id), {"name": "Rechtliches"})
        tag.refresh_from_db()
        assert tag.name == "Rechtliches"
        assert not tag.replies_need_approval

    def test_approval_rules_for_a_person_or_a_channel(self, personas: Any) -> None:
        channel = Channel.objects.create(
            organization=personas.organization, network="bluesky", name="Bluesky"
        )
        client = personas.client_for(personas.smm)
        neither = client.post(url(personas, "inbox:settings-approval-add"), {})
        assert neither.status_code == 400
        assert "either a person or a channel" in neither.content.decode()
        client.post(url(personas, "inbox:settings-approval-add"), {"membership": personas.cm.pk})
        client.post(url(personas, "inbox:settings-approval-add"), {"channel": channel.pk})
        assert ReplyApprovalRule.objects.count() == 2
        foreign = personas.outsider
        bad = client.post(url(personas, "inbox:settings-approval-add"), {"membership": foreign.pk})
        assert bad.status_code == 400
        assert ReplyApprovalRule.objects.count() == 2
        rule = ReplyApprovalRule.objects.get(membership=personas.cm)
        client.post(url(personas, "inbox:settings-approval-delete", rule.pk))
        assert ReplyApprovalRule.objects.count() == 1


class TestSpike:
    def test_thresholds_are_saved_and_checked(self, personas: Any) -> None:
        client = personas.client_for(personas.smm)
        bad = client.post(
            url(personas, "inbox:settings-spike"), {"spike_factor": "0.5", "spike_minimum": "3"}
        )
        assert bad.status_code == 400
        client.post(url(personas, "inbox:settings-spike"), {"spike_factor": "3", "spike_minimum": "8"})
        found = InboxSettings.objects.get()
        assert (found.spike_factor, found.spike_minimum) == (3, 8)
        assert AuditEvent.objects.filter(verb="inbox.spike_updated").exists()


class TestGerman:
    def test_the_routing_page_speaks_german(self, personas: Any) -> None:
        response = personas.client_for(personas.smm, "de").get(url(personas, "inbox:settings"))
        assert response.status_code == 200
