"""Single sign-on pages: signing in by work e-mail, the provider's callback, and the organisation's settings."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onevoice.organization.access import membership_for
from onevoice.organization.roles import Capability
from onevoice.organization.shortcuts import render_for_member
from onevoice.sso import oidc, selectors, services
from onevoice.sso.forms import GroupMappingFormSet, SsoLoginForm, SsoSettingsForm
from onevoice.sso.models import SsoSettings

logger = logging.getLogger(__name__)

FLOWS_KEY = "onevoice_sso_flows"
# A sign-in started at the provider must come back within this time, and only once.
FLOW_SECONDS = 10 * 60
MAX_OPEN_FLOWS = 5


def redirect_uri() -> str:
    """The callback address to register at the provider."""
    return settings.BASE_URL + reverse("sso:callback")


def _provider_unreachable(request: HttpRequest) -> None:
    messages.error(
        request,
        _(
            "Your organisation's sign-in service cannot be reached right now. Please try again in a few "
            "minutes; if it keeps failing, tell your administrator."
        ),
    )


def login_start(request: HttpRequest) -> HttpResponse:
    """Ask for the work e-mail address, find the organisation's provider by its domain and go there."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    form = SsoLoginForm(request.POST or None, initial={"email": request.GET.get("email", "")})
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        sso = selectors.settings_for_email(email)
        if sso is None or not sso.is_usable:
            form.add_error(
                "email",
                _("Single sign-on is not set up for this e-mail domain. Log in with your password instead."),
            )
        else:
            try:
                discovery = oidc.fetch_discovery(sso.issuer)
            except oidc.ProviderError as error:
                logger.warning("sso: discovery of %s failed: %s", sso.issuer, error)
                _provider_unreachable(request)
            else:
                auth = oidc.authorization_request(
                    discovery=discovery,
                    client_id=sso.client_id,
                    redirect_uri=redirect_uri(),
                    scopes=sso.scopes,
                    login_hint=email,
                )
                flows: dict[str, Any] = {
                    state: flow
                    for state, flow in request.session.get(FLOWS_KEY, {}).items()
                    if flow.get("until", 0) > time.time()
                }
                while len(flows) >= MAX_OPEN_FLOWS:
                    flows.pop(next(iter(flows)))
                flows[auth.state] = {
                    "sso": sso.pk,
                    "nonce": auth.nonce,
                    "verifier": auth.code_verifier,
                    "until": time.time() + FLOW_SECONDS,
                    "next": next_url,
                }
                request.session[FLOWS_KEY] = flows
                return redirect(auth.url)
    status = 400 if request.method == "POST" else 200
    return render(request, "sso/login.html", {"form": form, "next": next_url}, status=status)


def _fail(request: HttpRequest, message: str) -> HttpResponse:
    messages.error(request, message)
    return redirect("sso:login")


def callback(request: HttpRequest) -> HttpResponse:
    """The provider sends the person back here with a code; verify everything, then log them in."""
    state = request.GET.get("state", "")
    flows: dict[str, Any] = dict(request.session.get(FLOWS_KEY, {}))
    flow = flows.pop(state, None) if state else None
    request.session[FLOWS_KEY] = flows  # one use: a replayed state finds nothing
    if flow is None or flow.get("until", 0) < time.time():
        return _fail(request, _("This sign-in link was already used or has expired. Please sign in again."))
    if request.GET.get("error"):
        logger.info("sso: provider answered %s", request.GET.get("error"))
        return _fail(
            request, _("Your sign-in service did not let you in. Please try again or ask your administrator.")
        )
    code = request.GET.get("code", "")
    sso = (
        SsoSettings.objects.select_related("organization", "default_department")
        .filter(pk=flow["sso"])
        .first()
    )
    if not code or sso is None or not sso.is_usable:
        return _fail(request, _("Single sign-on is not available for your organisation any more."))
    try:
        discovery = oidc.fetch_discovery(sso.issuer)
        tokens = oidc.exchange_code(
            discovery=discovery,
            client_id=sso.client_id,
            client_secret=sso.client_secret(),
            code=code,
            redirect_uri=redirect_uri(),
            code_verifier=flow["verifier"],
        )
        keys = oidc.fetch_jwks(discovery)
        claims = oidc.verify_id_token(
            id_token=str(tokens["id_token"]),
            keys=keys,
            issuer=str(discovery["issuer"]),
            client_id=sso.client_id,
            nonce=flow["nonce"],
        )
        missing = [k for k in ("email", "email_verified", sso.group_claim) if k and k not in claims]
        if missing and tokens.get("access_token"):
            extra = oidc.fetch_userinfo(discovery, str(tokens["access_token"]))
            if str(extra.get("sub")) == str(claims["sub"]):
                claims = {**{k: extra[k] for k in missing if k in extra}, **claims}
    except oidc.ProviderError as error:
        logger.warning("sso: provider %s failed: %s", sso.issuer, error)
        _provider_unreachable(request)
        return redirect("sso:login")
    except oidc.TokenRejected as error:
        logger.warning("sso: ID token from %s rejected: %s", sso.issuer, error)
        return _fail(
            request,
            _(
                "The answer of your sign-in service could not be verified, so you were not logged in. Please sign in again."
            ),
        )
    try:
        user, _membership = services.login_complete(sso=sso, claims=claims)
    except services.LoginRefused as refused:
        return _fail(request, refused.message)
    auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    translation.activate(user.language)
    next_url = str(flow.get("next") or "")
    if not next_url or not url_has_allowed_host_and_scheme(
        next_url, {request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("home")
    from onevoice.accounts.views import remember_language

    return remember_language(redirect(next_url), user.language)


# ---- settings -------------------------------------------------------------------------------------


def _initial(sso: SsoSettings) -> dict[str, Any]:
    return {
        "enabled": sso.enabled,
        "issuer": sso.issuer,
        "client_id": sso.client_id,
        "scopes": sso.scopes,
        "email_domains": ", ".join(sso.email_domains),
        "default_role": sso.default_role,
        "default_department": sso.default_department_id,
        "group_claim": sso.group_claim,
        "trust_unverified_email": sso.trust_unverified_email,
        "enforce": sso.enforce,
        "break_glass_emails": "\n".join(sso.break_glass_emails),
        "require_totp": sso.require_totp,
    }


@login_required
def settings_edit(request: HttpRequest, org: str) -> HttpResponse:
    member = membership_for(request.user, org, need=Capability.MANAGE_SETTINGS)
    sso = services.settings_get_or_create(member.organization)
    posted = request.POST if request.method == "POST" else None
    form = SsoSettingsForm(
        posted, initial=_initial(sso), organization=member.organization, has_secret=sso.has_secret
    )
    mapping_initial = [
        {"group": m.group, "role": m.role, "department": m.department_id} for m in sso.group_mappings.all()
    ]
    formset = GroupMappingFormSet(
        posted, initial=mapping_initial, prefix="map", form_kwargs={"organization": member.organization}
    )
    if posted is not None and form.is_valid() and formset.is_valid():
        data = dict(form.cleaned_data)
        secret = data.pop("client_secret", "")
        mappings = [
            services.MappingRow(
                group=row["group"].strip(), role=row["role"], department=row.get("department")
            )
            for row in formset.cleaned_data
            if row and row.get("group") and not row.get("DELETE")
        ]
        try:
            services.settings_update(actor=member, sso=sso, mappings=mappings, client_secret=secret, **data)
        except ValidationError as error:
            sso.refresh_from_db()
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, _("The single sign-on settings were saved."))
            return redirect("sso_settings:edit", member.organization.slug)
    context = {
        "form": form,
        "formset": formset,
        "sso": sso,
        "redirect_uri": redirect_uri(),
        "nav": "sso",
    }
    status = 400 if posted is not None else 200
    return render_for_member(request, member, "sso/settings.html", context, status=status)


@require_POST
@login_required
def connection_test(request: HttpRequest, org: str) -> HttpResponse:
    member = membership_for(request.user, org, need=Capability.MANAGE_SETTINGS)
    sso = selectors.settings_of(member.organization_id)
    if sso is None or not sso.issuer:
        messages.error(request, _("Enter and save the issuer URL first."))
        return redirect("sso_settings:edit", member.organization.slug)
    try:
        result = services.connection_test(sso)
    except oidc.ProviderError as error:
        messages.error(
            request,
            _("The connection failed: %(reason)s. Check the issuer URL and that OneVoice may reach the host.")
            % {"reason": error},
        )
    else:
        messages.success(
            request,
            _("The connection works: %(issuer)s answered with %(count)s signing keys.")
            % {"issuer": result["issuer"], "count": result["keys"]},
        )
    return redirect("sso_settings:edit", member.organization.slug)
