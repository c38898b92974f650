"""Two-factor authentication pages: the second login step, set-up at login when an organisation requires it,
and the profile's set-up, recovery codes and switch-off."""

from __future__ import annotations

import time
from typing import Any

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onevoice.accounts import totp
from onevoice.accounts.forms import CodeForm
from onevoice.accounts.models import User

PENDING_KEY = "onevoice_pending_login"
PENDING_SECONDS = 5 * 60


def second_step_for(request: HttpRequest, user: User, next_url: str) -> HttpResponse | None:
    """After a right password: ask for the code (or the set-up) before logging in, or None to log in now."""
    if totp.is_enabled(user):
        target = "accounts:login_code"
    elif totp.totp_required_for(user):
        target = "accounts:login_two_factor_setup"
    else:
        return None
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": getattr(user, "backend", "django.contrib.auth.backends.ModelBackend"),
        "next": next_url,
        "until": time.time() + PENDING_SECONDS,
    }
    return redirect(target)


def _pending_user(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or pending.get("until", 0) < time.time():
        request.session.pop(PENDING_KEY, None)
        return None
    user = User.objects.filter(pk=int(pending.get("user") or 0), is_active=True).first()
    return (user, pending) if user else None


def _finish_login(request: HttpRequest, user: User, pending: dict[str, Any]) -> str:
    request.session.pop(PENDING_KEY, None)
    auth_login(request, user, backend=pending["backend"])
    translation.activate(user.language)
    next_url = str(pending.get("next") or "/")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = "/"
    return next_url


def _restart(request: HttpRequest) -> HttpResponse:
    messages.info(request, _("Your login took too long or was interrupted. Please log in again."))
    return redirect("accounts:login")


def login_code(request: HttpRequest) -> HttpResponse:
    """The second step: the code from the authenticator app, or a recovery code."""
    found = _pending_user(request)
    if found is None:
        return _restart(request)
    user, pending = found
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if totp.is_paused(user):
            request.session.pop(PENDING_KEY, None)
            form.add_error(None, _("Too many wrong codes. Please wait 15 minutes and try again."))
        else:
            used = totp.verify_second_factor(user=user, code=form.cleaned_data["code"])
            if used is not None:
                next_url = _finish_login(request, user, pending)
                if used == "recovery":
                    messages.warning(
                        request,
                        _("You used a recovery code; %(count)s are left. Create new ones in your profile.")
                        % {"count": totp.recovery_codes_left(user)},
                    )
                from onevoice.accounts.views import remember_language

                return remember_language(redirect(next_url), user.language)
            if totp.is_paused(user):
                request.session.pop(PENDING_KEY, None)
                form.add_error(None, _("Too many wrong codes. Please wait 15 minutes and try again."))
            else:
                form.add_error(
                    "code",
                    _("This code is not right or was already used. Enter the current code from your app."),
                )
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/login_code.html", {"form": form}, status=status)


def login_setup(request: HttpRequest) -> HttpResponse:
    """Set-up during login, for members of an organisation that requires two-factor authentication."""
    found = _pending_user(request)
    if found is None:
        return _restart(request)
    user, pending = found
    device = totp.device_of(user)
    if device is None or device.is_confirmed:
        device = totp.totp_begin(user=user) if device is None else device
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = totp.totp_confirm(user=user, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            next_url = _finish_login(request, user, pending)
            from onevoice.accounts.views import remember_language

            context = {"codes": codes, "next_url": next_url, **_profile_context(request)}
            response = render(request, "accounts/recovery_codes.html", context)
            return remember_language(response, user.language)
    context = {"form": form, "device": device, "qr": totp.qr_svg(device), "secret": device.secret()}
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/login_two_factor_setup.html", context, status=status)


def _profile_context(request: HttpRequest) -> dict[str, Any]:
    from onevoice.accounts.views import _organization_context

    return _organization_context(request)


@login_required
def manage(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    context = {
        "enabled": totp.is_enabled(user),
        "codes_left": totp.recovery_codes_left(user),
        "required": totp.totp_required_for(user),
        "form": CodeForm(),
        **_profile_context(request),
    }
    return render(request, "accounts/two_factor.html", context)


@login_required
def setup(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if totp.is_enabled(user):
        return redirect("accounts:two_factor")
    device = totp.device_of(user)
    if device is None or request.POST.get("restart"):
        device = totp.totp_begin(user=user)
    form = CodeForm(request.POST if request.method == "POST" and not request.POST.get("restart") else None)
    if form.is_bound and form.is_valid():
        try:
            codes = totp.totp_confirm(user=user, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            messages.success(request, _("Two-factor authentication is on. Keep your recovery codes safe."))
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "next_url": "", **_profile_context(request)},
            )
    context = {
        "form": form,
        "qr": totp.qr_svg(device),
        "secret": device.secret(),
        **_profile_context(request),
    }
    return render(request, "accounts/two_factor_setup.html", context, status=400 if form.errors else 200)


@require_POST
@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            codes = totp.recovery_codes_regenerate(user=user, code=form.cleaned_data["code"])
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "next_url": "", **_profile_context(request)},
            )
    else:
        messages.error(request, _("Enter the current code from your app."))
    return redirect("accounts:two_factor")


@require_POST
@login_required
def disable(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = CodeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the current code from your app."))
        return redirect("accounts:two_factor")
    try:
        totp.totp_disable(user=user, code=form.cleaned_data["code"])
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        if totp.totp_required_for(user):
            messages.warning(
                request,
                _(
                    "Two-factor authentication is off. Your organisation requires it: you will set it up again at your next login."
                ),
            )
        else:
            messages.success(request, _("Two-factor authentication is off."))
    return redirect("accounts:two_factor")
