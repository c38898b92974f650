"""A real HTTP receiver on 127.0.0.1 for webhook and chat deliveries, and a webhook pointing at it."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.cache import cache

from onevoice.publishing.tests.conftest import bluesky, schedule  # noqa: F401  (fixtures for the event tests)
from onevoice.webhooks import services
from onevoice.webhooks.models import Event, Target


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers with `status` (and `body`); with `hang` set it does not answer until the test ends."""

    url: str
    requests: list[Received] = field(default_factory=list)
    status: int = 200
    answer: bytes = b'{"ok":true}'
    hang: bool = False
    release: threading.Event = field(default_factory=threading.Event)


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            receiver.requests.append(
                Received(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            )
            if receiver.hang:
                receiver.release.wait()
                return
            self.send_response(receiver.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(receiver.answer)))
            self.end_headers()
            self.wfile.write(receiver.answer)

        do_POST = _serve
        do_PUT = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextlib.contextmanager
def serving(settings: Any) -> Iterator[Receiver]:
    """Run a receiver on a free port of 127.0.0.1 (allowed for outbound HTTP) until the block ends."""
    settings.HTTP_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(Receiver(url="")))
    box = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/hooks/onevoice")
    server.RequestHandlerClass = _handler(box)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield box
    finally:
        box.release.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    with serving(settings) as box:
        yield box


@pytest.fixture(autouse=True)
def fresh_subscriptions() -> Iterator[None]:
    """The cached "who listens" answer must not leak into other tests (organisation ids repeat)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def webhook(personas: Any, receiver: Receiver) -> Target:
    return services.webhook_create(
        actor=personas.admin,
        data=services.TargetInput(name="Ticketsystem", events=list(Event.values), url=receiver.url),
    )
