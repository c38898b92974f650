"""`GET /api/v1/posts?range=month` with 3,000 posts in the month, under load on the production stack
(granian, PostgreSQL), against a minimal endpoint of the same API on the same server in the same run.

    .venv/bin/python bench/bench_api.py [--posts 3000] [--workers 2] [--seconds 5] [--rounds 3] [--connections 8]

Needs PostgreSQL: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/bench_api; the database is
dropped and created afresh). Seeds an organisation with 8 departments, 40 channels and 3,000 posts of the
current month with two variants each, creates a personal token, starts granian (`onevoice web`'s command)
with N workers, and loads it with `wrk` (or, without wrk, a Python load generator of keep-alive
connections). Prints requests/s of

- the floor: `GET /api/v1/health` (the same server, middleware and django-ninja, no database),
- a floor with the database: `GET /api/v1/ready` (the same, plus one `SELECT 1` on PostgreSQL),
- `GET /api/v1/me` (token check only),
- `GET /api/v1/posts?range=month` (a page of 50 of the 3,000 posts with variants, count and links),
- the same list uncached: every request carries a query parameter of its own (`&n=<counter>`, which the
  endpoint ignores but which is part of the answer's links and so of its cache key), so every answer is
  built afresh, as the first request after a change to the month is,

and the ratio posts / floor (target ≥ 0.25), for the cached and the uncached list. Every endpoint is
loaded in turn, in several rounds; each ratio is taken within a round and the median is reported, so a
slow spell of a shared machine does not decide it.

The server runs with the production configuration: ONEVOICE_ENV=production, PostgreSQL and Redis as
Django's cache (REDIS_URL, an empty database among 15…8 on ONEVOICE_TEST_REDIS, default
redis://127.0.0.1:6379), which holds the rate limit's counters. The posts list keeps its answers in each
server process and serves one again only while the data version (raised by PostgreSQL triggers on every
write to what the list shows; onevoice/core/data_version.py) is unchanged; the token is checked against the
database on every request, and that query reads the version too. After the
bulk load the tables are vacuumed and analysed, as autovacuum does soon after such a load in production.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
from spare_redis import release_redis_db, spare_redis_db  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/bench_api"
# wrk: every request with a query parameter of its own, so the posts list builds every answer afresh.
UNCACHED_LUA = """
counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, wrk.path .. "&n=" .. counter)
end
"""


def recreate_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def seed(posts: int) -> str:
    """The organisation, channels and posts; returns a token with posts:read."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from django.utils import timezone

    from onevoice.accounts.models import User
    from onevoice.api.services import token_create_personal
    from onevoice.networks.models import Channel, Network
    from onevoice.organization import services as org_services
    from onevoice.organization.models import default_business_hours
    from onevoice.planning.models import Post, PostVariant

    berlin = ZoneInfo("Europe/Berlin")
    user = User.objects.create_user("bench@example.org", "Bench-Passwort-1", full_name="Bench Admin")
    admin = org_services.organization_create(
        creator=user,
        name="Bench GmbH",
        time_zone="Europe/Berlin",
        form_of_address="sie",
        model="central",
        business_hours=default_business_hours(),
        departments=[org_services.DepartmentProposal(f"Abteilung {i}") for i in range(8)],
    )
    org = admin.organization
    departments = list(org.departments.all())
    channels = Channel.objects.bulk_create(
        [Channel(organization=org, network=Network.NEWSROOM, name=f"Kanal {i}") for i in range(40)]
    )
    today = timezone.now().astimezone(berlin).date()
    first = datetime(today.year, today.month, 1, 6, 0, tzinfo=berlin)
    span = 27 * 24 * 60  # minutes: the posts fill the first 27 days, so every month holds them all
    rows = Post.objects.bulk_create(
        [
            Post(
                organization=org,
                department=departments[i % len(departments)],
                owner=admin,
                title=f"Beitrag {i}",
                base_text=f"Text des Beitrags {i} " * 8,
                publish_at=first + timedelta(minutes=(i * span) // posts),
                status=Post.Status.SCHEDULED if i % 3 else Post.Status.DRAFT,
            )
            for i in range(posts)
        ],
        batch_size=1000,
    )
    PostVariant.objects.bulk_create(
        [
            PostVariant(post=post, channel=channels[(i + k) % len(channels)], text=post.base_text)
            for i, post in enumerate(rows)
            for k in (0, 17)
        ],
        batch_size=2000,
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # what autovacuum does soon after a bulk load in production
    return token_create_personal(
        actor=admin, name="Bench", scopes=["posts:read"], expires_at=timezone.now() + timedelta(days=2)
    ).secret


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(port: int, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("granian stopped before it answered; see the output above.")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/health")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("granian did not answer within a minute.")


def check(port: int, path: str, token: str, key: str, expect: object) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    response = conn.getresponse()
    body = response.read().decode()
    if response.status != 200 or json.loads(body).get(key) != expect:
        raise SystemExit(f"{path} answered {response.status}: {body[:300]}")


def load_wrk(
    port: int, path: str, token: str, seconds: int, connections: int, uncached: bool = False
) -> float:
    script: list[str] = []
    if uncached:
        lua = Path(tempfile.mkstemp(prefix="bench_api_", suffix=".lua")[1])
        lua.write_text(UNCACHED_LUA)
        script = ["-s", str(lua)]
    output = subprocess.run(  # noqa: S603 (wrk with our own arguments)
        [  # noqa: S607 (wrk from the PATH, as installed by apt)
            "wrk",
            f"-t{min(connections, 2)}",
            f"-c{connections}",
            f"-d{seconds}s",
            "-H",
            f"Authorization: Bearer {token}",
            *script,
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if uncached:
        lua.unlink()
    if "Non-2xx" in output:
        raise SystemExit(f"wrk saw error answers for {path}:\n{output}")
    found = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if found is None:
        raise SystemExit(f"wrk printed no rate:\n{output}")
    return float(found.group(1))


def load_python(
    port: int, path: str, token: str, seconds: int, connections: int, uncached: bool = False
) -> float:
    """Keep-alive connections in threads, each sending one request after the other."""
    counts = [0] * connections
    numbers = iter(range(1, 1 << 62))
    errors: list[str] = []
    stop = time.monotonic() + seconds

    def run(slot: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop:
            target = f"{path}&n={next(numbers)}" if uncached else path
            conn.request("GET", target, headers={"Authorization": f"Bearer {token}"})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors.append(f"{path}: {response.status}")
                return
            counts[slot] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise SystemExit(errors[0])
    return sum(counts) / (time.monotonic() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", DEFAULT_DB)
    if not url.startswith("postgres"):
        raise SystemExit("This benchmark runs on PostgreSQL: set DATABASE_URL=postgres://…")
    data_dir = tempfile.mkdtemp(prefix="bench_api_")
    redis_url = spare_redis_db()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "ONEVOICE_DATA_DIR": data_dir,
        "ONEVOICE_ENV": "production",
        "ONEVOICE_SECRET_KEY": secrets.token_urlsafe(50),
        "ONEVOICE_INSECURE_COOKIES": "1",
        "REDIS_URL": redis_url,  # production: Redis is Django's cache (the rate limit's counters) and queue
        # The load comes from one token; the benchmark measures the endpoint, not the limiter's refusals.
        "ONEVOICE_API_RATE_PER_MINUTE": "100000000",
    }
    os.environ.update(env)
    recreate_database(url)
    started = time.monotonic()
    token = seed(args.posts)
    print(f"seeded {args.posts} posts in {time.monotonic() - started:.1f} s")

    from onevoice.cli import default_threads, granian_command

    port = free_port()
    command = granian_command("127.0.0.1", port, workers=args.workers, threads=default_threads())
    server = subprocess.Popen(  # noqa: S603 (granian, the project's own command)
        command, env=env, cwd=REPO_ROOT, start_new_session=True
    )
    try:
        wait_for(port, server)
        check(port, "/api/v1/posts?range=month", token, "count", args.posts)
        check(port, "/api/v1/me", token, "kind", "personal")
        load = load_wrk if shutil.which("wrk") else load_python
        tool = "wrk" if load is load_wrk else "python"
        endpoints = (
            ("floor  GET /api/v1/health", "/api/v1/health", False),
            ("floor with the database  GET /api/v1/ready", "/api/v1/ready", False),
            ("token  GET /api/v1/me", "/api/v1/me", False),
            ("posts  GET /api/v1/posts?range=month", "/api/v1/posts?range=month", False),
            ("posts  … uncached (&n=<counter>)", "/api/v1/posts?range=month", True),
        )
        for _name, path, uncached in endpoints:
            load(port, path, token, 2, args.connections, uncached)  # warm up every worker
        # Rounds of every endpoint one after the other, so a slow spell of the machine (other processes on
        # the same CPUs) falls on the floor and the list alike; each ratio is taken within one round.
        rounds: list[dict[str, float]] = []
        for _round in range(args.rounds):
            rounds.append({name: load(port, path, token, args.seconds, args.connections, uncached)
                           for name, path, uncached in endpoints})  # fmt: skip
        print(
            f"granian: {args.workers} worker(s), {default_threads()} threads each; load: {tool}, "
            f"{args.connections} connections, {args.rounds} rounds of {args.seconds} s per endpoint; "
            f"{os.cpu_count()} CPUs"
        )
        for name, _path, _uncached in endpoints:
            rates = [r[name] for r in rounds]
            print(f"  {name:<44} {statistics.median(rates):9.1f} requests/s (rounds: "
                  f"{', '.join(f'{rate:.0f}' for rate in rates)})")  # fmt: skip

        def ratio(over: str, under: str) -> str:
            values = sorted(r[over] / r[under] for r in rounds)
            return f"{statistics.median(values):.2f} (rounds: {', '.join(f'{v:.2f}' for v in values)})"

        floor, db_floor = "floor  GET /api/v1/health", "floor with the database  GET /api/v1/ready"
        posts, uncached_posts = "posts  GET /api/v1/posts?range=month", "posts  … uncached (&n=<counter>)"
        met = statistics.median(r[posts] / r[floor] for r in rounds) >= 0.25
        print(f"ratio posts / floor: {ratio(posts, floor)} (target ≥ 0.25) {'OK' if met else 'BELOW TARGET'}")
        print(f"ratio posts uncached / floor: {ratio(uncached_posts, floor)} (every answer built afresh)")
        print(f"ratio token check / floor: {ratio('token  GET /api/v1/me', floor)}")
        print(
            "ratio posts / floor with the database (one query, the same stack with PostgreSQL): "
            f"{ratio(posts, db_floor)}"
        )
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)
        release_redis_db(redis_url)


if __name__ == "__main__":
    main()
