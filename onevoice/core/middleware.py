from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from onevoice.core import audit


class AuditContextMiddleware:
    """Make the client address available to audit records written while serving this request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = audit.current_ip.set(request.META.get("REMOTE_ADDR") or None)
        try:
            return self.get_response(request)
        finally:
            audit.current_ip.reset(token)
