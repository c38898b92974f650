"""Forms of casework: the list's filters, a case's owner, status and details, notes, replies, triage
corrections and saved replies. Choices of people, tags and topics come from the member's organisation only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from onevoice.core.forms import StyledFormMixin
from onevoice.inbox import selectors
from onevoice.inbox.models import Case, Priority, SavedReply, Tag, TriageCorrection
from onevoice.inbox.services import LANGUAGES
from onevoice.organization.models import Department, Membership
from onevoice.planning.models import Topic

LANGUAGE_LABELS = {
    "de": _("German"),
    "en": _("English"),
    "fr": _("French"),
    "it": _("Italian"),
    "es": _("Spanish"),
    "nl": _("Dutch"),
    "pl": _("Polish"),
    "tr": _("Turkish"),
}
LANGUAGE_CHOICES = [(code, LANGUAGE_LABELS[code]) for code in LANGUAGES]


def filters_from(
    data: Any, member: Membership, options: selectors.FilterOptions
) -> tuple[selectors.CaseFilters, int]:
    """The list's filters from the address; anything unknown falls back to the default, never an error."""
    filters = selectors.CaseFilters()
    view = str(data.get("view", ""))
    filters.view = view if view in selectors.VIEWS else ""
    status = str(data.get("status", "") or "active")
    filters.status = status if status in selectors.STATUS_FILTERS else "active"
    channel_id = str(data.get("channel", ""))
    filters.channel = next((c for c in options.channels if str(c.public_id) == channel_id), None)
    tag_id = str(data.get("tag", ""))
    filters.tag = next((t for t in options.tags if str(t.public_id) == tag_id), None)
    priority = str(data.get("priority", ""))
    filters.priority = priority if priority in Priority.values else ""
    filters.q = str(data.get("q", "")).strip()[:100]
    sort = str(data.get("sort", "") or "newest")
    filters.sort = sort if sort in selectors.SORTS else "newest"
    try:
        page = int(str(data.get("page", "1")))
    except ValueError:
        page = 1
    return filters, max(1, min(page, 10_000))


class AssignForm(StyledFormMixin, forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=Membership.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label=_("Nobody (unassigned)"),
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label=_("Central (no department)"),
    )

    def __init__(self, *args: Any, member: Membership, people: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = Membership.objects.filter(  # type: ignore[attr-defined]
            pk__in=[p.pk for p in people]
        ).select_related("user")
        self.fields["assignee"].label_from_instance = lambda m: m.user.full_name or m.user.email  # type: ignore[attr-defined]
        self.fields["department"].queryset = Department.objects.filter(organization_id=member.organization_id)  # type: ignore[attr-defined]


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Case.Status.choices)


class DetailsForm(StyledFormMixin, forms.Form):
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"),
        queryset=Tag.objects.none(),
        to_field_name="public_id",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    needs_reply = forms.BooleanField(label=_("Needs a reply"), required=False)

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tags"].queryset = Tag.objects.filter(organization_id=member.organization_id)  # type: ignore[attr-defined]


class NoteForm(StyledFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Internal note"),
        max_length=5000,
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": _("Only your colleagues see this. Mention someone with @Name.")}
        ),
        error_messages={"required": _("Write the note first.")},
    )


class ReplyForm(StyledFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Your reply"),
        max_length=10_000,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write the answer first.")},
    )
    saved_reply = forms.ModelChoiceField(
        queryset=SavedReply.objects.none(),
        to_field_name="public_id",
        required=False,
        widget=forms.HiddenInput,
    )
    opened = forms.CharField(required=False, widget=forms.HiddenInput)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["saved_reply"].queryset = SavedReply.objects.filter(  # type: ignore[attr-defined]
            organization_id=member.organization_id
        )

    def opened_at(self) -> datetime | None:
        value = self.cleaned_data.get("opened") or ""
        try:
            return parse_datetime(value)
        except ValueError:
            return None


class ReturnForm(forms.Form):
    note = forms.CharField(label=_("What should change?"), max_length=1000)


class TriageForm(forms.Form):
    field = forms.ChoiceField(choices=TriageCorrection.Field.choices)
    value = forms.CharField(max_length=12)


class SavedReplyForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    topic = forms.ModelChoiceField(
        label=_("Topic"),
        queryset=Topic.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label=_("Any topic"),
    )
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, initial="de")
    text = forms.CharField(
        label=_("Text"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Placeholders: {name} is filled with the author's name or handle; anything else in curly "
            "braces, such as {order_number}, is highlighted for the Community Manager to fill in."
        ),
    )
    active = forms.BooleanField(label=_("Offered in the composer"), required=False, initial=True)

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = Topic.objects.filter(organization_id=member.organization_id)  # type: ignore[attr-defined]
