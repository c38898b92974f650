from __future__ import annotations

import zoneinfo
from datetime import time
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onevoice.core.forms import Form
from onevoice.organization.models import WEEKDAY_LABELS, WEEKDAYS, Department, Organization
from onevoice.organization.roles import Role


def time_zone_choices() -> list[tuple[str, str]]:
    zones = sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith("Etc/"))
    common = ["Europe/Berlin", "Europe/Vienna", "Europe/Zurich", "Europe/London", "UTC"]
    return [(z, z) for z in common] + [(z, z) for z in zones if z not in common]


class TimeZoneField(forms.ChoiceField):
    default_error_messages = {
        "invalid_choice": _(
            "“%(value)s” is not a known time zone. Choose one from the list, e.g. Europe/Berlin."
        ),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=time_zone_choices, **kwargs)


class BusinessHoursMixin(Form):
    """Seven rows of 'open / from / until' that become the organisation's business hours."""

    def add_business_hours_fields(self, initial: dict[str, list[str] | None]) -> None:
        for day in WEEKDAYS:
            span = initial.get(day)
            self.fields[f"bh_{day}_open"] = forms.BooleanField(
                label=WEEKDAY_LABELS[day], required=False, initial=bool(span)
            )
            self.fields[f"bh_{day}_start"] = forms.TimeField(
                label=_("from"),
                required=False,
                initial=span[0] if span else "09:00",
                widget=forms.TimeInput(attrs={"type": "time", "class": "form-control form-control-sm"}),
            )
            self.fields[f"bh_{day}_end"] = forms.TimeField(
                label=_("until"),
                required=False,
                initial=span[1] if span else "17:00",
                widget=forms.TimeInput(attrs={"type": "time", "class": "form-control form-control-sm"}),
            )

    def business_hours_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "label": WEEKDAY_LABELS[day],
                "open": self[f"bh_{day}_open"],
                "start": self[f"bh_{day}_start"],
                "end": self[f"bh_{day}_end"],
            }
            for day in WEEKDAYS
        ]

    def clean_business_hours(self, cleaned: dict[str, Any]) -> dict[str, list[str] | None]:
        hours: dict[str, list[str] | None] = {}
        for day in WEEKDAYS:
            if not cleaned.get(f"bh_{day}_open"):
                hours[day] = None
                continue
            start: time | None = cleaned.get(f"bh_{day}_start")
            end: time | None = cleaned.get(f"bh_{day}_end")
            if start is None or end is None or start >= end:
                self.add_error(
                    f"bh_{day}_end",
                    _("On %(day)s the business hours must end after they start.")
                    % {"day": WEEKDAY_LABELS[day]},
                )
                continue
            hours[day] = [start.strftime("%H:%M"), end.strftime("%H:%M")]
        return hours


class OrganizationForm(BusinessHoursMixin):
    name = forms.CharField(label=_("Name of the organisation"), max_length=120)
    time_zone = TimeZoneField(label=_("Time zone"), initial="Europe/Berlin")
    form_of_address = forms.ChoiceField(
        label=_("How do you address your community?"),
        choices=Organization.FormOfAddress.choices,
        initial=Organization.FormOfAddress.SIE,
        widget=forms.RadioSelect,
    )
    model = forms.ChoiceField(
        label=_("Organisation model"),
        choices=Organization.Model.choices,
        initial=Organization.Model.DECENTRAL,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, business_hours: dict[str, list[str] | None] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        from onevoice.organization.models import default_business_hours

        self.add_business_hours_fields(business_hours or default_business_hours())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["business_hours"] = self.clean_business_hours(cleaned)
        return cleaned


class DepartmentForm(Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    description = forms.CharField(label=_("Description"), max_length=255, required=False)
    is_central_team = forms.BooleanField(
        label=_("Central social media team"),
        required=False,
        help_text=_("The team that creates content from the other departments' input (central model)."),
    )


class WeeklyHoursField(forms.DecimalField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Weekly hours for social media"))
        kwargs.setdefault(
            "help_text",
            _("Hours per week this person has for social media work; used for workload planning."),
        )
        super().__init__(
            min_value=Decimal(0),
            max_value=Decimal(60),
            max_digits=4,
            decimal_places=1,
            # German users type "12,5": a localised text field accepts the decimal comma.
            localize=True,
            widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            error_messages={
                "min_value": _("Weekly hours cannot be below 0."),
                "max_value": _("Weekly hours cannot be above 60."),
            },
            **kwargs,
        )


class MembershipFormBase(Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, widget=forms.RadioSelect)
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    weekly_hours = WeeklyHoursField(initial=Decimal(0))

    def __init__(self, *args: Any, organization: Organization, may_grant_admin: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = Department.objects.filter(organization=organization)  # type: ignore[attr-defined]
        if not may_grant_admin:
            self.fields["role"].choices = [c for c in Role.choices if c[0] != Role.ADMIN]  # type: ignore[attr-defined]


class InvitationForm(MembershipFormBase):
    email = forms.EmailField(label=_("E-mail address"))
    field_order = ["email", "role", "departments", "weekly_hours"]


class MembershipForm(MembershipFormBase):
    pass


class AuditFilterForm(Form):
    q = forms.CharField(label=_("Search"), required=False)
    verb = forms.ChoiceField(label=_("Action"), required=False)
    actor = forms.ChoiceField(label=_("Person"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self, *args: Any, verbs: list[tuple[str, str]], actors: list[tuple[str, str]], **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.fields["verb"].choices = [("", _("All actions")), *verbs]  # type: ignore[attr-defined]
        self.fields["actor"].choices = [("", _("Everyone")), *actors]  # type: ignore[attr-defined]
