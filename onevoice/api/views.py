"""Token pages: your personal tokens, the organisation's service tokens (administrators), create, revoke."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from onevoice.api import scopes as scope_rules
from onevoice.api import selectors, services
from onevoice.api.forms import TokenForm
from onevoice.api.models import ApiToken
from onevoice.organization.access import access_api_token, membership_for
from onevoice.organization.roles import Role
from onevoice.organization.shortcuts import render_for_member

NEW_TOKEN_KEY = "api_new_token"  # noqa: S105 (a session key)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def tokens(request: HttpRequest, org: str) -> HttpResponse:
    """The list and the form; a new token is shown once, right after it was created."""
    member = membership_for(request.user, org)
    admin = services.may_manage_service_tokens(member)
    form = TokenForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        kind = data.get("kind") or ApiToken.Kind.PERSONAL
        try:
            if kind == ApiToken.Kind.SERVICE and admin:
                created = services.token_create_service(
                    actor=member,
                    name=data["name"],
                    role=data.get("role") or Role.CONTRIBUTOR,
                    departments=list(data.get("departments") or []),
                    scopes=list(data["scopes"]),
                    expires_at=form.expires_at,
                )
            else:
                created = services.token_create_personal(
                    actor=member, name=data["name"], scopes=list(data["scopes"]), expires_at=form.expires_at
                )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            request.session[NEW_TOKEN_KEY] = {"id": str(created.token.public_id), "secret": created.secret}
            return redirect("api_tokens:list", org)
    new_token = request.session.pop(NEW_TOKEN_KEY, None)
    chosen_kind = form.data.get("kind", ApiToken.Kind.PERSONAL) if form.is_bound else ApiToken.Kind.PERSONAL
    chosen_scopes = set(request.POST.getlist("scopes")) if form.is_bound else {"posts:read"}
    context = {
        "nav": "api-tokens",
        "form": form,
        "admin": admin,
        "personal": list(selectors.personal_tokens_of(member)),
        "service": list(selectors.service_tokens_of(member)),
        "scope_rows": selectors.scope_rows(member.role),
        "chosen_scopes": chosen_scopes,
        "chosen_kind": chosen_kind,
        "new_token": new_token,
        "scope_label": scope_rules.scope_label,
        "docs_url": request.build_absolute_uri(reverse("api-v1:openapi-view")),
        "api_base": request.build_absolute_uri("/api/v1/"),
    }
    return render_for_member(request, member, "api/tokens.html", context, 400 if form.errors else 200)


@require_POST
@login_required
def revoke(request: HttpRequest, org: str, token_id: UUID) -> HttpResponse:
    member = membership_for(request.user, org)
    token = access_api_token(member, token_id)
    services.token_revoke(actor=member, token=token)
    messages.success(
        request,
        _("The token “%(name)s” no longer works. Integrations using it get “401 invalid token” from now on.")
        % {"name": token.name},
    )
    return redirect("api_tokens:list", org)
