"""Writes to the editorial plan: posts and their variants, the approval workflow, comments.

Every service checks the permission and the state, saves, audits and tells people after commit.
Saves of a post carry the version the editor started from: a save over someone else's is refused.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from onevoice.core import audit
from onevoice.networks.connectors.base import MediaItem, PublishRequest
from onevoice.networks.models import Channel
from onevoice.networks.registry import connector_class
from onevoice.organization.access import NotAllowed, may_edit_post
from onevoice.organization.models import Department, Membership
from onevoice.organization.roles import Capability, Role
from onevoice.planning.models import (
    ApprovalDecision,
    ApprovalLink,
    ApprovalPolicy,
    ApprovalStep,
    Campaign,
    Comment,
    Notification,
    Post,
    PostVariant,
    Topic,
    VariantImage,
)
from onevoice.planning.notifications import notify
from onevoice.webhooks import events as webhook_events

S = Post.Status
APPROVAL_LINK_DAYS = 7


class ConcurrentEdit(ValidationError):
    """Someone else saved the post since this editor opened it."""


class InvalidTransition(ValidationError):
    pass


def _when(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def post_url(post: Post) -> str:
    return reverse("planning:post", args=[post.organization.slug, post.public_id])


def snapshot(post: Post) -> dict[str, Any]:
    return {
        "title": post.title,
        "status": post.status,
        "department": post.department.name,
        "campaign": post.campaign.name if post.campaign else None,
        "topic": post.topic.name if post.topic else None,
        "publish_at": post.publish_at,
        "owner": post.owner.user.email,
    }


def _require_edit(actor: Membership, post: Post) -> None:
    if not may_edit_post(actor, post):
        raise NotAllowed(Capability.CREATE_CONTENT)


def _check_same_org(actor: Membership, *objects: Any) -> None:
    for obj in objects:
        if (
            obj is not None
            and getattr(obj, "organization_id", actor.organization_id) != actor.organization_id
        ):
            raise NotAllowed(Capability.CREATE_CONTENT)


def _refuse_past(publish_at: datetime | None, *, field: str = "publish_at") -> None:
    if publish_at is not None and publish_at < timezone.now() - timedelta(minutes=1):
        raise ValidationError(
            {
                field: _("The publish time %(when)s is in the past. Choose a later time.")
                % {"when": _when(publish_at)}
            }
        )


# ---- posts ------------------------------------------------------------------------------------------


@transaction.atomic
def post_create(
    *,
    actor: Membership,
    title: str,
    department: Department,
    channels: Sequence[Channel],
    base_text: str = "",
    notes: str = "",
    campaign: Campaign | None = None,
    topic: Topic | None = None,
    publish_at: datetime | None = None,
    window_end: datetime | None = None,
    owner: Membership | None = None,
    status: str = S.DRAFT,
) -> Post:
    """Plan a post (or an unscheduled idea) with one variant per channel, each starting from the base text."""
    actor.require(Capability.CREATE_CONTENT)
    owner = owner or actor
    _check_same_org(actor, department, campaign, topic, owner, *channels)
    if status not in (S.DRAFT, S.IDEA):
        raise InvalidTransition(_("A new post starts as an idea or a draft."))
    _refuse_past(publish_at)
    if window_end is not None and (publish_at is None or window_end <= publish_at):
        raise ValidationError({"window_end": _("The end of the time window must be after the publish time.")})
    if actor.role not in (Role.ADMIN, Role.SMM) and not actor.departments.filter(pk=department.pk).exists():
        # CMs and contributors plan for their own departments; the SMM plans across all of them.
        raise NotAllowed(Capability.CREATE_CONTENT)
    post = Post.objects.create(
        organization=actor.organization,
        department=department,
        campaign=campaign,
        topic=topic,
        owner=owner,
        title=title.strip(),
        notes=notes,
        base_text=base_text,
        publish_at=publish_at,
        window_end=window_end,
        status=status,
        updated_by=actor,
    )
    if not may_edit_post(actor, post):
        raise NotAllowed(Capability.CREATE_CONTENT)
    for channel in channels:
        PostVariant.objects.create(post=post, channel=channel, text=base_text)
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="post.created",
        obj=post,
        after=snapshot(post) | {"channels": sorted(c.name for c in channels)},
    )
    from onevoice.workload.services import tasks_follow_plan

    tasks_follow_plan(post)
    return post


def _save_versioned(post: Post, expected_version: int, actor: Membership, **fields: Any) -> Post:
    """Write `fields` only if nobody saved since `expected_version`; bump the version."""
    changed = Post.objects.filter(pk=post.pk, version=expected_version).update(
        **fields, version=F("version") + 1, updated_by=actor, updated_at=timezone.now()
    )
    if not changed:
        current = Post.objects.select_related("updated_by__user").get(pk=post.pk)
        who = current.updated_by.user if current.updated_by else _("someone")
        raise ConcurrentEdit(
            _(
                "This post was changed by %(who)s at %(when)s while you were editing. Nothing of yours was "
                "saved over it: open it again, then apply your changes."
            )
            % {"who": who, "when": _when(current.updated_at)},
            code="concurrent_edit",
        )
    post.refresh_from_db()
    return post


def _sync_publications(post: Post) -> None:
    """Queue, move or cancel the post's publications to match its status and time (same transaction)."""
    from onevoice.publishing.services import publications_sync
    from onevoice.workload.services import tasks_follow_plan

    publications_sync(post)
    tasks_follow_plan(post)  # the post's tasks move with it, after commit


def _back_to_review_if_needed(post: Post, actor: Membership, *, content_changed: bool) -> None:
    """An approved post that is edited goes back to review, unless the policy allows small edits."""
    if not content_changed or post.status not in (S.APPROVED, S.SCHEDULED):
        return
    policy = policy_for(post)
    if policy is not None and not policy.reapprove_after_edit:
        return
    before = post.status
    post.status = S.IN_REVIEW
    post.review_round += 1
    post.save(update_fields=["status", "review_round"])
    audit.record(
        actor=actor.user,
        organization=post.organization,
        verb="post.back_to_review",
        obj=post,
        before={"status": before},
        after={"status": post.status},
    )
    from onevoice.voice import services as voice

    voice.submission_record(actor=actor, post=post)
    _notify_step(post, actor)


@transaction.atomic
def post_update(
    *,
    actor: Membership,
    post: Post,
    expected_version: int,
    title: str,
    department: Department,
    base_text: str,
    notes: str,
    campaign: Campaign | None,
    topic: Topic | None,
    publish_at: datetime | None,
    window_end: datetime | None,
    channels: Sequence[Channel],
) -> Post:
    """Save the post's fields and its set of channels (new channels get a variant from the base text)."""
    _require_edit(actor, post)
    _check_same_org(actor, department, campaign, topic, *channels)
    if not post.is_editable:
        raise InvalidTransition(_("A published or withdrawn post cannot be changed."))
    if publish_at != post.publish_at:
        _refuse_past(publish_at)
    before = snapshot(post)
    content_changed = base_text != post.base_text
    post = _save_versioned(
        post,
        expected_version,
        actor,
        title=title.strip(),
        department=department,
        base_text=base_text,
        notes=notes,
        campaign=campaign,
        topic=topic,
        publish_at=publish_at,
        window_end=window_end,
    )
    existing = {v.channel_id: v for v in post.variants.all()}
    wanted = {c.pk: c for c in channels}
    for channel_id, variant in existing.items():
        if channel_id not in wanted:
            variant.delete()
            content_changed = True
    for channel_id, channel in wanted.items():
        if channel_id not in existing:
            PostVariant.objects.create(post=post, channel=channel, text=base_text)
            content_changed = True
    after = snapshot(post)
    audit.record(
        actor=actor.user,
        organization=post.organization,
        verb="post.updated",
        obj=post,
        before=before,
        after=after,
    )
    _back_to_review_if_needed(post, actor, content_changed=content_changed)
    _sync_publications(post)
    return post


@transaction.atomic
def variant_update(
    *, actor: Membership, variant: PostVariant, expected_version: int, text: str, link: str, language: str
) -> PostVariant:
    post = variant.post
    _require_edit(actor, post)
    if not post.is_editable:
        raise InvalidTransition(_("A published or withdrawn post cannot be changed."))
    content_changed = (text, link, language) != (variant.text, variant.link, variant.language)
    _save_versioned(post, expected_version, actor)
    before = {"text": variant.text, "link": variant.link, "language": variant.language}
    variant.text, variant.link, variant.language = text, link, language
    variant.save(update_fields=["text", "link", "language"])
    if content_changed:
        audit.record(
            actor=actor.user,
            organization=post.organization,
            verb="variant.updated",
            obj=post,
            before=before | {"channel": variant.channel.name},
            after={"text": text, "link": link, "language": language, "channel": variant.channel.name},
        )
    variant.post = post
    _back_to_review_if_needed(post, actor, content_changed=content_changed)
    _sync_publications(variant.post)
    return variant


@transaction.atomic
def variants_copy_base(*, actor: Membership, post: Post, expected_version: int) -> Post:
    """Put the base text into every variant (one click for 'the same text everywhere')."""
    _require_edit(actor, post)
    if not post.is_editable:
        raise InvalidTransition(_("A published or withdrawn post cannot be changed."))
    post = _save_versioned(post, expected_version, actor)
    post.variants.update(text=post.base_text)
    audit.record(
        actor=actor.user,
        organization=post.organization,
        verb="variant.updated",
        obj=post,
        after={"text": post.base_text, "channel": "*"},
    )
    _back_to_review_if_needed(post, actor, content_changed=True)
    _sync_publications(post)
    return post


@transaction.atomic
def post_reschedule(
    *, actor: Membership, post: Post, publish_at: datetime | None, expected_version: int
) -> Post:
    """Move a post in the calendar (drag and drop); None makes it an unscheduled idea again."""
    _require_edit(actor, post)
    if not post.is_editable:
        raise InvalidTransition(_("A published or withdrawn post cannot be moved."))
    _refuse_past(publish_at)
    before = post.publish_at
    window = None
    if post.window_end and post.publish_at and publish_at:
        window = publish_at + (post.window_end - post.publish_at)
    post = _save_versioned(post, expected_version, actor, publish_at=publish_at, window_end=window)
    if post.status == S.SCHEDULED and publish_at is None:
        post.status = S.APPROVED
        post.save(update_fields=["status"])
    elif post.status == S.APPROVED and publish_at is not None:
        post.status = S.SCHEDULED
        post.save(update_fields=["status"])
    audit.record(
        actor=actor.user,
        organization=post.organization,
        verb="post.rescheduled",
        obj=post,
        before={"publish_at": before},
        after={"publish_at": publish_at},
    )
    _back_to_review_if_needed(post, actor, content_changed=True)
    _sync_publications(post)
    return post


# ---- the workflow ------------------------------------------------------------------------------------


def policy_for(post: Post) -> ApprovalPolicy | None:
    """The most specific policy: campaign, then a channel of the post, then department, then organisation."""
    policies = list(
        ApprovalPolicy.objects.filter(organization_id=post.organization_id).prefetch_related("steps")
    )
    channel_ids = set(post.variants.values_list("channel_id", flat=True))
    for matches in (
        lambda p: p.campaign_id is not None and p.campaign_id == post.campaign_id,
        lambda p: p.channel_id is not None and p.channel_id in channel_ids,
        lambda p: (
            p.department_id is not None
            and p.department_id == post.department_id
            and not p.channel_id
            and not p.campaign_id
        ),
        lambda p: p.department_id is None and p.channel_id is None and p.campaign_id is None,
    ):
        for policy in policies:
            if matches(policy):
                return policy
    return None


def eligible_approvers(step: ApprovalStep, post: Post) -> list[Membership]:
    """The people who may decide at this step; never the post's owner (no self-approval)."""
    members = Membership.objects.active().filter(organization_id=post.organization_id).select_related("user")
    chosen: dict[int, Membership] = {m.pk: m for m in step.approvers.filter(is_active=True)}
    roles = step.role_values()
    department_ids = set(step.departments.values_list("pk", flat=True))
    for member in members.prefetch_related("departments"):
        if member.role in roles or department_ids & {d.pk for d in member.departments.all()}:
            chosen[member.pk] = member
    kind_needs = Capability.APPROVE if step.kind == ApprovalStep.Kind.APPROVAL else Capability.COMMENT
    return [m for m in chosen.values() if m.pk != post.owner_id and m.can(kind_needs)]


def _decisions(post: Post, step: ApprovalStep) -> list[ApprovalDecision]:
    return list(ApprovalDecision.objects.filter(post=post, step=step, review_round=post.review_round))


def step_is_done(post: Post, step: ApprovalStep) -> bool:
    if step.kind == ApprovalStep.Kind.FEEDBACK:
        return True  # feedback-only reviewers comment without blocking
    approvals = [d for d in _decisions(post, step) if d.verdict == ApprovalDecision.Verdict.APPROVED]
    if step.mode == ApprovalStep.Mode.ANY:
        return bool(approvals)
    needed = {m.pk for m in eligible_approvers(step, post)}
    external = {e.strip().lower() for e in step.external_emails.splitlines() if e.strip()}
    done_members = {d.approver_id for d in approvals if d.approver_id}
    done_external = {d.external_email.lower() for d in approvals if d.external_email}
    return needed <= done_members and external <= done_external and bool(needed or external)


def current_step(post: Post) -> ApprovalStep | None:
    """The first approval step not yet done in this review round (None: all done)."""
    policy = policy_for(post)
    if policy is None or post.status != S.IN_REVIEW:
        return None
    for step in policy.steps.all():
        if step.kind == ApprovalStep.Kind.APPROVAL and not step_is_done(post, step):
            return step
    return None


def _default_approvers(post: Post) -> list[Membership]:
    """Without a policy, the organisation's SMMs (and admins) approve."""
    return [
        m
        for m in Membership.objects.active()
        .filter(organization_id=post.organization_id, role__in=[Role.SMM, Role.ADMIN])
        .select_related("user")
        if m.pk != post.owner_id
    ]


def _notify_step(post: Post, actor: Membership) -> None:
    step = current_step(post)
    policy = policy_for(post)
    if policy is None:
        recipients = _default_approvers(post)
    elif step is None:
        return
    else:
        recipients = eligible_approvers(step, post)
        _send_approval_links(post, step)
    # Feedback-only reviewers hear about every round too.
    if policy is not None:
        for feedback in policy.steps.filter(kind=ApprovalStep.Kind.FEEDBACK):
            recipients += eligible_approvers(feedback, post)
    notify(
        recipients,
        Notification.Kind.REVIEW_NEEDED,
        _("Please review “%(title)s”.") % {"title": post.title},
        post_url(post),
        exclude=actor,
    )
    webhook_events.approval_needed(post, step.name if step is not None else "")


def _send_approval_links(post: Post, step: ApprovalStep) -> None:
    from onevoice.planning.tasks import send_approval_link

    for email in {e.strip().lower() for e in step.external_emails.splitlines() if e.strip()}:
        token = secrets.token_urlsafe(32)
        link = ApprovalLink.objects.create(
            post=post,
            step=step,
            review_round=post.review_round,
            email=email,
            token_hash=hashlib.sha256(token.encode()).hexdigest(),
            expires_at=timezone.now() + timedelta(days=APPROVAL_LINK_DAYS),
        )
        transaction.on_commit(functools.partial(send_approval_link, link.pk, token))


def variant_problems(post: Post) -> list[str]:
    """What the networks would refuse, per variant, in words; a post with problems cannot be submitted."""
    problems = []
    variants = list(post.variants.select_related("channel").prefetch_related("images"))
    if not variants:
        problems.append(_("Choose at least one channel."))
    for variant in variants:
        connector = connector_class(variant.channel.network)(
            credentials={},
            config={**variant.channel.config, "channel_public_id": str(variant.channel.public_id)},
        )
        request = PublishRequest(
            text=variant.text,
            link=variant.link,
            language=variant.language,
            media=[
                MediaItem(b"\0" * image.file.size if image.file else b"", image.mime_type, image.alt_text)
                for image in variant.images.all()
            ],
        )
        for problem in connector.check(request, require_alt_text=variant.channel.require_alt_text):
            problems.append(f"{variant.channel.name}: {problem.message}")
    return problems


@transaction.atomic
def post_submit(*, actor: Membership, post: Post) -> Post:
    """Send a draft (or a post with requested changes) to review."""
    actor.require(Capability.SUBMIT)
    _require_edit(actor, post)
    if post.status not in (S.IDEA, S.DRAFT, S.CHANGES_REQUESTED):
        raise InvalidTransition(_("Only an idea, a draft or a post with requested changes can be submitted."))
    from onevoice.planning.conflicts import blocking_conflicts
    from onevoice.voice import services as voice

    problems = variant_problems(post) + blocking_conflicts(post) + voice.submission_problems(post)
    if problems:
        raise ValidationError(problems)
    _refuse_past(post.publish_at)
    before = post.status
    post.status = S.IN_REVIEW
    post.review_round += 1
    post.save(update_fields=["status", "review_round", "updated_at"])
    audit.record(
        actor=actor.user,
        organization=post.organization,
        verb="post.submitted",
        obj=post,
        before={"status": before},
        after={"status": post.status, "round": post.review_round},
    )
    voice.submission_record(actor=actor, post=post)
    _notify_step(post, actor)
    _finish_if_approved(post, actor)
    from onevoice.workload.services import tasks_follow_plan

    tasks_follow_plan(post)
    return post


def extra_approval_pending(post: Post) -> str:
    """Why this review round still needs the SMM's approval on top of the policy (a sensitive mention)."""
    from onevoice.voice.selectors import pending_extra_approval

    return pending_extra_approval(post) if post.status == S.IN_REVIEW else ""


def may_decide(member: Membership, post: Post) -> ApprovalStep | bool | None:
    """The step this person may decide now; True for a policy-less organisation's SMM; False if none."""
    if post.status != S.IN_REVIEW or member.pk == post.owner_id:
        return False
    policy = policy_for(post)
    if policy is None:
        return member.role in (Role.SMM, Role.ADMIN) and member.can(Capability.APPROVE)
    step = current_step(post)
    if step is not None and member in eligible_approvers(step, post):
        return step
    if step is None and member.role in (Role.SMM, Role.ADMIN) and extra_approval_pending(post):
        return member.can(Capability.APPROVE)  # the extra approval a sensitive mention asks for
    for feedback in policy.steps.filter(kind=ApprovalStep.Kind.FEEDBACK):
        if member in eligible_approvers(feedback, post):
            return feedback
    return False


@transaction.atomic
def post_decide(*, actor: Membership, post: Post, verdict: str, comment: str = "") -> Post:
    """Approve, request changes, or (feedback-only reviewers) give feedback on a post in review."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    if actor.pk == post.owner_id:
        raise NotAllowed(Capability.APPROVE)  # no self-approval
    step = may_decide(actor, post)
    if step is False:
        if post.status != S.IN_REVIEW:
            raise InvalidTransition(_("This post is not in review."))
        raise NotAllowed(Capability.APPROVE)
    step_obj = step if isinstance(step, ApprovalStep) else None
    if step_obj is not None and step_obj.kind == ApprovalStep.Kind.FEEDBACK:
        verdict = ApprovalDecision.Verdict.FEEDBACK
    if verdict == ApprovalDecision.Verdict.CHANGES_REQUESTED and not comment.strip():
        raise ValidationError({"comment": _("Say what should change, so the author knows what to do.")})
    ApprovalDecision.objects.create(
        post=post,
        step=step_obj,
        review_round=post.review_round,
        approver=actor,
        verdict=verdict,
        comment=comment.strip(),
    )
    audit.record(
        actor=actor.user,
        organization=post.organization,
        verb=f"post.{verdict}",
        obj=post,
        after={"step": step_obj.name if step_obj else None, "comment": comment.strip()},
    )
    if comment.strip():
        Comment.objects.create(post=post, author=actor, text=comment.strip())
    if verdict == ApprovalDecision.Verdict.CHANGES_REQUESTED:
        post.status = S.CHANGES_REQUESTED
        post.save(update_fields=["status", "updated_at"])
        notify(
            [post.owner],
            Notification.Kind.CHANGES_REQUESTED,
            _("%(who)s asks for changes to “%(title)s”: %(comment)s")
            % {"who": actor.user, "title": post.title, "comment": comment.strip()},
            post_url(post),
            exclude=actor,
        )
    elif verdict == ApprovalDecision.Verdict.APPROVED:
        if step_obj is None:  # no policy: one SMM's approval is enough
            _approve(post, actor)
        else:
            _finish_if_approved(post, actor)
    return post


def _finish_if_approved(post: Post, actor: Membership) -> None:
    policy = policy_for(post)
    if policy is None or post.status != S.IN_REVIEW:
        return
    if current_step(post) is None:
        if extra_approval_pending(post):
            _notify_extra_approval(post, actor)
        else:
            _approve(post, actor)
    else:
        _notify_step(post, actor)


def _notify_extra_approval(post: Post, actor: Membership) -> None:
    notify(
        _default_approvers(post),
        Notification.Kind.REVIEW_NEEDED,
        _("“%(title)s” mentions something sensitive and needs your approval too.") % {"title": post.title},
        post_url(post),
        exclude=actor,
    )
    webhook_events.approval_needed(post, sensitive=True)


def _approve(post: Post, actor: Membership) -> None:
    from onevoice.voice import services as voice

    # Rules may have changed since submission: approval checks the voice again.
    problems = voice.submission_problems(post)
    if problems:
        raise ValidationError(problems)
    post.status = S.SCHEDULED if post.publish_at else S.APPROVED
    post.save(update_fields=["status", "updated_at"])
    _sync_publications(post)
    audit.record(
        actor=actor.user,
        organization=post.organization,
        verb="post.approved_all",
        obj=post,
        after={"status": post.status},
    )
    notify(
        [post.owner],
        Notification.Kind.APPROVED,
        _("“%(title)s” is approved.") % {"title": post.title},
        post_url(post),
        exclude=actor,
    )


@transaction.atomic
def approval_link_decide(*, token: str, verdict: str, comment: str = "") -> Post:
    """A decision through an approval link (no account); the link works once, for its round only."""
    link = (
        ApprovalLink.objects.select_for_update()
        .select_related("post", "step")
        .filter(token_hash=hashlib.sha256(token.encode()).hexdigest())
        .first()
    )
    if link is None:
        raise ValidationError(_("This approval link is not valid."), code="unknown")
    if link.used_at is not None:
        raise ValidationError(_("This approval link has already been used."), code="used")
    if link.expires_at <= timezone.now():
        raise ValidationError(_("This approval link has expired. Ask for a new one."), code="expired")
    post = Post.objects.select_for_update().get(pk=link.post_id)
    if post.status != S.IN_REVIEW or post.review_round != link.review_round:
        raise ValidationError(
            _("The post has changed since this link was sent; the link no longer applies."), code="stale"
        )
    if verdict not in (ApprovalDecision.Verdict.APPROVED, ApprovalDecision.Verdict.CHANGES_REQUESTED):
        raise ValidationError(_("Choose approve or request changes."))
    if verdict == ApprovalDecision.Verdict.CHANGES_REQUESTED and not comment.strip():
        raise ValidationError({"comment": _("Say what should change, so the author knows what to do.")})
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    ApprovalDecision.objects.create(
        post=post,
        step=link.step,
        review_round=post.review_round,
        external_email=link.email,
        verdict=verdict,
        comment=comment.strip(),
    )
    audit.record(
        actor=None,
        organization=post.organization,
        verb=f"post.{verdict}",
        obj=post,
        after={"by": link.email, "step": link.step.name, "comment": comment.strip()},
    )
    if verdict == ApprovalDecision.Verdict.CHANGES_REQUESTED:
        post.status = S.CHANGES_REQUESTED
        post.save(update_fields=["status", "updated_at"])
        notify(
            [post.owner],
            Notification.Kind.CHANGES_REQUESTED,
            _("%(who)s asks for changes to “%(title)s”: %(comment)s")
            % {"who": link.email, "title": post.title, "comment": comment.strip()},
            post_url(post),
        )
    else:
        _finish_if_approved(post, post.owner)
    return post


@transaction.atomic
def post_withdraw(*, actor: Membership, post: Post, reason: str = "") -> Post:
    _require_edit(actor, post)
    if post.status in (S.PUBLISHED, S.WITHDRAWN):
        raise InvalidTransition(_("A published or withdrawn post cannot be withdrawn."))
    before = post.status
    post.status = S.WITHDRAWN
    post.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor.user,
        organization=post.organization,
        verb="post.withdrawn",
        obj=post,
        before={"status": before},
        after={"status": post.status, "reason": reason},
    )
    _sync_publications(post)
    return post


@transaction.atomic
def post_reopen(*, actor: Membership, post: Post) -> Post:
    """Take a withdrawn post (or one in review) back to draft."""
    _require_edit(actor, post)
    if post.status not in (S.WITHDRAWN, S.IN_REVIEW, S.APPROVED, S.SCHEDULED, S.CHANGES_REQUESTED):
        raise InvalidTransition(_("This post is already a draft or published."))
    before = post.status
    post.status = S.DRAFT
    post.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor.user,
        organization=post.organization,
        verb="post.reopened",
        obj=post,
        before={"status": before},
        after={"status": post.status},
    )
    _sync_publications(post)
    return post


# ---- discussion --------------------------------------------------------------------------------------

MENTION = re.compile(r"@([\wÀ-ÿ.\-]+(?: [\wÀ-ÿ.\-]+)?)")


def mentioned_members(post: Post, text: str) -> list[Membership]:
    """Members named as @Vorname Nachname or @Vorname (when unique) in the text."""
    members = list(
        Membership.objects.active().filter(organization_id=post.organization_id).select_related("user")
    )
    found: dict[int, Membership] = {}
    lowered = text.lower()
    for member in members:
        if f"@{member.user.full_name.lower()}" in lowered:
            found[member.pk] = member
    for word in MENTION.findall(text):
        first = word.split(" ")[0].lower()
        same = [m for m in members if m.user.full_name.lower().split(" ")[0] == first]
        if len(same) == 1:
            found.setdefault(same[0].pk, same[0])
    return list(found.values())


@transaction.atomic
def comment_add(*, actor: Membership, post: Post, text: str) -> Comment:
    actor.require(Capability.COMMENT)
    if post.organization_id != actor.organization_id:
        raise NotAllowed(Capability.COMMENT)
    if not text.strip():
        raise ValidationError({"text": _("Write a comment first.")})
    comment = Comment.objects.create(post=post, author=actor, text=text.strip())
    mentioned = mentioned_members(post, text)
    comment.mentions.set(mentioned)
    audit.record(
        actor=actor.user,
        organization=post.organization,
        verb="post.commented",
        obj=post,
        after={"comment": text.strip()[:500]},
    )
    notify(
        mentioned,
        Notification.Kind.MENTIONED,
        _("%(who)s mentioned you on “%(title)s”: %(text)s")
        % {"who": actor.user, "title": post.title, "text": text.strip()[:300]},
        post_url(post),
        exclude=actor,
    )
    return comment


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    who: str
    kind: str  # "event" or "comment"
    text: str


def post_history(post: Post) -> list[HistoryEntry]:
    """Comments and every state change of the post (from the audit log), oldest first."""
    from onevoice.core.audit import verb_label
    from onevoice.core.models import AuditEvent

    entries = [
        HistoryEntry(
            e.created_at, e.actor_label or str((e.after or {}).get("by", "")), "event", verb_label(e.verb)
        )
        for e in AuditEvent.objects.filter(
            organization_id=post.organization_id, object_type="post", object_id=str(post.public_id)
        ).exclude(verb="post.commented")
    ]
    entries += [
        HistoryEntry(c.created_at, str(c.author.user) if c.author else "", "comment", c.text)
        for c in post.comments.select_related("author__user")
    ]
    return sorted(entries, key=lambda h: h.at)


def members_named(members: Iterable[Membership]) -> str:
    return ", ".join(str(m.user) for m in members)


# ---- images ------------------------------------------------------------------------------------------

THUMBNAIL_SIZE = (480, 480)


def _dimensions(content: bytes) -> tuple[int, int]:
    import io

    from PIL import Image

    with Image.open(io.BytesIO(content)) as image:
        return image.width, image.height


def _thumbnail(content: bytes) -> bytes:
    import io

    from PIL import Image

    with Image.open(io.BytesIO(content)) as image:
        image.thumbnail(THUMBNAIL_SIZE)
        out = io.BytesIO()
        image.convert("RGB").save(out, "JPEG", quality=85)
        return out.getvalue()


@transaction.atomic
def variant_add_image(
    *,
    actor: Membership,
    variant: PostVariant,
    expected_version: int,
    content: bytes,
    mime_type: str,
    alt_text: str,
    filename: str,
) -> VariantImage:
    """Attach an image (with its alt text) to a variant; the network's image count is checked at submission."""
    from django.core.files.base import ContentFile

    post = variant.post
    _require_edit(actor, post)
    if not post.is_editable:
        raise InvalidTransition(_("A published or withdrawn post cannot be changed."))
    _save_versioned(post, expected_version, actor)
    image = VariantImage(
        variant=variant, mime_type=mime_type, alt_text=alt_text.strip(), position=variant.images.count()
    )
    image.file.save(filename[-80:], ContentFile(content), save=False)
    image.thumbnail.save("thumb.jpg", ContentFile(_thumbnail(content)), save=False)
    image.width, image.height = _dimensions(content)
    image.save()
    audit.record(
        actor=actor.user,
        organization=post.organization,
        verb="variant.updated",
        obj=post,
        after={"channel": variant.channel.name, "image": alt_text.strip() or "—"},
    )
    _back_to_review_if_needed(post, actor, content_changed=True)
    return image


@transaction.atomic
def variant_remove_image(*, actor: Membership, image: VariantImage, expected_version: int) -> None:
    post = image.variant.post
    _require_edit(actor, post)
    _save_versioned(post, expected_version, actor)
    audit.record(
        actor=actor.user,
        organization=post.organization,
        verb="variant.updated",
        obj=post,
        before={"channel": image.variant.channel.name, "image": image.alt_text or "—"},
    )
    image.delete()
    _back_to_review_if_needed(post, actor, content_changed=True)
