"""Voice rules in the workflow: blocking findings stop submission and approval, overrides let them pass,
findings are recorded at submission, and a sensitive mention needs the SMM's approval on top of the policy."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from onevoice.planning import services as planning
from onevoice.planning.models import ApprovalDecision, ApprovalPolicy, ApprovalStep, Notification, Post
from onevoice.voice import services
from onevoice.voice.checker import RuleKind
from onevoice.voice.models import ExtraApproval, VoiceFinding
from onevoice.voice.tests.conftest import make_rule, set_text

pytestmark = pytest.mark.django_db
S = Post.Status
APPROVED = ApprovalDecision.Verdict.APPROVED


def reviewer_policy(personas) -> ApprovalPolicy:
    policy = ApprovalPolicy.objects.create(organization=personas.organization, name="Recht")
    step = ApprovalStep.objects.create(policy=policy, name="Rechtsabteilung")
    step.approvers.set([personas.reviewer])
    return policy


class TestSubmission:
    def test_a_blocking_finding_stops_submission_with_the_rule_and_its_message(
        self, personas, draft, forbidden
    ) -> None:
        set_text(draft, "Das Schnäppchen des Jahres")
        with pytest.raises(ValidationError) as caught:
            planning.post_submit(actor=personas.cm, post=draft)
        [problem] = caught.value.messages
        assert problem.startswith("Newsroom Marketing: Keine Schnäppchen: ")
        draft.refresh_from_db()
        assert draft.status == S.DRAFT

    def test_a_warning_does_not_stop_submission(self, personas, draft) -> None:
        make_rule(personas, severity="warn")
        set_text(draft, "Das Schnäppchen des Jahres")
        planning.post_submit(actor=personas.cm, post=draft)
        assert draft.status == S.IN_REVIEW

    def test_an_override_by_the_smm_lets_the_post_through(self, personas, draft, forbidden) -> None:
        set_text(draft, "Das Schnäppchen des Jahres")
        services.finding_override(
            actor=personas.smm, post=draft, variant=draft.variants.get(), rule=forbidden, reason="Zitat"
        )
        planning.post_submit(actor=personas.cm, post=draft)
        assert draft.status == S.IN_REVIEW

    def test_a_rule_of_another_department_does_not_stop_it(self, personas, draft) -> None:
        make_rule(personas, department=personas.hr)
        set_text(draft, "Das Schnäppchen des Jahres")
        planning.post_submit(actor=personas.cm, post=draft)
        assert draft.status == S.IN_REVIEW

    def test_the_findings_are_recorded_for_the_voice_report(self, personas, draft) -> None:
        rule = make_rule(personas, severity="warn")
        set_text(draft, "Schnäppchen")
        planning.post_submit(actor=personas.cm, post=draft)
        [finding] = VoiceFinding.objects.all()
        assert finding.rule == rule
        assert finding.department == personas.marketing
        assert finding.severity == "warn"
        assert finding.review_round == 1
        assert not finding.overridden


class TestApprovalRecheck:
    def test_a_rule_added_after_submission_stops_the_approval(self, personas, draft) -> None:
        set_text(draft, "Das Schnäppchen des Jahres")
        planning.post_submit(actor=personas.cm, post=draft)
        make_rule(personas)
        with pytest.raises(ValidationError, match="Keine Schnäppchen"):
            planning.post_decide(actor=personas.smm, post=draft, verdict=APPROVED)
        draft.refresh_from_db()
        assert draft.status == S.IN_REVIEW
        assert not ApprovalDecision.objects.exists()


class TestExtraApproval:
    def test_a_sensitive_mention_asks_for_the_smms_approval_after_the_policy(self, personas, draft) -> None:
        reviewer_policy(personas)
        make_rule(personas, RuleKind.SENSITIVE)
        set_text(draft, "Anders als die Logistik AG liefern wir morgen.")
        planning.post_submit(actor=personas.cm, post=draft)
        [extra] = ExtraApproval.objects.all()
        assert extra.review_round == 1
        assert "Wettbewerber" in extra.reason
        assert planning.may_decide(personas.smm, draft) is False  # the policy's step comes first

        planning.post_decide(actor=personas.reviewer, post=draft, verdict=APPROVED)
        draft.refresh_from_db()
        assert draft.status == S.IN_REVIEW
        assert planning.extra_approval_pending(draft)
        assert planning.may_decide(personas.smm, draft) is True
        assert planning.may_decide(personas.reviewer, draft) is False
        assert Notification.objects.filter(recipient=personas.smm, kind="review_needed").exists()

        planning.post_decide(actor=personas.smm, post=draft, verdict=APPROVED)
        draft.refresh_from_db()
        assert draft.status == S.SCHEDULED

    def test_without_a_sensitive_mention_the_policy_alone_decides(self, personas, draft) -> None:
        reviewer_policy(personas)
        make_rule(personas, RuleKind.SENSITIVE)
        planning.post_submit(actor=personas.cm, post=draft)
        planning.post_decide(actor=personas.reviewer, post=draft, verdict=APPROVED)
        draft.refresh_from_db()
        assert draft.status == S.SCHEDULED
        assert not ExtraApproval.objects.exists()

    def test_without_a_policy_the_smms_approval_is_the_extra_one(self, personas, draft) -> None:
        make_rule(personas, RuleKind.SENSITIVE)
        set_text(draft, "Die Logistik AG ist langsamer.")
        planning.post_submit(actor=personas.cm, post=draft)
        planning.post_decide(actor=personas.smm, post=draft, verdict=APPROVED)
        draft.refresh_from_db()
        assert draft.status == S.SCHEDULED

    def test_a_new_round_asks_again(self, personas, draft) -> None:
        make_rule(personas, RuleKind.SENSITIVE)
        set_text(draft, "Die Logistik AG ist langsamer.")
        planning.post_submit(actor=personas.cm, post=draft)
        planning.post_decide(actor=personas.smm, post=draft, verdict=APPROVED)
        draft.refresh_from_db()
        variant = draft.variants.get()
        planning.variant_update(
            actor=personas.cm,
            variant=variant,
            expected_version=draft.version,
            text="Die Logistik AG ist viel langsamer.",
            link="",
            language="de",
        )
        draft.refresh_from_db()
        assert draft.status == S.IN_REVIEW
        assert draft.review_round == 2
        assert ExtraApproval.objects.filter(review_round=2).exists()
        assert planning.extra_approval_pending(draft)
