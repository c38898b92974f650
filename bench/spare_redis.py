"""An empty Redis database for a benchmark that runs OneVoice's production stack (its queue or its cache).

Imported by the benches that need one (they run as `python bench/…`, so this folder is on the path).
"""

from __future__ import annotations

import os

SPARE_REDIS_DBS = range(15, 7, -1)
REDIS_SERVER = os.environ.get("ONEVOICE_TEST_REDIS", "redis://127.0.0.1:6379")


def spare_redis_db() -> str:
    """The address of an empty Redis database among 15…8, marked as taken for an hour."""
    import redis

    for number in SPARE_REDIS_DBS:
        url = f"{REDIS_SERVER}/{number}"
        client = redis.Redis.from_url(url, socket_connect_timeout=2)
        try:
            if client.dbsize() == 0 and client.set("onevoice-bench", os.getpid(), nx=True, ex=3600):
                return url
        finally:
            client.close()
    raise SystemExit(f"no empty Redis database among {list(SPARE_REDIS_DBS)} on {REDIS_SERVER}")


def release_redis_db(url: str) -> None:
    """Empty the database again (which also drops the mark)."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.flushdb()
    finally:
        client.close()
