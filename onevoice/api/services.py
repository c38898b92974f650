"""Writes for API tokens: create (the secret is returned once), revoke, and recognise a presented token."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onevoice.api import scopes as scope_rules
from onevoice.api.models import ApiToken
from onevoice.core import audit, data_version
from onevoice.core.joined_rows import JoinedRows, Tables
from onevoice.core.prepared import fetch_one
from onevoice.organization.access import NotAllowed
from onevoice.organization.models import Department, Membership
from onevoice.organization.roles import Capability, Role

DEFAULT_DAYS = 90
MAX_DAYS = 366
TOKEN_START = "ov_"  # noqa: S105 (the visible start of every token, not a secret)
# last_used_at is written at most this often per token, so a busy integration does not write on every call.
TOUCH_EVERY = timedelta(minutes=1)
SERVICE_EMAIL_DOMAIN = "api-tokens.onevoice.invalid"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def split_token(token: str) -> tuple[str, str] | None:
    """`ov_<prefix>_<secret>` → (prefix, secret); None for anything else."""
    if not token.startswith(TOKEN_START):
        return None
    prefix, sep, secret = token[len(TOKEN_START) :].partition("_")
    if not sep or not prefix or not secret or len(prefix) > 16:
        return None
    return prefix, secret


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # the whole token, shown once


def may_manage_service_tokens(member: Membership) -> bool:
    return member.can(Capability.MANAGE_SETTINGS)


def _check(*, name: str, scopes: list[str], expires_at: datetime, role: str, now: datetime) -> list[str]:
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors.setdefault("name", []).append(_("Give the token a name that says where it is used."))
    unknown = [s for s in scopes if s not in scope_rules.ALL_SCOPES]
    if unknown:
        errors.setdefault("scopes", []).append(_("Unknown scope: %(scope)s.") % {"scope": ", ".join(unknown)})
    chosen = scope_rules.normalise(scopes)
    if not chosen:
        errors.setdefault("scopes", []).append(_("Choose at least one area the token may read or write."))
    allowed = set(scope_rules.scopes_for_role(role))
    beyond = [scope_rules.scope_label(s) for s in chosen if s not in allowed]
    if beyond:
        errors.setdefault("scopes", []).append(
            _("The role does not allow: %(scopes)s. Leave these out.") % {"scopes": ", ".join(beyond)}
        )
    if expires_at <= now:
        errors.setdefault("expires_at", []).append(_("Choose an expiry date in the future."))
    elif expires_at > now + timedelta(days=MAX_DAYS):
        errors.setdefault("expires_at", []).append(_("A token can be valid for at most one year."))
    if errors:
        raise ValidationError(errors)
    return chosen


def _new_secret() -> tuple[str, str, str]:
    prefix = secrets.token_hex(5)
    secret = secrets.token_urlsafe(30).replace("_", "x").replace("-", "y")
    token = f"{TOKEN_START}{prefix}_{secret}"
    return prefix, token, hash_token(token)


@transaction.atomic
def token_create_personal(
    *, actor: Membership, name: str, scopes: list[str], expires_at: datetime
) -> NewToken:
    """A token acting as its creator; it can never do more than the creator's role at the time of use."""
    chosen = _check(name=name, scopes=scopes, expires_at=expires_at, role=actor.role, now=timezone.now())
    prefix, secret, digest = _new_secret()
    token = ApiToken.objects.create(
        organization=actor.organization,
        kind=ApiToken.Kind.PERSONAL,
        membership=actor,
        name=name.strip(),
        prefix=prefix,
        secret_hash=digest,
        scopes=chosen,
        expires_at=expires_at,
        created_by=actor,
    )
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="api_token.created",
        obj=token,
        after=token.snapshot(),
    )
    return NewToken(token, secret)


@transaction.atomic
def token_create_service(
    *,
    actor: Membership,
    name: str,
    role: str,
    departments: list[Department],
    scopes: list[str],
    expires_at: datetime,
) -> NewToken:
    """An organisation token (administrators only) acting with its own role, shown in the audit log by name.

    It gets its own user and membership (neither can log in, nor counts as a person of the organisation),
    so the services' permission checks and audit records work for it unchanged.
    """
    if not may_manage_service_tokens(actor):
        raise NotAllowed(Capability.MANAGE_SETTINGS)
    if role not in Role.values:
        raise ValidationError({"role": [_("Choose one of the roles.")]})
    for department in departments:
        if department.organization_id != actor.organization_id:
            raise NotAllowed(Capability.MANAGE_SETTINGS)
    chosen = _check(name=name, scopes=scopes, expires_at=expires_at, role=role, now=timezone.now())
    prefix, secret, digest = _new_secret()
    user_model = get_user_model()
    user = user_model(
        email=f"token-{prefix}@{SERVICE_EMAIL_DOMAIN}",
        full_name=_("API token “%(name)s”") % {"name": name.strip()[:100]},
        is_active=False,
    )
    user.set_unusable_password()
    user.save()
    membership = Membership.objects.create(
        organization=actor.organization, user=user, role=role, is_active=False
    )
    membership.departments.set(departments)
    token = ApiToken.objects.create(
        organization=actor.organization,
        kind=ApiToken.Kind.SERVICE,
        membership=membership,
        role=role,
        name=name.strip(),
        prefix=prefix,
        secret_hash=digest,
        scopes=chosen,
        expires_at=expires_at,
        created_by=actor,
    )
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="api_token.created",
        obj=token,
        after=token.snapshot() | {"departments": sorted(d.name for d in departments)},
    )
    return NewToken(token, secret)


def may_revoke(member: Membership, token: ApiToken) -> bool:
    if token.organization_id != member.organization_id:
        return False
    if token.kind == ApiToken.Kind.SERVICE:
        return may_manage_service_tokens(member)
    return token.membership_id == member.pk or may_manage_service_tokens(member)


@transaction.atomic
def token_revoke(*, actor: Membership, token: ApiToken) -> ApiToken:
    """Stop a token at once; a revoked token stays listed (greyed) so its use remains traceable."""
    if not may_revoke(actor, token):
        raise NotAllowed(Capability.MANAGE_SETTINGS)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.revoked_by = actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(
        actor=actor.user,
        organization=actor.organization,
        verb="api_token.revoked",
        obj=token,
        before=token.snapshot(),
    )
    return token


# ---- recognising a token on a request ------------------------------------------------------------------


def _token_tables() -> Tables:
    from onevoice.organization.models import Organization

    return ((ApiToken, "t"), (Membership, "m"), (get_user_model(), "u"), (Organization, "o"))


def _token_statement(select: str, tables: list[str]) -> str:
    token, member, user, organization = tables
    if connection.vendor == "postgresql":
        # The data version rides along (one round trip instead of two): the posts list looks its kept
        # answers up by it (onevoice/core/data_version.py).
        select += f", {data_version.SELECT}"
    return (
        f"SELECT {select} FROM {token} t "  # noqa: S608 (names from the models)
        f"INNER JOIN {member} m ON m.id = t.membership_id "
        f"INNER JOIN {user} u ON u.id = m.user_id "
        f"INNER JOIN {organization} o ON o.id = m.organization_id "
        "WHERE t.prefix = %s"
    )


# The token, its membership, the membership's user and organisation in one written-out statement (the rows
# of `select_related("membership__user", "membership__organization")`): the token check runs before every
# API call, and compiling that ORM query cost more than running it.
_token_rows = JoinedRows(_token_tables, _token_statement)


def _load_token(prefix: str) -> ApiToken | None:
    row = fetch_one(_token_rows.sql(), [prefix])
    if row is None:
        return None
    token, member, user, organization = _token_rows.instances(row)
    width = _token_rows.width()
    token.data_version = int(row[width]) if len(row) > width else None
    member.user = user
    member.organization = organization
    token.membership = member
    return token


def token_for(presented: str) -> ApiToken | None:
    """The usable token for a presented `ov_…` string with its membership loaded; None if unknown,
    revoked, expired, or its person has left the organisation. Read from the database on every call
    (nothing about a token's validity is cached), so a revocation counts from the next request."""
    parts = split_token(presented)
    if parts is None:
        return None
    token = _load_token(parts[0])
    if token is None or not hmac.compare_digest(token.secret_hash, hash_token(presented)):
        return None
    if not token.is_usable:
        return None
    member = token.membership
    if token.kind == ApiToken.Kind.PERSONAL:
        if not member.is_active or not member.user.is_active:
            return None
    else:
        # The service membership is stored inactive (it is nobody to assign or count); it acts while
        # its token is usable, with the role chosen at creation.
        member.is_active = True
        member.role = token.role or member.role
    return token


def token_touch(token: ApiToken, ip: str | None) -> None:
    """Remember when and from where the token was last used (at most once a minute per token)."""
    now = timezone.now()
    if token.last_used_at and now - token.last_used_at < TOUCH_EVERY and token.last_used_ip == ip:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=ip)
    token.last_used_at, token.last_used_ip = now, ip
