"""Voice rules in the product: the rules page (SMM edits, everyone in the plan reads), the composer's live
check, overrides, a post's paid-partnership flag, a channel's Impressum and the weekly voice report."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onevoice.networks.models import Access
from onevoice.organization.access import NotAllowed, access_channel, access_post, membership_for
from onevoice.organization.models import Membership
from onevoice.organization.roles import Capability, Role
from onevoice.organization.shortcuts import render_for_member
from onevoice.planning.models import Post, PostVariant
from onevoice.voice import selectors, services
from onevoice.voice.checker import RuleKind
from onevoice.voice.forms import CheckForm, ImpressumForm, OverrideForm, RuleForm, rule_initial
from onevoice.voice.models import KIND_CHOICES, VoiceRule

C = Capability


def _rule_of(member: Membership, rule_id: UUID) -> VoiceRule:
    rule = (
        VoiceRule.objects.select_related("department", "channel", "campaign")
        .filter(organization_id=member.organization_id, public_id=rule_id)
        .first()
    )
    if rule is None:
        raise Http404
    return rule


def _variant_of(post: Post, variant_id: UUID) -> PostVariant:
    variant = (
        PostVariant.objects.filter(post=post, public_id=variant_id)
        .select_related("channel")
        .prefetch_related("images")
        .first()
    )
    if variant is None:
        raise Http404
    variant.post = post
    return variant


# ---- the rules page --------------------------------------------------------------------------------


@login_required
def rules(request: HttpRequest, org: str) -> HttpResponse:
    """Every rule, grouped by where it applies; the SMM edits them, everyone who sees the plan reads them."""
    member = membership_for(request.user, org, need=C.VIEW_PLAN)
    items = VoiceRule.objects.filter(organization_id=member.organization_id).select_related(
        "department", "channel", "campaign"
    )
    groups: dict[str, list[VoiceRule]] = {}
    for rule in items:
        target = rule.scope_target
        label = _("The whole organisation") if target is None else _scope_label(rule)
        groups.setdefault(label, []).append(rule)
    ordered = sorted(groups.items(), key=lambda kv: (kv[0] != _("The whole organisation"), kv[0]))
    context = {"groups": ordered, "may_manage": member.can(C.MANAGE_STRATEGY), "kinds": KIND_CHOICES}
    return render_for_member(request, member, "voice/rules.html", context)


def _scope_label(rule: VoiceRule) -> str:
    target = rule.scope_target
    labels = {
        "department": _("Department: %(name)s"),
        "channel": _("Channel: %(name)s"),
        "campaign": _("Campaign: %(name)s"),
    }
    return labels[rule.scope_kind] % {"name": target.name if target else ""}


def _rule_form(request: HttpRequest, org: str, kind: str, rule: VoiceRule | None) -> HttpResponse:
    member = membership_for(request.user, org, need=C.MANAGE_STRATEGY)
    if kind not in RuleKind.__members__.values():
        raise Http404
    form = RuleForm(
        request.POST or None,
        member=member,
        kind=RuleKind(kind),
        initial=rule_initial(rule) if rule is not None else {},
    )
    affected: list[Post] | None = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            params = form.params()
            scope = form.scope_objects()
            problems = services.rule_problems(kind, params)
            if problems:
                for problem in problems:
                    form.add_error(None, problem)
            else:
                draft = VoiceRule(name=data["name"], kind=kind, severity=data["severity"], params=params)
                affected = (
                    selectors.posts_blocked_by(
                        member.organization_id,
                        draft.as_rule(),
                        scope,
                        exclude_rule_pk=rule.pk if rule is not None else None,
                    )
                    if data["active"]
                    else []
                )
                if affected and request.POST.get("confirm") != "1":
                    status = 200  # nothing wrong: the SMM decides with the list in front of them
                else:
                    saved = _save_rule(member, rule, kind, data, params, scope, form)
                    if saved is not None:
                        messages.success(request, _("The rule “%(name)s” was saved.") % {"name": saved.name})
                        return redirect("voice:rules", org)
                    affected = None
    context = {
        "form": form,
        "rule": rule,
        "kind": kind,
        "kind_label": dict(KIND_CHOICES)[kind],
        "affected": affected,
    }
    return render_for_member(request, member, "voice/rule_form.html", context, status)


def _save_rule(
    member: Membership,
    rule: VoiceRule | None,
    kind: str,
    data: dict[str, Any],
    params: dict[str, Any],
    scope: dict[str, Any],
    form: RuleForm,
) -> VoiceRule | None:
    try:
        if rule is None:
            return services.rule_create(
                actor=member,
                name=data["name"],
                kind=kind,
                severity=data["severity"],
                params=params,
                active=data["active"],
                **scope,
            )
        return services.rule_update(
            actor=member,
            rule=rule,
            name=data["name"],
            severity=data["severity"],
            params=params,
            active=data["active"],
            **scope,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return None


@login_required
def rule_new(request: HttpRequest, org: str, kind: str) -> HttpResponse:
    return _rule_form(request, org, kind, None)


@login_required
def rule_edit(request: HttpRequest, org: str, rule_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org, need=C.MANAGE_STRATEGY)
    rule = _rule_of(member, rule_id)
    return _rule_form(request, org, rule.kind, rule)


@require_POST
@login_required
def rule_delete(request: HttpRequest, org: str, rule_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org, need=C.MANAGE_STRATEGY)
    rule = _rule_of(member, rule_id)
    services.rule_delete(actor=member, rule=rule)
    messages.success(request, _("The rule “%(name)s” was deleted.") % {"name": rule.name})
    return redirect("voice:rules", org)


# ---- the composer -----------------------------------------------------------------------------------


@require_POST
@login_required
def check(request: HttpRequest, org: str, post_id: UUID, variant_id: UUID) -> HttpResponse:
    """The findings of the text being typed (htmx, while typing): nothing is saved."""
    member = membership_for(request.user, org, need=C.CREATE_CONTENT)
    post = access_post(member, post_id, edit=True)
    variant = _variant_of(post, variant_id)
    form = CheckForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    data = form.cleaned_data
    facts = selectors.facts_for(
        variant, text=data["text"], language=data["language"] or None, link=data["link"] or None
    )
    found = selectors.findings_for_variant(variant, facts=facts)
    context = {
        "found": found,
        "post": post,
        "variant": variant,
        "organization": member.organization,
        "may_override": member.role in (Role.SMM, Role.ADMIN),
    }
    return render(request, "voice/includes/findings.html", context)


@require_POST
@login_required
def override(request: HttpRequest, org: str, post_id: UUID, variant_id: UUID) -> HttpResponse:
    """The SMM lets one blocking finding pass on a variant, with a reason."""
    member = membership_for(request.user, org, need=C.MANAGE_STRATEGY)
    post = access_post(member, post_id)
    variant = _variant_of(post, variant_id)
    try:
        rule = _rule_of(member, UUID(request.POST.get("rule", "")))
    except ValueError:
        raise Http404 from None
    form = OverrideForm(request.POST)
    back = reverse("planning:post", args=[org, post.public_id]) + f"#variant-{variant.public_id}"
    if not form.is_valid():
        messages.error(request, _("Say why this finding may pass; the reason is kept in the audit log."))
        return redirect(back)
    try:
        services.finding_override(
            actor=member, post=post, variant=variant, rule=rule, reason=form.cleaned_data["reason"]
        )
    except NotAllowed:
        raise Http404 from None
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("The finding of “%(rule)s” on %(channel)s may pass.")
            % {"rule": rule.name, "channel": variant.channel.name},
        )
    return redirect(back)


@require_POST
@login_required
def post_flags(request: HttpRequest, org: str, post_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org, need=C.CREATE_CONTENT)
    post = access_post(member, post_id, edit=True)
    value = request.POST.get("paid_partnership", "")
    if value not in ("", "on", "1"):
        return HttpResponse(_("Tick the box or leave it empty."), status=400)
    try:
        services.post_flags_set(actor=member, post=post, paid_partnership=value in ("on", "1"))
    except NotAllowed:
        raise Http404 from None
    messages.success(request, _("Saved whether the post is a paid partnership."))
    return redirect("planning:post", org, post.public_id)


# ---- channels ---------------------------------------------------------------------------------------


@login_required
def impressum(request: HttpRequest, org: str, channel_id: UUID) -> HttpResponse:
    """Set the Impressum address of a channel (§ 5 DDG); a channel without one shows a warning."""
    member = membership_for(request.user, org, need=C.MANAGE_CHANNELS)
    channel = access_channel(member, channel_id, need=Access.PUBLISH)
    form = ImpressumForm(
        request.POST or None, initial={"impressum_url": channel.config.get("impressum_url", "")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.channel_impressum_set(
                actor=member, channel=channel, url=form.cleaned_data["impressum_url"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("The Impressum of %(channel)s was saved.") % {"channel": channel.name}
            )
            return redirect("networks:channel", org, channel.public_id)
    status = 400 if request.method == "POST" else 200
    return render_for_member(
        request, member, "voice/impressum.html", {"form": form, "channel": channel}, status
    )


# ---- the weekly report --------------------------------------------------------------------------------


@login_required
def report(request: HttpRequest, org: str) -> HttpResponse:
    member = membership_for(request.user, org, need=C.MANAGE_STRATEGY)
    data = selectors.weekly_report(member.organization_id)
    return render_for_member(request, member, "voice/report.html", {"report": data})
