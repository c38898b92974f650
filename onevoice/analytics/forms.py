"""Forms of analytics: the report month and language, a report schedule, the sample retention."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onevoice.analytics.models import ReportSchedule
from onevoice.core.forms import StyledFormMixin
from onevoice.organization.models import Membership
from onevoice.organization.roles import Capability


class MonthField(forms.CharField):
    """A month as YYYY-MM (what <input type="month"> sends)."""

    def to_python(self, value: Any) -> date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            year, month = (int(part) for part in text.split("-"))
            return date(year, month, 1)
        except ValueError:
            raise forms.ValidationError(_("Enter the month as year and month, e.g. 2026-10.")) from None


class ReportForm(StyledFormMixin, forms.Form):
    month = MonthField(label=_("Month"), widget=forms.TextInput(attrs={"type": "month"}))
    language = forms.ChoiceField(label=_("Language"), choices=ReportSchedule.Language.choices)

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_month(self) -> date:
        month: date = self.cleaned_data["month"]
        if month > self.today.replace(day=1):
            raise forms.ValidationError(
                _("That month has not begun yet. Choose this month or an earlier one.")
            )
        return month


class RecipientsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return f"{obj.user.full_name or obj.user.email} · {obj.get_role_display()}"


def readers_of(organization_id: int) -> list[Membership]:
    members = Membership.objects.active().filter(organization_id=organization_id).select_related("user")
    return [m for m in members.order_by("user__full_name") if m.can(Capability.VIEW_REPORTS)]


class ScheduleForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    language = forms.ChoiceField(label=_("Language"), choices=ReportSchedule.Language.choices)
    day_of_month = forms.IntegerField(
        label=_("Send on day"),
        min_value=1,
        max_value=28,
        initial=2,
        help_text=_("Day of the month (1–28) on which last month's report is mailed."),
    )
    recipients = RecipientsField(
        label=_("Recipients"),
        queryset=Membership.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only people who may read reports can receive them."),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, organization_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        readers = readers_of(organization_id)
        field = self.fields["recipients"]
        assert isinstance(field, RecipientsField)
        field.queryset = Membership.objects.filter(pk__in=[m.pk for m in readers]).select_related("user")


class RetentionForm(StyledFormMixin, forms.Form):
    sample_retention_days = forms.IntegerField(
        label=_("Keep raw metric samples for (days)"),
        min_value=30,
        max_value=3650,
        required=False,
        help_text=_("Leave empty to keep them for ever. Daily figures and reports are kept either way."),
    )
