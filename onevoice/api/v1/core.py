"""The API's plumbing: token authentication, scopes, rate limit, one error format, pagination.

Every endpoint starts with `acting(request, "<area>:<read|write>")`, which returns the membership the
token acts as (its owner's, re-read on every request, or the service token's) after checking the scope
and that the role still allows it. From there the endpoint calls the same access helpers, selectors and
services as the pages do.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer
from pydantic import BaseModel, ConfigDict

from onevoice.api import scopes as scope_rules
from onevoice.api.models import ApiToken
from onevoice.api.services import token_for, token_touch
from onevoice.organization.models import Membership

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def rate_per_minute() -> int:
    """Requests per token and minute (settings.API_RATE_PER_MINUTE from ONEVOICE_API_RATE_PER_MINUTE)."""
    return max(1, int(getattr(settings, "API_RATE_PER_MINUTE", 600)))


class ApiError(Exception):
    """An error answered as {"error": {"code", "message", "details"}} with the given status."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.details = details or []
        self.headers = headers or {}


class ErrorDetail(BaseModel):
    field: str | None = None
    message: str
    code: str | None = None


class ErrorBody(BaseModel):
    code: str
    message: str
    details: list[ErrorDetail]


class ErrorOut(BaseModel):
    error: ErrorBody


ERRORS: dict[int, type[BaseModel]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    413: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}


class StrictSchema(Schema):
    """Request bodies: unknown fields are refused (422), not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class JsonParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        try:
            return json.loads(request.body)
        except (ValueError, UnicodeDecodeError) as error:
            raise ApiError(
                400,
                "malformed_json",
                _("The request body is not valid JSON: %(problem)s.") % {"problem": str(error)[:200]},
            ) from None


class TokenAuth(HttpBearer):
    """`Authorization: Bearer ov_…`: a personal or service token of OneVoice."""

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization", "")
        if not header:
            raise ApiError(
                401,
                "not_authenticated",
                _("Send an access token: Authorization: Bearer ov_… (create one under API tokens)."),
                headers={"WWW-Authenticate": "Bearer"},
            )
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        found = token_for(token.strip())
        if found is None:
            raise ApiError(
                401,
                "invalid_token",
                _("The access token is unknown, expired or revoked. Create a new one under API tokens."),
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        _throttle(found)
        _check_size(request)
        token_touch(found, request.META.get("REMOTE_ADDR") or None)
        request.api_member = found.membership  # type: ignore[attr-defined]
        return found


def _check_size(request: HttpRequest) -> None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        raise ApiError(
            413,
            "body_too_large",
            _("The request body has %(size)s bytes; at most %(max)s are accepted.")
            % {"size": length, "max": MAX_BODY_BYTES},
        )


@functools.cache
def _redis_client() -> Any:
    """redis-py's client on the cache's server, one per process (Django's cache makes a new client, with
    its table of response parsers, for every call)."""
    import redis

    return redis.Redis.from_url(settings.REDIS_URL)


def _count_request(key: str) -> int:
    """Count one request in the window's counter; the counter lives 70 s (a window and a margin).

    On Redis (production) one round trip: SET NX with the expiry, then INCR, in one pipeline, instead
    of the three of Django's add + incr (which checks EXISTS first). The counter is a plain integer, which is how Django's
    Redis cache stores integers, so `cache.get` reads it as before. Elsewhere (tests: local memory) the
    cache API."""
    backend = caches["default"]
    if isinstance(backend, RedisCache) and settings.REDIS_URL:
        full_key = backend.make_and_validate_key(key)
        pipeline = _redis_client().pipeline(transaction=False)
        pipeline.set(full_key, 0, ex=70, nx=True)  # a new window's counter, with its expiry
        pipeline.incr(full_key)
        _created, count = pipeline.execute()
        return int(count)
    if cache.add(key, 1, timeout=70):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=70)
        return 1


def _throttle(token: ApiToken) -> None:
    """A fixed one-minute window per token in Django's cache (shared by all workers with Redis)."""
    limit = rate_per_minute()
    now = time.time()
    window = int(now // 60)
    count = _count_request(f"api-rate:{token.pk}:{window}")
    if count > limit:
        retry_after = max(1, int((window + 1) * 60 - now))
        raise ApiError(
            429,
            "rate_limited",
            _("Too many requests with this token: at most %(limit)s a minute. Try again in %(seconds)s s.")
            % {"limit": limit, "seconds": retry_after},
            headers={"Retry-After": str(retry_after)},
        )


def acting(request: HttpRequest, scope: str) -> Membership:
    """The membership the token acts as, if the token has `scope` and the role still allows it."""
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    member: Membership = request.api_member  # type: ignore[attr-defined]
    if scope not in token.scopes:
        raise ApiError(
            403,
            "missing_scope",
            _("This token lacks the scope “%(scope)s”. Create a token with it under API tokens.")
            % {"scope": scope},
        )
    if not member.can(scope_rules.capability_for(scope)):
        raise ApiError(
            403,
            "role_forbids",
            _("Your role does not allow this (any more), whatever the token's scopes."),
        )
    return member


# ---- pagination ----------------------------------------------------------------------------------------


def page_links(request: HttpRequest, page: int, page_size: int, count: int) -> dict[str, Any]:
    def link(number: int) -> str:
        query = request.GET.copy()
        query["page"] = str(number)
        query["page_size"] = str(page_size)
        return request.build_absolute_uri(request.path) + "?" + urlencode(list(query.lists()), doseq=True)

    last = max(1, -(-count // page_size))
    return {
        "count": count,
        "page": page,
        "pages": last,
        "next": link(page + 1) if page < last else None,
        "previous": link(page - 1) if page > 1 and page <= last + 1 else None,
    }


def page_slice(page: int, page_size: int) -> slice:
    return slice((page - 1) * page_size, page * page_size)


# ---- the API and its error handlers --------------------------------------------------------------------


def error_response(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    response = api.create_response(
        request, {"error": {"code": code, "message": message, "details": details or []}}, status=status
    )
    for name, value in (headers or {}).items():
        response[name] = value
    response["Content-Language"] = request.LANGUAGE_CODE if hasattr(request, "LANGUAGE_CODE") else "de"
    return response


def _pydantic_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return _("This field is required.")
    if kind == "extra_forbidden":
        return _("This field is not known; leave it out.")
    if kind.startswith(("int_", "float_", "decimal_")):
        return _("Enter a number.")
    if kind.startswith("uuid"):
        return _("Enter an id (a UUID).")
    if kind.startswith(("datetime", "date", "time")):
        return _("Enter a date and time as ISO 8601, e.g. 2026-10-01T10:00:00+02:00.")
    if kind.startswith("bool"):
        return _("Enter true or false.")
    if kind.startswith(("string_", "str_")):
        return _("Enter text.")
    if kind.startswith(("list_", "too_long", "too_short")):
        return _("Enter a list of the right length.")
    if kind.startswith("literal") or kind == "enum":
        return _("Choose one of: %(choices)s.") % {
            "choices": str((error.get("ctx") or {}).get("expected", "")).replace("'", "")
        }
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return _("The value is out of range.")
    return _("This value is not valid.")


def _field_of(loc: Any) -> str:
    parts = [str(p) for p in (loc or []) if p not in ("body", "payload", "query", "path")]
    return ".".join(parts)


def install_error_handlers(api: NinjaAPI) -> None:
    def on_api_error(request: HttpRequest, exc: Any) -> HttpResponse:
        assert isinstance(exc, ApiError)
        return error_response(api, request, exc.status, exc.code, exc.message, exc.details, exc.headers)

    def on_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        assert isinstance(exc, NinjaValidationError)
        details = [
            {"field": _field_of(e.get("loc")), "message": _pydantic_message(e), "code": e.get("type", "")}
            for e in exc.errors
        ]
        return error_response(
            api, request, 422, "invalid", _("Some values are missing or not valid; see the details."), details
        )

    def on_django_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        assert isinstance(exc, DjangoValidationError)
        from onevoice.planning.services import ConcurrentEdit, InvalidTransition

        details: list[dict[str, Any]] = []
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                details += [{"field": "" if field == "__all__" else field, "message": m} for m in errors]
        else:
            details = [{"field": "", "message": m} for m in exc.messages]
        if isinstance(exc, ConcurrentEdit | InvalidTransition):
            return error_response(api, request, 409, "conflict", details[0]["message"], details)
        return error_response(api, request, 422, "invalid", details[0]["message"], details)

    def on_not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(
            api,
            request,
            404,
            "not_found",
            _("Not found, or not in your organisation, or not visible to you."),
        )

    def on_forbidden(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(
            api, request, 403, "forbidden", _("Your role does not allow this action on this object.")
        )

    def on_http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        assert isinstance(exc, HttpError)
        if isinstance(exc, AuthenticationError):
            return error_response(
                api,
                request,
                401,
                "not_authenticated",
                _("Send an access token: Authorization: Bearer ov_…."),
                headers={"WWW-Authenticate": "Bearer"},
            )
        if isinstance(exc.__cause__, ApiError):  # the body parser's error, wrapped by django-ninja
            return on_api_error(request, exc.__cause__)
        codes = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 429: "rate_limited"}
        message = _("The request cannot be read.") if exc.status_code == 400 else str(exc)
        return error_response(api, request, exc.status_code, codes.get(exc.status_code, "error"), message)

    def on_too_big(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(
            api,
            request,
            413,
            "body_too_large",
            _("The request body is too large; at most %(max)s bytes are accepted.") % {"max": MAX_BODY_BYTES},
        )

    def on_crash(request: HttpRequest, exc: Any) -> HttpResponse:
        logger.exception("API error on %s %s", request.method, request.path)
        return error_response(
            api, request, 500, "server_error", _("Something went wrong on our side; it has been logged.")
        )

    api.add_exception_handler(ApiError, on_api_error)
    api.add_exception_handler(NinjaValidationError, on_validation)
    api.add_exception_handler(DjangoValidationError, on_django_validation)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(PermissionDenied, on_forbidden)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(RequestDataTooBig, on_too_big)
    api.add_exception_handler(Exception, on_crash)
