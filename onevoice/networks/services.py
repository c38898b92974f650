"""Writes to channels: connect, verify, pause, permissions, and publishing or deleting a post right away."""

from __future__ import annotations

import contextlib
import random
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from onevoice.core import audit
from onevoice.core.http import BlockedAddress
from onevoice.networks import notifications
from onevoice.networks.connectors.base import (
    AccountInfo,
    AuthExpired,
    Connector,
    ConnectorError,
    MediaItem,
    PublishRequest,
    PublishResult,
    RateLimited,
    Unconfirmed,
)
from onevoice.networks.models import (
    Access,
    Channel,
    ChannelPermission,
    ChannelPost,
    ChannelPostImage,
    Network,
)
from onevoice.networks.registry import connector_class, connector_for
from onevoice.organization.access import NotAllowed, has_channel_access
from onevoice.organization.models import Department, Membership
from onevoice.organization.roles import Capability


@dataclass(frozen=True)
class ImageUpload:
    content: bytes
    mime_type: str
    alt_text: str
    filename: str


def _when(moment: Any) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def explain(error: Exception, network_label: str) -> str:
    """A connector error in words for the person who clicked."""
    if isinstance(error, BlockedAddress):
        return _(
            "OneVoice does not connect to this address (internal or not allowed). Check the server address."
        )
    if isinstance(error, AuthExpired):
        return _(
            "%(network)s no longer accepts the login. Reconnect the channel with a new password or token."
        ) % {"network": network_label}
    if isinstance(error, RateLimited):
        return _("%(network)s asks to wait: rate limited until %(when)s.") % {
            "network": network_label,
            "when": _when(error.retry_after),
        }
    if isinstance(error, Unconfirmed):
        return _("%(network)s did not confirm whether the post went out. OneVoice checks and settles it.") % {
            "network": network_label
        }
    if isinstance(error, ConnectorError):
        if error.permanent:
            return _("%(network)s refused: %(reason)s") % {"network": network_label, "reason": error.message}
        return _(
            "%(network)s could not be reached or had a problem (%(reason)s). Try again in a few minutes."
        ) % {"network": network_label, "reason": error.message}
    return str(error)


def _check_department(member: Membership, department: Department | None) -> None:
    if department is not None and department.organization_id != member.organization_id:
        raise NotAllowed(Capability.MANAGE_CHANNELS)


def _verify_new(
    network: str, label: str, credentials: dict[str, Any], config: dict[str, Any]
) -> tuple[AccountInfo, dict[str, Any]]:
    """Log in once with the given credentials; returns the account and the credentials to keep."""
    kept: dict[str, Any] = dict(credentials)

    def remember(changed: dict[str, Any]) -> None:
        kept.clear()
        kept.update(changed)

    try:
        connector = connector_class(network)(
            credentials=credentials, config=config, on_credentials_changed=remember
        )
        account = connector.verify()
    except (ConnectorError, BlockedAddress) as error:
        raise ValidationError(explain(error, label)) from error
    return account, kept


def _apply_account(channel: Channel, account: AccountInfo) -> None:
    channel.handle = account.handle[:255]
    channel.external_account_id = account.external_id[:255]
    channel.display_name = account.display_name[:255]
    channel.avatar_url = account.avatar_url[:1000]
    channel.profile_url = account.profile_url[:1000]


@transaction.atomic
def _create_channel(
    *,
    actor: Membership,
    network: str,
    name: str,
    department: Department | None,
    config: dict[str, Any],
    credentials: dict[str, Any],
    account: AccountInfo | None,
) -> Channel:
    channel = Channel(
        organization=actor.organization,
        department=department,
        network=network,
        name=name.strip(),
        config=config,
        state=Channel.State.CONNECTED,
        last_verified_at=timezone.now(),
    )
    channel.set_credentials(credentials)
    if account is not None:
        _apply_account(channel, account)
    channel.save()
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="channel.connected",
        obj=channel,
        after=channel.snapshot(),
    )
    return channel


def channel_connect_bluesky(
    *,
    actor: Membership,
    name: str,
    department: Department | None,
    identifier: str,
    app_password: str,
    service: str,
) -> Channel:
    """Connect a Bluesky account with its handle and an app password; the login is checked first."""
    actor.require(Capability.MANAGE_CHANNELS)
    _check_department(actor, department)
    config = {"service": service.rstrip("/")}
    credentials = {"identifier": identifier.strip().lstrip("@"), "app_password": app_password.strip()}
    account, kept = _verify_new(Network.BLUESKY, "Bluesky", credentials, config)
    return _create_channel(
        actor=actor,
        network=Network.BLUESKY,
        name=name or account.handle,
        department=department,
        config=config,
        credentials=kept,
        account=account,
    )


def channel_connect_mastodon(
    *,
    actor: Membership,
    name: str,
    department: Department | None,
    instance_url: str,
    access_token: str,
    client: dict[str, str] | None = None,
) -> Channel:
    """Connect a Mastodon account with an access token (pasted, or from the OAuth flow)."""
    actor.require(Capability.MANAGE_CHANNELS)
    _check_department(actor, department)
    config: dict[str, Any] = {"instance_url": instance_url.rstrip("/")}
    credentials: dict[str, Any] = {"access_token": access_token.strip(), **(client or {})}
    account, kept = _verify_new(Network.MASTODON, "Mastodon", credentials, config)
    config["account_id"] = account.external_id
    # The instance's own limits (characters, media) replace Mastodon's defaults for this channel.
    mastodon = connector_class(Network.MASTODON)(credentials=kept, config=config)
    with contextlib.suppress(ConnectorError):
        config["limits"] = mastodon.instance_limits()  # type: ignore[attr-defined]
    return _create_channel(
        actor=actor,
        network=Network.MASTODON,
        name=name or account.handle,
        department=department,
        config=config,
        credentials=kept,
        account=account,
    )


def channel_create_newsroom(
    *, actor: Membership, name: str, department: Department | None, subtitle: str = ""
) -> Channel:
    """The organisation's own Atom feed, for the website, partners and feed readers."""
    actor.require(Capability.MANAGE_CHANNELS)
    _check_department(actor, department)
    with transaction.atomic():
        channel = _create_channel(
            actor=actor,
            network=Network.NEWSROOM,
            name=name,
            department=department,
            config={"title": name.strip(), "subtitle": subtitle.strip()},
            credentials={},
            account=None,
        )
        account = connector_for(channel).verify()
        _apply_account(channel, account)
        channel.save(
            update_fields=["handle", "external_account_id", "display_name", "avatar_url", "profile_url"]
        )
    return channel


@transaction.atomic
def channel_update(
    *, actor: Membership, channel: Channel, name: str, department: Department | None, require_alt_text: bool
) -> Channel:
    actor.require(Capability.MANAGE_CHANNELS)
    _check_department(actor, department)
    before = channel.snapshot()
    channel.name = name.strip()
    channel.department = department
    channel.require_alt_text = require_alt_text
    if channel.network == Network.NEWSROOM:
        channel.config = {**channel.config, "title": channel.name}
    channel.save(update_fields=["name", "department", "require_alt_text", "config", "updated_at"])
    audit.record(
        actor=actor.user,
        organization=channel.organization,
        verb="channel.updated",
        obj=channel,
        before=before,
        after=channel.snapshot(),
    )
    return channel


def channel_mark_reconnect(channel: Channel, reason: str, actor: Membership | None) -> None:
    with transaction.atomic():
        locked = Channel.objects.select_for_update().get(pk=channel.pk)
        was = locked.state
        locked.state = Channel.State.RECONNECT
        locked.state_reason = reason[:500]
        locked.save(update_fields=["state", "state_reason", "updated_at"])
        audit.record(
            actor=actor.user if actor else None,
            organization=channel.organization,
            verb="channel.needs_reconnect",
            obj=locked,
            before={"state": was},
            after={"state": locked.state, "reason": reason},
        )
        if was != Channel.State.RECONNECT:
            transaction.on_commit(lambda: notifications.notify_reconnect(channel.pk))
    channel.state, channel.state_reason = Channel.State.RECONNECT, reason[:500]


def channel_verify(*, actor: Membership | None, channel: Channel) -> AccountInfo:
    """Check the stored credentials; a channel whose login fails is marked 'reconnect' and its owners told."""
    if actor is not None:
        actor.require(Capability.MANAGE_CHANNELS)
    label = channel.get_network_display()
    try:
        account = connector_for(channel).verify()
    except AuthExpired as error:
        channel_mark_reconnect(channel, explain(error, label), actor)
        raise ValidationError(explain(error, label)) from error
    except (ConnectorError, BlockedAddress) as error:
        raise ValidationError(explain(error, label)) from error
    expires = channel_token_expiring(channel)
    if expires is not None and expires - timezone.now() < RECONNECT_AHEAD:
        reason = _(
            "The access to %(network)s runs out on %(when)s and the network does not renew it by itself. "
            "Connect the channel again before then."
        ) % {"network": label, "when": _when(expires)}
        channel_mark_reconnect(channel, reason, actor)
        return account
    _apply_account(channel, account)
    channel.last_verified_at = timezone.now()
    if channel.state == Channel.State.RECONNECT:
        channel.state, channel.state_reason = Channel.State.CONNECTED, ""
    channel.save(
        update_fields=[
            "handle",
            "external_account_id",
            "display_name",
            "avatar_url",
            "profile_url",
            "last_verified_at",
            "state",
            "state_reason",
            "updated_at",
        ]
    )
    return account


def channel_reconnect(*, actor: Membership, channel: Channel, credentials: dict[str, Any]) -> Channel:
    """Replace the credentials (new app password or token) after checking them."""
    actor.require(Capability.MANAGE_CHANNELS)
    merged = {**channel.credentials, **{k: v for k, v in credentials.items() if v}}
    for stale in ("access_jwt", "refresh_jwt", "session"):
        merged.pop(stale, None)
    account, kept = _verify_new(channel.network, channel.get_network_display(), merged, channel.config)
    if (
        account.external_id
        and channel.external_account_id
        and account.external_id != channel.external_account_id
    ):
        raise ValidationError(
            _(
                "These credentials belong to another account (%(handle)s). Connect it as a new channel instead."
            )
            % {"handle": account.handle}
        )
    with transaction.atomic():
        channel.set_credentials(kept)
        _apply_account(channel, account)
        before = channel.state
        channel.state, channel.state_reason, channel.last_verified_at = (
            Channel.State.CONNECTED,
            "",
            timezone.now(),
        )
        channel.save()
        audit.record(
            actor=actor.user,
            organization=channel.organization,
            verb="channel.reconnected",
            obj=channel,
            before={"state": before},
            after={"state": channel.state},
        )
        _release_publications(channel)
    return channel


@transaction.atomic
def channel_set_paused(*, actor: Membership, channel: Channel, paused: bool) -> Channel:
    actor.require(Capability.MANAGE_CHANNELS)
    before = channel.state
    channel.state = Channel.State.PAUSED if paused else Channel.State.CONNECTED
    channel.save(update_fields=["state", "updated_at"])
    audit.record(
        actor=actor.user,
        organization=channel.organization,
        verb="channel.paused" if paused else "channel.resumed",
        obj=channel,
        before={"state": before},
        after={"state": channel.state},
    )
    if not paused:
        _release_publications(channel)
    return channel


def _release_publications(channel: Channel) -> None:
    """Scheduled posts held while the channel was paused or disconnected: on their way, or to a person."""
    from onevoice.publishing.services import channel_released

    transaction.on_commit(lambda: channel_released(channel))


@transaction.atomic
def channel_disconnect(*, actor: Membership, channel: Channel) -> None:
    """Remove the channel and its credentials; posts on the network stay where they are."""
    actor.require(Capability.MANAGE_CHANNELS)
    audit.record(
        actor=actor.user,
        organization=channel.organization,
        verb="channel.disconnected",
        obj=channel,
        before=channel.snapshot(),
    )
    channel.delete()


@transaction.atomic
def channel_set_access(*, actor: Membership, channel: Channel, membership: Membership, access: str) -> None:
    """Set one person's access level on one channel; empty means 'as their role says'."""
    actor.require(Capability.MANAGE_CHANNELS)
    if (
        membership.organization_id != channel.organization_id
        or channel.organization_id != actor.organization_id
    ):
        raise NotAllowed(Capability.MANAGE_CHANNELS)
    current = ChannelPermission.objects.filter(channel=channel, membership=membership).first()
    before = current.access if current else ""
    if before == access:
        return
    if access:
        Access(access)  # refuse unknown levels
        ChannelPermission.objects.update_or_create(
            channel=channel, membership=membership, defaults={"access": access}
        )
    elif current is not None:
        current.delete()
    audit.record(
        actor=actor.user,
        organization=channel.organization,
        verb="channel.access_changed",
        obj=channel,
        before={"person": membership.user.email, "access": before or "role"},
        after={"person": membership.user.email, "access": access or "role"},
    )


# ---- publishing right away --------------------------------------------------------------------------


def _request_for(post: ChannelPost) -> PublishRequest:
    media = [
        MediaItem(
            content=image.file.read(),
            mime_type=image.mime_type,
            alt_text=image.alt_text,
            filename=str(image.file.name).rsplit("/", 1)[-1],
        )
        for image in post.images.all()
    ]
    return PublishRequest(text=post.text, media=media, language=post.language, link=post.link)


def post_check(
    *, channel: Channel, text: str, language: str, link: str, images: Sequence[ImageUpload]
) -> list[str]:
    """What the network would refuse, in words, before anything is sent."""
    request = PublishRequest(
        text=text,
        language=language,
        link=link,
        media=[MediaItem(i.content, i.mime_type, i.alt_text, i.filename) for i in images],
    )
    connector = connector_class(channel.network)
    instance = connector(
        credentials={}, config={**channel.config, "channel_public_id": str(channel.public_id)}
    )
    return [p.message for p in instance.check(request, require_alt_text=channel.require_alt_text)]


def post_publish_now(
    *,
    actor: Membership,
    channel: Channel,
    text: str,
    language: str = "",
    link: str = "",
    images: Sequence[ImageUpload] = (),
) -> ChannelPost:
    """Publish on the channel now. The post is saved first, so nothing typed is lost if the network fails."""
    if not has_channel_access(actor, channel, Access.PUBLISH):
        raise NotAllowed(Capability.PUBLISH)
    if channel.state != Channel.State.CONNECTED:
        raise ValidationError(
            _("The channel is %(state)s; publishing is not possible until it is connected again.")
            % {"state": channel.get_state_display()}
        )
    problems = post_check(channel=channel, text=text, language=language, link=link, images=images)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        post = ChannelPost.objects.create(
            channel=channel,
            author=actor,
            text=text,
            language=language,
            link=link,
            idempotency_key=uuid.uuid4().hex,
            state=ChannelPost.State.PUBLISHING,
        )
        for position, image in enumerate(images):
            ChannelPostImage.objects.create(
                post=post,
                file=ContentFile(image.content, name=image.filename),
                mime_type=image.mime_type,
                alt_text=image.alt_text,
                position=position,
            )
        audit.record(
            actor=actor.user,
            organization=channel.organization,
            verb="post.publish_requested",
            obj=post,
            after={"channel": channel.name, "text": text[:500]},
        )
    return _publish(post, actor=actor)


def post_retry(*, actor: Membership, post: ChannelPost) -> ChannelPost:
    """Try a failed, rate-limited or unconfirmed post again, with the same idempotency key."""
    if not has_channel_access(actor, post.channel, Access.PUBLISH):
        raise NotAllowed(Capability.PUBLISH)
    claimed = ChannelPost.objects.filter(
        pk=post.pk,
        state__in=[ChannelPost.State.FAILED, ChannelPost.State.RATE_LIMITED, ChannelPost.State.UNCONFIRMED],
    ).update(state=ChannelPost.State.PUBLISHING, error="")
    if not claimed:
        raise ValidationError(_("This post is not waiting for a retry."))
    post.refresh_from_db()
    return _publish(post, actor=actor)


def _publish(post: ChannelPost, *, actor: Membership) -> ChannelPost:
    channel = post.channel
    connector = connector_for(channel)
    label = channel.get_network_display()
    request = _request_for(post)
    try:
        result = _publish_with_backoff(connector, request, post.idempotency_key)
    except Unconfirmed as error:
        # Never retry blindly: look the post up under its key first.
        try:
            found = connector.find_published(
                idempotency_key=post.idempotency_key,
                request=request,
                not_before=post.created_at - timedelta(minutes=1),
            )
        except (ConnectorError, NotImplementedError):
            found = None
        if found is None:
            return _settle(post, ChannelPost.State.UNCONFIRMED, explain(error, label), actor)
        result = found
    except RateLimited as error:
        post.retry_after = error.retry_after.astimezone(UTC)
        return _settle(post, ChannelPost.State.RATE_LIMITED, explain(error, label), actor)
    except AuthExpired as error:
        channel_mark_reconnect(channel, explain(error, label), actor)
        return _settle(post, ChannelPost.State.FAILED, explain(error, label), actor)
    except (ConnectorError, BlockedAddress) as error:
        return _settle(post, ChannelPost.State.FAILED, explain(error, label), actor)
    post.external_id = result.external_id
    post.url = result.url
    post.published_at = result.published_at or timezone.now()
    return _settle(post, ChannelPost.State.PUBLISHED, "", actor)


# A person is waiting for the answer: a few short tries, not the worker's long backoff.
TRANSIENT_RETRY_DELAYS = (0.5, 1.5)


def _publish_with_backoff(connector: Connector, request: PublishRequest, key: str) -> PublishResult:
    """Publish; a transient failure (5xx, connection) is tried again with backoff and jitter.

    Safe because the idempotency key makes a repeated call land on the same post; an Unconfirmed
    outcome is never retried here (the caller looks the post up instead).
    """
    for delay in (*TRANSIENT_RETRY_DELAYS, None):
        try:
            return connector.publish(request, idempotency_key=key)
        except (Unconfirmed, RateLimited, AuthExpired):
            raise
        except ConnectorError as error:
            if error.permanent or delay is None:
                raise
            time.sleep(delay * random.uniform(0.8, 1.2))
    raise AssertionError("unreachable")


def _settle(post: ChannelPost, state: str, error: str, actor: Membership) -> ChannelPost:
    with transaction.atomic():
        post.state = state
        post.error = error[:1000]
        post.save(
            update_fields=[
                "state",
                "error",
                "retry_after",
                "external_id",
                "url",
                "published_at",
                "updated_at",
            ]
        )
        audit.record(
            actor=actor.user,
            organization=post.channel.organization,
            verb="post.published" if state == ChannelPost.State.PUBLISHED else "post.publish_failed",
            obj=post,
            after={"state": state, "url": post.url, "error": error},
        )
    return post


def post_delete(*, actor: Membership, post: ChannelPost) -> ChannelPost:
    """Delete the post on the network and mark it deleted here."""
    if not has_channel_access(actor, post.channel, Access.PUBLISH):
        raise NotAllowed(Capability.PUBLISH)
    if post.state != ChannelPost.State.PUBLISHED:
        raise ValidationError(_("Only a published post can be deleted."))
    label = post.channel.get_network_display()
    try:
        connector_for(post.channel).delete(post.external_id)
    except AuthExpired as error:
        channel_mark_reconnect(post.channel, explain(error, label), actor)
        raise ValidationError(explain(error, label)) from error
    except (ConnectorError, BlockedAddress) as error:
        raise ValidationError(explain(error, label)) from error
    with transaction.atomic():
        post.state = ChannelPost.State.DELETED
        post.deleted_at = timezone.now()
        post.save(update_fields=["state", "deleted_at", "updated_at"])
        audit.record(
            actor=actor.user,
            organization=post.channel.organization,
            verb="post.deleted",
            obj=post,
            before={"url": post.url},
        )
    return post


# ---- app registrations and OAuth channels ------------------------------------------------------------


def app_registration_save(
    *, actor: Membership, network: str, client_id: str, client_secret: str, api_version: str
) -> Any:
    """Create or update the organisation's app on a network; an empty secret keeps the stored one."""
    from onevoice.networks.models import AppRegistration

    actor.require(Capability.MANAGE_SETTINGS)
    with transaction.atomic():
        registration = (
            AppRegistration.objects.select_for_update()
            .filter(organization=actor.organization, network=network)
            .first()
        )
        before = registration.snapshot() if registration else None
        if registration is None:
            registration = AppRegistration(organization=actor.organization, network=network)
        registration.client_id = client_id.strip()
        registration.api_version = api_version.strip()
        if client_secret.strip():
            registration.set_client_secret(client_secret.strip())
        registration.save()
        audit.record(
            actor=actor.user,
            organization=actor.organization,
            verb="app_registration.saved",
            obj=registration,
            before=before,
            after={**registration.snapshot(), "secret_changed": bool(client_secret.strip())},
        )
    return registration


@transaction.atomic
def app_registration_remove(*, actor: Membership, registration: Any) -> None:
    actor.require(Capability.MANAGE_SETTINGS)
    if registration.organization_id != actor.organization_id:
        raise NotAllowed(Capability.MANAGE_SETTINGS)
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="app_registration.removed",
        obj=registration,
        before=registration.snapshot(),
    )
    registration.delete()


def channel_connect_oauth(
    *, actor: Membership, network: str, name: str, department: Department | None, choice: Any
) -> Channel:
    """Connect an account a network's OAuth sign-in opened (a page, profile or account); checked first."""
    actor.require(Capability.MANAGE_CHANNELS)
    _check_department(actor, department)
    label = dict(Network.choices).get(network, network)
    account, kept = _verify_new(network, str(label), choice.credentials, choice.config)
    return _create_channel(
        actor=actor,
        network=network,
        name=name or account.display_name or account.handle,
        department=department,
        config=dict(choice.config),
        credentials=kept,
        account=account,
    )


# Tokens that cannot be refreshed (LinkedIn without a refresh token, Facebook user tokens): the channel
# asks for a new sign-in this long before they run out, so no post fails on the day.
RECONNECT_AHEAD = timedelta(days=7)


def channel_token_expiring(channel: Channel) -> Any:
    """When a channel's token runs out and cannot be renewed by itself; None when that is not a concern."""
    credentials = channel.credentials
    expires_at = int(credentials.get("expires_at") or 0)
    connector = connector_for(channel)
    renewable = getattr(connector, "can_refresh", None)
    if not expires_at or (renewable is not None and renewable()):
        return None
    from datetime import datetime

    return datetime.fromtimestamp(expires_at, tz=UTC)
