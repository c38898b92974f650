from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from onevoice.networks import crypto
from onevoice.organization.models import Department, Membership, Organization


class Network(models.TextChoices):
    BLUESKY = "bluesky", "Bluesky"
    MASTODON = "mastodon", "Mastodon"
    NEWSROOM = "newsroom", _("Newsroom feed")
    LINKEDIN = "linkedin", "LinkedIn"
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    THREADS = "threads", "Threads"
    X = "x", "X"


class Channel(models.Model):
    """One connected account of the organisation on one network (or its own newsroom feed)."""

    class State(models.TextChoices):
        CONNECTED = "connected", _("Connected")
        RECONNECT = "reconnect", _("Needs reconnect")
        PAUSED = "paused", _("Paused")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="channels")
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="channels",
        verbose_name=_("owning department"),
    )
    network = models.CharField(_("network"), max_length=20, choices=Network.choices)
    name = models.CharField(_("name"), max_length=80)
    handle = models.CharField(_("handle"), max_length=255, blank=True)
    external_account_id = models.CharField(max_length=255, blank=True)
    display_name = models.CharField(max_length=255, blank=True)
    avatar_url = models.URLField(max_length=1000, blank=True)
    profile_url = models.URLField(max_length=1000, blank=True)
    # Network settings that are not secret: the PDS or instance URL, an app's client id, limits read.
    config = models.JSONField(default=dict, blank=True)
    credentials_encrypted = models.TextField(blank=True)
    require_alt_text = models.BooleanField(
        _("images need alt text"),
        default=True,
        help_text=_("Refuse images without a description (accessibility, BFSG)."),
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.CONNECTED)
    state_reason = models.CharField(max_length=500, blank=True)
    last_verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")

    def __str__(self) -> str:
        return self.name

    @property
    def credentials(self) -> dict[str, Any]:
        return crypto.decrypt(self.credentials_encrypted)

    def set_credentials(self, credentials: dict[str, Any]) -> None:
        self.credentials_encrypted = crypto.encrypt(credentials)

    def snapshot(self) -> dict[str, Any]:
        # Never the credentials: the audit log must not become a copy of the secrets.
        return {
            "name": self.name,
            "network": self.network,
            "handle": self.handle,
            "department": self.department.name if self.department else None,
            "state": self.state,
            "require_alt_text": self.require_alt_text,
        }


class Access(models.TextChoices):
    """What one person may do on one channel, from least to most."""

    NONE = "none", _("No access")
    READ = "read", _("Read")
    DRAFT = "draft", _("Draft only")
    NEEDS_APPROVAL = "needs_approval", _("Needs approval")
    REPLY = "reply", _("Can reply")
    PUBLISH = "publish", _("Can publish")


ACCESS_ORDER = [Access.NONE, Access.READ, Access.DRAFT, Access.NEEDS_APPROVAL, Access.REPLY, Access.PUBLISH]


class ChannelPermission(models.Model):
    """An explicit access level for one person on one channel; without one, the role decides."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="permissions")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="channel_permissions")
    access = models.CharField(_("access"), max_length=20, choices=Access.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "membership"], name="channel_permission_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} → {self.access}"


class ChannelPost(models.Model):
    """A post published directly from a channel's page (the editorial plan builds on the same connectors)."""

    class State(models.TextChoices):
        PUBLISHING = "publishing", _("Publishing")
        PUBLISHED = "published", _("Published")
        FAILED = "failed", _("Failed")
        RATE_LIMITED = "rate_limited", _("Rate limited")
        UNCONFIRMED = "unconfirmed", _("Unconfirmed")
        DELETED = "deleted", _("Deleted")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("text"), blank=True)
    language = models.CharField(_("language"), max_length=12, blank=True)
    link = models.URLField(_("link"), max_length=2000, blank=True)
    # The key the network sees: a retry with it lands on the same post instead of a second one.
    idempotency_key = models.CharField(max_length=64, unique=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PUBLISHING)
    error = models.CharField(max_length=1000, blank=True)
    retry_after = models.DateTimeField(null=True, blank=True)
    external_id = models.CharField(max_length=500, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["channel", "-created_at"])]

    def __str__(self) -> str:
        return (self.text[:60] + "…") if len(self.text) > 60 else self.text


def _image_path(instance: ChannelPostImage, filename: str) -> str:
    return f"posts/{instance.post.channel.organization.public_id}/{uuid.uuid4().hex}-{filename[-60:]}"


class ChannelPostImage(models.Model):
    post = models.ForeignKey(ChannelPost, on_delete=models.CASCADE, related_name="images")
    file = models.FileField(upload_to=_image_path)
    mime_type = models.CharField(max_length=50)
    alt_text = models.TextField(_("alt text"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.alt_text[:60] or str(self.file.name)


class AppRegistration(models.Model):
    """The organisation's own developer app on a network (client id + secret) that its OAuth sign-ins use.

    A self-hosted install registers its own app with each network: nobody else's client id is built in.
    The secret is encrypted at rest like a channel's credentials; the API version is pinned here.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="app_registrations")
    network = models.CharField(_("network"), max_length=20, choices=Network.choices)
    client_id = models.CharField(_("client id"), max_length=255)
    client_secret_encrypted = models.TextField(blank=True)
    # Empty: the connector's default version; otherwise e.g. "202601" (LinkedIn) or "v24.0" (Graph API).
    api_version = models.CharField(_("API version"), max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["network"]
        verbose_name = _("app registration")
        verbose_name_plural = _("app registrations")
        constraints = [
            models.UniqueConstraint(fields=["organization", "network"], name="app_registration_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.network}: {self.client_id}"

    @property
    def client_secret(self) -> str:
        return str(crypto.decrypt(self.client_secret_encrypted).get("client_secret", ""))

    def set_client_secret(self, secret: str) -> None:
        self.client_secret_encrypted = crypto.encrypt({"client_secret": secret})

    def snapshot(self) -> dict[str, Any]:
        # Never the secret.
        return {"network": self.network, "client_id": self.client_id, "api_version": self.api_version}
