"""Forms of webhooks and chat notifications; the rules themselves are checked by the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from onevoice.core.forms import Form
from onevoice.organization.models import Department, Organization
from onevoice.webhooks.models import Delivery, Event, Target
from onevoice.webhooks.services import TargetInput


class TargetForm(Form):
    """The fields every target has; the kind adds its address fields."""

    name = forms.CharField(label=_("Name"), max_length=80)
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=Event.choices, widget=forms.CheckboxSelectMultiple
    )
    department = forms.ModelChoiceField(
        label=_("Only events of this department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("All departments"),
        help_text=_("Posts, cases and requests of one department; empty: the whole organisation."),
    )
    language = forms.ChoiceField(label=_("Language of the messages"), choices=settings.LANGUAGES)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, organization: Organization, target: Target | None = None, **kwargs: Any):
        if target is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": target.name,
                "events": list(target.events),
                "department": target.department_id,
                "language": target.language,
                "is_active": target.is_active,
                "url": target.url,
                "room_id": target.config.get("room_id", ""),
            }
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(organization=organization)  # type: ignore[attr-defined]

    def target_input(self) -> TargetInput:
        data = self.cleaned_data
        return TargetInput(
            name=data["name"],
            events=list(data["events"]),
            department=data.get("department"),
            url=data.get("url", "") or "",
            language=data["language"],
            is_active=bool(data.get("is_active")),
            room_id=data.get("room_id", "") or "",
            access_token=data.get("access_token", "") or "",
            chat_url=data.get("chat_url", "") or "",
        )


class WebhookForm(TargetForm):
    url = forms.URLField(
        label=_("Payload address"),
        max_length=1000,
        assume_scheme="https",
        help_text=_("OneVoice sends a signed POST request with JSON to this https:// address."),
    )
    field_order = ["name", "url", "events", "department", "language", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].help_text = _("The language of the short summary in the delivery log.")


class MatrixForm(TargetForm):
    url = forms.URLField(
        label=_("Homeserver"),
        max_length=1000,
        assume_scheme="https",
        help_text=_("The address of the Matrix server, e.g. https://matrix.example.org."),
    )
    room_id = forms.CharField(
        label=_("Room ID"),
        max_length=255,
        help_text=_("The room's internal ID, e.g. !AbCdEf:example.org (Room settings → Advanced)."),
    )
    access_token = forms.CharField(
        label=_("Access token"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Of a bot account that is a member of the room. Stored encrypted."),
    )
    field_order = ["name", "url", "room_id", "access_token", "events", "department", "language", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kwargs.get("target") is not None:
            self.fields["access_token"].help_text = _("Leave empty to keep the stored token.")


class IncomingWebhookForm(TargetForm):
    chat_url = forms.URLField(
        label=_("Incoming webhook address"),
        max_length=1000,
        required=False,
        assume_scheme="https",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Whoever has this address can post to the channel, so it is stored encrypted."),
    )
    field_order = ["name", "chat_url", "events", "department", "language", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kwargs.get("target") is not None:
            self.fields["chat_url"].help_text = _("Leave empty to keep the stored address.")


FORMS: dict[str, type[TargetForm]] = {
    Target.Kind.WEBHOOK: WebhookForm,
    Target.Kind.MATRIX: MatrixForm,
    Target.Kind.SLACK: IncomingWebhookForm,
    Target.Kind.TEAMS: IncomingWebhookForm,
}


class DeliveryFilterForm(forms.Form):
    event = forms.ChoiceField(
        label=_("Event"),
        required=False,
        choices=[("", _("All events")), *Event.choices, ("ping", _("Test event"))],
    )
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All states")), *Delivery.State.choices]
    )
