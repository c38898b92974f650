"""Forms of the contact pages, the DSGVO actions, the retention settings and the expert forward."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from onevoice.core.forms import Form
from onevoice.inbox.forward import ANSWER_MAX_LENGTH
from onevoice.inbox.models import InboxSettings


class ContactForm(Form):
    display_name = forms.CharField(label=_("Name"), max_length=255, required=False)
    is_vip = forms.BooleanField(
        label=_("VIP (routing rules can treat this person's messages differently)"), required=False
    )
    notes = forms.CharField(
        label=_("Notes about this person"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only facts the team needs for answering; the person can ask to see everything stored."),
    )


class MergeForm(Form):
    source = forms.UUIDField(widget=forms.HiddenInput)


class EraseForm(Form):
    mode = forms.ChoiceField(
        label=_("What happens to the conversations"),
        choices=[
            (
                InboxSettings.RetentionMode.ANONYMIZE,
                _("Anonymise: remove all texts and the person, keep the anonymous figures"),
            ),
            (InboxSettings.RetentionMode.DELETE, _("Delete the conversations entirely")),
        ],
        widget=forms.RadioSelect,
    )
    confirm = forms.BooleanField(
        label=_("I have checked that the request comes from this person."),
        error_messages={"required": _("Please confirm that you checked the request.")},
    )


class RetentionForm(Form):
    retention_months = forms.IntegerField(
        label=_("Keep closed cases for (months)"),
        min_value=1,
        max_value=120,
        error_messages={
            "min_value": _("Keep closed cases for at least one month."),
            "max_value": _("Keep closed cases for at most 120 months (10 years)."),
            "invalid": _("Enter a whole number of months."),
            "required": _("Enter a whole number of months."),
        },
    )
    retention_mode = forms.ChoiceField(
        label=_("After that"),
        choices=[
            (
                InboxSettings.RetentionMode.ANONYMIZE,
                _("Anonymise: remove texts, names and handles; keep the anonymous figures"),
            ),
            (InboxSettings.RetentionMode.DELETE, _("Delete the cases entirely")),
        ],
        widget=forms.RadioSelect,
    )


class ForwardForm(Form):
    name = forms.CharField(label=_("Expert's name"), max_length=120, required=False)
    email = forms.EmailField(
        label=_("Expert's e-mail address"),
        error_messages={
            "invalid": _("Enter a valid e-mail address, e.g. name@example.org."),
            "required": _("Enter the expert's e-mail address."),
        },
    )
    question = forms.CharField(
        label=_("Your question"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the question the expert should answer.")},
        help_text=_("The expert sees the conversation without the person's name or handle."),
    )


class ExpertAnswerForm(Form):
    answer = forms.CharField(
        label=_("Your suggested answer"),
        max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Write your suggested answer.")},
        help_text=_("The community team reviews and adapts it before anything is published."),
    )
