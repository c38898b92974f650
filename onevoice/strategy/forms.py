"""Forms of the strategy pages; they check input shape, the services check the rules."""

from __future__ import annotations

import re
from datetime import time
from typing import Any

from django import forms
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from onevoice.core.forms import Form, style_form
from onevoice.networks.models import Channel, Network
from onevoice.organization.models import Department, Membership
from onevoice.planning.setup_views import RulesForm
from onevoice.strategy.metrics import METRICS, Comparison, Metric, Unit
from onevoice.strategy.models import Goal, TargetGroup

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


class TargetGroupForm(Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who they are and what they want from us."),
    )


class GoalForm(Form):
    name = forms.CharField(label=_("Name"), max_length=160)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    department = forms.ModelChoiceField(
        label=_("Owning department"),
        required=False,
        queryset=Department.objects.none(),
        empty_label=_("no department (the whole organisation)"),
    )
    period_kind = forms.ChoiceField(
        label=_("Period"), choices=Goal.Period.choices, initial=Goal.Period.QUARTER
    )
    period_start_on = forms.DateField(
        label=_("Starts in"),
        widget=DATE,
        help_text=_("Any day of the month, quarter or year; the goal starts on the period's first day."),
        error_messages={
            "invalid": _("Enter a date, e.g. 2027-01-01."),
            "required": _("Enter a day of the period."),
        },
    )

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(organization=member.organization)  # type: ignore[attr-defined]
        style_form(self)


def _metric_choices() -> list[tuple[str, Any]]:
    return [(m.value, m.label) for m in Metric]


class KpiTargetForm(Form):
    metric = forms.ChoiceField(label=_("Metric"), choices=_metric_choices)
    comparison = forms.ChoiceField(
        label=_("Comparison"), choices=Comparison.choices, initial=Comparison.AT_LEAST
    )
    target_value = forms.DecimalField(
        label=_("Target value"),
        max_digits=12,
        decimal_places=2,
        localize=True,
        error_messages={
            "required": _("Enter the target value, e.g. 3 or 2,5."),
            "invalid": _("Enter the target value as a number, e.g. 3 or 2,5."),
        },
    )
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices)
    channel = forms.ModelChoiceField(
        label=_("Only this channel"),
        required=False,
        queryset=Channel.objects.none(),
        empty_label=_("all channels"),
    )
    network = forms.ChoiceField(
        label=_("Only this network"),
        required=False,
        choices=[("", _("all networks")), *Network.choices],
        help_text=_("Leave both empty for the whole organisation."),
    )

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = Channel.objects.filter(organization=member.organization)  # type: ignore[attr-defined]
        style_form(self)

    @staticmethod
    def metric_list() -> list[dict[str, Any]]:
        """The documented metrics, for the help next to the form."""
        return [
            {
                "label": metric.label,
                "description": info.description,
                "units": ", ".join(str(u.label) for u in info.units),
                "measured": info.measured,
            }
            for metric, info in METRICS.items()
        ]


def parse_times(text: str) -> list[time]:
    """ "9:00, 12.30 17:00" → three times; raises ValidationError naming what it cannot read."""
    found = []
    for piece in re.split(r"[\s,;]+", text.strip()):
        if not piece:
            continue
        match = TIME.match(piece)
        if match is None:
            raise forms.ValidationError(
                _("“%(piece)s” is not a time. Write times like 09:00, 12:30, separated by commas.")
                % {"piece": piece}
            )
        found.append(time(int(match[1]), int(match[2])))
    return found


class ChannelStrategyForm(RulesForm):
    """Planning's channel rules (gap, maxima; their labels and messages) plus the strategy's own fields."""

    purpose = forms.CharField(
        label=_("Purpose"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What this channel is for, in one or two sentences."),
    )
    target_groups = forms.ModelMultipleChoiceField(
        label=_("Target groups"),
        required=False,
        queryset=TargetGroup.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    min_per_week = forms.IntegerField(
        label=_("At least per week"),
        min_value=1,
        max_value=500,
        required=False,
        error_messages={
            "invalid": _("Enter a whole number of posts per week, or leave it empty for no minimum."),
            "min_value": _("Enter at least 1 post per week, or leave it empty for no minimum."),
            "max_value": _("More than 500 posts a week is not a plan: enter at most 500."),
        },
    )
    preferred_weekdays = forms.TypedMultipleChoiceField(
        label=_("Preferred weekdays"),
        required=False,
        coerce=int,
        choices=[(day, WEEKDAYS[day]) for day in range(7)],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty for any day."),
    )
    preferred_times = forms.CharField(
        label=_("Preferred times"),
        required=False,
        max_length=200,
        help_text=_(
            "Times of day, separated by commas, e.g. 09:00, 12:30. A post within 30 minutes of one counts as on time."
        ),
    )

    field_order = [
        "purpose",
        "target_groups",
        "min_per_week",
        "max_per_week",
        "max_per_day",
        "min_gap_minutes",
        "preferred_weekdays",
        "preferred_times",
    ]

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target_groups"].queryset = TargetGroup.objects.filter(organization=member.organization)  # type: ignore[attr-defined]
        self.order_fields(self.field_order)
        style_form(self)

    def clean_preferred_times(self) -> list[time]:
        return parse_times(self.cleaned_data.get("preferred_times") or "")
