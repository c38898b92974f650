"""Forms of the inbox settings; every choice of a channel, department, person, campaign or tag is limited
to the member's organisation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onevoice.core.forms import Form, StyledFormMixin
from onevoice.inbox.models import MessageKind, Priority, RoutingRule, Sentiment, SlaPolicy, Tag
from onevoice.networks.models import Channel
from onevoice.organization.models import Department, Membership
from onevoice.planning.models import Campaign

# The 16 states of Germany, as the holidays library spells their codes.
GERMAN_STATES = {
    "BW": "Baden-Württemberg",
    "BY": "Bayern",
    "BE": "Berlin",
    "BB": "Brandenburg",
    "HB": "Bremen",
    "HH": "Hamburg",
    "HE": "Hessen",
    "MV": "Mecklenburg-Vorpommern",
    "NI": "Niedersachsen",
    "NW": "Nordrhein-Westfalen",
    "RP": "Rheinland-Pfalz",
    "SL": "Saarland",
    "SN": "Sachsen",
    "ST": "Sachsen-Anhalt",
    "SH": "Schleswig-Holstein",
    "TH": "Thüringen",
}
LANGUAGE_CHOICES = [
    ("", _("Any language")),
    ("de", _("German")),
    ("en", _("English")),
    ("fr", _("French")),
    ("it", _("Italian")),
    ("es", _("Spanish")),
    ("nl", _("Dutch")),
    ("pl", _("Polish")),
    ("tr", _("Turkish")),
]
LINES = forms.Textarea(attrs={"rows": 3})


def _people(member: Membership) -> Any:
    return (
        Membership.objects.active()
        .filter(organization_id=member.organization_id)
        .select_related("user")
        .order_by("user__full_name")
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return obj.user.full_name or obj.user.email


class RoutingRuleForm(StyledFormMixin, forms.ModelForm):
    add_tags = forms.ModelMultipleChoiceField(
        queryset=Tag.objects.none(), required=False, label=_("Add tags"), widget=forms.CheckboxSelectMultiple
    )
    assign_to = PersonChoiceField(
        queryset=Membership.objects.none(), required=False, label=_("Assign to person")
    )
    offensive = forms.NullBooleanField(label=_("Offensive"), required=False, widget=forms.NullBooleanSelect)
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, required=False)

    class Meta:
        model = RoutingRule
        fields = [
            "name",
            "active",
            "channel",
            "keywords",
            "language",
            "authors",
            "vip_only",
            "post_department",
            "campaign",
            "kind",
            "sentiment",
            "offensive",
            "assign_department",
            "assign_to",
            "set_priority",
            "add_tags",
            "no_reply_needed",
            "hide",
            "stop",
        ]
        labels = {
            "channel": _("Channel"),
            "post_department": _("Department of the post"),
            "campaign": _("Campaign"),
            "assign_department": _("Assign to department"),
        }
        help_texts = {
            "keywords": _("Whole words or phrases, one per line; upper or lower case does not matter."),
            "authors": _("Handles such as @presse.bsky.social, one per line."),
            "hide": _("Hides the message on networks that allow it; the case is marked as hidden."),
            "stop": _("Later rules do not run for a case this rule matched."),
        }
        widgets = {"keywords": LINES, "authors": LINES}

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org_id = member.organization_id
        channels = Channel.objects.filter(organization_id=org_id)
        departments = Department.objects.filter(organization_id=org_id)
        self.fields["channel"].queryset = channels  # type: ignore[attr-defined]
        self.fields["post_department"].queryset = departments  # type: ignore[attr-defined]
        self.fields["assign_department"].queryset = departments  # type: ignore[attr-defined]
        self.fields["campaign"].queryset = Campaign.objects.filter(organization_id=org_id)  # type: ignore[attr-defined]
        self.fields["assign_to"].queryset = _people(member)  # type: ignore[attr-defined]
        self.fields["add_tags"].queryset = Tag.objects.filter(organization_id=org_id)  # type: ignore[attr-defined]
        self.fields["offensive"].widget.choices = [
            ("unknown", _("Either")),
            ("true", _("Only offensive")),
            ("false", _("Only not offensive")),
        ]
        for name in ("channel", "post_department", "campaign"):
            self.fields[name].empty_label = _("Any")  # type: ignore[attr-defined]
        for name in ("assign_department", "assign_to"):
            self.fields[name].empty_label = _("Nobody (the default owner)")  # type: ignore[attr-defined]
        self.fields["kind"].choices = [("", _("Any type"))] + [  # type: ignore[attr-defined]
            c for c in MessageKind.choices if c[0] != MessageKind.OUR_REPLY
        ]
        self.fields["sentiment"].choices = [("", _("Any sentiment")), *Sentiment.choices]  # type: ignore[attr-defined]
        self.fields["set_priority"].choices = [("", _("Leave as it is")), *Priority.choices]  # type: ignore[attr-defined]

    def condition_groups(self) -> list[Any]:
        names = ["channel", "keywords", "language", "authors", "vip_only", "post_department", "campaign"]
        return [self[n] for n in [*names, "kind", "sentiment", "offensive"]]

    def action_groups(self) -> list[Any]:
        names = [
            "assign_department",
            "assign_to",
            "set_priority",
            "add_tags",
            "no_reply_needed",
            "hide",
            "stop",
        ]
        return [self[n] for n in names]


class SlaPolicyForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = SlaPolicy
        fields = ["name", "channel", "priority", "first_response_minutes", "resolution_minutes"]
        labels = {"channel": _("Channel")}
        help_texts = {
            "channel": _("Empty: every channel. A policy for one channel wins over one for all."),
            "priority": _("Empty: every priority."),
            "first_response_minutes": _("Counted only within business hours, e.g. 120 for two hours."),
            "resolution_minutes": _("Counted only within business hours, e.g. 960 for two working days."),
        }

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = Channel.objects.filter(  # type: ignore[attr-defined]
            organization_id=member.organization_id
        )
        self.fields["channel"].empty_label = _("All channels")  # type: ignore[attr-defined]
        self.fields["priority"].choices = [("", _("All priorities")), *Priority.choices]  # type: ignore[attr-defined]


class CalendarForm(Form):
    holiday_state = forms.ChoiceField(
        label=_("Public holidays of the state"),
        required=False,
        choices=[("", _("National holidays only")), *sorted(GERMAN_STATES.items(), key=lambda kv: kv[1])],
    )


class ClosedDayForm(Form):
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(label=_("Name"), max_length=80, required=False)


class TagForm(Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    replies_need_approval = forms.BooleanField(label=_("Replies need approval"), required=False)


class ApprovalRuleForm(Form):
    membership = PersonChoiceField(
        queryset=Membership.objects.none(), required=False, label=_("Replies by this person")
    )
    channel = forms.ModelChoiceField(
        queryset=Channel.objects.none(), required=False, label=_("or replies on this channel")
    )

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = _people(member)  # type: ignore[attr-defined]
        self.fields["channel"].queryset = Channel.objects.filter(  # type: ignore[attr-defined]
            organization_id=member.organization_id
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("membership") is None) == (data.get("channel") is None):
            raise forms.ValidationError(_("Choose either a person or a channel."))
        return data


class SpikeForm(Form):
    spike_factor = forms.DecimalField(
        label=_("Alert at this many times the usual hourly level"),
        min_value=Decimal(1),
        max_value=Decimal(100),
        decimal_places=2,
    )
    spike_minimum = forms.IntegerField(
        label=_("and at least this many messages in an hour"), min_value=1, max_value=100_000
    )


class TryMessageForm(Form):
    text = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    channel = forms.ModelChoiceField(queryset=Channel.objects.none(), required=False, label=_("Channel"))
    author = forms.CharField(label=_("Author handle"), required=False, max_length=255)
    kind = forms.ChoiceField(label=_("Type"), choices=[], initial=MessageKind.REPLY)

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = Channel.objects.filter(  # type: ignore[attr-defined]
            organization_id=member.organization_id
        )
        self.fields["channel"].empty_label = _("Any channel")  # type: ignore[attr-defined]
        self.fields["kind"].choices = [  # type: ignore[attr-defined]
            c for c in MessageKind.choices if c[0] != MessageKind.OUR_REPLY
        ]
