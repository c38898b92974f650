from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from onevoice.core.forms import Form
from onevoice.organization.models import Department, Organization
from onevoice.organization.roles import Role

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def _split(value: str) -> list[str]:
    return [part for part in re.split(r"[\s,;]+", value.strip().lower()) if part]


class SsoLoginForm(Form):
    email = forms.EmailField(
        label=_("Work e-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )


class SsoSettingsForm(Form):
    enabled = forms.BooleanField(label=_("Single sign-on switched on"), required=False)
    issuer = forms.URLField(
        label=_("Issuer URL"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_(
            "The provider's address; OneVoice reads <issuer>/.well-known/openid-configuration. "
            "E.g. https://keycloak.example.com/realms/staff"
        ),
    )
    client_id = forms.CharField(label=_("Client ID"), required=False, max_length=255)
    client_secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    scopes = forms.CharField(
        label=_("Scopes"),
        max_length=255,
        initial="openid email profile",
        help_text=_("Separated by spaces; openid is always requested."),
    )
    email_domains = forms.CharField(
        label=_("E-mail domains"),
        required=False,
        help_text=_(
            "People whose address ends in one of these domains sign in here, e.g. example.com, example.de"
        ),
    )
    default_role = forms.ChoiceField(label=_("Role of new members"), choices=Role.choices)
    default_department = forms.ModelChoiceField(
        label=_("Department of new members"), queryset=Department.objects.none(), required=False
    )
    group_claim = forms.CharField(
        label=_("Group claim"),
        required=False,
        max_length=100,
        help_text=_("The claim of the ID token that lists the person's groups, e.g. groups or roles."),
    )
    trust_unverified_email = forms.BooleanField(
        label=_("Accept e-mail addresses the provider does not mark as verified"),
        required=False,
        help_text=_("Needed for Microsoft Entra ID, which sends no email_verified claim."),
    )
    enforce = forms.BooleanField(
        label=_("Switch password logins off for this organisation"),
        required=False,
        help_text=_("Members then sign in only with single sign-on (except the people below)."),
    )
    break_glass_emails = forms.CharField(
        label=_("May still use their password"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Break-glass accounts, one e-mail address per line. Administrators with two-factor "
            "authentication may always use their password."
        ),
    )
    require_totp = forms.BooleanField(
        label=_("Require two-factor authentication for password logins"),
        required=False,
        help_text=_("Members without an authenticator app set one up at their next login."),
    )

    def __init__(
        self, *args: Any, organization: Organization, has_secret: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["default_department"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Department.objects.filter(organization=organization)
        self.fields["client_secret"].help_text = (
            _("A secret is stored (encrypted). Leave empty to keep it.")
            if has_secret
            else _("Stored encrypted; it is never shown again. Leave empty for a public client.")
        )

    def clean_email_domains(self) -> list[str]:
        domains = _split(self.cleaned_data.get("email_domains", ""))
        wrong = [d for d in domains if not _DOMAIN.match(d.lstrip("@"))]
        if wrong:
            raise forms.ValidationError(
                _("%(domains)s is not a domain. Write domains like example.com, separated by commas.")
                % {"domains": ", ".join(wrong)}
            )
        return sorted({d.lstrip("@") for d in domains})

    def clean_break_glass_emails(self) -> list[str]:
        addresses = _split(self.cleaned_data.get("break_glass_emails", ""))
        for address in addresses:
            try:
                validate_email(address)
            except forms.ValidationError:
                raise forms.ValidationError(
                    _("%(address)s is not an e-mail address.") % {"address": address}
                ) from None
        return sorted(set(addresses))

    def clean_scopes(self) -> str:
        scopes = self.cleaned_data.get("scopes", "").split()
        if "openid" not in scopes:
            scopes.insert(0, "openid")
        return " ".join(scopes)


class GroupMappingForm(Form):
    group = forms.CharField(label=_("Group"), max_length=255, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=[("", "—"), *Role.choices], required=False)
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Department.objects.filter(organization=organization)
        row = (
            str(int((self.prefix or "0").rsplit("-", 1)[-1]) + 1)
            if (self.prefix or "")[-1:].isdigit()
            else ""
        )
        for name, label in (
            ("group", _("Group")),
            ("role", _("Role")),
            ("department", _("Department")),
        ):
            self.fields[name].widget.attrs["aria-label"] = f"{label} {row}".strip()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("group") and not cleaned.get("role"):
            self.add_error("role", _("Choose the role this group gives."))
        return cleaned


GroupMappingFormSet = forms.formset_factory(GroupMappingForm, extra=3, can_delete=True)
