"""Replay answers recorded from the local testbed's real PDS and AppView (see record_answers.py)."""

from __future__ import annotations

import json
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import respx

RECORDED = Path(__file__).parent / "recorded"
SERVICE = "http://localhost:2583"


@cache
def load(name: str) -> dict[str, Any]:
    return json.loads((RECORDED / f"{name}.json").read_text())


def exchanges(name: str) -> list[dict[str, Any]]:
    return list(load(name)["exchanges"])


def answer(exchange: dict[str, Any]) -> httpx.Response:
    return httpx.Response(exchange["status"], headers=exchange["headers"], json=exchange["body"])


def stored_credentials() -> dict[str, Any]:
    """A channel's credentials after the recorded sign-in: the session the PDS handed out."""
    session = exchanges("login")[0]["body"]
    return {
        "identifier": session["handle"],
        "app_password": "abcd-efgh-ijkl-mnop",
        "access_jwt": session["accessJwt"],
        "refresh_jwt": session["refreshJwt"],
        "did": session["did"],
        "handle": session["handle"],
        "pds": SERVICE,
    }


class Replay:
    """What OneVoice sent while the recorded answers were replayed."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def to(self, nsid: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path == f"/xrpc/{nsid}"]

    def json(self, nsid: str, index: int = -1) -> dict[str, Any]:
        """The JSON body sent to an XRPC procedure."""
        return json.loads(self.to(nsid)[index].content)

    @property
    def paths(self) -> list[str]:
        return [r.url.path.removeprefix("/xrpc/") for r in self.requests]


@contextmanager
def replay(*names: str | dict[str, Any]) -> Iterator[Replay]:
    """Answer each XRPC method with its recorded answers, in recorded order; anything else fails the test.

    A name is a recording under recorded/; a dict is one extra exchange written in the test.
    """
    answers: dict[tuple[str, str], deque[httpx.Response]] = defaultdict(deque)
    for name in names:
        for exchange in [name] if isinstance(name, dict) else exchanges(name):
            answers[(exchange["method"], exchange["nsid"])].append(answer(exchange))
    sent = Replay()

    def respond(request: httpx.Request) -> httpx.Response:
        sent.requests.append(request)
        queue = answers[(request.method, request.url.path.removeprefix("/xrpc/"))]
        if not queue:
            raise AssertionError(f"no recorded answer left for {request.method} {request.url}")
        return queue.popleft()

    with respx.mock(assert_all_called=False) as router:
        router.route().mock(side_effect=respond)
        yield sent
