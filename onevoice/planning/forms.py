from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onevoice.core.forms import Form, style_form
from onevoice.networks.forms import IMAGE_TYPES, LANGUAGES, sniff_image
from onevoice.networks.models import Channel
from onevoice.organization.models import Department, Membership
from onevoice.planning.models import Campaign, Topic


class PostForm(Form):
    title = forms.CharField(label=_("Internal title"), max_length=200)
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none())
    channels = forms.ModelMultipleChoiceField(
        label=_("Channels"),
        queryset=Channel.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    publish_at = forms.DateTimeField(
        label=_("Publish at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty for an unscheduled idea."),
    )
    window_end = forms.DateTimeField(
        label=_("At the latest (time window)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.none(), required=False)
    topic = forms.ModelChoiceField(label=_("Topic"), queryset=Topic.objects.none(), required=False)
    base_text = forms.CharField(
        label=_("Base text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The starting point for every channel; adapt it per channel below."),
    )
    notes = forms.CharField(
        label=_("Internal notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, member: Membership, channels: list[Channel], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org = member.organization
        departments = Department.objects.filter(organization=org)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]
        self.fields["channels"].queryset = Channel.objects.filter(pk__in=[c.pk for c in channels])  # type: ignore[attr-defined]
        self.fields["campaign"].queryset = Campaign.objects.filter(organization=org)  # type: ignore[attr-defined]
        self.fields["topic"].queryset = Topic.objects.filter(organization=org)  # type: ignore[attr-defined]
        style_form(self)


class VariantForm(Form):
    text = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    link = forms.URLField(label=_("Link for a link card"), required=False, assume_scheme="https")
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGES, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)
    image = forms.FileField(
        label=_("Add an image"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(IMAGE_TYPES)}),
    )
    alt_text = forms.CharField(
        label=_("Alt text of the new image"),
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs={"placeholder": _("Describe the image for people who cannot see it")}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("image")
        if upload:
            if upload.size > 20_000_000:
                self.add_error("image", _("The image is larger than 20 MB."))
            mime = sniff_image(upload)
            if mime is None:
                self.add_error("image", _("Only JPEG, PNG, GIF and WebP images can be attached."))
            else:
                upload.sniffed_type = mime
        return cleaned


class DecisionForm(Form):
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class CommentForm(Form):
    text = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Mention people with @Vorname Nachname; they are notified."),
    )
