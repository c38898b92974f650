"""Forms of workload: limits here match the services, so a typo is refused with a clear message."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onevoice.core.forms import style_form
from onevoice.inbox.models import MessageKind
from onevoice.networks.models import Network
from onevoice.organization.models import Department, Membership, Organization
from onevoice.organization.roles import Role
from onevoice.workload.models import Absence, ContentFormat, GermanState, RecurringDuty
from onevoice.workload.selectors import DEFAULT_CASE_MINUTES


def _hours_field(label: Any, maximum: int = 40, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=Decimal(0),
        max_value=Decimal(maximum),
        decimal_places=2,
        required=required,
        error_messages={
            "min_value": _("Hours cannot be negative."),
            "max_value": _("More than %(limit_value)s hours is not plausible here."),
        },
        widget=forms.NumberInput(attrs={"step": "0.05", "inputmode": "decimal"}),
    )


class Styled(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_form(self)

    def full_clean(self) -> None:
        super().full_clean()
        style_form(self)


class NormForm(Styled):
    content_format = forms.ChoiceField(label=_("Format"), choices=ContentFormat.choices)
    network = forms.ChoiceField(
        label=_("Network"), choices=[("", _("Every network")), *list(Network.choices)], required=False
    )
    create_hours = _hours_field(_("Create (hours)"))
    review_hours = _hours_field(_("Review (hours)"))
    publish_hours = _hours_field(_("Publish (hours)"))


class InboxNormForm(Styled):
    def __init__(self, *args: Any, initial_minutes: dict[str, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(MessageKind.choices)
        for kind in DEFAULT_CASE_MINUTES:
            self.fields[kind] = forms.IntegerField(
                label=labels[kind],
                min_value=0,
                max_value=240,
                initial=initial_minutes.get(kind),
                error_messages={
                    "min_value": _("Minutes cannot be negative."),
                    "max_value": _("More than 240 minutes per case is not plausible."),
                },
            )
        style_form(self)


class DutyForm(Styled):
    name = forms.CharField(
        label=_("Duty"),
        max_length=120,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. monitoring, monthly report, jour fixe")}),
    )
    hours = _hours_field(_("Hours each time"))
    interval = forms.ChoiceField(label=_("How often"), choices=RecurringDuty.Interval.choices)
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("Across departments"),
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(organization=organization)  # type: ignore[attr-defined]

    def clean_hours(self) -> Decimal:
        hours: Decimal = self.cleaned_data["hours"]
        if hours <= 0:
            raise forms.ValidationError(_("Enter the hours the duty takes each time (above 0)."))
        return hours


class SettingsForm(Styled):
    write_lead_hours = forms.IntegerField(
        label=_("Writing due (hours before publishing)"), min_value=0, max_value=1440
    )
    review_lead_hours = forms.IntegerField(
        label=_("Review due (hours before publishing)"), min_value=0, max_value=1440
    )
    approve_lead_hours = forms.IntegerField(
        label=_("Approval due (hours before publishing)"), min_value=0, max_value=1440
    )
    overbooking_percent = forms.IntegerField(
        label=_("Over-booked above (per cent of capacity)"),
        min_value=50,
        max_value=200,
        help_text=_("Planning warns when a team's week goes above this share of its capacity."),
    )
    inbox_weeks = forms.IntegerField(
        label=_("Weeks of inbox history for the expected load"), min_value=1, max_value=26
    )
    person_view_role = forms.ChoiceField(
        label=_("Role that may see per-person figures"),
        required=False,
        choices=[("", _("Nobody but the person themself"))] + [(r.value, r.label) for r in Role],
        help_text=_("Only if your works agreement allows it. Every look at a person's figures is logged."),
    )
    person_view_purpose = forms.CharField(
        label=_("Documented purpose"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when a role is chosen, e.g. the clause of the works agreement."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("person_view_role") and len((data.get("person_view_purpose") or "").strip()) < 20:
            self.add_error(
                "person_view_purpose",
                _(
                    "Describe the purpose agreed with the works council (at least 20 characters) before a role "
                    "may see per-person figures."
                ),
            )
        return data


class HolidayImportForm(Styled):
    state = forms.ChoiceField(label=_("State"), choices=GermanState.choices)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)


class AbsenceForm(Styled):
    person = forms.ModelChoiceField(label=_("Person"), queryset=Membership.objects.none(), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Absence.Kind.choices)
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Until (inclusive)"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if member.can("manage_members"):  # type: ignore[arg-type]
            self.fields["person"].queryset = (  # type: ignore[attr-defined]
                Membership.objects.active()
                .filter(organization_id=member.organization_id)
                .select_related("user")
            )
            self.fields["person"].label_from_instance = lambda m: m.user.full_name or m.user.email  # type: ignore[attr-defined]
            self.fields["person"].empty_label = _("Myself")  # type: ignore[attr-defined]
        else:
            del self.fields["person"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("starts_on"), data.get("ends_on")
        if first and last and last < first:
            self.add_error("ends_on", _("The last day cannot be before the first day."))
        return data


class LogTimeForm(Styled):
    hours = forms.DecimalField(
        label=_("Hours spent"),
        min_value=Decimal("0.05"),
        max_value=Decimal(40),
        decimal_places=2,
        error_messages={
            "min_value": _("Enter the time you spent, above 0 hours."),
            "max_value": _("More than 40 hours on one task is not plausible."),
        },
        widget=forms.NumberInput(attrs={"step": "0.25", "inputmode": "decimal"}),
    )


class ReassignForm(Styled):
    assignee = forms.ModelChoiceField(label=_("New person"), queryset=Membership.objects.none())

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        field.queryset = Membership.objects.active().filter(organization=organization).select_related("user")  # type: ignore[attr-defined]
        field.label_from_instance = lambda m: m.user.full_name or m.user.email  # type: ignore[attr-defined]


class WhatIfForm(Styled):
    SCENARIOS = [("campaign", _("Add a campaign")), ("person", _("One person fewer"))]

    scenario = forms.ChoiceField(label=_("What if …"), choices=SCENARIOS, widget=forms.RadioSelect)
    posts = forms.IntegerField(
        label=_("Number of posts"), min_value=1, max_value=500, required=False, initial=10
    )
    content_format = forms.ChoiceField(label=_("Format"), choices=ContentFormat.choices, required=False)
    network = forms.ChoiceField(label=_("Network"), choices=list(Network.choices), required=False)
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False
    )
    first_week = forms.DateField(
        label=_("First week"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    weeks = forms.IntegerField(
        label=_("Spread over weeks"), min_value=1, max_value=12, required=False, initial=4
    )
    person = forms.ModelChoiceField(label=_("Person"), queryset=Membership.objects.none(), required=False)
    month = forms.DateField(
        label=_("Month"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(organization=organization)  # type: ignore[attr-defined]
        people = self.fields["person"]
        people.queryset = (  # type: ignore[attr-defined]
            Membership.objects.active()
            .filter(organization=organization, weekly_hours__gt=0)
            .select_related("user")
            .order_by("user__full_name")
        )
        people.label_from_instance = lambda m: m.user.full_name or m.user.email  # type: ignore[attr-defined]
        self.fields["scenario"].widget.attrs["class"] = "form-check-input"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("scenario") == "campaign":
            for name in ("posts", "content_format", "network", "department", "first_week", "weeks"):
                if not data.get(name):
                    self.add_error(name, _("Fill this in to try the campaign."))
        elif data.get("scenario") == "person":
            for name in ("person", "month"):
                if not data.get(name):
                    self.add_error(name, _("Fill this in to try one person fewer."))
        return data

    @staticmethod
    def month_range(first: date) -> tuple[date, date]:
        start = first.replace(day=1)
        following = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
        return start, following - timedelta(days=1)
