"""Publishing through the Bluesky connector vs. bare `createRecord` calls with the SDK, on the local PDS.

    .venv/bin/python bench/bench_bluesky_publish.py [--posts 50]

Both sides publish the same texts (with link and tag facets) to the same account of the testbed's real
PDS, interleaved and alternating who goes first, so that the PDS's state and warm-up weigh the same on
both. The connector adds its guarded HTTP client, its deterministic record key and its error handling;
the floor is the SDK alone. Target: connector / SDK < 1.2. Starts (and then stops) the PDS-only network
unless one is running already.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["ONEVOICE_HTTP_ALLOWED_PRIVATE_HOSTS"] = "localhost,127.0.0.1"

import django  # noqa: E402

django.setup()
logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request would drown the figures

from atproto import Client, models  # noqa: E402
from atproto_client.utils import facet_detection  # noqa: E402

from onevoice.networks.connectors.base import PublishRequest  # noqa: E402
from onevoice.networks.connectors.bluesky import BlueskyConnector  # noqa: E402
from tests.testbed.bluesky import create_account, create_app_password, ensure_network  # noqa: E402

WARM_UP = 3


def text_for(side: str, n: int) -> str:
    return f"Benchmark {side} {n}: Neues aus der Redaktion #OneVoice https://example.org/news/{n}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=50, help="posts per side (default 50)")
    args = parser.parse_args()

    network = ensure_network()
    try:
        account = create_account(network.pds, "bench")
        app_password = create_app_password(network.pds, account)
        connector = BlueskyConnector(
            credentials={"identifier": account.handle, "app_password": app_password},
            config={"service": network.pds},
        )
        connector.verify()  # sign in once, as a channel in use would have
        sdk = Client(base_url=network.pds)
        sdk.login(account.handle, app_password, fetch_bsky_profile=False)

        def via_connector(n: int) -> None:
            connector.publish(PublishRequest(text=text_for("connector", n)), idempotency_key=f"bench-{n}")

        def via_sdk(n: int) -> None:
            text = text_for("sdk", n)
            record = models.AppBskyFeedPost.Record(
                text=text, created_at=sdk.get_current_time_iso(), facets=facet_detection.detect_facets(text)
            )
            sdk.app.bsky.feed.post.create(account.did, record)

        times: dict[str, list[float]] = {"connector": [], "sdk": []}
        sides = {"connector": via_connector, "sdk": via_sdk}
        for n in range(-WARM_UP, args.posts):
            order = ["connector", "sdk"] if n % 2 == 0 else ["sdk", "connector"]
            for side in order:
                started = time.perf_counter()
                sides[side](n)
                if n >= 0:
                    times[side].append(time.perf_counter() - started)
        connector.close()
    finally:
        network.stop()

    print(
        f"{args.posts} posts per side to {network.pds} (interleaved, {WARM_UP} warm-up posts each not counted)"
    )
    print(f"{'':10} {'mean ms':>9} {'median ms':>10} {'p95 ms':>8}")
    for side, values in times.items():
        p95 = statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]
        print(
            f"{side:10} {statistics.mean(values) * 1000:9.2f} {statistics.median(values) * 1000:10.2f} {p95 * 1000:8.2f}"
        )
    ratio_mean = statistics.mean(times["connector"]) / statistics.mean(times["sdk"])
    ratio_median = statistics.median(times["connector"]) / statistics.median(times["sdk"])
    verdict = "OK" if ratio_median < 1.2 else "ABOVE TARGET"
    print(f"ratio connector/sdk: mean {ratio_mean:.3f}, median {ratio_median:.3f} (target < 1.2: {verdict})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
