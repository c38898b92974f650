"""A real OpenID Connect provider for the tests: oidc-provider-mock (authlib + Flask) on localhost in a thread.

It serves discovery, JWKS, the authorization endpoint (a form where the test picks the subject), the token
endpoint issuing RS256-signed ID tokens, and userinfo. Claims of a subject are set with PUT /users/<sub>.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import oidc_provider_mock


@dataclass
class Provider:
    url: str

    def set_user(self, sub: str, claims: dict[str, Any]) -> None:
        response = httpx.put(f"{self.url}/users/{quote(sub, safe='')}", json=claims)
        assert response.status_code == 204, response.text

    def authorize(self, authorization_url: str, sub: str) -> str:
        """Act as the person at the provider: pick the subject; return where the provider sends the browser."""
        response = httpx.post(authorization_url, data={"sub": sub})
        assert response.status_code == 302, response.text
        return str(response.headers["location"])

    def deny(self, authorization_url: str) -> str:
        response = httpx.post(authorization_url, data={"action": "deny"})
        assert response.status_code == 302, response.text
        return str(response.headers["location"])


@contextmanager
def running_provider(*, token_max_age: timedelta = timedelta(hours=1)) -> Iterator[Provider]:
    with oidc_provider_mock.run_server_in_thread(
        require_nonce=True, access_token_max_age=token_max_age
    ) as server:
        yield Provider(url=f"http://localhost:{server.server_port}")


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path
