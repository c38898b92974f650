"""Forms of enablement; the services repeat every rule, so the API and the admin refuse the same input."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onevoice.core.forms import Form
from onevoice.enablement.models import MAX_TRAINING_HOURS, OnboardingItem, RoleProfile, Skill, TrainingRecord
from onevoice.organization.models import Membership, Organization
from onevoice.organization.roles import Role


class SkillChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class PersonChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.user.full_name or obj.user.email)


def _area(rows: int = 4, placeholder: Any = "") -> forms.Textarea:
    attrs: dict[str, Any] = {"rows": rows}
    if placeholder:
        attrs["placeholder"] = placeholder
    return forms.Textarea(attrs=attrs)


class SkillForm(Form):
    name = forms.CharField(label=_("Skill"), max_length=80)
    description = forms.CharField(label=_("Description"), max_length=255, required=False)


class ProfileForm(Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    role = forms.ChoiceField(
        label=_("Default for the role"),
        required=False,
        help_text=_("People with this role who have no profile attached follow this profile's checklist."),
    )
    summary = forms.CharField(label=_("Summary"), required=False, widget=_area(3))
    tasks = forms.CharField(
        label=_("Tasks"), required=False, widget=_area(6), help_text=_("One task per line.")
    )
    responsibilities = forms.CharField(
        label=_("Responsibilities"),
        required=False,
        widget=_area(4),
        help_text=_("What the person answers for. One per line."),
    )
    authority = forms.CharField(
        label=_("Authority"),
        required=False,
        widget=_area(4),
        help_text=_("What the person may decide on their own. One per line."),
    )
    skills = SkillChoice(
        label=_("Skills needed"),
        queryset=Skill.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("No role (attach it to people)")), *Role.choices]  # type: ignore[attr-defined]
        self.fields["skills"].queryset = Skill.objects.filter(organization=organization)  # type: ignore[attr-defined]

    @classmethod
    def initial_of(cls, profile: RoleProfile) -> dict[str, Any]:
        return {
            "title": profile.title,
            "role": profile.role,
            "summary": profile.summary,
            "tasks": profile.tasks,
            "responsibilities": profile.responsibilities,
            "authority": profile.authority,
            "skills": list(profile.skills.all()),
        }


class ChecklistForm(Form):
    introduction = forms.CharField(
        label=_("Welcome text"),
        required=False,
        widget=_area(3),
        help_text=_("Shown above the checklist to each new member."),
    )


class ItemForm(Form):
    title = forms.CharField(label=_("Step"), max_length=200)
    description = forms.CharField(label=_("Explanation"), required=False, widget=_area(2))
    verification = forms.ChoiceField(label=_("Done when"), choices=OnboardingItem.Verification.choices)
    destination = forms.ChoiceField(
        label=_("Link to"), choices=OnboardingItem.Destination.choices, required=False
    )
    required = forms.BooleanField(
        label=_("Required for completing the onboarding"), required=False, initial=True
    )

    @classmethod
    def initial_of(cls, item: OnboardingItem) -> dict[str, Any]:
        return {
            "title": item.title,
            "description": item.description,
            "verification": item.verification,
            "destination": item.destination,
            "required": item.required,
        }


class TickForm(Form):
    done_on = forms.DateField(
        label=_("Done on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean_done_on(self) -> date:
        value: date = self.cleaned_data["done_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The day cannot be in the future."))
        return value


class AttachForm(Form):
    profile = forms.ModelChoiceField(label=_("Role profile"), queryset=RoleProfile.objects.none())

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["profile"].queryset = RoleProfile.objects.filter(organization=organization)  # type: ignore[attr-defined]
        self.fields["profile"].to_field_name = "public_id"  # type: ignore[attr-defined]


class TrainingForm(Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    topic = forms.CharField(label=_("Topic"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=TrainingRecord.Kind.choices)
    delivery = forms.ChoiceField(
        label=_("Internal or external"), choices=TrainingRecord.Delivery.choices, widget=forms.RadioSelect
    )
    provider = forms.CharField(
        label=_("Provider"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. an academy, an agency, a colleague")}),
    )
    starts_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ends_on = forms.DateField(
        label=_("Last day"),
        help_text=_("Only for trainings of several days."),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    hours = forms.DecimalField(
        label=_("Hours"),
        required=False,
        min_value=Decimal(0),
        max_value=MAX_TRAINING_HOURS,
        decimal_places=1,
        error_messages={
            "min_value": _("Hours cannot be negative."),
            "max_value": _("Enter at most %(limit_value)s hours."),
        },
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
    )
    skills = SkillChoice(
        label=_("Skills covered"),
        queryset=Skill.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    attendees = PersonChoice(
        label=_("Attendees"),
        queryset=Membership.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=_area(2))

    def __init__(self, *args: Any, organization: Organization, for_others: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["skills"].queryset = Skill.objects.filter(organization=organization)  # type: ignore[attr-defined]
        if for_others:
            field = self.fields["attendees"]
            field.queryset = (  # type: ignore[attr-defined]
                Membership.objects.active().filter(organization=organization).select_related("user")
            )
            field.required = True
            field.error_messages["required"] = _("Choose at least one person who attended.")
        else:
            del self.fields["attendees"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The last day cannot be before the first."))
        return data

    @classmethod
    def initial_of(cls, record: TrainingRecord) -> dict[str, Any]:
        return {
            "title": record.title,
            "topic": record.topic,
            "kind": record.kind,
            "delivery": record.delivery,
            "provider": record.provider,
            "starts_on": record.starts_on,
            "ends_on": record.ends_on,
            "hours": record.hours,
            "skills": list(record.skills.all()),
            "attendees": list(record.attendees.all()),
            "notes": record.notes,
        }


class PeriodForm(Form):
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("The end of the period cannot be before its start."))
        return data
