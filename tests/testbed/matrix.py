"""A throw-away Matrix homeserver (Synapse, from the dev dependencies) on 127.0.0.1 for live tests.

It generates a config into a temporary directory, binds only loopback on a free port, trusts no key
server (nothing leaves the machine), allows registration without verification and lifts rate limits;
`start()` returns when the client API answers. Accounts and rooms vanish with the directory.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

SERVER_NAME = "localhost"


class HomeserverUnavailable(Exception):
    """Synapse cannot start here (not installed, or it did not answer in time)."""


@dataclass
class Account:
    user_id: str
    access_token: str


@dataclass
class Homeserver:
    url: str
    directory: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def register(self, name: str) -> Account:
        answer = httpx.post(
            f"{self.url}/_matrix/client/v3/register",
            json={"username": name, "password": f"{name}-Passwort-2026", "auth": {"type": "m.login.dummy"}},
            timeout=30,
        )
        answer.raise_for_status()
        data = answer.json()
        return Account(data["user_id"], data["access_token"])

    def create_room(self, owner: Account, *, invite: list[str]) -> str:
        answer = httpx.post(
            f"{self.url}/_matrix/client/v3/createRoom",
            headers={"Authorization": f"Bearer {owner.access_token}"},
            json={"name": "Social Media Team", "preset": "private_chat", "invite": invite},
            timeout=30,
        )
        answer.raise_for_status()
        return str(answer.json()["room_id"])

    def join(self, account: Account, room_id: str) -> None:
        answer = httpx.post(
            f"{self.url}/_matrix/client/v3/join/{quote(room_id, safe='')}",
            headers={"Authorization": f"Bearer {account.access_token}"},
            json={},
            timeout=30,
        )
        answer.raise_for_status()

    def messages(self, reader: Account, room_id: str) -> list[dict[str, Any]]:
        """The room's m.room.message events, oldest first, as the reader sees them."""
        answer = httpx.get(
            f"{self.url}/_matrix/client/v3/rooms/{quote(room_id, safe='')}/messages",
            headers={"Authorization": f"Bearer {reader.access_token}"},
            params={"dir": "b", "limit": "100"},
            timeout=30,
        )
        answer.raise_for_status()
        chunk = answer.json()["chunk"]
        return [e for e in reversed(chunk) if e.get("type") == "m.room.message"]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _configure(directory: Path, port: int) -> Path:
    import yaml  # installed with Synapse

    config = directory / "homeserver.yaml"
    subprocess.run(  # noqa: S603  (our own interpreter and arguments)
        [
            sys.executable,
            "-m",
            "synapse.app.homeserver",
            "--server-name",
            SERVER_NAME,
            "--config-path",
            str(config),
            "--data-directory",
            str(directory),
            "--generate-config",
            "--report-stats=no",
        ],
        check=True,
        cwd=directory,
        capture_output=True,
        timeout=120,
    )
    data = yaml.safe_load(config.read_text())
    data["listeners"] = [
        {
            "port": port,
            "bind_addresses": ["127.0.0.1"],
            "type": "http",
            "tls": False,
            "x_forwarded": False,
            "resources": [{"names": ["client"], "compress": False}],
        }
    ]
    data["trusted_key_servers"] = []
    data["suppress_key_server_warning"] = True
    data["enable_registration"] = True
    data["enable_registration_without_verification"] = True
    data["url_preview_enabled"] = False
    data["presence"] = {"enabled": False}
    unlimited = {"per_second": 1000, "burst_count": 1000}
    for limit in ("rc_message", "rc_registration", "rc_login", "rc_joins", "rc_invites"):
        data[limit] = unlimited
    data["rc_login"] = {"address": unlimited, "account": unlimited, "failed_attempts": unlimited}
    data["rc_joins"] = {"local": unlimited, "remote": unlimited}
    data["rc_invites"] = {"per_room": unlimited, "per_user": unlimited, "per_issuer": unlimited}
    config.write_text(yaml.safe_dump(data))
    return config


def start(timeout: float = 90.0) -> Homeserver:
    """Start Synapse in a fresh directory; raise HomeserverUnavailable if it does not come up."""
    try:
        import synapse  # noqa: F401
    except ImportError as error:
        raise HomeserverUnavailable(f"matrix-synapse is not installed: {error}") from error
    directory = Path(tempfile.mkdtemp(prefix="onevoice-synapse-"))
    port = _free_port()
    try:
        config = _configure(directory, port)
    except (subprocess.SubprocessError, OSError) as error:
        raise HomeserverUnavailable(f"cannot generate a Synapse config: {error}") from error
    log = (directory / "stdout.log").open("wb")
    process = subprocess.Popen(  # noqa: S603  (our own interpreter and arguments)
        [sys.executable, "-m", "synapse.app.homeserver", "--config-path", str(config)],
        cwd=directory,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "SYNAPSE_NO_TLS": "1"},
    )
    server = Homeserver(url=f"http://127.0.0.1:{port}", directory=directory, process=process)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise HomeserverUnavailable(
                f"Synapse exited with {process.returncode}; see {directory / 'stdout.log'}"
            )
        try:
            if httpx.get(f"{server.url}/_matrix/client/versions", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.25)  # polling a starting server, not a test's wait
    server.stop()
    raise HomeserverUnavailable(f"Synapse did not answer within {timeout:.0f} s")
