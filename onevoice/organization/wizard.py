"""The first-run set-up wizard: an account (only on a fresh installation), the organisation, its departments."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onevoice.accounts import services as account_services
from onevoice.accounts.forms import AccountForm
from onevoice.accounts.models import User
from onevoice.accounts.views import remember_language
from onevoice.core.forms import Form, style_form
from onevoice.organization import services
from onevoice.organization.forms import OrganizationForm
from onevoice.organization.models import Organization
from onevoice.organization.roles import Role

SESSION_KEY = "setup_organization"

STANDARD_DEPARTMENTS = [
    gettext_lazy("Marketing"),
    gettext_lazy("PR/Corporate Communications"),
    gettext_lazy("Sales"),
    gettext_lazy("Customer Service"),
    gettext_lazy("Human Resources"),
]
CENTRAL_TEAM = gettext_lazy("Social Media Team")

# Which roles each organisation model typically needs, shown in the wizard's last step.
MODEL_ROLES: dict[str, list[tuple[Role, Any]]] = {
    Organization.Model.DECENTRAL: [
        (Role.SMM, gettext_lazy("at department-head level, sets the guidelines and approves")),
        (Role.CM, gettext_lazy("one or more in each department, plan and publish for it")),
        (Role.CONTRIBUTOR, gettext_lazy("experts in the departments bring topics")),
        (Role.REVIEWER, gettext_lazy("legal, works council or department heads where content needs it")),
        (Role.VIEWER, gettext_lazy("management reads plans and reports")),
    ],
    Organization.Model.CENTRAL: [
        (Role.SMM, gettext_lazy("leads the social media team")),
        (Role.CM, gettext_lazy("in the social media team, create content from the departments' input")),
        (Role.CONTRIBUTOR, gettext_lazy("each department files requests and answers expert questions")),
        (Role.REVIEWER, gettext_lazy("legal, works council or department heads where content needs it")),
        (Role.VIEWER, gettext_lazy("management reads plans and reports")),
    ],
    Organization.Model.SOLO: [
        (Role.ADMIN, gettext_lazy("you: strategy, planning, publishing and community in one person")),
        (Role.CONTRIBUTOR, gettext_lazy("colleagues who bring topics, optional")),
        (Role.VIEWER, gettext_lazy("management reads plans and reports, optional")),
    ],
}


def proposed_departments(model: str) -> list[tuple[str, bool, bool]]:
    """(name, is_central_team, checked) for each department the wizard proposes for the model."""
    if model == Organization.Model.DECENTRAL:
        return [(str(n), False, True) for n in STANDARD_DEPARTMENTS]
    if model == Organization.Model.CENTRAL:
        return [(str(CENTRAL_TEAM), True, True)] + [(str(n), False, True) for n in STANDARD_DEPARTMENTS]
    # Solo: one person does it all; departments stay useful as sources of topics, but fewer are active.
    return [(str(STANDARD_DEPARTMENTS[0]), True, True)] + [
        (str(n), False, False) for n in STANDARD_DEPARTMENTS[1:]
    ]


class DepartmentsForm(Form):
    """The proposed departments as rows of (use?, name), plus empty rows for the organisation's own."""

    EXTRA_ROWS = 3

    def __init__(self, *args: Any, proposals: list[tuple[str, bool, bool]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows: list[dict[str, Any]] = []
        for i, (name, central, checked) in enumerate(proposals):
            self._add_row(i, name, central, checked)
        for j in range(self.EXTRA_ROWS):
            self._add_row(len(proposals) + j, "", False, False)
        style_form(self)

    def _add_row(self, i: int, name: str, central: bool, checked: bool) -> None:
        n = i + 1
        self.fields[f"use_{i}"] = forms.BooleanField(
            required=False,
            initial=checked,
            label=_("use"),
            widget=forms.CheckboxInput(attrs={"aria-label": _("Use department %(n)s") % {"n": n}}),
        )
        self.fields[f"name_{i}"] = forms.CharField(
            required=False,
            initial=name,
            max_length=80,
            label=_("Department name"),
            widget=forms.TextInput(attrs={"aria-label": _("Name of department %(n)s") % {"n": n}}),
        )
        self.fields[f"central_{i}"] = forms.BooleanField(
            required=False,
            initial=central,
            label=_("central team"),
            widget=forms.CheckboxInput(
                attrs={"aria-label": _("Department %(n)s is the central team") % {"n": n}}
            ),
        )
        self.rows.append(
            {"use": self[f"use_{i}"], "name": self[f"name_{i}"], "central": self[f"central_{i}"]}
        )

    def proposals(self) -> list[services.DepartmentProposal]:
        chosen = []
        for i in range(len(self.rows)):
            name = (self.cleaned_data.get(f"name_{i}") or "").strip()
            if self.cleaned_data.get(f"use_{i}") and name:
                chosen.append(services.DepartmentProposal(name, bool(self.cleaned_data.get(f"central_{i}"))))
        return chosen

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for i in range(len(self.rows)):
            if cleaned.get(f"use_{i}") and not (cleaned.get(f"name_{i}") or "").strip():
                self.add_error(f"name_{i}", _("Give the department a name or untick it."))
        return cleaned


def _fresh_installation() -> bool:
    return not User.objects.exists()


def setup_start(request: HttpRequest) -> HttpResponse:
    """Step 1 on a fresh installation: the first administrator's account. Later: straight to step 2."""
    if not _fresh_installation():
        if request.user.is_authenticated:
            return redirect("setup-organization")
        return redirect("accounts:login")
    form = AccountForm(request.POST or None, initial={"language": translation.get_language()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                if not _fresh_installation():  # someone else finished step 1 in the meantime
                    return redirect("accounts:login")
                user = account_services.account_create(
                    email=data["email"],
                    full_name=data["full_name"],
                    password=data["password1"],
                    language=data["language"],
                    superuser=True,
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            translation.activate(user.language)
            return remember_language(redirect("setup-organization"), user.language)
    status = 400 if request.method == "POST" else 200
    return render(request, "organization/setup/account.html", {"form": form, "step": 1}, status=status)


def setup_organization(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("setup" if _fresh_installation() else "accounts:login")
    stored = request.session.get(SESSION_KEY) or {}
    form = OrganizationForm(
        request.POST or None,
        initial={k: v for k, v in stored.items() if k != "business_hours"},
        business_hours=stored.get("business_hours"),
    )
    if request.method == "POST" and form.is_valid():
        request.session[SESSION_KEY] = {
            k: form.cleaned_data[k]
            for k in ("name", "time_zone", "form_of_address", "model", "business_hours")
        }
        return redirect("setup-departments")
    status = 400 if request.method == "POST" else 200
    first = not request.user.memberships.exists()
    return render(
        request,
        "organization/setup/organization.html",
        {"form": form, "step": 2, "first": first},
        status=status,
    )


def setup_departments(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    stored = request.session.get(SESSION_KEY)
    if not stored:
        return redirect("setup-organization")
    form = DepartmentsForm(request.POST or None, proposals=proposed_departments(stored["model"]))
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.organization_create(
                creator=request.user,
                departments=form.proposals(),
                **stored,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            del request.session[SESSION_KEY]
            messages.success(
                request,
                _("%(name)s is set up. Next, invite the people who work on social media.")
                % {"name": membership.organization.name},
            )
            return redirect("organization:overview", membership.organization.slug)
    context = {
        "form": form,
        "step": 3,
        "setup": stored,
        "model_label": Organization.Model(stored["model"]).label,
        "roles": [(role.label, note) for role, note in MODEL_ROLES[stored["model"]]],
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "organization/setup/departments.html", context, status=status)
