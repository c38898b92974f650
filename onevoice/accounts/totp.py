"""Two-factor authentication for password logins: an authenticator app (TOTP) and one-time recovery codes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import pyotp
import segno
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onevoice.accounts.models import RecoveryCode, TotpDevice, User
from onevoice.core import audit
from onevoice.organization.models import Organization

ISSUER = "OneVoice"
RECOVERY_CODE_COUNT = 10
# Wrong codes in a row before the second step is paused (like the password's limit).
FAILURE_LIMIT = 5
FAILURE_PAUSE_SECONDS = 15 * 60
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def _organization_of(user: User) -> Organization | None:
    """The organisation whose audit log shows the person's security changes: the one they used last."""
    from onevoice.organization.access import current_membership

    member = current_membership(user)
    return member.organization if member else None


def _record(user: User, verb: str) -> None:
    audit.record(actor=user, organization=_organization_of(user), verb=verb, obj=user)


def device_of(user: User) -> TotpDevice | None:
    return TotpDevice.objects.filter(user=user).first()


def is_enabled(user: User) -> bool:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def _hash_code(code: str) -> str:
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


def _normalise(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def provisioning_uri(device: TotpDevice) -> str:
    return pyotp.TOTP(device.secret()).provisioning_uri(name=device.user.email, issuer_name=ISSUER)


def qr_svg(device: TotpDevice) -> str:
    """The set-up QR code as inline SVG (no image request, no third party)."""
    return str(segno.make(provisioning_uri(device), error="m").svg_inline(scale=4, dark="#111", light="#fff"))


@transaction.atomic
def totp_begin(*, user: User) -> TotpDevice:
    """Start setting up an authenticator app: a fresh secret, not used until confirmed with a code."""
    device = device_of(user)
    if device is not None and device.is_confirmed:
        raise ValidationError(_("Two-factor authentication is already switched on."))
    if device is None:
        device = TotpDevice(user=user)
    device.set_secret(pyotp.random_base32())
    device.last_used_step = 0
    device.save()
    return device


def _matching_step(device: TotpDevice, code: str) -> int | None:
    """The time step (now, or one before or after for clock drift) whose code this is."""
    code = _normalise(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(device.secret())
    now_step = int(time.time()) // totp.interval
    for step in (now_step - 1, now_step, now_step + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _use_step(device: TotpDevice, step: int) -> bool:
    """Accept a step only once: a code seen by someone looking over the shoulder cannot be replayed."""
    changed = TotpDevice.objects.filter(pk=device.pk, last_used_step__lt=step).update(last_used_step=step)
    return changed == 1


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = []
    for _i in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_ALPHABET) for _j in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    RecoveryCode.objects.bulk_create([RecoveryCode(user=user, code_hash=_hash_code(c)) for c in codes])
    return codes


@transaction.atomic
def totp_confirm(*, user: User, code: str) -> list[str]:
    """Switch two-factor authentication on with a first code from the app; return the recovery codes."""
    device = device_of(user)
    if device is None or device.is_confirmed:
        raise ValidationError(_("Start the set-up again: scan the new QR code with your app."))
    step = _matching_step(device, code)
    if step is None or not _use_step(device, step):
        raise ValidationError(
            _(
                "This code is not right. Check that the time on your phone is correct and enter the current code."
            )
        )
    device.refresh_from_db()
    device.confirmed_at = timezone.now()
    device.save(update_fields=["confirmed_at"])
    codes = _new_recovery_codes(user)
    _record(user, "totp.enabled")
    return codes


def _failure_key(user: User) -> str:
    return f"totp-failures:{user.pk}"


def is_paused(user: User) -> bool:
    return int(cache.get(_failure_key(user), 0)) >= FAILURE_LIMIT


def _count_failure(user: User) -> None:
    key = _failure_key(user)
    cache.add(key, 0, FAILURE_PAUSE_SECONDS)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, FAILURE_PAUSE_SECONDS)


@transaction.atomic
def verify_second_factor(*, user: User, code: str) -> str | None:
    """Check a code from the app or a recovery code; return which one it was, or None (counted as a failure)."""
    if is_paused(user):
        return None
    device = device_of(user)
    if device is None or not device.is_confirmed:
        return None
    step = _matching_step(device, code)
    if step is not None and _use_step(device, step):
        cache.delete(_failure_key(user))
        return "totp"
    if step is None and len(_normalise(code)) == 10:
        used = RecoveryCode.objects.filter(
            user=user, code_hash=_hash_code(code), used_at__isnull=True
        ).update(used_at=timezone.now())
        if used:
            cache.delete(_failure_key(user))
            _record(user, "totp.recovery_code_used")
            return "recovery"
    _count_failure(user)
    return None


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def _require_code(user: User, code: str) -> None:
    if verify_second_factor(user=user, code=code) is None:
        if is_paused(user):
            raise ValidationError(_("Too many wrong codes. Please wait 15 minutes and try again."))
        raise ValidationError(
            _("This code is not right. Enter the current code from your app or a recovery code.")
        )


@transaction.atomic
def recovery_codes_regenerate(*, user: User, code: str) -> list[str]:
    """Replace all recovery codes (the old ones stop working); needs a current code."""
    _require_code(user, code)
    codes = _new_recovery_codes(user)
    _record(user, "totp.recovery_codes_renewed")
    return codes


@transaction.atomic
def totp_disable(*, user: User, code: str) -> None:
    """Switch two-factor authentication off; needs a current code or a recovery code."""
    _require_code(user, code)
    TotpDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    _record(user, "totp.disabled")


def totp_required_for(user: User) -> bool:
    """An organisation of this person requires two-factor authentication for password logins."""
    from onevoice.sso.models import SsoSettings

    return SsoSettings.objects.filter(
        require_totp=True,
        organization__memberships__user=user,
        organization__memberships__is_active=True,
    ).exists()
