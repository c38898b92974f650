"""Tasks from the plan: derivation, re-derivation when the plan changes, done stays done, people leaving."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from onevoice.organization import services as organization_services
from onevoice.planning import services as planning
from onevoice.planning.models import ApprovalPolicy, ApprovalStep, Notification, Post
from onevoice.planning.tests.conftest import later
from onevoice.workload import selectors, services
from onevoice.workload.models import Task, WorkloadSettings

pytestmark = pytest.mark.django_db


@pytest.fixture
def newsroom(personas):
    from onevoice.networks import services as channel_services

    return channel_services.channel_create_newsroom(
        actor=personas.smm, name="Newsroom Marketing", department=personas.marketing
    )


@pytest.fixture
def post(personas, newsroom, django_capture_on_commit_callbacks) -> Post:
    with django_capture_on_commit_callbacks(execute=True):
        return planning.post_create(
            actor=personas.cm,
            title="Produktlaunch",
            department=personas.marketing,
            channels=[newsroom],
            base_text="Unser neues Produkt ist da!",
            publish_at=later(days=10),
        )


def _tasks(post: Post) -> dict[str, Task]:
    return {t.key: t for t in Task.objects.filter(post=post).select_related("assignee")}


class TestDerivation:
    def test_a_planned_post_gets_write_approve_and_publish_with_due_times_counted_back(self, personas, post):
        tasks = _tasks(post)
        assert set(tasks) == {"write", "approve:default", "publish"}
        assert tasks["write"].assignee == personas.cm
        assert tasks["publish"].assignee == personas.cm
        assert tasks["approve:default"].assignee == personas.smm  # without a policy the SMM approves
        assert tasks["write"].due_at == post.publish_at - timedelta(hours=72)
        assert tasks["approve:default"].due_at == post.publish_at - timedelta(hours=24)
        assert tasks["publish"].due_at == post.publish_at
        assert tasks["write"].effort_hours == Decimal("1.00")  # a text post, default norm
        assert tasks["write"].content_format == "text"
        assert tasks["write"].network == "newsroom"

    def test_lead_times_come_from_the_organisation(self, personas, post):
        WorkloadSettings.objects.create(
            organization=personas.organization, write_lead_hours=120, approve_lead_hours=6
        )
        services.tasks_rederive(post.pk)
        tasks = _tasks(post)
        assert tasks["write"].due_at == post.publish_at - timedelta(hours=120)
        assert tasks["approve:default"].due_at == post.publish_at - timedelta(hours=6)

    def test_a_policy_gives_review_and_approval_tasks_to_its_people(self, personas, post):
        policy = ApprovalPolicy.objects.create(organization=personas.organization, name="Recht")
        feedback = ApprovalStep.objects.create(policy=policy, name="Betriebsrat", kind="feedback", position=0)
        feedback.approvers.add(personas.reviewer)
        approval = ApprovalStep.objects.create(policy=policy, name="Freigabe", position=1, roles=["smm"])
        services.tasks_rederive(post.pk)
        tasks = _tasks(post)
        assert set(tasks) == {"write", f"review:{feedback.pk}", f"approve:{approval.pk}", "publish"}
        assert tasks[f"review:{feedback.pk}"].assignee == personas.reviewer
        assert tasks[f"approve:{approval.pk}"].assignee == personas.smm

    def test_an_idea_without_a_time_has_no_tasks(
        self, personas, newsroom, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            idea = planning.post_create(
                actor=personas.cm,
                title="Idee",
                department=personas.marketing,
                channels=[newsroom],
                status="idea",
            )
        assert not Task.objects.filter(post=idea).exists()

    def test_re_deriving_twice_changes_nothing(self, post):
        before = {(t.key, t.due_at, t.assignee_id, t.effort_hours) for t in Task.objects.filter(post=post)}
        services.tasks_rederive(post.pk)
        services.tasks_rederive(post.pk)
        after = {(t.key, t.due_at, t.assignee_id, t.effort_hours) for t in Task.objects.filter(post=post)}
        assert before == after
        assert Task.objects.filter(post=post).count() == 3


class TestReDerivation:
    def test_tasks_move_with_the_post_and_done_tasks_stay_done(
        self, personas, post, django_capture_on_commit_callbacks
    ):
        write = _tasks(post)["write"]
        services.task_mark_done(actor=personas.cm, task=write)
        moved_to = later(days=20)
        with django_capture_on_commit_callbacks(execute=True):
            planning.post_reschedule(
                actor=personas.cm, post=post, publish_at=moved_to, expected_version=post.version
            )
        tasks = _tasks(post)
        assert tasks["publish"].due_at == moved_to
        assert tasks["publish"].status == "open"
        assert tasks["write"].status == "done"
        assert tasks["write"].due_at == moved_to - timedelta(hours=72)

    def test_submitting_for_review_completes_writing(
        self, personas, post, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            planning.post_submit(actor=personas.cm, post=post)
        tasks = _tasks(post)
        assert tasks["write"].status == "done"
        assert tasks["approve:default"].status == "open"

    def test_a_withdrawn_post_loses_its_open_tasks_but_keeps_done_ones(
        self, personas, post, django_capture_on_commit_callbacks
    ):
        services.task_mark_done(actor=personas.cm, task=_tasks(post)["write"])
        with django_capture_on_commit_callbacks(execute=True):
            planning.post_withdraw(actor=personas.smm, post=post, reason="Abgesagt")
        assert set(_tasks(post)) == {"write"}

    def test_a_hand_made_reassignment_survives_re_derivation(self, personas, post):
        task = _tasks(post)["write"]
        services.task_reassign(actor=personas.smm, task=task, assignee=personas.contributor)
        services.tasks_rederive(post.pk)
        assert _tasks(post)["write"].assignee == personas.contributor


class TestPersonLeaving:
    def test_their_open_tasks_are_listed_and_the_smms_are_told(self, personas, post):
        organization_services.membership_deactivate(actor=personas.admin, membership=personas.cm)
        listed = list(selectors.tasks_to_reassign(personas.organization))
        assert {t.key for t in listed} == {"write", "publish"}
        told = Notification.objects.filter(kind=Notification.Kind.TASKS_TO_REASSIGN)
        assert {n.recipient for n in told} == {personas.smm, personas.admin}
        assert "2" in told.first().text

    def test_nobody_is_told_when_nothing_is_open(self, personas):
        organization_services.membership_deactivate(actor=personas.admin, membership=personas.viewer)
        assert not Notification.objects.filter(kind=Notification.Kind.TASKS_TO_REASSIGN).exists()


class TestTaskRules:
    def test_only_the_assignee_or_a_manager_marks_a_task_done(self, personas, post):
        from onevoice.organization.access import NotAllowed

        task = _tasks(post)["write"]
        with pytest.raises(NotAllowed):
            services.task_mark_done(actor=personas.contributor, task=task)
        services.task_mark_done(actor=personas.smm, task=task)
        task.refresh_from_db()
        assert task.status == "done"
        assert task.done_by == personas.smm

    def test_logged_time_must_be_plausible_and_feeds_the_median(self, personas, post):
        from django.core.exceptions import ValidationError

        task = _tasks(post)["write"]
        for bad in (Decimal(0), Decimal(-1), Decimal(41)):
            with pytest.raises(ValidationError):
                services.task_log_time(actor=personas.cm, task=task, hours=bad)
        services.task_log_time(actor=personas.cm, task=task, hours=Decimal("1.5"))
        services.task_log_time(actor=personas.cm, task=_tasks(post)["publish"], hours=Decimal("0.2"))
        medians = selectors.logged_medians(personas.organization)
        assert medians[("text", "newsroom")] == [Decimal("1.5"), None, Decimal("0.2")]
        assert medians[("text", "")][0] == Decimal("1.5")
