"""One form per step of the questionnaire, built from its data."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onevoice.assessment.questionnaire import DIMENSIONS, FACTS, STEPS, Dimension, Fact

YES_NO = (("yes", _("Yes")), ("no", _("No")))
CHOOSE = _("Please choose an answer.")
ENTER = _("Please enter a number.")
RADIO = {"class": "form-check-input me-1"}


def _fact_field(fact: Fact) -> forms.Field:
    common: dict[str, Any] = {"label": str(fact.label), "help_text": str(fact.help), "required": False}
    if fact.kind == "bool":
        return forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect(attrs=RADIO), **common)
    if fact.kind == "hours":
        return forms.DecimalField(
            min_value=Decimal(0),
            max_value=Decimal(fact.maximum),
            decimal_places=1,
            max_digits=6,
            localize=True,
            widget=forms.TextInput(
                attrs={"inputmode": "decimal", "class": "form-control", "autocomplete": "off"}
            ),
            error_messages={
                "invalid": _("Enter the hours as a number, e.g. 12 or 7.5."),
                "max_decimal_places": _("Enter at most one decimal place."),
            },
            **common,
        )
    minimum = 1 if fact.key == "employees" else 0
    return forms.IntegerField(
        min_value=minimum,
        max_value=fact.maximum,
        widget=forms.NumberInput(attrs={"class": "form-control", "min": minimum, "max": fact.maximum}),
        error_messages={"invalid": _("Enter a whole number.")},
        **common,
    )


class StepForm(forms.Form):
    """The questions of one step; `require_all` (next and finish, not save) makes every answer required."""

    def __init__(self, step: int, *args: Any, require_all: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.step = step
        self.require_all = require_all
        self.dimension: Dimension | None = DIMENSIONS[step - 1] if step > 0 else None
        if self.dimension is None:
            for fact in FACTS:
                self.fields[fact.key] = _fact_field(fact)
        else:
            for question in self.dimension.questions:
                self.fields[question.key] = forms.ChoiceField(
                    label=str(question.text),  # built per request, in its language
                    help_text=str(question.why),
                    choices=[(o.value, o.label) for o in question.options],
                    widget=forms.RadioSelect(attrs=RADIO),
                    required=False,
                )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.require_all:
            for name, field in self.fields.items():
                if name in self.errors:
                    continue
                if cleaned.get(name) in (None, ""):
                    self.add_error(name, ENTER if not isinstance(field, forms.ChoiceField) else CHOOSE)
        return cleaned

    def answers(self) -> dict[str, Any]:
        """The cleaned values as they are stored (booleans, whole numbers, hours as text)."""
        result: dict[str, Any] = {}
        for name in self.fields:
            value = self.cleaned_data.get(name)
            if value in (None, ""):
                result[name] = None
            elif name == "central_team":
                result[name] = value == "yes"
            elif isinstance(value, Decimal):
                result[name] = f"{value.normalize():f}"
            else:
                result[name] = value
        return result


def initial_for(step: int, answers: dict[str, Any]) -> dict[str, Any]:
    """The stored answers as form values."""
    if step == 0:
        initial = {f.key: answers.get(f.key) for f in FACTS}
        central = answers.get("central_team")
        initial["central_team"] = "" if central is None else ("yes" if central is True else "no")
        if initial.get("weekly_hours") not in (None, ""):
            initial["weekly_hours"] = Decimal(str(initial["weekly_hours"]))
        return initial
    dimension = DIMENSIONS[step - 1]
    return {q.key: answers.get(q.key, "") for q in dimension.questions}


def step_count() -> int:
    return len(STEPS)
