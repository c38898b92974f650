"""Enablement pages: my onboarding, role profiles (with their checklists), the skills catalogue, trainings,
the team views (onboarding per department, skills coverage with CSV) and a person's page (audited)."""

from __future__ import annotations

import csv
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onevoice.enablement import selectors, services
from onevoice.enablement.forms import (
    AttachForm,
    ChecklistForm,
    ItemForm,
    PeriodForm,
    ProfileForm,
    SkillForm,
    TickForm,
    TrainingForm,
)
from onevoice.enablement.models import OnboardingChecklist, OnboardingItem, RoleProfile, Skill, TrainingRecord
from onevoice.organization.access import (
    NotAllowed,
    access_enablement_object,
    access_membership,
    membership_for,
)
from onevoice.organization.models import Membership
from onevoice.organization.roles import Capability
from onevoice.organization.shortcuts import render_for_member

C = Capability
D = OnboardingItem.Destination

DESTINATIONS: dict[str, str] = {
    D.GUIDELINES: "guidelines:list",
    D.STRATEGY: "strategy:overview",
    D.VOICE: "voice:rules",
    D.PLAN: "planning:calendar",
    D.NEW_POST: "planning:post-new",
    D.REQUESTS: "planning:requests",
    D.REVIEWS: "planning:reviews",
    D.INBOX: "inbox:cases",
    D.CHANNELS: "networks:channels",
    D.TASKS: "workload:tasks",
    D.TRAININGS: "enablement:trainings",
}


def _member(request: HttpRequest, org: str, need: Capability | None = None) -> Membership:
    member = membership_for(request.user, org, need=need)
    services.ensure_defaults(member.organization)
    return member


def _page(
    request: HttpRequest, member: Membership, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    base = {
        "nav": "enablement",
        "may_manage_profiles": selectors.may_manage_profiles(member),
        "may_manage_people": selectors.may_manage_people(member),
    }
    return render_for_member(request, member, template, {**base, **context}, status)


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


def _apply(form: Any, error: ValidationError) -> None:
    """Put a service's errors on the form's fields (or on top), so what was typed stays."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _step_link(item: OnboardingItem, organization_slug: str, profile: RoleProfile) -> str:
    if item.destination == D.PROFILE:
        return reverse("enablement:profile", args=[organization_slug, profile.public_id])
    if item.destination == D.TWO_FACTOR:
        try:
            return reverse("accounts:two_factor")
        except NoReverseMatch:
            return ""
    name = DESTINATIONS.get(item.destination)
    return reverse(name, args=[organization_slug]) if name else ""


def _onboarding_context(member: Membership, person: Membership) -> dict[str, Any]:
    onboarding = selectors.onboarding_of(person)
    slug = member.organization.slug
    for checklist in onboarding.checklists:
        for step in checklist.steps:
            step.link = _step_link(step.item, slug, checklist.profile)  # type: ignore[attr-defined]
    return {
        "onboarding": onboarding,
        "person": person,
        "is_self": member.pk == person.pk,
        "today": timezone.localdate(),
    }


# ---- my onboarding --------------------------------------------------------------------------------------


@login_required
def me(request: HttpRequest, org: str) -> HttpResponse:
    """My profiles, my onboarding checklist(s) with progress, and my trainings."""
    member = _member(request, org)
    context = _onboarding_context(member, member)
    context.update(
        {
            "tab": "me",
            "trainings": selectors.trainings_visible_to(member).filter(attendees=member)[:50],
        }
    )
    return _page(request, member, "enablement/me.html", context)


def _back_to(request: HttpRequest, org: str, person: Membership, member: Membership) -> HttpResponse:
    if person.pk == member.pk:
        return redirect("enablement:me", org)
    return redirect("enablement:person", org, person.public_id)


def _person_of(request: HttpRequest, member: Membership) -> Membership:
    raw = request.POST.get("person", "")
    if not raw or raw == str(member.public_id):
        return member
    try:
        person_id = UUID(raw)
    except ValueError:
        raise Http404 from None
    person = access_membership(member, person_id)
    if not selectors.may_see_person(member, person):
        raise Http404
    return person


@require_POST
@login_required
def tick(request: HttpRequest, org: str, item_id: UUID) -> HttpResponse:
    """Tick a manual step done (with the day) for oneself, or for someone one helps."""
    member = _member(request, org)
    item = access_enablement_object(member, OnboardingItem, item_id)
    person = _person_of(request, member)
    form = TickForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            " ".join(str(e) for e in form.errors.get("done_on", [])) or _("Enter the day you did it."),
        )
        return _back_to(request, org, person, member)
    try:
        services.step_tick(actor=member, item=item, person=person, done_on=form.cleaned_data["done_on"])
    except NotAllowed:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("“%(step)s” is done.") % {"step": item.title})
    return _back_to(request, org, person, member)


@require_POST
@login_required
def untick(request: HttpRequest, org: str, item_id: UUID) -> HttpResponse:
    member = _member(request, org)
    item = access_enablement_object(member, OnboardingItem, item_id)
    person = _person_of(request, member)
    try:
        services.step_untick(actor=member, item=item, person=person)
    except NotAllowed:
        raise Http404 from None
    messages.success(request, _("“%(step)s” is open again.") % {"step": item.title})
    return _back_to(request, org, person, member)


# ---- a person's page ------------------------------------------------------------------------------------


@login_required
def person(request: HttpRequest, org: str, membership_id: UUID) -> HttpResponse:
    """A person's profiles, onboarding and trainings: for the person and for those who manage people."""
    member = _member(request, org)
    subject = access_membership(member, membership_id)
    if not selectors.may_see_person(member, subject):
        raise Http404
    if subject.pk == member.pk:
        return redirect("enablement:me", org)
    services.onboarding_viewed(actor=member, person=subject)
    context = _onboarding_context(member, subject)
    assignments = selectors.assignments_of(subject)
    attached = {a.profile_id for a in assignments}
    context.update(
        {
            "tab": "team",
            "assignments": assignments,
            "attach_form": AttachForm(organization=member.organization),
            "can_attach": [p for p in selectors.profiles_of(member.organization) if p.pk not in attached],
            "trainings": TrainingRecord.objects.filter(organization=member.organization, attendees=subject)
            .prefetch_related("skills")
            .distinct()[:100],
        }
    )
    return _page(request, member, "enablement/person.html", context)


@require_POST
@login_required
def person_profiles(request: HttpRequest, org: str, membership_id: UUID) -> HttpResponse:
    """Attach a role profile to a person, or take it off."""
    member = _member(request, org, need=C.MANAGE_MEMBERS)
    subject = access_membership(member, membership_id)
    form = AttachForm(request.POST, organization=member.organization)
    if not form.is_valid():
        messages.error(request, _("Choose a role profile from the list."))
        return redirect("enablement:person", org, subject.public_id)
    profile = form.cleaned_data["profile"]
    if request.POST.get("action") == "detach":
        services.profile_detach(actor=member, profile=profile, membership=subject)
        messages.success(
            request,
            _("“%(profile)s” no longer applies to %(person)s.")
            % {"profile": profile.title, "person": subject.user.full_name},
        )
    else:
        services.profile_attach(actor=member, profile=profile, membership=subject)
        messages.success(
            request,
            _("“%(profile)s” now applies to %(person)s.")
            % {"profile": profile.title, "person": subject.user.full_name},
        )
    return redirect("enablement:person", org, subject.public_id)


# ---- role profiles --------------------------------------------------------------------------------------


@login_required
def profiles(request: HttpRequest, org: str) -> HttpResponse:
    member = _member(request, org)
    found = list(selectors.profiles_of(member.organization))
    counts = dict(
        RoleProfile.objects.filter(organization=member.organization, assignments__membership__is_active=True)
        .values_list("pk")
        .annotate(n=Count("assignments"))
        .values_list("pk", "n")
    )
    mine = {a.profile_id for a in selectors.assignments_of(member)}
    for profile in found:
        profile.people = counts.get(profile.pk, 0)  # type: ignore[attr-defined]
        profile.is_mine = profile.pk in mine or (not mine and profile.role == member.role)  # type: ignore[attr-defined]
    return _page(request, member, "enablement/profiles.html", {"tab": "profiles", "profiles": found})


@login_required
def profile(request: HttpRequest, org: str, profile_id: UUID) -> HttpResponse:
    member = _member(request, org)
    found = access_enablement_object(member, RoleProfile, profile_id)
    checklist = getattr(found, "checklist", None)
    people = []
    if selectors.may_manage_people(member):
        people = [
            a.membership
            for a in found.assignments.filter(membership__is_active=True)
            .select_related("membership__user")
            .order_by("membership__user__full_name")
        ]
    return _page(
        request,
        member,
        "enablement/profile.html",
        {
            "tab": "profiles",
            "profile": found,
            "items": list(checklist.items.all()) if checklist else [],
            "checklist": checklist,
            "people": people,
        },
    )


@login_required
def profile_new(request: HttpRequest, org: str) -> HttpResponse:
    member = _member(request, org, need=C.MANAGE_STRATEGY)
    form = ProfileForm(request.POST or None, organization=member.organization)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.profile_create(actor=member, **data)
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, _("The profile was created. Add the onboarding steps next."))
            return redirect("enablement:checklist", org, created.public_id)
    return _page(
        request,
        member,
        "enablement/profile_form.html",
        {"tab": "profiles", "form": form, "profile": None},
        400 if request.method == "POST" else 200,
    )


@login_required
def profile_edit(request: HttpRequest, org: str, profile_id: UUID) -> HttpResponse:
    member = _member(request, org, need=C.MANAGE_STRATEGY)
    found = access_enablement_object(member, RoleProfile, profile_id)
    form = ProfileForm(
        request.POST or None, organization=member.organization, initial=ProfileForm.initial_of(found)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(actor=member, profile=found, **form.cleaned_data)
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, _("The profile was saved."))
            return redirect("enablement:profile", org, found.public_id)
    return _page(
        request,
        member,
        "enablement/profile_form.html",
        {"tab": "profiles", "form": form, "profile": found},
        400 if request.method == "POST" else 200,
    )


@require_POST
@login_required
def profile_delete(request: HttpRequest, org: str, profile_id: UUID) -> HttpResponse:
    member = _member(request, org, need=C.MANAGE_STRATEGY)
    found = access_enablement_object(member, RoleProfile, profile_id)
    services.profile_delete(actor=member, profile=found)
    messages.success(request, _("The profile “%(title)s” was deleted.") % {"title": found.title})
    return redirect("enablement:profiles", org)


# ---- checklists -----------------------------------------------------------------------------------------


@login_required
def checklist(request: HttpRequest, org: str, profile_id: UUID) -> HttpResponse:
    """Edit a profile's onboarding: the welcome text and the steps (add, change, reorder, remove)."""
    member = _member(request, org, need=C.MANAGE_STRATEGY)
    found = access_enablement_object(member, RoleProfile, profile_id)
    the_checklist, _created = OnboardingChecklist.objects.get_or_create(
        profile=found, defaults={"organization": member.organization}
    )
    intro_form = ChecklistForm(initial={"introduction": the_checklist.introduction})
    item_form = ItemForm(initial={"required": True})
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "intro":
            intro_form = ChecklistForm(request.POST)
            if intro_form.is_valid():
                services.checklist_update(
                    actor=member,
                    checklist=the_checklist,
                    introduction=intro_form.cleaned_data["introduction"],
                )
                messages.success(request, _("The welcome text was saved."))
                return redirect("enablement:checklist", org, found.public_id)
        elif action == "add":
            item_form = ItemForm(request.POST)
            if item_form.is_valid():
                try:
                    services.item_create(actor=member, checklist=the_checklist, **item_form.cleaned_data)
                except ValidationError as error:
                    _apply(item_form, error)
                else:
                    messages.success(request, _("The step was added."))
                    return redirect("enablement:checklist", org, found.public_id)
        else:
            raise Http404
        status = 400
    items = list(the_checklist.items.all())
    for item in items:
        item.link = _step_link(item, org, found)  # type: ignore[attr-defined]
    return _page(
        request,
        member,
        "enablement/checklist.html",
        {
            "tab": "profiles",
            "profile": found,
            "checklist": the_checklist,
            "items": items,
            "intro_form": intro_form,
            "item_form": item_form,
        },
        status,
    )


@login_required
def step_edit(request: HttpRequest, org: str, item_id: UUID) -> HttpResponse:
    member = _member(request, org, need=C.MANAGE_STRATEGY)
    item = access_enablement_object(member, OnboardingItem, item_id)
    form = ItemForm(request.POST or None, initial=ItemForm.initial_of(item))
    if request.method == "POST" and form.is_valid():
        try:
            services.item_update(actor=member, item=item, **form.cleaned_data)
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, _("The step was saved."))
            return redirect("enablement:checklist", org, item.checklist.profile.public_id)
    return _page(
        request,
        member,
        "enablement/step_form.html",
        {"tab": "profiles", "form": form, "item": item, "profile": item.checklist.profile},
        400 if request.method == "POST" else 200,
    )


@require_POST
@login_required
def step_move(request: HttpRequest, org: str, item_id: UUID) -> HttpResponse:
    member = _member(request, org, need=C.MANAGE_STRATEGY)
    item = access_enablement_object(member, OnboardingItem, item_id)
    services.item_move(actor=member, item=item, up=request.POST.get("direction") == "up")
    return redirect(
        reverse("enablement:checklist", args=[org, item.checklist.profile.public_id])
        + f"#step-{item.public_id}"
    )


@require_POST
@login_required
def step_delete(request: HttpRequest, org: str, item_id: UUID) -> HttpResponse:
    member = _member(request, org, need=C.MANAGE_STRATEGY)
    item = access_enablement_object(member, OnboardingItem, item_id)
    profile_id = item.checklist.profile.public_id
    services.item_delete(actor=member, item=item)
    messages.success(request, _("The step “%(step)s” was removed.") % {"step": item.title})
    return redirect("enablement:checklist", org, profile_id)


# ---- skills catalogue -----------------------------------------------------------------------------------


@login_required
def skills(request: HttpRequest, org: str) -> HttpResponse:
    member = _member(request, org)
    form = SkillForm(request.POST or None)
    if request.method == "POST":
        if not selectors.may_manage_profiles(member):
            raise Http404
        if form.is_valid():
            try:
                services.skill_create(actor=member, **form.cleaned_data)
            except ValidationError as error:
                _apply(form, error)
            else:
                messages.success(request, _("The skill was added to the catalogue."))
                return redirect("enablement:skills", org)
    found = selectors.skills_of(member.organization).prefetch_related("profiles")
    return _page(
        request,
        member,
        "enablement/skills.html",
        {"tab": "skills", "form": form, "skills": found},
        400 if request.method == "POST" else 200,
    )


@login_required
def skill_edit(request: HttpRequest, org: str, skill_id: UUID) -> HttpResponse:
    member = _member(request, org, need=C.MANAGE_STRATEGY)
    skill = access_enablement_object(member, Skill, skill_id)
    form = SkillForm(request.POST or None, initial={"name": skill.name, "description": skill.description})
    if request.method == "POST" and form.is_valid():
        try:
            services.skill_update(actor=member, skill=skill, **form.cleaned_data)
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, _("The skill was saved."))
            return redirect("enablement:skills", org)
    return _page(
        request,
        member,
        "enablement/skill_form.html",
        {"tab": "skills", "form": form, "skill": skill},
        400 if request.method == "POST" else 200,
    )


@require_POST
@login_required
def skill_delete(request: HttpRequest, org: str, skill_id: UUID) -> HttpResponse:
    member = _member(request, org, need=C.MANAGE_STRATEGY)
    skill = access_enablement_object(member, Skill, skill_id)
    services.skill_delete(actor=member, skill=skill)
    messages.success(request, _("The skill “%(name)s” was removed.") % {"name": skill.name})
    return redirect("enablement:skills", org)


# ---- trainings ------------------------------------------------------------------------------------------


def _training_data(form: TrainingForm, member: Membership) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data["attendees"] = list(data.get("attendees") or [member])
    return data


@login_required
def trainings(request: HttpRequest, org: str) -> HttpResponse:
    """Trainings I attended (all of them for those who manage people) and a form to record one."""
    member = _member(request, org)
    for_others = selectors.may_manage_people(member)
    form = TrainingForm(
        request.POST or None,
        organization=member.organization,
        for_others=for_others,
        initial={"delivery": TrainingRecord.Delivery.EXTERNAL, "attendees": [member]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            record = services.training_create(actor=member, **_training_data(form, member))
        except ValidationError as error:
            _apply(form, error)
        except NotAllowed:
            raise Http404 from None
        else:
            messages.success(request, _("The training “%(title)s” was recorded.") % {"title": record.title})
            return redirect("enablement:trainings", org)
    records = list(selectors.trainings_visible_to(member)[:300])
    for record in records:
        record.may_edit = selectors.may_edit_training(member, record)  # type: ignore[attr-defined]
    return _page(
        request,
        member,
        "enablement/trainings.html",
        {"tab": "trainings", "form": form, "records": records, "for_others": for_others},
        400 if request.method == "POST" else 200,
    )


@login_required
def training_edit(request: HttpRequest, org: str, training_id: UUID) -> HttpResponse:
    member = _member(request, org)
    record = access_enablement_object(member, TrainingRecord, training_id)
    if not selectors.may_edit_training(member, record):
        raise Http404
    for_others = selectors.may_manage_people(member)
    form = TrainingForm(
        request.POST or None,
        organization=member.organization,
        for_others=for_others,
        initial=TrainingForm.initial_of(record),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.training_update(actor=member, record=record, **_training_data(form, member))
        except ValidationError as error:
            _apply(form, error)
        except NotAllowed:
            raise Http404 from None
        else:
            messages.success(request, _("The training was saved."))
            return redirect("enablement:trainings", org)
    return _page(
        request,
        member,
        "enablement/training_form.html",
        {"tab": "trainings", "form": form, "record": record, "for_others": for_others},
        400 if request.method == "POST" else 200,
    )


@require_POST
@login_required
def training_delete(request: HttpRequest, org: str, training_id: UUID) -> HttpResponse:
    member = _member(request, org)
    record = access_enablement_object(member, TrainingRecord, training_id)
    try:
        services.training_delete(actor=member, record=record)
    except NotAllowed:
        raise Http404 from None
    messages.success(request, _("The training “%(title)s” was deleted.") % {"title": record.title})
    return redirect("enablement:trainings", org)


# ---- team views -----------------------------------------------------------------------------------------


@login_required
def team(request: HttpRequest, org: str) -> HttpResponse:
    """Onboarding per department: how many completed, the share of steps done, the steps most often open."""
    member = _member(request, org, need=C.MANAGE_MEMBERS)
    rows, total = selectors.team_progress(member.organization)
    return _page(request, member, "enablement/team.html", {"tab": "team", "rows": rows, "total": total})


@login_required
def coverage(request: HttpRequest, org: str) -> HttpResponse:
    """Per department and skill: how many people were trained on it in the period; gaps marked."""
    member = _member(request, org, need=C.MANAGE_MEMBERS)
    form = PeriodForm(request.GET or None)
    date_from = date_to = None
    if form.is_bound and form.is_valid():
        date_from, date_to = form.cleaned_data.get("date_from"), form.cleaned_data.get("date_to")
    result = selectors.skills_coverage(member.organization, date_from, date_to)
    if request.GET.get("format") == "csv" and not form.errors:
        return _coverage_csv(member, result, date_from, date_to)
    # Skills down, departments across: there are usually fewer departments than skills, so it fits a phone.
    columns = [*result.rows, result.total]
    rows = [(skill, [column.cells[i] for column in columns]) for i, skill in enumerate(result.skills)]
    return _page(
        request,
        member,
        "enablement/coverage.html",
        {
            "tab": "coverage",
            "form": form,
            "coverage": result,
            "rows": rows,
            "columns": columns,
            "query": request.GET.urlencode(),
        },
        400 if form.errors else 200,
    )


def _coverage_csv(
    member: Membership, result: selectors.Coverage, date_from: Any, date_to: Any
) -> HttpResponse:
    name = slugify(f"{member.organization.slug}-skills-{date_from or 'start'}-{date_to or 'today'}")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 with a BOM
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [_("Department"), _("Skill"), _("People trained"), _("People in the team"), _("Needed"), _("Gap")]
    )
    for row in [*result.rows, result.total]:
        for skill, cell in zip(result.skills, row.cells, strict=True):
            writer.writerow(
                [
                    _csv_safe(row.name),
                    _csv_safe(skill.name),
                    cell.covered,
                    cell.people,
                    _("yes") if cell.needed else _("no"),
                    _("yes") if cell.gap else _("no"),
                ]
            )
    return response


def _csv_safe(text: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas; a leading apostrophe keeps them text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
