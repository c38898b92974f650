"""Bootstrap styling for every form, so templates render fields with one include."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_noop

# Django 6.1's label of an empty choice in model forms; its own German catalogue does not have it yet, so
# ours carries the translation (our locale/ is searched before Django's).
BLANK_CHOICE_LABEL = gettext_noop("- Select an option -")


def style_form(form: forms.BaseForm) -> forms.BaseForm:
    """Give each widget the Bootstrap class for its kind; mark fields with errors as invalid."""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        classes = widget.attrs.get("class", "")
        if css not in classes:
            widget.attrs["class"] = f"{classes} {css}".strip()
        # `_errors` rather than `errors`: the latter would validate the form before it has all its fields.
        errors = getattr(form, "_errors", None)
        if errors and errors.get(name):
            widget.attrs["class"] += " is-invalid"
            widget.attrs["aria-invalid"] = "true"
    return form


class StyledFormMixin:
    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        style_form(self)  # type: ignore[arg-type]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_form(self)  # type: ignore[arg-type]


class Form(StyledFormMixin, forms.Form):
    pass
