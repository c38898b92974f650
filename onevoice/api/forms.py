from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onevoice.api import scopes as scope_rules
from onevoice.api.models import ApiToken
from onevoice.api.services import DEFAULT_DAYS, MAX_DAYS
from onevoice.core.forms import StyledFormMixin
from onevoice.organization.models import Department, Membership
from onevoice.organization.roles import Capability, Role


class TokenForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of token"),
        choices=ApiToken.Kind.choices,
        initial=ApiToken.Kind.PERSONAL,
        widget=forms.RadioSelect,
        required=False,
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Where the token is used, e.g. “Intranet request form” or “Power BI”."),
    )
    expires_on = forms.DateField(
        label=_("Valid until"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("At most one year from today. The token stops working at the end of this day."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=[(s, s) for s in scope_rules.ALL_SCOPES],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one area the token may read or write.")},
    )
    role = forms.ChoiceField(
        label=_("Acts with the role"),
        choices=Role.choices,
        initial=Role.CONTRIBUTOR,
        required=False,
        help_text=_("Service tokens only: what the token may do, like a person with this role."),
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Service tokens only: the departments it works for (a contributor files requests for these)."
        ),
    )

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member = member
        self.zone = ZoneInfo(member.organization.time_zone or "Europe/Berlin")
        self.today = timezone.now().astimezone(self.zone).date()
        self.fields["expires_on"].initial = self.today + timedelta(days=DEFAULT_DAYS)
        self.fields["expires_on"].widget.attrs.update(
            {
                "min": (self.today + timedelta(days=1)).isoformat(),
                "max": (self.today + timedelta(days=MAX_DAYS - 1)).isoformat(),
            }
        )
        self.fields["departments"].queryset = Department.objects.filter(  # type: ignore[attr-defined]
            organization_id=member.organization_id
        ).order_by("name")

    def clean_expires_on(self) -> date:
        day: date = self.cleaned_data["expires_on"]
        if day <= self.today:
            raise forms.ValidationError(_("Choose an expiry date in the future."))
        if day >= self.today + timedelta(days=MAX_DAYS):
            raise forms.ValidationError(_("A token can be valid for at most one year."))
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        service = data.get("kind") == ApiToken.Kind.SERVICE and self.member.can(Capability.MANAGE_SETTINGS)
        role = (data.get("role") or Role.CONTRIBUTOR) if service else self.member.role
        allowed = set(scope_rules.scopes_for_role(role))
        beyond = [scope_rules.scope_label(s) for s in data.get("scopes") or [] if s not in allowed]
        if beyond:
            self.add_error(
                "scopes",
                _("The role does not allow: %(scopes)s. Leave these out.") % {"scopes": ", ".join(beyond)},
            )
        return data

    @property
    def expires_at(self) -> datetime:
        day: date = self.cleaned_data["expires_on"]
        return datetime.combine(day + timedelta(days=1), time(), self.zone)
