from __future__ import annotations

import secrets
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onevoice.networks import services
from onevoice.networks.connectors.base import ConnectorError
from onevoice.networks.forms import (
    BlueskyConnectForm,
    ChannelSettingsForm,
    ComposerForm,
    MastodonConnectForm,
    NewsroomForm,
    ReconnectForm,
)
from onevoice.networks.models import ACCESS_ORDER, Access, ChannelPermission, ChannelPost, Network
from onevoice.networks.oauth import OAUTH_NETWORKS
from onevoice.networks.oauth_views import api_version_notice
from onevoice.networks.registry import connector_class
from onevoice.organization.access import (
    access_channel,
    access_channel_post,
    access_membership,
    channel_access_level,
    membership_for,
    visible_channels,
)
from onevoice.organization.roles import Capability
from onevoice.organization.selectors import members_of
from onevoice.organization.shortcuts import render_for_member

C = Capability


@login_required
def channels(request: HttpRequest, org: str) -> HttpResponse:
    member = membership_for(request.user, org, need=C.VIEW_PLAN)
    rows = visible_channels(member)
    return render_for_member(request, member, "networks/channels.html", {"rows": rows})


@login_required
def connect(request: HttpRequest, org: str) -> HttpResponse:
    member = membership_for(request.user, org, need=C.MANAGE_CHANNELS)
    from onevoice.networks.oauth_views import connect_choices

    return render_for_member(
        request,
        member,
        "networks/connect.html",
        {"oauth_networks": connect_choices(member), "can_set_up_apps": member.can(C.MANAGE_SETTINGS)},
    )


def _connected(request: HttpRequest, org: str, channel: Any) -> HttpResponse:
    messages.success(request, _("“%(name)s” is connected.") % {"name": channel.name})
    return redirect("networks:channel", org, channel.public_id)


@login_required
def connect_bluesky(request: HttpRequest, org: str) -> HttpResponse:
    member = membership_for(request.user, org, need=C.MANAGE_CHANNELS)
    form = BlueskyConnectForm(request.POST or None, organization=member.organization)
    if request.method == "POST" and form.is_valid():
        try:
            channel = services.channel_connect_bluesky(actor=member, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _connected(request, org, channel)
    status = 400 if request.method == "POST" else 200
    return render_for_member(
        request,
        member,
        "networks/connect_form.html",
        {"form": form, "network": "Bluesky", "icon": "bi-cloud"},
        status=status,
    )


OAUTH_SESSION_KEY = "mastodon_oauth"


@login_required
def connect_mastodon(request: HttpRequest, org: str) -> HttpResponse:
    member = membership_for(request.user, org, need=C.MANAGE_CHANNELS)
    form = MastodonConnectForm(request.POST or None, organization=member.organization)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["access_token"]:
            try:
                channel = services.channel_connect_mastodon(
                    actor=member,
                    name=data["name"],
                    department=data["department"],
                    instance_url=data["instance_url"],
                    access_token=data["access_token"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return _connected(request, org, channel)
        else:
            try:
                return redirect(_start_mastodon_oauth(request, org, data))
            except (ConnectorError, ValueError) as error:
                form.add_error(None, services.explain(error, "Mastodon"))
    status = 400 if request.method == "POST" else 200
    return render_for_member(
        request,
        member,
        "networks/connect_form.html",
        {"form": form, "network": "Mastodon", "icon": "bi-mastodon", "oauth": True},
        status=status,
    )


def _callback_url(org: str) -> str:
    return settings.BASE_URL + reverse("networks:mastodon-callback", args=[org])


def _start_mastodon_oauth(request: HttpRequest, org: str, data: dict[str, Any]) -> str:
    from onevoice.core.http import BlockedAddress
    from onevoice.networks.connectors.mastodon import oauth

    instance = data["instance_url"].rstrip("/")
    try:
        client_id, client_secret = oauth.register_app(instance, _callback_url(org))
    except BlockedAddress as error:
        raise ValueError(str(error)) from error
    state = secrets.token_urlsafe(24)
    request.session[OAUTH_SESSION_KEY] = {
        "state": state,
        "org": org,
        "instance_url": instance,
        "client_id": client_id,
        "client_secret": client_secret,
        "name": data["name"],
        "department": data["department"].pk if data["department"] else None,
    }
    return oauth.authorization_url(instance, client_id, _callback_url(org), state)


@login_required
def mastodon_callback(request: HttpRequest, org: str) -> HttpResponse:
    from onevoice.networks.connectors.mastodon import oauth

    member = membership_for(request.user, org, need=C.MANAGE_CHANNELS)
    pending = request.session.pop(OAUTH_SESSION_KEY, None)
    if not pending or pending.get("org") != org or request.GET.get("state") != pending.get("state"):
        messages.error(
            request, _("The sign-in with Mastodon could not be matched to this request. Please start again.")
        )
        return redirect("networks:connect-mastodon", org)
    if "error" in request.GET or not request.GET.get("code"):
        messages.error(request, _("Mastodon did not grant access. Nothing was connected."))
        return redirect("networks:connect-mastodon", org)
    department = member.organization.departments.filter(pk=pending["department"]).first()
    try:
        token = oauth.exchange_code(
            pending["instance_url"],
            pending["client_id"],
            pending["client_secret"],
            _callback_url(org),
            request.GET["code"],
        )
        channel = services.channel_connect_mastodon(
            actor=member,
            name=pending["name"],
            department=department,
            instance_url=pending["instance_url"],
            access_token=token,
            client={"client_id": pending["client_id"], "client_secret": pending["client_secret"]},
        )
    except ConnectorError as error:
        messages.error(request, services.explain(error, "Mastodon"))
        return redirect("networks:connect-mastodon", org)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("networks:connect-mastodon", org)
    return _connected(request, org, channel)


@login_required
def connect_newsroom(request: HttpRequest, org: str) -> HttpResponse:
    member = membership_for(request.user, org, need=C.MANAGE_CHANNELS)
    form = NewsroomForm(request.POST or None, organization=member.organization)
    if request.method == "POST" and form.is_valid():
        channel = services.channel_create_newsroom(actor=member, **form.cleaned_data)
        return _connected(request, org, channel)
    status = 400 if request.method == "POST" else 200
    return render_for_member(
        request,
        member,
        "networks/connect_form.html",
        {"form": form, "network": _("Newsroom feed"), "icon": "bi-rss"},
        status=status,
    )


def _limits(channel: Any) -> dict[str, Any]:
    # An instance: a Mastodon channel carries its instance's own limits in its config.
    connector = connector_class(channel.network)(
        credentials={}, config={**channel.config, "channel_public_id": str(channel.public_id)}
    )
    return {
        "max_text_length": connector.max_text_length,
        "counting": connector.text_counting.value,
        "url_length": connector.url_length,
        "max_images": connector.max_images,
        "max_image_kb": connector.max_image_bytes // 1000,
    }


@login_required
def channel(request: HttpRequest, org: str, channel_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org, need=C.VIEW_PLAN)
    channel = access_channel(member, channel_id)
    level = channel_access_level(member, channel)
    can_publish = ACCESS_ORDER.index(level) >= ACCESS_ORDER.index(Access.PUBLISH)
    form = ComposerForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if not can_publish:
            raise Http404
        if form.is_valid():
            uploads = _uploads(form)
            try:
                post = services.post_publish_now(
                    actor=member,
                    channel=channel,
                    text=form.cleaned_data["text"],
                    language=form.cleaned_data["language"],
                    link=form.cleaned_data["link"],
                    images=uploads,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if post.state == ChannelPost.State.PUBLISHED:
                    messages.success(request, _("Published on %(channel)s.") % {"channel": channel.name})
                else:
                    messages.error(request, post.error)
                return redirect("networks:channel", org, channel.public_id)
        status = 400
    posts = ChannelPost.objects.filter(channel=channel).select_related("author__user")[:25]
    context = {
        "channel": channel,
        "level": level,
        "can_publish": can_publish,
        "form": form,
        "posts": posts,
        "limits": _limits(channel),
        "can_manage": member.can(C.MANAGE_CHANNELS),
        "reconnect_form": ReconnectForm() if member.can(C.MANAGE_CHANNELS) else None,
        "api_version": api_version_notice(channel),
        "oauth_sign_in": channel.network in OAUTH_NETWORKS,
        "pay_per_use": getattr(connector_class(channel.network), "pay_per_use", False),
    }
    return render_for_member(request, member, "networks/channel.html", context, status=status)


def _uploads(form: ComposerForm) -> list[services.ImageUpload]:
    uploads = []
    for i in range(form.MAX_SLOTS):
        upload = form.cleaned_data.get(f"image_{i}")
        if upload:
            uploads.append(
                services.ImageUpload(
                    content=upload.read(),
                    mime_type=upload.sniffed_type,
                    alt_text=form.cleaned_data.get(f"alt_{i}", ""),
                    filename=upload.name[-80:],
                )
            )
    return uploads


@require_POST
@login_required
def post_delete(request: HttpRequest, org: str, channel_id: UUID, post_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org, need=C.VIEW_PLAN)
    channel = access_channel(member, channel_id, need=Access.PUBLISH)
    post = access_channel_post(member, channel, post_id)
    try:
        services.post_delete(actor=member, post=post)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The post was deleted on %(channel)s.") % {"channel": channel.name})
    return redirect("networks:channel", org, channel.public_id)


@require_POST
@login_required
def post_retry(request: HttpRequest, org: str, channel_id: UUID, post_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org, need=C.VIEW_PLAN)
    channel = access_channel(member, channel_id, need=Access.PUBLISH)
    post = access_channel_post(member, channel, post_id)
    try:
        post = services.post_retry(actor=member, post=post)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if post.state == ChannelPost.State.PUBLISHED:
            messages.success(request, _("Published on %(channel)s.") % {"channel": channel.name})
        else:
            messages.error(request, post.error)
    return redirect("networks:channel", org, channel.public_id)


@require_POST
@login_required
def channel_verify(request: HttpRequest, org: str, channel_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org, need=C.MANAGE_CHANNELS)
    channel = access_channel(member, channel_id)
    try:
        services.channel_verify(actor=member, channel=channel)
    except ValidationError as error:
        if channel.state != channel.State.RECONNECT:  # otherwise the page's reconnect notice says it
            messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The connection works."))
    return redirect("networks:channel", org, channel.public_id)


@require_POST
@login_required
def channel_pause(request: HttpRequest, org: str, channel_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org, need=C.MANAGE_CHANNELS)
    channel = access_channel(member, channel_id)
    paused = request.POST.get("paused") == "1"
    services.channel_set_paused(actor=member, channel=channel, paused=paused)
    messages.success(request, _("The channel is paused.") if paused else _("The channel is active again."))
    return redirect("networks:channel", org, channel.public_id)


@require_POST
@login_required
def channel_reconnect(request: HttpRequest, org: str, channel_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org, need=C.MANAGE_CHANNELS)
    channel = access_channel(member, channel_id)
    form = ReconnectForm(request.POST)
    if form.is_valid():
        key = "app_password" if channel.network == Network.BLUESKY else "access_token"
        try:
            services.channel_reconnect(
                actor=member, channel=channel, credentials={key: form.cleaned_data["secret"]}
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The channel is connected again."))
    else:
        messages.error(request, _("Enter the new app password or access token."))
    return redirect("networks:channel", org, channel.public_id)


@login_required
def channel_settings(request: HttpRequest, org: str, channel_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org, need=C.MANAGE_CHANNELS)
    channel = access_channel(member, channel_id)
    form = ChannelSettingsForm(
        request.POST or None,
        organization=member.organization,
        initial={
            "name": channel.name,
            "department": channel.department,
            "require_alt_text": channel.require_alt_text,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.channel_update(actor=member, channel=channel, **form.cleaned_data)
        messages.success(request, _("The channel settings were saved."))
        return redirect("networks:channel-settings", org, channel.public_id)
    people = list(members_of(member))
    explicit = dict(ChannelPermission.objects.filter(channel=channel).values_list("membership_id", "access"))
    rows = [
        {"person": p, "explicit": explicit.get(p.pk, ""), "effective": channel_access_level(p, channel)}
        for p in people
    ]
    context = {"channel": channel, "form": form, "rows": rows, "levels": Access.choices}
    status = 400 if request.method == "POST" else 200
    return render_for_member(request, member, "networks/channel_settings.html", context, status=status)


@require_POST
@login_required
def channel_access(request: HttpRequest, org: str, channel_id: UUID, membership_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org, need=C.MANAGE_CHANNELS)
    channel = access_channel(member, channel_id)
    person = access_membership(member, membership_id)
    access = request.POST.get("access", "")
    if access and access not in Access.values:
        messages.error(request, _("Choose one of the listed access levels."))
    else:
        services.channel_set_access(actor=member, channel=channel, membership=person, access=access)
        messages.success(request, _("Access for %(name)s was saved.") % {"name": person.user})
    return redirect("networks:channel-settings", org, channel.public_id)


@require_POST
@login_required
def channel_disconnect(request: HttpRequest, org: str, channel_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org, need=C.MANAGE_CHANNELS)
    channel = access_channel(member, channel_id)
    services.channel_disconnect(actor=member, channel=channel)
    messages.success(request, _("“%(name)s” was disconnected.") % {"name": channel.name})
    return redirect("networks:channels", org)
