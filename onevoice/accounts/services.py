"""Writes to a person's own account: creating it and changing their profile."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from onevoice.accounts.models import User


@transaction.atomic
def account_create(
    *, email: str, full_name: str, password: str, language: str = "de", superuser: bool = False
) -> User:
    """Create a login; the first account of an installation is also a superuser for the Django admin."""
    email = User.objects.normalize_email(email.strip()).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            {"email": _("An account with this e-mail address already exists. Log in instead.")}
        )
    user = User(email=email, full_name=full_name.strip(), language=language)
    validate_password(password, user)
    user.set_password(password)
    user.is_staff = user.is_superuser = superuser
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def profile_update(*, user: User, full_name: str, language: str, time_zone: str) -> User:
    user.full_name = full_name.strip()
    user.language = language
    user.time_zone = time_zone
    user.full_clean(exclude=["password"])
    user.save(update_fields=["full_name", "language", "time_zone"])
    return user
