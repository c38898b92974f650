"""App registrations and the OAuth sign-in that connects LinkedIn, Facebook, Instagram, Threads and X channels.

The callback is safe against cross-site requests without a CSRF token: it acts only when its `state`
matches the one kept in this person's session for this organisation and network (popped at first use),
and the PKCE verifier never leaves the server.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from onevoice.networks import crypto, oauth, services
from onevoice.networks.connectors.base import ConnectorError
from onevoice.networks.forms import AppRegistrationForm, OAuthConnectForm
from onevoice.networks.models import AppRegistration, Network
from onevoice.organization.access import access_app_registrations, membership_for
from onevoice.organization.roles import Capability
from onevoice.organization.shortcuts import render_for_member

C = Capability
SESSION_KEY = "oauth_pending"
CHOICES_KEY = "oauth_choices"
# A sign-in left unfinished longer than this starts over.
PENDING_SECONDS = 15 * 60

KIND_LABELS: dict[str, Any] = {
    "organization": gettext_lazy("A LinkedIn page (organisation)"),
    "member": gettext_lazy("A member's own profile"),
}
ICONS = {
    "linkedin": "bi-linkedin",
    "facebook": "bi-facebook",
    "instagram": "bi-instagram",
    "threads": "bi-threads",
    "x": "bi-twitter-x",
}


def _label(network: str) -> str:
    return str(dict(Network.choices).get(network, network))


def _network_or_404(network: str) -> str:
    if network not in oauth.OAUTH_NETWORKS:
        raise Http404
    return network


def callback_url(org: str, network: str) -> str:
    return settings.BASE_URL + reverse("networks:oauth-callback", args=[org, network])


def _registration(member: Any, network: str) -> AppRegistration | None:
    return access_app_registrations(member).filter(network=network).first()


# ---- app registrations -----------------------------------------------------------------------------


@login_required
def app_registrations(request: HttpRequest, org: str) -> HttpResponse:
    member = membership_for(request.user, org, need=C.MANAGE_SETTINGS)
    existing = {r.network: r for r in access_app_registrations(member)}
    rows = []
    for network in oauth.OAUTH_NETWORKS:
        provider = oauth.provider(network)
        registration = existing.get(network)
        sunset = _sunset(network, registration.api_version if registration else "")
        rows.append(
            {
                "network": network,
                "label": _label(network),
                "icon": ICONS.get(network, "bi-globe"),
                "registration": registration,
                "callback_url": callback_url(org, network),
                "portal": provider.developer_portal,
                "version": (registration.api_version if registration else "") or provider.default_api_version,
                "sunset": sunset,
            }
        )
    return render_for_member(request, member, "networks/oauth/app_registrations.html", {"rows": rows})


def _sunset(network: str, version: str) -> Any:
    from onevoice.networks.registry import connector_class

    connector = connector_class(network)
    version = version or getattr(connector, "default_api_version", "")
    sunset_for = getattr(connector, "api_version_sunset", None)
    return sunset_for(version) if sunset_for and version else None


@login_required
def app_registration(request: HttpRequest, org: str, network: str) -> HttpResponse:
    member = membership_for(request.user, org, need=C.MANAGE_SETTINGS)
    _network_or_404(network)
    registration = _registration(member, network)
    provider = oauth.provider(network)
    form = AppRegistrationForm(
        request.POST or None,
        has_secret=bool(registration and registration.client_secret_encrypted),
        default_version=provider.default_api_version,
        initial={
            "client_id": registration.client_id if registration else "",
            "api_version": registration.api_version if registration else "",
        },
    )
    if request.method == "POST" and form.is_valid():
        services.app_registration_save(
            actor=member,
            network=network,
            client_id=form.cleaned_data["client_id"],
            client_secret=form.cleaned_data["client_secret"],
            api_version=form.cleaned_data.get("api_version") or "",
        )
        messages.success(request, _("The %(network)s app is saved.") % {"network": _label(network)})
        return redirect("networks:app-registrations", org)
    context = {
        "form": form,
        "network": network,
        "label": _label(network),
        "icon": ICONS.get(network, "bi-globe"),
        "registration": registration,
        "callback_url": callback_url(org, network),
        "provider": provider,
        "scopes": sorted(
            {s for kind in (provider.account_kinds or ("",)) for s in oauth.provider(network, kind).scopes}
        ),
    }
    status = 400 if request.method == "POST" else 200
    return render_for_member(request, member, "networks/oauth/app_registration.html", context, status=status)


@require_POST
@login_required
def app_registration_remove(request: HttpRequest, org: str, network: str) -> HttpResponse:
    member = membership_for(request.user, org, need=C.MANAGE_SETTINGS)
    _network_or_404(network)
    registration = _registration(member, network)
    if registration is None:
        raise Http404
    services.app_registration_remove(actor=member, registration=registration)
    messages.success(request, _("The %(network)s app was removed.") % {"network": _label(network)})
    return redirect("networks:app-registrations", org)


# ---- connecting --------------------------------------------------------------------------------------


@login_required
def oauth_connect(request: HttpRequest, org: str, network: str) -> HttpResponse:
    """Ask for the channel's name and department, then send the person to the network to sign in."""
    member = membership_for(request.user, org, need=C.MANAGE_CHANNELS)
    _network_or_404(network)
    provider = oauth.provider(network)
    kinds = [(k, KIND_LABELS.get(k, k)) for k in provider.account_kinds]
    data = request.POST if request.method == "POST" else None
    form = OAuthConnectForm(data, organization=member.organization, kinds=kinds)
    registration = _registration(member, network)
    ready = registration is not None and bool(registration.client_secret_encrypted)
    if request.method == "POST" and ready and form.is_valid():
        assert registration is not None
        kind = form.cleaned_data.get("kind") or (provider.account_kinds[0] if provider.account_kinds else "")
        flow = oauth.provider(network, kind)
        state = oauth.new_state()
        verifier, challenge = oauth.pkce_pair() if flow.pkce else ("", "")
        department = form.cleaned_data["department"]
        request.session[SESSION_KEY] = {
            "state": state,
            "org": org,
            "network": network,
            "kind": kind,
            "verifier": verifier,
            "name": form.cleaned_data["name"],
            "department": department.pk if department else None,
            "started": int(time.time()),
            "channel": _reconnecting(member, request.POST.get("channel", "")),
        }
        url = oauth.authorization_url(
            flow,
            client_id=registration.client_id,
            redirect_uri=callback_url(org, network),
            state=state,
            code_challenge=challenge,
            api_version=registration.api_version,
        )
        return redirect(url)
    context = {
        "form": form,
        "network": network,
        "label": _label(network),
        "icon": ICONS.get(network, "bi-globe"),
        "ready": ready,
        "can_set_up": member.can(C.MANAGE_SETTINGS),
        "callback_url": callback_url(org, network),
    }
    status = 400 if request.method == "POST" else 200
    return render_for_member(request, member, "networks/oauth/connect.html", context, status=status)


def _start_again(request: HttpRequest, org: str, network: str, message: str) -> HttpResponse:
    messages.error(request, message)
    return redirect("networks:oauth-connect", org, network)


@login_required
def oauth_callback(request: HttpRequest, org: str, network: str) -> HttpResponse:
    member = membership_for(request.user, org, need=C.MANAGE_CHANNELS)
    _network_or_404(network)
    label = _label(network)
    pending = request.session.pop(SESSION_KEY, None)
    if (
        not pending
        or pending.get("org") != org
        or pending.get("network") != network
        or not request.GET.get("state")
        or request.GET.get("state") != pending.get("state")
        or int(pending.get("started") or 0) + PENDING_SECONDS < time.time()
    ):
        return _start_again(
            request,
            org,
            network,
            _("The sign-in with %(network)s could not be matched to this request. Please start again.")
            % {"network": label},
        )
    if request.GET.get("error") or not request.GET.get("code"):
        reason = request.GET.get("error_description") or request.GET.get("error") or ""
        return _start_again(
            request,
            org,
            network,
            _("%(network)s did not grant access (%(reason)s). Nothing was connected.")
            % {"network": label, "reason": reason[:200] or _("no reason given")},
        )
    registration = _registration(member, network)
    if registration is None:
        return _start_again(
            request, org, network, _("The app registration was removed meanwhile. Nothing was connected.")
        )
    kind = str(pending.get("kind") or "")
    flow = oauth.provider(network, kind)
    try:
        token = oauth.exchange_code(
            flow,
            client_id=registration.client_id,
            client_secret=registration.client_secret,
            redirect_uri=callback_url(org, network),
            code=request.GET["code"],
            code_verifier=str(pending.get("verifier") or ""),
            api_version=registration.api_version,
        )
        missing = oauth.missing_scopes(token, flow.scopes)
        if missing:
            return _start_again(
                request,
                org,
                network,
                _(
                    "%(network)s did not grant the permission %(scopes)s. Allow it when signing in; if it is "
                    "not offered, the app needs it approved in the developer portal."
                )
                % {"network": label, "scopes": ", ".join(missing)},
            )
        choices = oauth.network_oauth(network).accounts(
            token,
            client_id=registration.client_id,
            client_secret=registration.client_secret,
            api_version=registration.api_version,
            kind=kind,
        )
    except ConnectorError as error:
        return _start_again(request, org, network, services.explain(error, label))
    if not choices:
        return _start_again(
            request,
            org,
            network,
            _("The signed-in account has no %(network)s account OneVoice could connect.")
            % {"network": label},
        )
    if pending.get("channel"):
        return _reconnect(request, org, network, member, pending["channel"], choices)
    if len(choices) == 1:
        return _finish(request, org, network, member, pending, choices[0])
    request.session[CHOICES_KEY] = {
        "org": org,
        "network": network,
        "name": pending.get("name") or "",
        "department": pending.get("department"),
        "started": int(time.time()),
        "choices": crypto.encrypt({"choices": [c.as_dict() for c in choices]}),
    }
    return redirect("networks:oauth-choose", org, network)


def _reconnecting(member: Any, channel_id: str) -> str:
    """The channel a sign-in renews (from the channel page's "sign in again"), if the person may manage it."""
    from uuid import UUID

    from onevoice.organization.access import access_channel

    if not channel_id:
        return ""
    try:
        return str(access_channel(member, UUID(channel_id)).public_id)
    except (ValueError, Http404):
        return ""


def _reconnect(
    request: HttpRequest,
    org: str,
    network: str,
    member: Any,
    channel_id: str,
    choices: list[oauth.AccountChoice],
) -> HttpResponse:
    from uuid import UUID

    from onevoice.organization.access import access_channel

    channel = access_channel(member, UUID(channel_id))
    choice = next((c for c in choices if c.external_id == channel.external_account_id), None)
    if choice is None:
        messages.error(
            request,
            _("The sign-in did not open %(handle)s. Sign in with the account this channel belongs to.")
            % {"handle": channel.handle or channel.name},
        )
        return redirect("networks:channel", org, channel.public_id)
    try:
        services.channel_reconnect(actor=member, channel=channel, credentials=choice.credentials)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The channel is connected again."))
    return redirect("networks:channel", org, channel.public_id)


def _finish(
    request: HttpRequest,
    org: str,
    network: str,
    member: Any,
    pending: dict[str, Any],
    choice: oauth.AccountChoice,
) -> HttpResponse:
    department = member.organization.departments.filter(pk=pending.get("department")).first()
    try:
        channel = services.channel_connect_oauth(
            actor=member,
            network=network,
            name=str(pending.get("name") or ""),
            department=department,
            choice=choice,
        )
    except ValidationError as error:
        return _start_again(request, org, network, " ".join(error.messages))
    messages.success(request, _("“%(name)s” is connected.") % {"name": channel.name})
    return redirect("networks:channel", org, channel.public_id)


@login_required
def oauth_choose(request: HttpRequest, org: str, network: str) -> HttpResponse:
    """After a sign-in that opened several accounts (pages): the person picks the one to connect."""
    member = membership_for(request.user, org, need=C.MANAGE_CHANNELS)
    _network_or_404(network)
    pending = request.session.get(CHOICES_KEY)
    if (
        not pending
        or pending.get("org") != org
        or pending.get("network") != network
        or int(pending.get("started") or 0) + PENDING_SECONDS < time.time()
    ):
        return _start_again(request, org, network, _("The sign-in has expired. Please start again."))
    choices = [oauth.AccountChoice.from_dict(c) for c in crypto.decrypt(pending["choices"])["choices"]]
    if request.method == "POST":
        picked = next((c for c in choices if c.external_id == request.POST.get("account")), None)
        if picked is not None:
            request.session.pop(CHOICES_KEY, None)
            return _finish(request, org, network, member, pending, picked)
        messages.error(request, _("Choose one of the listed accounts."))
    context = {
        "network": network,
        "label": _label(network),
        "icon": ICONS.get(network, "bi-globe"),
        "choices": choices,
        "kind_labels": KIND_LABELS,
    }
    status = 400 if request.method == "POST" else 200
    return render_for_member(request, member, "networks/oauth/choose.html", context, status=status)


DESCRIPTIONS: dict[str, Any] = {
    "linkedin": gettext_lazy(
        "A company page (Community Management API) or a member's profile. 3,000 characters, up to 20 images "
        "or a link."
    ),
    "facebook": gettext_lazy("A Facebook Page. 63,206 characters, images and a link."),
    "instagram": gettext_lazy(
        "A professional account linked to a Facebook Page. 2,200 characters and 30 hashtags, one image or a "
        "carousel of up to 10."
    ),
    "threads": gettext_lazy("A Threads profile. 500 characters, text or images."),
    "x": gettext_lazy(
        "An X account. 280 characters (links count as 23), up to 4 images; billed per use by X."
    ),
}


def connect_choices(member: Any) -> list[dict[str, Any]]:
    """The finished OAuth networks for the Connect page, each saying whether its app is set up."""
    ready = set(
        access_app_registrations(member).exclude(client_secret_encrypted="").values_list("network", flat=True)
    )
    return [
        {
            "network": network,
            "label": _label(network),
            "description": DESCRIPTIONS.get(network, ""),
            "ready": network in ready,
        }
        for network in oauth.OAUTH_NETWORKS
    ]


# A pinned API version this close to its sunset is shown on the channel page.
SUNSET_WARNING_DAYS = 90


def api_version_notice(channel: Any) -> dict[str, Any] | None:
    """The channel's API version and its sunset, when the sunset is near (or past)."""
    from datetime import date

    from onevoice.networks.registry import CONNECTORS, connector_class

    if channel.network not in CONNECTORS:
        return None
    connector = connector_class(channel.network)
    default = str(getattr(connector, "default_api_version", "") or "")
    version = str(channel.config.get("api_version") or default)
    sunset_for = getattr(connector, "api_version_sunset", None)
    sunset = sunset_for(version) if sunset_for and version else None
    if sunset is None or (sunset - date.today()).days > SUNSET_WARNING_DAYS:
        return None
    return {"version": version, "sunset": sunset, "past": sunset <= date.today()}
