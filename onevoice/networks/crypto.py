"""Credentials at rest: encrypted with MultiFernet, so keys can be rotated without losing a channel.

`ONEVOICE_ENCRYPTION_KEYS` holds comma-separated Fernet keys; the first encrypts, all decrypt. Outside
production a key is generated once into the data dir so a laptop install works without set-up.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _keys() -> list[str]:
    keys = list(settings.ENCRYPTION_KEYS)
    if keys:
        return keys
    if settings.PRODUCTION:
        raise ImproperlyConfigured(
            "ONEVOICE_ENCRYPTION_KEYS is not set. Generate a key with `onevoice genkey` (or "
            "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`) "
            "and put it in the environment; channel credentials are encrypted with it."
        )
    key_file = settings.DATA_DIR / "encryption_key"
    if not key_file.exists():
        key_file.write_text(Fernet.generate_key().decode())
        key_file.chmod(0o600)
    return [key_file.read_text().strip()]


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except ValueError as error:
        raise ImproperlyConfigured(
            "ONEVOICE_ENCRYPTION_KEYS contains a value that is not a Fernet key (32 url-safe base64 bytes)."
        ) from error


def fernet() -> MultiFernet:
    return _fernet(tuple(_keys()))


class CredentialsUnreadable(Exception):
    """The stored credentials cannot be decrypted with any configured key."""


def encrypt(credentials: dict[str, Any]) -> str:
    return fernet().encrypt(json.dumps(credentials).encode()).decode()


def decrypt(token: str) -> dict[str, Any]:
    if not token:
        return {}
    try:
        return dict(json.loads(fernet().decrypt(token.encode())))
    except InvalidToken as error:
        raise CredentialsUnreadable(
            "The channel's credentials cannot be decrypted: the key they were encrypted with is no longer "
            "in ONEVOICE_ENCRYPTION_KEYS."
        ) from error


def rotate(token: str) -> str:
    """Re-encrypt with the first key (after a new key was put in front)."""
    return fernet().rotate(token.encode()).decode() if token else token
