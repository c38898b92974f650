from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from onevoice.core.models import AuditEvent
from onevoice.organization.access import NotAllowed
from onevoice.organization.roles import Role
from onevoice.planning import services
from onevoice.planning.models import (
    ApprovalDecision,
    ApprovalLink,
    ApprovalPolicy,
    ApprovalStep,
    Notification,
    Post,
)
from onevoice.planning.tests.conftest import later

pytestmark = pytest.mark.django_db
S = Post.Status
V = ApprovalDecision.Verdict


def policy(personas, *steps: dict, **kwargs) -> ApprovalPolicy:
    p = ApprovalPolicy.objects.create(organization=personas.organization, name="Freigabe", **kwargs)
    for position, spec in enumerate(steps):
        people = spec.pop("people", [])
        departments = spec.pop("departments", [])
        step = ApprovalStep.objects.create(policy=p, position=position, **spec)
        step.approvers.set(people)
        step.departments.set(departments)
    return p


class TestCreateAndEdit:
    def test_a_post_gets_one_variant_per_channel_from_the_base_text(self, personas, channels) -> None:
        post = services.post_create(
            actor=personas.smm,
            title="T",
            department=personas.marketing,
            channels=channels,
            base_text="Hallo",
            publish_at=later(),
        )
        assert sorted(v.text for v in post.variants.all()) == ["Hallo", "Hallo"]
        assert post.status == S.DRAFT

    def test_a_publish_time_in_the_past_is_refused(self, personas, channels) -> None:
        with pytest.raises(ValidationError, match="in the past"):
            services.post_create(
                actor=personas.smm,
                title="T",
                department=personas.marketing,
                channels=channels,
                publish_at=timezone.now() - timedelta(hours=1),
            )

    def test_a_cm_cannot_plan_for_another_department(self, personas, channels) -> None:
        with pytest.raises(NotAllowed):
            services.post_create(actor=personas.cm, title="T", department=personas.hr, channels=channels[:1])

    def test_a_viewer_cannot_plan(self, personas, channels) -> None:
        with pytest.raises(NotAllowed):
            services.post_create(actor=personas.viewer, title="T", department=personas.hr, channels=[])

    def test_the_second_of_two_concurrent_saves_is_refused(self, personas, draft) -> None:
        version = draft.version
        first = Post.objects.get(pk=draft.pk)
        second = Post.objects.get(pk=draft.pk)
        fields = {
            "department": personas.marketing,
            "notes": "",
            "campaign": None,
            "topic": None,
            "publish_at": draft.publish_at,
            "window_end": None,
            "channels": [v.channel for v in draft.variants.all()],
        }
        services.post_update(
            actor=personas.cm, post=first, expected_version=version, title="Erster", base_text="A", **fields
        )
        with pytest.raises(services.ConcurrentEdit, match="changed by Chris Community"):
            services.post_update(
                actor=personas.smm,
                post=second,
                expected_version=version,
                title="Zweiter",
                base_text="B",
                **fields,
            )
        draft.refresh_from_db()
        assert (draft.title, draft.base_text) == ("Erster", "A")

    def test_copy_base_fills_every_variant(self, personas, channels) -> None:
        post = services.post_create(
            actor=personas.smm, title="T", department=personas.marketing, channels=channels, base_text="Basis"
        )
        variant = post.variants.all()[0]
        services.variant_update(
            actor=personas.smm,
            variant=variant,
            expected_version=post.version,
            text="Anders",
            link="",
            language="de",
        )
        post.refresh_from_db()
        services.variants_copy_base(actor=personas.smm, post=post, expected_version=post.version)
        assert set(post.variants.values_list("text", flat=True)) == {"Basis"}


class TestWithoutPolicy:
    def test_submit_then_an_smm_approves_and_it_is_scheduled(self, personas, draft) -> None:
        services.post_submit(actor=personas.cm, post=draft)
        assert draft.status == S.IN_REVIEW
        assert Notification.objects.filter(recipient=personas.smm, kind="review_needed").exists()
        services.post_decide(actor=personas.smm, post=draft, verdict=V.APPROVED)
        draft.refresh_from_db()
        assert draft.status == S.SCHEDULED
        assert Notification.objects.filter(recipient=personas.cm, kind="approved").exists()

    def test_no_self_approval(self, personas, channels) -> None:
        post = services.post_create(
            actor=personas.smm,
            title="Eigenes",
            department=personas.marketing,
            channels=channels[:1],
            base_text="x",
            publish_at=later(),
        )
        services.post_submit(actor=personas.smm, post=post)
        with pytest.raises(NotAllowed):
            services.post_decide(actor=personas.smm, post=post, verdict=V.APPROVED)

    def test_changes_requested_need_a_comment_and_go_back_to_the_owner(self, personas, draft) -> None:
        services.post_submit(actor=personas.cm, post=draft)
        with pytest.raises(ValidationError, match="what should change"):
            services.post_decide(actor=personas.smm, post=draft, verdict=V.CHANGES_REQUESTED)
        services.post_decide(
            actor=personas.smm, post=draft, verdict=V.CHANGES_REQUESTED, comment="Bitte kürzer."
        )
        draft.refresh_from_db()
        assert draft.status == S.CHANGES_REQUESTED
        assert Notification.objects.get(recipient=personas.cm, kind="changes_requested").text.endswith(
            "Bitte kürzer."
        )
        services.post_submit(actor=personas.cm, post=draft)
        assert draft.review_round == 2

    def test_a_cm_cannot_approve(self, personas, channels) -> None:
        post = services.post_create(
            actor=personas.smm,
            title="T",
            department=personas.marketing,
            channels=channels[:1],
            base_text="x",
            publish_at=later(),
        )
        services.post_submit(actor=personas.smm, post=post)
        with pytest.raises(NotAllowed):
            services.post_decide(actor=personas.cm, post=post, verdict=V.APPROVED)

    def test_a_variant_over_the_limit_cannot_be_submitted(self, personas, draft) -> None:
        variant = draft.variants.get()
        services.variant_update(
            actor=personas.cm,
            variant=variant,
            expected_version=draft.version,
            text="x" * 10_001,
            link="",
            language="de",
        )
        with pytest.raises(ValidationError, match="at most 10000"):
            services.post_submit(actor=personas.cm, post=draft)

    def test_an_edit_after_approval_sends_it_back_to_review(self, personas, draft) -> None:
        services.post_submit(actor=personas.cm, post=draft)
        services.post_decide(actor=personas.smm, post=draft, verdict=V.APPROVED)
        draft.refresh_from_db()
        services.variant_update(
            actor=personas.cm,
            variant=draft.variants.get(),
            expected_version=draft.version,
            text="Geändert",
            link="",
            language="de",
        )
        draft.refresh_from_db()
        assert draft.status == S.IN_REVIEW
        assert draft.review_round == 2


class TestPolicies:
    def test_all_of_mode_needs_every_approver(self, personas, draft) -> None:
        policy(personas, {"name": "Leitung", "mode": "all", "people": [personas.smm, personas.reviewer]})
        services.post_submit(actor=personas.cm, post=draft)
        services.post_decide(actor=personas.smm, post=draft, verdict=V.APPROVED)
        draft.refresh_from_db()
        assert draft.status == S.IN_REVIEW
        services.post_decide(actor=personas.reviewer, post=draft, verdict=V.APPROVED)
        draft.refresh_from_db()
        assert draft.status == S.SCHEDULED

    def test_multi_step_goes_in_order(self, personas, draft) -> None:
        policy(
            personas,
            {"name": "Fachlich", "mode": "any", "roles": [Role.SMM]},
            {"name": "Recht", "mode": "any", "people": [personas.reviewer]},
        )
        services.post_submit(actor=personas.cm, post=draft)
        with pytest.raises(NotAllowed):  # step 2 is not reached yet
            services.post_decide(actor=personas.reviewer, post=draft, verdict=V.APPROVED)
        services.post_decide(actor=personas.smm, post=draft, verdict=V.APPROVED)
        assert services.current_step(draft).name == "Recht"
        assert Notification.objects.filter(recipient=personas.reviewer, kind="review_needed").exists()
        services.post_decide(actor=personas.reviewer, post=draft, verdict=V.APPROVED)
        draft.refresh_from_db()
        assert draft.status == S.SCHEDULED

    def test_feedback_only_reviewers_comment_without_blocking(self, personas, draft) -> None:
        policy(
            personas,
            {"name": "SMM", "mode": "any", "roles": [Role.SMM]},
            {"name": "Betriebsrat", "kind": "feedback", "people": [personas.reviewer]},
        )
        services.post_submit(actor=personas.cm, post=draft)
        services.post_decide(
            actor=personas.reviewer, post=draft, verdict=V.APPROVED, comment="Passt für uns."
        )
        assert ApprovalDecision.objects.get(approver=personas.reviewer).verdict == V.FEEDBACK
        draft.refresh_from_db()
        assert draft.status == S.IN_REVIEW
        services.post_decide(actor=personas.smm, post=draft, verdict=V.APPROVED)
        draft.refresh_from_db()
        assert draft.status == S.SCHEDULED

    def test_the_most_specific_policy_wins(self, personas, draft) -> None:
        policy(personas, {"name": "Allgemein", "roles": [Role.SMM]})
        special = policy(
            personas, {"name": "Marketing", "people": [personas.reviewer]}, department=personas.marketing
        )
        assert services.policy_for(draft) == special

    def test_an_approval_link_works_once_and_only_in_its_round(
        self, personas, draft, django_capture_on_commit_callbacks
    ) -> None:
        policy(personas, {"name": "Extern", "external_emails": "kanzlei@example.org"})
        with django_capture_on_commit_callbacks(execute=True):
            services.post_submit(actor=personas.cm, post=draft)
        link_mail = next(m for m in mail.outbox if m.to == ["kanzlei@example.org"])
        token = link_mail.body.split("/approval/")[1].split("/")[0]
        services.approval_link_decide(token=token, verdict=V.APPROVED)
        draft.refresh_from_db()
        assert draft.status == S.SCHEDULED
        with pytest.raises(ValidationError, match="already been used"):
            services.approval_link_decide(token=token, verdict=V.APPROVED)
        assert AuditEvent.objects.filter(verb="post.approved", after__by="kanzlei@example.org").exists()

    def test_an_expired_approval_link_is_refused(
        self, personas, draft, django_capture_on_commit_callbacks
    ) -> None:
        policy(personas, {"name": "Extern", "external_emails": "kanzlei@example.org"})
        with django_capture_on_commit_callbacks(execute=True):
            services.post_submit(actor=personas.cm, post=draft)
        token = mail.outbox[-1].body.split("/approval/")[1].split("/")[0]
        ApprovalLink.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
        with pytest.raises(ValidationError, match="expired"):
            services.approval_link_decide(token=token, verdict=V.APPROVED)


class TestDiscussion:
    def test_mentions_notify_the_people_named(self, personas, draft) -> None:
        services.comment_add(actor=personas.cm, post=draft, text="@Robert Recht kannst du das prüfen?")
        assert Notification.objects.filter(recipient=personas.reviewer, kind="mentioned").exists()
        history = services.post_history(draft)
        assert [h.kind for h in history] == ["event", "comment"]
