from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onevoice.core.forms import Form, style_form
from onevoice.networks.models import Channel
from onevoice.organization.access import visible_channels
from onevoice.organization.models import Department, Membership
from onevoice.planning.csv_import import MAX_IMPORT_BYTES
from onevoice.planning.exports import PlanFilter
from onevoice.planning.models import Campaign, Post, Topic


class FeedForm(Form):
    name = forms.CharField(
        label=_("Name of the calendar"),
        max_length=120,
        help_text=_("Your calendar app shows this name, e.g. “Marketing plan”."),
    )
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False, empty_label=_("All")
    )
    channel = forms.ModelChoiceField(
        label=_("Channel"), queryset=Channel.objects.none(), required=False, empty_label=_("All")
    )
    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.none(), required=False, empty_label=_("All")
    )
    topic = forms.ModelChoiceField(
        label=_("Topic"), queryset=Topic.objects.none(), required=False, empty_label=_("All")
    )
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org = member.organization_id
        readable = [channel.pk for channel, _level in visible_channels(member)]
        self.fields["department"].queryset = Department.objects.filter(organization_id=org)  # type: ignore[attr-defined]
        self.fields["channel"].queryset = Channel.objects.filter(pk__in=readable)  # type: ignore[attr-defined]
        self.fields["campaign"].queryset = Campaign.objects.filter(organization_id=org)  # type: ignore[attr-defined]
        self.fields["topic"].queryset = Topic.objects.filter(organization_id=org)  # type: ignore[attr-defined]
        self.fields["status"].choices = [("", _("All")), *Post.Status.choices]  # type: ignore[attr-defined]
        style_form(self)

    def plan_filter(self) -> PlanFilter:
        data = self.cleaned_data

        def ids(key: str) -> tuple[str, ...]:
            return (str(data[key].public_id),) if data.get(key) else ()

        return PlanFilter(
            department=ids("department"),
            channel=ids("channel"),
            campaign=ids("campaign"),
            topic=ids("topic"),
            status=(data["status"],) if data.get("status") else (),
        )


class ImportForm(Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("At most 2 MB, one line per post and channel, with the columns of the CSV export."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s KB; at most %(max)s KB can be imported. Split it into smaller files.")
                % {"size": upload.size // 1000, "max": MAX_IMPORT_BYTES // 1000}
            )
        return upload
