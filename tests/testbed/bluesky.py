"""Start, reuse and stop the local Bluesky network of the testbed, and make accounts on it.

The network is `../shared/testbed/bluesky/start-network.sh` (relative to the repository root): the
reference PDS and PLC, with `--full` also the Bluesky AppView. Its URLs are in `$LBS_HOME/network.json`.
A network that is already running is reused and left running; one started here is stopped by
`Network.stop()`. Only loopback addresses are involved.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[2]
START_SCRIPT = REPO_ROOT.parent / "shared/testbed/bluesky/start-network.sh"
FIRST_START_TIMEOUT = 900  # the first start installs Node 22 and dev-env (~80 s, slower on a cold cache)
PASSWORD = "testbed-pass-123"


class NetworkUnavailable(RuntimeError):
    """The local network could not be started (no script, no Node/npm, no PostgreSQL …)."""


def lbs_home() -> Path:
    return Path(os.environ.get("LBS_HOME", "/tmp/local-bluesky"))


@dataclass
class Network:
    pds: str
    plc: str
    appview: str | None
    started_here: bool = False

    def stop(self) -> None:
        """Stop the network if this process started it; a reused one keeps running for its owner."""
        if self.started_here:
            stop_network()
            self.started_here = False


@dataclass
class Account:
    handle: str
    did: str
    password: str
    access_jwt: str


def running_network() -> Network | None:
    """The network described by network.json, if its process is alive and the PDS answers."""
    home = lbs_home()
    try:
        info = json.loads((home / "network.json").read_text())
        pid = int((home / "network.pid").read_text().strip())
        os.kill(pid, 0)
        httpx.get(f"{info['pds']}/xrpc/com.atproto.server.describeServer", timeout=3).raise_for_status()
    except (OSError, ValueError, KeyError, httpx.HTTPError):
        return None
    return Network(pds=info["pds"], plc=info["plc"], appview=info.get("appview"))


def ensure_network(*, full: bool = False) -> Network:
    """Reuse the running network, or start one (`full`: with the AppView); raise NetworkUnavailable."""
    network = running_network()
    if network is not None and (network.appview or not full):
        return network
    if not START_SCRIPT.is_file():
        raise NetworkUnavailable(f"the testbed script {START_SCRIPT} is missing")
    if network is not None:  # a PDS-only network is running but the AppView is needed
        stop_network()
    command = [str(START_SCRIPT), "--full"] if full else [str(START_SCRIPT)]
    try:
        done = subprocess.run(  # noqa: S603 - our own script, fixed arguments
            command, capture_output=True, text=True, timeout=FIRST_START_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise NetworkUnavailable(f"{START_SCRIPT.name} did not run: {error}") from error
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-15:])
        raise NetworkUnavailable(f"{START_SCRIPT.name} failed (exit {done.returncode}):\n{tail}")
    network = running_network()
    if network is None:
        raise NetworkUnavailable(f"{START_SCRIPT.name} reported success but no PDS answers")
    network.started_here = True
    return network


def stop_network() -> None:
    if START_SCRIPT.is_file():
        subprocess.run(  # noqa: S603 - our own script, fixed arguments
            [str(START_SCRIPT), "stop"], capture_output=True, timeout=60, check=False
        )


def create_account(pds: str, prefix: str = "acct") -> Account:
    """A fresh account on the PDS (no invite codes on the testbed), signed in with its main password."""
    handle = f"{prefix[:8]}{secrets.token_hex(3)}.test"
    answer = httpx.post(
        f"{pds}/xrpc/com.atproto.server.createAccount",
        json={"handle": handle, "email": f"{handle}@example.org", "password": PASSWORD},
        timeout=20,
    )
    answer.raise_for_status()
    body = answer.json()
    return Account(handle=body["handle"], did=body["did"], password=PASSWORD, access_jwt=body["accessJwt"])


def create_app_password(pds: str, account: Account, name: str = "") -> str:
    """A new app password (names are unique per account: a random one unless given)."""
    answer = httpx.post(
        f"{pds}/xrpc/com.atproto.server.createAppPassword",
        json={"name": name or f"OneVoice {secrets.token_hex(3)}"},
        headers={"Authorization": f"Bearer {account.access_jwt}"},
        timeout=20,
    )
    answer.raise_for_status()
    return str(answer.json()["password"])
