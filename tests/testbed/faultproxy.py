"""A small fault-injecting HTTP proxy in front of the local PDS, switchable while a test runs.

    with FaultProxy("http://localhost:2583") as proxy:       # 127.0.0.1, a free port, its own threads
        connect_the_channel(service=proxy.url)
        proxy.set(Fault.RATE_LIMIT, retry_after=5)           # every call answers 429 with ratelimit-reset
        proxy.set(Fault.ERROR)                               # … 500
        proxy.set(Fault.HANG, only="createRecord")           # read the request, never answer it
        proxy.set(Fault.DROP, only="createRecord", times=1)  # forward, then close without the answer
        proxy.set(Fault.PASS, latency_ms=100)                # pass through, 100 ms later

Faults apply to requests whose path contains `only` (all when empty), `times` times (then the proxy
passes again; 0 means until switched), each one waiting `latency_ms` first. `DROP` forwards the request
to the PDS (so the post is made), waits `hold` seconds and closes the connection without a byte of the
answer: the client cannot know whether it went through. A test waits for a fault with `wait_for_fault()`
and can then, for instance, kill the worker that is waiting for the answer.

The PDS names itself in session answers (the DID document's service endpoint), and the SDK switches to
that address after signing in; the proxy rewrites the PDS's address to its own in every answer so that
the client keeps talking through it.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import select
import socket
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
        "accept-encoding",  # asked for plain bodies, so that the PDS's address can be rewritten
    }
)
UPSTREAM_TIMEOUT = 60.0
UPSTREAM_IDLE = 2.0  # seconds; Node closes idle kept-alive connections after 5
MAX_HANG = 120.0  # a hung request is let go after this long at the latest (or when the client leaves)


class Fault(StrEnum):
    PASS = "pass"
    RATE_LIMIT = "rate_limit"  # 429 with `ratelimit-reset` (epoch seconds) and `Retry-After`
    ERROR = "error"  # 500 InternalServerError
    HANG = "hang"  # never answer (nothing forwarded): the client runs into its read timeout
    DROP = "drop"  # forward, then close the connection without the answer ("accept then drop")


@dataclass
class Rule:
    fault: Fault = Fault.PASS
    only: str = ""
    times: int = 0  # 0: until switched
    latency_ms: int = 0
    retry_after: float = 5.0  # RATE_LIMIT: seconds until `ratelimit-reset`
    hold: float = 0.0  # DROP: seconds between the upstream's answer and closing the connection
    used: int = 0

    def matches(self, path: str) -> bool:
        return not self.only or self.only in path


@dataclass
class Seen:
    """What went through the proxy: calls per XRPC method, faults applied, answers forwarded."""

    calls: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    forwarded: Counter[str] = field(default_factory=Counter)


def method_of(path: str) -> str:
    """`/xrpc/com.atproto.repo.createRecord?x=1` → `com.atproto.repo.createRecord`."""
    return path.split("?", 1)[0].rsplit("/", 1)[-1]


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away mid-answer (a killed worker, a timeout) is expected here, not news."""
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class FaultProxy:
    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"the proxy forwards to a plain http:// upstream, not {upstream!r}")
        self.upstream = upstream.rstrip("/")
        self._upstream_host = parts.hostname
        self._upstream_port = parts.port or 80
        self._lock = threading.Lock()
        self._rule = Rule()
        self._fault_seen = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self.seen = Seen()
        self._server = QuietServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self.port = int(self._server.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread: threading.Thread | None = None
        self._local = threading.local()

    # Control -----------------------------------------------------------------------------------------

    def start(self) -> Self:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # lets hung requests go
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def set(
        self,
        fault: Fault = Fault.PASS,
        *,
        only: str = "",
        times: int = 0,
        latency_ms: int = 0,
        retry_after: float = 5.0,
        hold: float = 0.0,
    ) -> None:
        """Switch what the next requests meet (requests already inside keep what they met)."""
        with self._lock:
            self._rule = Rule(
                fault=Fault(fault),
                only=only,
                times=times,
                latency_ms=latency_ms,
                retry_after=retry_after,
                hold=hold,
            )

    def pass_through(self, *, latency_ms: int = 0) -> None:
        self.set(Fault.PASS, latency_ms=latency_ms)

    def faults(self, method: str = "") -> int:
        with self._lock:
            return sum(n for m, n in self.seen.faults.items() if method in m)

    def forwarded(self, method: str, status: int = 200) -> int:
        """How many requests for `method` the PDS answered with `status` (whether or not the client got it)."""
        with self._lock:
            return sum(
                n for key, n in self.seen.forwarded.items() if method in key and key.endswith(f" {status}")
            )

    def wait_for_fault(self, count: int = 1, *, method: str = "", timeout: float = 30.0) -> bool:
        """Block until at least `count` faults (of requests whose method contains `method`) were applied."""
        deadline = time.monotonic() + timeout
        with self._fault_seen:
            while sum(n for m, n in self.seen.faults.items() if method in m) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._fault_seen.wait(left)
        return True

    # Serving -----------------------------------------------------------------------------------------

    def _take(self, path: str) -> Rule:
        """The rule this request meets; a fault with `times` counts down and then passes again."""
        method = method_of(path)
        with self._lock:
            self.seen.calls[method] += 1
            rule = self._rule
            if rule.fault is Fault.PASS or not rule.matches(path):
                return Rule(latency_ms=rule.latency_ms)
            rule.used += 1
            if rule.times and rule.used >= rule.times:
                self._rule = Rule(latency_ms=rule.latency_ms)
            return Rule(
                fault=rule.fault,
                latency_ms=rule.latency_ms,
                retry_after=rule.retry_after,
                hold=rule.hold,
            )

    def _faulted(self, path: str) -> None:
        with self._fault_seen:
            self.seen.faults[method_of(path)] += 1
            self._fault_seen.notify_all()

    def _forward(
        self, method: str, path: str, headers: list[tuple[str, str]], body: bytes
    ) -> tuple[int, str, list[tuple[str, str]], bytes]:
        sent = {k: v for k, v in headers if k.lower() not in HOP_BY_HOP}
        sent["Host"] = f"{self._upstream_host}:{self._upstream_port}"
        if body or method in ("POST", "PUT", "PATCH"):
            sent["Content-Length"] = str(len(body))
        connection = self._upstream_connection()
        try:
            connection.request(method, path, body=body or None, headers=sent)
            answer = connection.getresponse()
            content = answer.read()
        except (OSError, http.client.HTTPException):
            connection.close()
            self._local.connection = None
            raise
        answer_headers = [(k, v) for k, v in answer.getheaders() if k.lower() not in HOP_BY_HOP]
        if "json" in (answer.getheader("content-type") or ""):
            content = content.replace(self.upstream.encode(), self.url.encode())
            content = content.replace(
                self.upstream.replace("localhost", "127.0.0.1").encode(), self.url.encode()
            )
        if answer.will_close:
            connection.close()
            self._local.connection = None
        return answer.status, answer.reason, answer_headers, content

    def _upstream_connection(self) -> http.client.HTTPConnection:
        """A kept-alive connection to the PDS per serving thread (a new TCP connection per call would cost
        more than the PDS's own work); one idle for a while is replaced, as the PDS may be closing it."""
        connection: http.client.HTTPConnection | None = getattr(self._local, "connection", None)
        idle = time.monotonic() - getattr(self._local, "used_at", 0.0)
        if connection is not None and idle > UPSTREAM_IDLE:
            connection.close()
            connection = None
        if connection is None:
            connection = http.client.HTTPConnection(
                self._upstream_host, self._upstream_port, timeout=UPSTREAM_TIMEOUT
            )
            connection.connect()
            assert connection.sock is not None
            connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._local.connection = connection
        self._local.used_at = time.monotonic()
        return connection

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                # Headers and body go out at once, without waiting for Nagle's algorithm.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def log_message(self, format: str, *args: object) -> None:
                pass  # quiet: the tests read `proxy.seen`

            def _body(self) -> bytes:
                if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                    chunks = []
                    while True:
                        size = int(self.rfile.readline().strip().split(b";", 1)[0], 16)
                        if size == 0:
                            self.rfile.readline()
                            break
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                    return b"".join(chunks)
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def _send(self, status: int, reason: str, headers: list[tuple[str, str]], body: bytes) -> None:
                self.send_response(status, reason)
                for key, value in headers:
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _send_json(self, status: int, payload: dict[str, str], extra: list[tuple[str, str]]) -> None:
                headers = [("Content-Type", "application/json; charset=utf-8"), *extra]
                self._send(status, "", headers, json.dumps(payload).encode())

            def _cut(self) -> None:
                """Close the connection without a byte of an answer."""
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)

            def _hang(self) -> None:
                """Hold the request until the client gives up (or the proxy stops)."""
                deadline = time.monotonic() + MAX_HANG
                while not proxy._stopping.is_set() and time.monotonic() < deadline:
                    readable, _, _ = select.select([self.connection], [], [], 0.2)
                    if readable:
                        try:
                            if not self.connection.recv(1, socket.MSG_PEEK):
                                break  # the client closed its side
                        except OSError:
                            break
                self._cut()

            def _handle(self) -> None:
                body = self._body()
                rule = proxy._take(self.path)
                if rule.latency_ms:
                    time.sleep(rule.latency_ms / 1000)
                if rule.fault is Fault.RATE_LIMIT:
                    proxy._faulted(self.path)
                    reset = int(time.time() + rule.retry_after + 0.999)
                    self._send_json(
                        429,
                        {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
                        [
                            ("ratelimit-limit", "3000"),
                            ("ratelimit-remaining", "0"),
                            ("ratelimit-reset", str(reset)),
                            ("ratelimit-policy", "3000;w=300"),
                            ("Retry-After", str(max(int(rule.retry_after + 0.999), 1))),
                        ],
                    )
                    return
                if rule.fault is Fault.ERROR:
                    proxy._faulted(self.path)
                    self._send_json(
                        500, {"error": "InternalServerError", "message": "Internal Server Error"}, []
                    )
                    return
                if rule.fault is Fault.HANG:
                    proxy._faulted(self.path)
                    self._hang()
                    return
                try:
                    status, reason, headers, content = proxy._forward(
                        self.command, self.path, list(self.headers.items()), body
                    )
                except OSError as error:
                    self._send_json(502, {"error": "UpstreamFailure", "message": str(error)}, [])
                    return
                with proxy._lock:
                    proxy.seen.forwarded[f"{method_of(self.path)} {status}"] += 1
                if rule.fault is Fault.DROP:
                    proxy._faulted(self.path)
                    if rule.hold:
                        proxy._stopping.wait(rule.hold)
                    self._cut()
                    return
                self._send(status, reason, headers, content)

            def do_GET(self) -> None:
                self._handle()

            def do_POST(self) -> None:
                self._handle()

        return Handler
