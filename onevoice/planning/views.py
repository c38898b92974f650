"""Posts in the plan: the composer with a variant per channel, the workflow actions, discussion, reviews."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onevoice.networks.models import Access
from onevoice.networks.registry import connector_class
from onevoice.organization.access import (
    NotAllowed,
    access_post,
    has_channel_access,
    may_edit_post,
    membership_for,
    visible_channels,
)
from onevoice.organization.models import Membership
from onevoice.organization.roles import Capability, Role
from onevoice.organization.shortcuts import render_for_member
from onevoice.planning import services
from onevoice.planning.forms import CommentForm, DecisionForm, PostForm, VariantForm
from onevoice.planning.models import ApprovalDecision, Post, PostVariant, VariantImage

C = Capability


def _draftable_channels(member: Membership) -> list[Any]:
    """Channels a person may at least draft for."""
    return [c for c, _level in visible_channels(member) if has_channel_access(member, c, Access.DRAFT)]


def _conflicts(post: Post) -> list[Any]:
    from onevoice.planning.conflicts import conflicts_for

    return list(conflicts_for(post))


@login_required
def post_new(request: HttpRequest, org: str) -> HttpResponse:
    member = membership_for(request.user, org, need=C.CREATE_CONTENT)
    channels = _draftable_channels(member)
    initial: dict[str, Any] = {"department": member.departments.first()}
    if "date" in request.GET:
        initial["publish_at"] = request.GET["date"]
    form = PostForm(request.POST or None, member=member, channels=channels, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            post = services.post_create(
                actor=member,
                title=data["title"],
                department=data["department"],
                channels=list(data["channels"]),
                base_text=data["base_text"],
                notes=data["notes"],
                campaign=data["campaign"],
                topic=data["topic"],
                publish_at=data["publish_at"],
                window_end=data["window_end"],
                status=Post.Status.DRAFT if data["publish_at"] else Post.Status.IDEA,
            )
        except NotAllowed:
            form.add_error("department", _("You can only plan posts for your own departments."))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The post is in the plan. Adapt the text per channel below."))
            return redirect("planning:post", org, post.public_id)
    status = 400 if request.method == "POST" else 200
    return render_for_member(request, member, "planning/post_form.html", {"form": form, "post": None}, status)


@login_required
def post_edit(request: HttpRequest, org: str, post_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org, need=C.CREATE_CONTENT)
    post = access_post(member, post_id, edit=True)
    channels = _draftable_channels(member)
    # Channels already on the post stay choosable even if the editor could not add them now.
    current = [v.channel for v in post.variants.select_related("channel")]
    channels += [c for c in current if c not in channels]
    initial = {
        "title": post.title,
        "department": post.department,
        "campaign": post.campaign,
        "topic": post.topic,
        "publish_at": timezone.localtime(post.publish_at) if post.publish_at else None,
        "window_end": timezone.localtime(post.window_end) if post.window_end else None,
        "base_text": post.base_text,
        "notes": post.notes,
        "channels": current,
        "version": post.version,
    }
    form = PostForm(request.POST or None, member=member, channels=channels, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.post_update(
                actor=member,
                post=post,
                expected_version=data["version"] or 0,
                title=data["title"],
                department=data["department"],
                base_text=data["base_text"],
                notes=data["notes"],
                campaign=data["campaign"],
                topic=data["topic"],
                publish_at=data["publish_at"],
                window_end=data["window_end"],
                channels=list(data["channels"]),
            )
        except NotAllowed:
            form.add_error("department", _("You can only plan posts for your own departments."))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The post was saved."))
            return redirect("planning:post", org, post.public_id)
    status = 400 if request.method == "POST" else 200
    return render_for_member(request, member, "planning/post_form.html", {"form": form, "post": post}, status)


def _variant_views(
    post: Post, member: Membership, forms: dict[int, VariantForm] | None = None, found: Sequence[Any] = ()
) -> list[dict]:
    from onevoice.publishing import selectors as publishing

    findings = {f.variant.pk: f for f in found}
    views = []
    publications = publishing.for_post(post.pk)
    publishable = {c.pk for c, level in visible_channels(member) if level == Access.PUBLISH}
    for publication in publications.values():
        publication.explanation = publishing.explain(publication)  # type: ignore[attr-defined]
        publication.may_act = publication.channel_id in publishable  # type: ignore[attr-defined]
    for variant in post.variants.select_related("channel").prefetch_related("images"):
        connector = connector_class(variant.channel.network)(
            credentials={},
            config={**variant.channel.config, "channel_public_id": str(variant.channel.public_id)},
        )
        length = connector.text_length(variant.text)
        views.append(
            {
                "variant": variant,
                "publication": publications.get(variant.pk),
                "length": length,
                "max": connector.max_text_length,
                "over": length > connector.max_text_length,
                "counting": connector.text_counting.value,
                "url_length": connector.url_length,
                "findings": findings.get(variant.pk),
                "form": (forms or {}).get(variant.pk)
                or VariantForm(
                    initial={
                        "text": variant.text,
                        "link": variant.link,
                        "language": variant.language,
                        "version": post.version,
                    }
                ),
            }
        )
    return views


def _similar(post: Post) -> list[Any]:
    """Posts of other departments telling a similar story around the same time (while it can still change)."""
    from onevoice.voice.similarity import similar_posts

    return similar_posts(post) if post.is_editable else []


def _post_page(
    request: HttpRequest,
    member: Membership,
    post: Post,
    *,
    status: int = 200,
    variant_forms: dict[int, VariantForm] | None = None,
    decision_form: DecisionForm | None = None,
    comment_form: CommentForm | None = None,
) -> HttpResponse:
    from onevoice.voice import selectors as voice

    step = services.may_decide(member, post)
    found = voice.findings_for_post(post)
    open_for_submission = post.status in (Post.Status.DRAFT, Post.Status.IDEA, Post.Status.CHANGES_REQUESTED)
    context = {
        "post": post,
        "can_edit": may_edit_post(member, post) and post.is_editable,
        "variants": _variant_views(post, member, variant_forms, found),
        "history": services.post_history(post),
        "decide_step": step if step is not False else None,
        "may_decide": step is not False,
        "is_feedback_step": getattr(step, "kind", "") == "feedback",
        "decision_form": decision_form or DecisionForm(),
        "comment_form": comment_form or CommentForm(),
        "problems": services.variant_problems(post) + voice.blocking_problems(post, found)
        if open_for_submission
        else [],
        "paid_partnership": voice.paid_partnership(post),
        "extra_approval": services.extra_approval_pending(post),
        "may_override": member.role in (Role.SMM, Role.ADMIN),
        "conflicts": _conflicts(post),
        "similar": _similar(post),
        "current_step": services.current_step(post),
        "decisions": post.decisions.filter(review_round=post.review_round).select_related(
            "approver__user", "step"
        ),
    }
    return render_for_member(request, member, "planning/post_detail.html", context, status)


@login_required
def post_detail(request: HttpRequest, org: str, post_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org, need=C.VIEW_PLAN)
    post = access_post(member, post_id)
    return _post_page(request, member, post)


@require_POST
@login_required
def variant_edit(request: HttpRequest, org: str, post_id: UUID, variant_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org, need=C.CREATE_CONTENT)
    post = access_post(member, post_id, edit=True)
    variant = PostVariant.objects.filter(post=post, public_id=variant_id).select_related("channel").first()
    if variant is None:
        raise Http404
    if request.POST.get("remove_image"):
        image = VariantImage.objects.filter(variant=variant, pk=request.POST["remove_image"]).first()
        if image is None:
            raise Http404
        try:
            services.variant_remove_image(
                actor=member, image=image, expected_version=int(request.POST.get("version") or 0)
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("planning:post", org, post.public_id)
    form = VariantForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            variant = services.variant_update(
                actor=member,
                variant=variant,
                expected_version=data["version"],
                text=data["text"],
                link=data["link"],
                language=data["language"],
            )
            if data.get("image"):
                upload = data["image"]
                services.variant_add_image(
                    actor=member,
                    variant=variant,
                    expected_version=variant.post.version,
                    content=upload.read(),
                    mime_type=upload.sniffed_type,
                    alt_text=data["alt_text"],
                    filename=upload.name,
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("The text for %(channel)s was saved.") % {"channel": variant.channel.name}
            )
            return redirect(f"{request.path.rsplit('/variants/', 1)[0]}/#variant-{variant.public_id}")
    post.refresh_from_db()
    return _post_page(request, member, post, status=400, variant_forms={variant.pk: form})


def _post_action(
    request: HttpRequest, org: str, post_id: UUID, *, need: Capability, act: Any, done: str
) -> HttpResponse:
    """Run one workflow service on a post the person may edit; say what happened, back to the post."""
    member = membership_for(request.user, org, need=need)
    post = access_post(member, post_id, edit=True)
    try:
        act(member, post)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("planning:post", org, post.public_id)


@require_POST
@login_required
def post_copy_base(request: HttpRequest, org: str, post_id: UUID) -> HttpResponse:
    version = int(request.POST.get("version") or 0)
    return _post_action(
        request,
        org,
        post_id,
        need=C.CREATE_CONTENT,
        act=lambda member, post: services.variants_copy_base(
            actor=member, post=post, expected_version=version
        ),
        done=_("The base text is now the text of every channel."),
    )


@require_POST
@login_required
def post_submit(request: HttpRequest, org: str, post_id: UUID) -> HttpResponse:
    return _post_action(
        request,
        org,
        post_id,
        need=C.SUBMIT,
        act=lambda member, post: services.post_submit(actor=member, post=post),
        done=_("The post is in review. The approvers have been told."),
    )


@require_POST
@login_required
def post_withdraw(request: HttpRequest, org: str, post_id: UUID) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return _post_action(
        request,
        org,
        post_id,
        need=C.CREATE_CONTENT,
        act=lambda member, post: services.post_withdraw(actor=member, post=post, reason=reason),
        done=_("The post was withdrawn; it will not be published."),
    )


@require_POST
@login_required
def post_reopen(request: HttpRequest, org: str, post_id: UUID) -> HttpResponse:
    return _post_action(
        request,
        org,
        post_id,
        need=C.CREATE_CONTENT,
        act=lambda member, post: services.post_reopen(actor=member, post=post),
        done=_("The post is a draft again."),
    )


@require_POST
@login_required
def post_decide(request: HttpRequest, org: str, post_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org, need=C.COMMENT)
    post = access_post(member, post_id)
    form = DecisionForm(request.POST)
    verdict = request.POST.get("verdict", "")
    if verdict not in ApprovalDecision.Verdict.values or not form.is_valid():
        raise Http404
    try:
        services.post_decide(actor=member, post=post, verdict=verdict, comment=form.cleaned_data["comment"])
    except NotAllowed:
        raise Http404 from None
    except ValidationError as error:
        form.add_error(None, error)
        post.refresh_from_db()
        return _post_page(request, member, post, status=400, decision_form=form)
    labels = {
        "approved": _("You approved the post."),
        "changes_requested": _("The author has been asked for changes."),
        "feedback": _("Your feedback was recorded."),
    }
    messages.success(request, labels[verdict])
    return redirect("planning:post", org, post.public_id)


@require_POST
@login_required
def post_comment(request: HttpRequest, org: str, post_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org, need=C.COMMENT)
    post = access_post(member, post_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_add(actor=member, post=post, text=form.cleaned_data["text"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(f"{request.path.rsplit('/comment/', 1)[0]}/#history")
    return _post_page(request, member, post, status=400, comment_form=form)


@login_required
def reviews(request: HttpRequest, org: str) -> HttpResponse:
    """The review queue: posts this person may decide on now, then their own posts in the workflow."""
    member = membership_for(request.user, org, need=C.COMMENT)
    in_review = (
        Post.objects.filter(organization_id=member.organization_id, status=Post.Status.IN_REVIEW)
        .select_related("department", "owner__user")
        .prefetch_related("variants__channel")
        .order_by("publish_at")
    )
    to_decide = [p for p in in_review if services.may_decide(member, p) is not False]
    mine = (
        Post.objects.filter(organization_id=member.organization_id, owner=member)
        .filter(Q(status=Post.Status.IN_REVIEW) | Q(status=Post.Status.CHANGES_REQUESTED))
        .select_related("department")
        .order_by("publish_at")
    )
    return render_for_member(request, member, "planning/reviews.html", {"to_decide": to_decide, "mine": mine})


def approval_link(request: HttpRequest, token: str) -> HttpResponse:
    """The page behind an approval link: read the post, approve or request changes, without an account."""
    import hashlib

    from onevoice.planning.models import ApprovalLink

    link = (
        ApprovalLink.objects.select_related("post__organization", "post__department", "step")
        .filter(token_hash=hashlib.sha256(token.encode()).hexdigest())
        .first()
    )
    problem = ""
    if link is None:
        problem = _("This approval link is not valid.")
    elif link.used_at is not None:
        problem = _("This approval link has already been used. Thank you!")
    elif link.expires_at <= timezone.now():
        problem = _("This approval link has expired. Ask for a new one.")
    elif link.post.status != Post.Status.IN_REVIEW or link.post.review_round != link.review_round:
        problem = _("The post has changed since this link was sent; the link no longer applies.")
    if problem:
        return render(request, "planning/approval_link.html", {"problem": problem}, status=410)
    assert link is not None
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.approval_link_decide(
                token=token, verdict=request.POST.get("verdict", ""), comment=form.cleaned_data["comment"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return render(request, "planning/approval_link.html", {"done": True, "post": link.post})
    variants = link.post.variants.select_related("channel").prefetch_related("images")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "planning/approval_link.html",
        {"link": link, "post": link.post, "variants": variants, "form": form},
        status=status,
    )
