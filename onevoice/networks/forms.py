from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onevoice.core.forms import Form, style_form
from onevoice.organization.models import Department, Organization

LANGUAGES = [("de", _("German")), ("en", _("English")), ("", _("not set"))]
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")


class ChannelBaseForm(Form):
    name = forms.CharField(
        label=_("Channel name"),
        max_length=80,
        required=False,
        help_text=_("How the channel is called in OneVoice, e.g. “Bluesky Karriere”."),
    )
    department = forms.ModelChoiceField(
        label=_("Owning department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("— the whole organisation —"),
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(organization=organization)  # type: ignore[attr-defined]


class BlueskyConnectForm(ChannelBaseForm):
    identifier = forms.CharField(
        label=_("Handle"), max_length=253, help_text=_("e.g. muster-gmbh.bsky.social or your own domain")
    )
    app_password = forms.CharField(
        label=_("App password"),
        max_length=200,
        widget=forms.PasswordInput(render_value=True),
        help_text=_(
            "Create one in Bluesky under Settings → Privacy and security → App passwords. "
            "Never use the account's main password."
        ),
    )
    service = forms.URLField(
        label=_("Server (PDS)"),
        initial="https://bsky.social",
        assume_scheme="https",
        help_text=_("Leave as it is unless the account lives on its own PDS."),
    )
    field_order = ["identifier", "app_password", "name", "department", "service"]


class MastodonConnectForm(ChannelBaseForm):
    instance_url = forms.URLField(
        label=_("Instance"),
        assume_scheme="https",
        help_text=_("The server the account lives on, e.g. https://mastodon.social"),
    )
    access_token = forms.CharField(
        label=_("Access token"),
        max_length=500,
        required=False,
        widget=forms.PasswordInput(render_value=True),
        help_text=_(
            "Optional: paste a token from Preferences → Development. Leave empty to sign in with "
            "Mastodon instead."
        ),
    )
    field_order = ["instance_url", "access_token", "name", "department"]


class NewsroomForm(ChannelBaseForm):
    subtitle = forms.CharField(label=_("Subtitle"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True
        self.fields["name"].help_text = _("The feed's title, e.g. “Muster GmbH Newsroom”.")


class ChannelSettingsForm(ChannelBaseForm):
    require_alt_text = forms.BooleanField(
        label=_("Images need alt text"),
        required=False,
        help_text=_("Refuse images without a description (accessibility, BFSG)."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True


class ReconnectForm(Form):
    secret = forms.CharField(
        label=_("New app password or access token"), max_length=500, widget=forms.PasswordInput
    )


class ComposerForm(Form):
    """Text, language, a link and up to four images, each with its alt text."""

    text = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGES, required=False, initial="de")
    link = forms.URLField(label=_("Link for a link card"), required=False, assume_scheme="https")
    MAX_SLOTS = 4

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(self.MAX_SLOTS):
            self.fields[f"image_{i}"] = forms.FileField(
                label=_("Image %(n)s") % {"n": i + 1},
                required=False,
                widget=forms.ClearableFileInput(attrs={"accept": ",".join(IMAGE_TYPES)}),
            )
            self.fields[f"alt_{i}"] = forms.CharField(
                label=_("Alt text of image %(n)s") % {"n": i + 1},
                required=False,
                max_length=2000,
                widget=forms.TextInput(
                    attrs={"placeholder": _("Describe the image for people who cannot see it")}
                ),
            )
        style_form(self)

    def image_slots(self) -> list[dict[str, Any]]:
        return [{"file": self[f"image_{i}"], "alt": self[f"alt_{i}"]} for i in range(self.MAX_SLOTS)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for i in range(self.MAX_SLOTS):
            upload = cleaned.get(f"image_{i}")
            if not upload:
                continue
            mime = sniff_image(upload)
            if mime is None:
                self.add_error(f"image_{i}", _("Only JPEG, PNG, GIF and WebP images can be attached."))
            else:
                upload.sniffed_type = mime
        return cleaned


PILLOW_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}


def sniff_image(upload: Any) -> str | None:
    """The real type of an uploaded image, read from its bytes (the browser's claim is not trusted)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(upload) as image:
            image.verify()
            found = PILLOW_FORMATS.get(image.format or "")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    finally:
        upload.seek(0)
    return found


class AppRegistrationForm(Form):
    """The organisation's own developer app on one network; an empty secret keeps the stored one."""

    client_id = forms.CharField(label=_("Client id (app id)"), max_length=255)
    client_secret = forms.CharField(
        label=_("Client secret (app secret)"),
        max_length=500,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    api_version = forms.CharField(label=_("API version"), max_length=20, required=False)

    def __init__(self, *args: Any, has_secret: bool, default_version: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.has_secret = has_secret
        self.fields["client_secret"].help_text = (
            _("A secret is stored (encrypted). Leave empty to keep it.")
            if has_secret
            else _("Stored encrypted; it is never shown again.")
        )
        if default_version:
            self.fields["api_version"].help_text = _(
                "Empty: OneVoice's default, currently %(version)s. Pin a version only when you have a reason."
            ) % {"version": default_version}
            self.fields["api_version"].widget.attrs["placeholder"] = default_version
        else:
            self.fields["api_version"].disabled = True
            self.fields["api_version"].help_text = _("This network does not version its API.")

    def clean_client_id(self) -> str:
        return str(self.cleaned_data["client_id"]).strip()

    def clean_client_secret(self) -> str:
        secret = str(self.cleaned_data.get("client_secret") or "").strip()
        if not secret and not self.has_secret:
            raise forms.ValidationError(_("Enter the client secret of the app."))
        return secret

    def clean_api_version(self) -> str:
        import re

        version = str(self.cleaned_data.get("api_version") or "").strip()
        if version and not re.fullmatch(r"(v\d{1,2}\.\d|\d{6}(\.\d{2})?)", version):
            raise forms.ValidationError(
                _("Enter a version like 202610 (LinkedIn) or v24.0 (Facebook, Instagram), or leave it empty.")
            )
        return version


class OAuthConnectForm(ChannelBaseForm):
    """Name and department of the channel to be; the account itself is chosen at the network."""

    kind = forms.ChoiceField(label=_("What to connect"), required=False, widget=forms.RadioSelect)

    def __init__(self, *args: Any, kinds: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if len(kinds) > 1:
            self.fields["kind"].choices = kinds  # type: ignore[attr-defined]
            self.fields["kind"].required = True
            self.fields["kind"].initial = kinds[0][0]
        else:
            del self.fields["kind"]
        self.fields["name"].help_text = _("Leave empty to use the account's name.")
