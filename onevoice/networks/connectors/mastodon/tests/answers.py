"""Serve the documentation-based answers in recorded/ to requests (see recorded/README.md: not live recordings)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import responses

RECORDED = Path(__file__).parent / "recorded"
HOST = "mastodon.example"
INSTANCE = f"https://{HOST}"


def recorded(name: str) -> dict[str, Any]:
    return json.loads((RECORDED / f"{name}.json").read_text())


@contextmanager
def served(*, all_used: bool = True) -> Iterator[responses.RequestsMock]:
    """Like `responses.RequestsMock()`, but the calls stay readable after the block."""
    mock = responses.RequestsMock(assert_all_requests_are_fired=all_used)
    mock.start()
    finished = False
    try:
        yield mock
        finished = True
    finally:
        mock.stop(allow_assert=finished)


def serve(mock: responses.RequestsMock, method: str, path: str, name: str, *, base: str = INSTANCE) -> None:
    """Answer `method path` with the recorded answer `name` (status, headers and body)."""
    answer = recorded(name)
    headers = {key: value for key, value in answer["headers"].items() if key.lower() != "content-type"}
    mock.add(method, base + path, json=answer["body"], status=answer["status"], headers=headers)


def sent_form(call: Any) -> dict[str, list[str]]:
    """The form fields of a recorded request (application/x-www-form-urlencoded)."""
    from urllib.parse import parse_qs

    body = call.request.body or ""
    if isinstance(body, bytes):
        body = body.decode()
    return parse_qs(body)
