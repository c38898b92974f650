"""Serve recorded (documentation-based) answers to the REST connectors through httpx.MockTransport.

Every file in a network's `recorded/` folder is `{"source", "note", "status", "headers", "body"}`.
Nothing leaves the process: `rest.transport_override` replaces the network transport for the test.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from onevoice.networks.connectors import rest


@dataclass
class Route:
    method: str
    prefix: str
    answer: dict[str, Any] | BaseException
    repeat: bool = False
    used: int = 0


@dataclass
class Recorded:
    folder: Path
    routes: list[Route] = field(default_factory=list)
    calls: list[httpx.Request] = field(default_factory=list)

    def answer(self, name: str) -> dict[str, Any]:
        return dict(json.loads((self.folder / f"{name}.json").read_text()))

    def add(self, method: str, prefix: str, name: str | BaseException, *, repeat: bool = False) -> None:
        """Answer the next `method` request whose URL starts with `prefix` with the recorded answer `name`."""
        answer = name if isinstance(name, BaseException) else self.answer(name)
        self.routes.append(Route(method.upper(), prefix, answer, repeat))

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        url = str(request.url)
        for route in self.routes:
            if (
                route.method == request.method
                and url.startswith(route.prefix)
                and (route.repeat or not route.used)
            ):
                route.used += 1
                if isinstance(route.answer, BaseException):
                    raise route.answer
                body = route.answer.get("body")
                headers = dict(route.answer.get("headers") or {})
                if body is None or body == "":
                    return httpx.Response(route.answer["status"], headers=headers, request=request)
                return httpx.Response(route.answer["status"], headers=headers, json=body, request=request)
        raise AssertionError(f"no recorded answer for {request.method} {url}")

    def sent(self, method: str, prefix: str) -> list[httpx.Request]:
        return [c for c in self.calls if c.method == method and str(c.url).startswith(prefix)]

    @staticmethod
    def json_of(request: httpx.Request) -> Any:
        return json.loads(request.content or b"null")

    @staticmethod
    def form_of(request: httpx.Request) -> dict[str, str]:
        from urllib.parse import parse_qsl

        return dict(parse_qsl(request.content.decode()))


@contextmanager
def recorded(folder: Path, settings: Any, hosts: list[str]) -> Iterator[Recorded]:
    """Serve answers from `folder` for `hosts` (allowed past the guard, never resolved)."""
    settings.HTTP_ALLOWED_PRIVATE_HOSTS = hosts
    served = Recorded(folder)
    before = rest.transport_override
    rest.transport_override = httpx.MockTransport(served.handle)
    try:
        yield served
    finally:
        rest.transport_override = before
