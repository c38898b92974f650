from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from onevoice.core.forms import Form


class GuidelineForm(Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        error_messages={"required": _("Give the guideline a title, e.g. “Social-Media-Leitlinien”.")},
    )
    body = forms.CharField(
        label=_("Text"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 18, "class": "font-monospace", "spellcheck": "true"}),
        help_text=_(
            "Markdown: # heading, **bold**, *italic*, - list, [link](https://…), > quote, | tables |. "
            "HTML and scripts are removed."
        ),
        error_messages={"required": _("Write the text of the guideline; it cannot be empty.")},
    )
    change_note = forms.CharField(
        label=_("What changed"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One or two sentences for everyone who read the previous version."),
    )

    def clean_body(self) -> str:
        body: str = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError(self.fields["body"].error_messages["required"])
        return body
