"""Publishing scheduled posts with real worker processes to the real local PDS: punctuality and scale-out.

    .venv/bin/python bench/bench_publishing.py punctuality [--posts 500] [--channels 50] [--workers 1] [--threads 8]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/bench_publishing.py \\
        punctuality --workers 2 --threads 8                  # PostgreSQL + Redis (a spare Redis database)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/bench_publishing.py \\
        scale [--posts 300] [--channels 50] [--threads 4] [--latency-ms 100] [--counts 1,2,4]

(a) punctuality: N posts over C channels (accounts on the local PDS) all due at the same second, published
    by real `onevoice worker` processes. Prints the lateness of each post after its time (p50/p99 of "the
    PDS answered" minus "due") and the total time from the due second to the last post, against the floor:
    the same number of direct `createRecord` calls with the plain SDK, with as many threads as the workers
    have, made in the same run (before and after, the mean counts). Targets: p99 lateness ≤ 2 s + the
    floor's duration, total / floor ≤ 1.3. On SQLite the queue is huey's SQLite file, otherwise Redis.
(b) scale: PostgreSQL + Redis; the PDS behind tests/testbed/faultproxy.py adding 100 ms to every call (a
    distant network); throughput with 1, 2 and 4 workers. Target: 2 workers ≥ 1.8 × 1 worker.

Runs on a throw-away test database (SQLite in a temporary file, or `test_<name>` on PostgreSQL) and a
throw-away queue; starts (and then stops) the PDS-only network unless one is running already.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
from spare_redis import spare_redis_db  # noqa: E402

WORK = Path(tempfile.mkdtemp(prefix="onevoice-bench-publishing-"))


def prepare_environment(*, redis: bool) -> str:
    """Settings for this process (read by django.setup()) and, through worker_env(), for the workers."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["ONEVOICE_TESTING"] = "1"  # fast password hashing, nothing beyond this machine
    os.environ["ONEVOICE_HUEY_IMMEDIATE"] = "0"  # tasks go to the workers' queue
    os.environ["ONEVOICE_DATA_DIR"] = str(WORK / "data")  # huey's SQLite file, the encryption key
    os.environ["ONEVOICE_HTTP_ALLOWED_PRIVATE_HOSTS"] = "localhost,127.0.0.1"
    redis_url = spare_redis_db() if redis else ""
    if redis_url:
        os.environ["REDIS_URL"] = redis_url
    else:
        os.environ.pop("REDIS_URL", None)
    return redis_url


@dataclass
class Run:
    """What one batch of publications took: per post the moment the PDS answered, against the due time."""

    due: datetime
    ends: list[datetime]
    starts: list[datetime]

    @property
    def lateness(self) -> list[float]:
        return sorted((end - self.due).total_seconds() for end in self.ends)

    @property
    def total(self) -> float:
        return (max(self.ends) - self.due).total_seconds()

    @property
    def busy(self) -> float:
        """From the first call to the last answer."""
        return (max(self.ends) - min(self.starts)).total_seconds()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux), 0 if it cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pds_pid() -> int:
    from tests.testbed.bluesky import lbs_home

    try:
        return int((lbs_home() / "network.pid").read_text().strip())
    except (OSError, ValueError):
        return 0


@dataclass
class Cpu:
    """CPU seconds spent meanwhile by the workers, the PDS (its Node process) and this process."""

    workers: float
    pds: float
    bench: float


def cpu_now(workers: Sequence[Any]) -> Cpu:
    return Cpu(sum(cpu_seconds(w.pid) for w in workers), cpu_seconds(pds_pid()), time.process_time())


def cpu_since(before: Cpu, workers: Sequence[Any]) -> Cpu:
    now = cpu_now(workers)
    return Cpu(now.workers - before.workers, now.pds - before.pds, now.bench - before.bench)


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("mode", choices=["punctuality", "scale"])
    parser.add_argument("--posts", type=int, help="posts per run (punctuality 500, scale 300)")
    parser.add_argument("--channels", type=int, default=50)
    parser.add_argument("--workers", type=int, default=1, help="punctuality: worker processes (default 1)")
    parser.add_argument("--threads", type=int, help="threads per worker (punctuality 8, scale 4)")
    parser.add_argument(
        "--latency-ms", type=int, default=100, help="scale: added to every call (default 100)"
    )
    parser.add_argument("--counts", default="1,2,4", help="scale: worker counts to compare (default 1,2,4)")
    parser.add_argument(
        "--lead",
        type=float,
        default=3.0,
        help="seconds from scheduling to the due time, workers idle (default 3)",
    )
    args = parser.parse_args()
    scale = args.mode == "scale"
    posts = args.posts or (300 if scale else 500)
    threads = args.threads or (4 if scale else 8)
    postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    if scale and not postgres:
        raise SystemExit("scale needs PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench …")
    redis_url = prepare_environment(redis=postgres)

    import django

    django.setup()
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)

    from django.db import connection

    from tests.testbed.bluesky import ensure_network

    network = ensure_network()
    test_db = str(WORK / "bench.sqlite3")
    if connection.vendor == "sqlite":
        connection.settings_dict.setdefault("TEST", {})["NAME"] = test_db  # a file the workers can open
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        if scale:
            run_scale(network.pds, redis_url, posts, args.channels, threads, args.latency_ms, args.counts)
        else:
            run_punctuality(network.pds, redis_url, posts, args.channels, args.workers, threads, args.lead)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        if redis_url:
            import redis

            redis.Redis.from_url(redis_url).flushdb()
        network.stop()
        shutil.rmtree(WORK, ignore_errors=True)  # the queue file, the workers' logs
    return 0


# ---- set-up ----------------------------------------------------------------------------------------


def people() -> Any:
    """An organisation with one department; its administrator connects the channels and owns the posts."""
    from onevoice.accounts.models import User
    from onevoice.organization import services as org_services
    from onevoice.organization.models import default_business_hours

    user = User.objects.create_user("bench@example.org", "Bench-Passwort-1", full_name="Bench")
    admin = org_services.organization_create(
        creator=user,
        name="Bench GmbH",
        time_zone="Europe/Berlin",
        form_of_address="sie",
        model="central",
        business_hours=default_business_hours(),
        departments=[org_services.DepartmentProposal("Redaktion")],
    )
    department = admin.organization.departments.get()
    return SimpleNamespace(organization=admin.organization, marketing=department, smm=admin, cm=admin)


@dataclass
class Channels:
    outlets: list[Any]  # tests.testbed.test_publishing_faults.Outlet
    app_passwords: list[str]


def channels(team: Any, pds: str, count: int, *, service: str, prefix: str) -> Channels:
    """Accounts on the PDS (made in parallel) and a channel connected to each."""
    from onevoice.networks import services as channel_services
    from tests.testbed.bluesky import create_account, create_app_password
    from tests.testbed.test_publishing_faults import Outlet

    def account(number: int) -> tuple[Any, str]:
        made = create_account(pds, f"{prefix}{number}")
        return made, create_app_password(pds, made)

    with ThreadPoolExecutor(8) as pool:
        made = list(pool.map(account, range(count)))
    outlets = [
        Outlet(
            account,
            channel_services.channel_connect_bluesky(
                actor=team.smm,
                name=f"Bench {prefix} {number}",
                department=team.marketing,
                identifier=account.handle,
                app_password=password,
                service=service,
            ),
        )
        for number, (account, password) in enumerate(made)
    ]
    return Channels(outlets, [password for _, password in made])


def workers_for(redis_url: str, count: int, threads: int) -> list[Any]:
    from django.db import connection

    from tests.testbed.test_publishing_faults import Queue, Worker, database_url_of, worker_env

    if connection.vendor == "postgresql":
        database_url = database_url_of(connection.settings_dict)
    else:
        database_url = f"sqlite:///{connection.settings_dict['NAME']}"
    queue = Queue(data_dir=WORK / "data", redis_url=redis_url)
    started = [
        Worker(
            worker_env(database_url, queue, threads=threads), WORK / f"worker-{time.monotonic_ns()}.log"
        ).start()
        for _ in range(count)
    ]
    for worker in started:
        worker.wait_ready()
    return started


def publish_all(team: Any, outlets: list[Any], posts: int, label: str, lead: float = 3.0) -> Run:
    """Schedule the posts, move them all to one second `lead` seconds ahead (a new schedule version and a
    task each, as a reschedule does), and wait until every one is published."""
    from django.utils import timezone

    from onevoice.publishing.models import Publication, PublishAttempt
    from tests.testbed.test_publishing_faults import move_all, schedule_in_bulk

    rows = schedule_in_bulk(team, outlets, timezone.now() + timedelta(days=3), label, posts)
    due = (timezone.now() + timedelta(seconds=lead)).replace(microsecond=0)
    move_all(rows, due)
    publications = Publication.objects.filter(variant__post__in=rows)
    deadline = time.monotonic() + 300
    while publications.filter(state=Publication.State.PUBLISHED).count() < posts:
        if time.monotonic() > deadline:
            raise SystemExit(
                f"not all published after 5 minutes: {list(publications.values_list('state'))[:5]}"
            )
        time.sleep(0.2)
    attempts = list(
        PublishAttempt.objects.filter(
            publication__in=publications, outcome=PublishAttempt.Outcome.PUBLISHED
        ).values_list("started_at", "duration_ms")
    )
    return Run(
        due=due,
        ends=[start + timedelta(milliseconds=ms) for start, ms in attempts],
        starts=[start for start, _ in attempts],
    )


def floor(pds: str, chosen: Channels, posts: int, threads: int, label: str) -> float:
    """The same number of bare createRecord calls with the SDK, as many at once as the workers have threads."""
    from atproto import Client, models

    clients = []
    for outlet, password in zip(chosen.outlets, chosen.app_passwords, strict=True):
        client = Client(base_url=pds)
        client.login(outlet.account.handle, password, fetch_bsky_profile=False)
        clients.append((client, outlet.account.did))

    def create(number: int) -> None:
        client, did = clients[number % len(clients)]
        record = models.AppBskyFeedPost.Record(
            text=f"{label} {number:04d}: Neuigkeiten aus der Redaktion",
            created_at=client.get_current_time_iso(),
        )
        client.app.bsky.feed.post.create(did, record)

    with ThreadPoolExecutor(threads) as pool:
        started = time.perf_counter()
        list(pool.map(create, range(posts)))
        return time.perf_counter() - started


# ---- (a) punctuality -------------------------------------------------------------------------------


def run_punctuality(
    pds: str, redis_url: str, posts: int, count: int, workers: int, threads: int, lead: float
) -> None:
    from django.db import connection

    team = people()
    chosen = channels(team, pds, count, service=pds, prefix="punct")
    running = workers_for(redis_url, workers, threads)
    try:
        floor(pds, chosen, 50, workers * threads, "Warm-up")
        spent = cpu_now(running)
        before = floor(pds, chosen, posts, workers * threads, "Floor A")
        floor_cpu = cpu_since(spent, running)
        spent = cpu_now(running)
        run = publish_all(team, chosen.outlets, posts, "Pünktlich", lead=lead)
        ours_cpu = cpu_since(spent, running)
        after = floor(pds, chosen, posts, workers * threads, "Floor B")
    finally:
        for worker in running:
            worker.stop()
    base = (before + after) / 2
    late = run.lateness
    queue = f"Redis {redis_url}" if redis_url else "huey's SQLite file"
    print(
        f"{posts} posts over {count} channels due at the same second; {workers} worker(s) × {threads} threads; "
        f"{connection.vendor}; queue: {queue}; PDS {pds}"
    )
    print(
        f"floor: {posts} SDK createRecord calls, {workers * threads} at a time: {before:.2f} s, {after:.2f} s"
    )
    print(
        f"lateness after the due second: p50 {statistics.median(late):.2f} s, p99 {percentile(late, 0.99):.2f} s, "
        f"max {late[-1]:.2f} s, first {late[0]:.2f} s"
    )
    print(
        f"total (due → last post on the PDS): {run.total:.2f} s; busy (first call → last answer) {run.busy:.2f} s"
    )
    print(
        f"CPU per post: workers {ours_cpu.workers / posts * 1000:.1f} ms, PDS {ours_cpu.pds / posts * 1000:.1f} ms "
        f"(floor: PDS {floor_cpu.pds / posts * 1000:.1f} ms, SDK client {floor_cpu.bench / posts * 1000:.1f} ms); "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    p99_target = 2 + base
    ratio = run.total / base
    print(
        f"p99 lateness {percentile(late, 0.99):.2f} s (target ≤ 2 s + floor = {p99_target:.2f} s: "
        f"{'OK' if percentile(late, 0.99) <= p99_target else 'ABOVE TARGET'})"
    )
    print(f"ratio total/floor {ratio:.2f} (target ≤ 1.3: {'OK' if ratio <= 1.3 else 'ABOVE TARGET'})")


# ---- (b) scale-out ---------------------------------------------------------------------------------


def run_scale(
    pds: str, redis_url: str, posts: int, count: int, threads: int, latency_ms: int, counts: str
) -> None:
    from tests.testbed.faultproxy import FaultProxy

    team = people()
    with FaultProxy(pds) as proxy:
        chosen = channels(team, pds, count, service=proxy.url, prefix="scale")
        proxy.pass_through(latency_ms=latency_ms)
        results: dict[int, Run] = {}
        used: dict[int, Cpu] = {}
        for workers in (int(n) for n in counts.split(",")):
            running = workers_for(redis_url, workers, threads)
            try:
                spent = cpu_now(running)
                results[workers] = publish_all(team, chosen.outlets, posts, f"Skalierung {workers}")
                used[workers] = cpu_since(spent, running)
            finally:
                for worker in running:
                    worker.stop()
    print(
        f"{posts} posts over {count} channels due at the same second, per run; {threads} threads per worker; "
        f"PostgreSQL + Redis; every call to the PDS {latency_ms} ms later (tests/testbed/faultproxy.py)"
    )
    print(
        f"{'workers':>8}{'posts/s':>10}{'busy s':>9}{'total s':>9}{'p50 late':>10}{'p99 late':>10}{'speed-up':>10}"
        f"{'worker CPU/post':>17}"
    )
    first = next(iter(results.values()))
    for workers, run in results.items():
        rate = posts / run.busy
        print(
            f"{workers:>8}{rate:>10.1f}{run.busy:>9.2f}{run.total:>9.2f}{statistics.median(run.lateness):>10.2f}"
            f"{percentile(run.lateness, 0.99):>10.2f}{first.busy / run.busy:>9.2f}×"
            f"{used[workers].workers / posts * 1000:>14.1f} ms"
        )
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    if 1 in results and 2 in results:
        speedup = results[1].busy / results[2].busy
        print(f"1 → 2 workers: {speedup:.2f}× (target ≥ 1.8: {'OK' if speedup >= 1.8 else 'BELOW TARGET'})")


if __name__ == "__main__":
    raise SystemExit(main())
