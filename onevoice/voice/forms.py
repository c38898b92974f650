"""Forms of the voice rules: one form per kind of rule, its parameters as friendly fields (one term per line,
"Kunden => Kund*innen" per line), and the small forms of the composer."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onevoice.core.forms import Form, style_form
from onevoice.networks.models import Channel
from onevoice.organization.models import Department, Membership
from onevoice.planning.models import Campaign
from onevoice.voice.checker import RuleKind
from onevoice.voice.models import VoiceRule

LINES = forms.Textarea(attrs={"rows": 4})


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


class LinesField(forms.CharField):
    """A list of words or phrases, one per line."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", LINES)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list | tuple) else value


# The parameter fields of each kind; the checker's `validate` has the last word on their values.
def _kind_fields(kind: RuleKind) -> dict[str, forms.Field]:
    if kind == RuleKind.ADDRESS:
        return {
            "form": forms.ChoiceField(
                label=gettext_lazy("Form of address"),
                choices=[("sie", gettext_lazy("Sie (formal)")), ("du", gettext_lazy("du (informal)"))],
            )
        }
    if kind == RuleKind.FORBIDDEN_TERMS:
        return {
            "terms": LinesField(
                label=gettext_lazy("Forbidden terms"), help_text=gettext_lazy("One term or phrase per line.")
            ),
            "exceptions": LinesField(
                label=gettext_lazy("Allowed exceptions"),
                help_text=gettext_lazy("One per line, e.g. “Kundenservice” when “Kunde” is forbidden."),
            ),
        }
    if kind == RuleKind.PREFERRED_TERMS:
        return {
            "replacements": LinesField(
                label=gettext_lazy("Replacements"),
                help_text=gettext_lazy("One per line: found => preferred, e.g. Kunden => Kund*innen."),
            )
        }
    if kind == RuleKind.DISCLOSURE:
        return {
            "markers": LinesField(
                label=gettext_lazy("Markers"),
                help_text=gettext_lazy("A paid partnership must carry one of these, e.g. Anzeige, Werbung."),
            )
        }
    if kind == RuleKind.REQUIRED_HASHTAGS:
        return {
            "hashtags": LinesField(label=gettext_lazy("Hashtags"), help_text=gettext_lazy("One per line.")),
            "mode": forms.ChoiceField(
                label=gettext_lazy("Needed"),
                choices=[("all", gettext_lazy("all of them")), ("any", gettext_lazy("at least one"))],
            ),
        }
    if kind == RuleKind.TRACKING_LINK:
        return {
            "parameters": LinesField(
                label=gettext_lazy("Tracking parameters"),
                help_text=gettext_lazy("One per line, e.g. utm_source."),
            )
        }
    if kind in (RuleKind.HASHTAG_LIMIT, RuleKind.EMOJI):
        label = (
            gettext_lazy("At most this many hashtags")
            if kind == RuleKind.HASHTAG_LIMIT
            else gettext_lazy("At most this many emoji (0: none)")
        )
        return {
            "max": forms.IntegerField(
                label=label,
                min_value=0,
                max_value=100,
                error_messages={"invalid": gettext_lazy("Enter a whole number.")},
            )
        }
    if kind == RuleKind.SENSITIVE:
        return {
            "terms": LinesField(
                label=gettext_lazy("Sensitive terms"),
                help_text=gettext_lazy("One per line: competitors, recalls, anything that needs the SMM."),
            ),
            "label": forms.CharField(
                label=gettext_lazy("What they are"),
                required=False,
                max_length=80,
                help_text=gettext_lazy("E.g. “Wettbewerber”; shown in the finding."),
            ),
        }
    return {}  # ALT_TEXT, LANGUAGE: nothing to set


class RuleForm(Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    severity = forms.ChoiceField(
        label=gettext_lazy("When it is broken"),
        choices=[
            ("block", gettext_lazy("Block: the post cannot be submitted")),
            ("warn", gettext_lazy("Warn only")),
        ],
        widget=forms.RadioSelect,
        initial="warn",
    )
    scope = forms.ChoiceField(label=gettext_lazy("Applies to"), required=False)
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def __init__(self, *args: Any, member: Membership, kind: RuleKind, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.member = member
        org = member.organization
        self.scopes: dict[str, Any] = {"": None}
        choices: list[tuple[str, Any]] = [("", _("the whole organisation"))]
        for prefix, label, model in (
            ("department", _("Department: %(name)s"), Department),
            ("channel", _("Channel: %(name)s"), Channel),
            ("campaign", _("Campaign: %(name)s"), Campaign),
        ):
            for item in model._default_manager.filter(organization=org):
                key = f"{prefix}:{item.public_id}"
                self.scopes[key] = item
                choices.append((key, label % {"name": item.name}))
        self.fields["scope"].choices = choices  # type: ignore[attr-defined]
        self.param_names = list(_kind_fields(kind))
        for name, field in _kind_fields(kind).items():
            self.fields[f"p_{name}"] = field
        if kind == RuleKind.SENSITIVE:
            # A sensitive mention asks for an extra approval; it does not block on its own.
            self.fields["severity"].initial = "warn"
        style_form(self)

    def param_fields(self) -> list[forms.BoundField]:
        return [self[f"p_{name}"] for name in self.param_names]

    def base_fields_bound(self) -> list[forms.BoundField]:
        return [self[name] for name in ("name", "severity", "scope", "active")]

    def clean_p_replacements(self) -> dict[str, str]:
        pairs: dict[str, str] = {}
        for line in _lines(self.cleaned_data.get("p_replacements", "")):
            found, arrow, preferred = line.partition("=>")
            if not arrow or not found.strip() or not preferred.strip():
                raise forms.ValidationError(
                    _("Write each replacement as found => preferred; “%(line)s” is not.") % {"line": line}
                )
            pairs[found.strip()] = preferred.strip()
        return pairs

    def params(self) -> dict[str, Any]:
        """The rule's parameters as the checker takes them."""
        data = self.cleaned_data
        params: dict[str, Any] = {}
        for name in self.param_names:
            value = data.get(f"p_{name}")
            if isinstance(self.fields[f"p_{name}"], LinesField) and not isinstance(value, dict):
                value = _lines(value or "")
            params[name] = value
        if self.kind == RuleKind.FORBIDDEN_TERMS and not params.get("exceptions"):
            params["exceptions"] = []
        if self.kind == RuleKind.SENSITIVE and not params.get("label"):
            params.pop("label", None)
        return params

    def scope_objects(self) -> dict[str, Any]:
        scope: dict[str, Any] = {"department": None, "channel": None, "campaign": None}
        key = self.cleaned_data.get("scope") or ""
        target = self.scopes.get(key)
        if target is not None:
            scope[key.partition(":")[0]] = target
        return scope


def rule_initial(rule: VoiceRule) -> dict[str, Any]:
    target = rule.scope_target
    initial: dict[str, Any] = {
        "name": rule.name,
        "severity": rule.severity,
        "active": rule.active,
        "scope": f"{rule.scope_kind}:{target.public_id}" if target is not None else "",
    }
    for name, value in rule.params.items():
        if name == "replacements" and isinstance(value, dict):
            value = "\n".join(f"{k} => {v}" for k, v in value.items())
        elif isinstance(value, list):
            value = "\n".join(str(v) for v in value)
        initial[f"p_{name}"] = value
    return initial


class OverrideForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ImpressumForm(Form):
    impressum_url = forms.CharField(
        label=gettext_lazy("Address of the Impressum"),
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )


class CheckForm(forms.Form):
    """What the composer sends while someone types: the text, its language and link."""

    text = forms.CharField(required=False, strip=False, max_length=20000)
    language = forms.CharField(required=False, max_length=12)
    link = forms.CharField(required=False, max_length=2000)
