"""Publishing under faults, with real worker processes and the real local PDS, checked on the PDS itself.

- workers killed (SIGKILL) before, during and after the call, including after the PDS accepted a post but
  before OneVoice recorded it; then a restart and the sweeper: every post exists exactly once;
- the network answering 429, 500, nothing at all, or dropping the connection after accepting: posts go
  out once it recovers, none twice;
- two and three workers on PostgreSQL + Redis publishing 500 posts due in the same second;
- a post moved, withdrawn or cancelled a second before its time is not published at the old time.

What went out is read from the PDS with the plain `atproto` SDK (`com.atproto.repo.listRecords`), never
through OneVoice. The workers are `python -m onevoice.cli worker` processes (the huey consumer) that see
the test's database: PostgreSQL's test database by name, or on SQLite a file copy of the in-memory test
database that this process switches to for the test. Each test has its own queue (a SQLite file in its
own data dir, or a spare Redis database), which this process's huey is pointed at too.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test ONEVOICE_REQUIRE_TESTBED=1 \
        .venv/bin/pytest -q tests/testbed/test_publishing_faults.py
"""

from __future__ import annotations

import contextlib
import itertools
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from atproto import Client, models
from django.db import connection, connections, transaction
from django.db.models import F
from django.utils import timezone
from pytest_django.fixtures import Settings

from onevoice.networks import crypto
from onevoice.networks import services as channel_services
from onevoice.networks.connectors.bluesky.record_key import record_key_for
from onevoice.networks.models import Channel
from onevoice.planning import services as plan
from onevoice.planning.models import ApprovalDecision, Post, PostVariant
from onevoice.publishing import services
from onevoice.publishing.models import Publication, PublishAttempt
from tests.testbed.bluesky import Account, Network, create_account, create_app_password
from tests.testbed.faultproxy import Fault, FaultProxy

pytestmark = [pytest.mark.testbed, pytest.mark.django_db(transaction=True)]

REPO_ROOT = Path(__file__).resolve().parents[2]
POST = "app.bsky.feed.post"
P = Publication.State
O = PublishAttempt.Outcome  # noqa: E741
REDIS_SERVER = os.environ.get("ONEVOICE_TEST_REDIS", "redis://127.0.0.1:6379")
SPARE_REDIS_DBS = range(15, 7, -1)  # one of these, empty, per multi-worker test


# ---- the worker processes and their queue ---------------------------------------------------------------


class Worker:
    """One `onevoice worker` process (huey consumer with threads), in a process group of its own."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Worker:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "onevoice.cli", "worker"],
                cwd=REPO_ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Until huey says its consumer runs (Django is set up, the startup hooks are under way)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"the worker died at start:\n{self.tail()}")
            if f"PID {self.pid}" in self.log.read_text(errors="replace"):
                return
            time.sleep(0.05)
        raise RuntimeError(f"the worker did not start in {timeout:.0f}s:\n{self.tail()}")

    def kill(self) -> None:
        """SIGKILL: no chance to finish anything, as in a power cut or the OOM killer."""
        if self.alive():
            assert self.process is not None
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM, the graceful stop (running tasks finish); SIGKILL if it takes too long."""
        if self.alive():
            assert self.process is not None
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@dataclass
class Queue:
    """Where the workers take their tasks from; this process's huey sends its tasks there too."""

    data_dir: Path
    redis_url: str = ""

    @property
    def sqlite_file(self) -> Path:
        return self.data_dir / "huey.sqlite3"  # where config/settings.py puts it for ONEVOICE_DATA_DIR

    def storage(self, name: str) -> Any:
        from huey.storage import RedisStorage, SqliteStorage

        if self.redis_url:
            return RedisStorage(name, url=self.redis_url)
        return SqliteStorage(name, filename=str(self.sqlite_file))


@contextlib.contextmanager
def sending_to(queue: Queue) -> Iterator[None]:
    """This process's huey (immediate under tests) sends its tasks to the workers' queue meanwhile."""
    from huey.contrib.djhuey import HUEY

    saved = HUEY.storage, HUEY._immediate
    HUEY._immediate = False
    HUEY.storage = queue.storage(HUEY.name)
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            if queue.redis_url:
                HUEY.storage.flush_all()
        HUEY.storage, HUEY._immediate = saved


def worker_env(database_url: str, queue: Queue, *, threads: int = 4, **extra: str) -> dict[str, str]:
    """The environment of a worker process: this test's database and queue, the testbed allowed."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "ONEVOICE_TESTING") and not k.startswith("PYTEST_")
    }
    env.update(
        DATABASE_URL=database_url,
        ONEVOICE_DATA_DIR=str(queue.data_dir),
        ONEVOICE_HUEY_IMMEDIATE="0",
        ONEVOICE_ENCRYPTION_KEYS=",".join(crypto._keys()),  # the channels' credentials were sealed here
        ONEVOICE_HTTP_ALLOWED_PRIVATE_HOSTS="localhost,127.0.0.1",
        ONEVOICE_WORKER_THREADS=str(threads),
        ONEVOICE_DEBUG="0",  # no query log growing in a long-running worker
        ONEVOICE_LOG_LEVEL="INFO",
        DJANGO_SETTINGS_MODULE="config.settings",
        PYTHONUNBUFFERED="1",
    )
    if queue.redis_url:
        env["REDIS_URL"] = queue.redis_url
    env.update(extra)
    return env


def database_url_of(settings_dict: dict[str, Any]) -> str:
    user = quote(str(settings_dict.get("USER") or ""), safe="")
    password = quote(str(settings_dict.get("PASSWORD") or ""), safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{quote(str(settings_dict['NAME']))}"


@contextlib.contextmanager
def shared_database(tmp_path: Path) -> Iterator[str]:
    """A DATABASE_URL under which another process sees this test's database.

    PostgreSQL: the test database by name. SQLite: pytest-django's test database lives in this process's
    memory, so it is copied into a file and this process switches to the file until the test ends; the
    in-memory one is left as it was (and flushed afterwards as usual).
    """
    if connection.vendor == "postgresql":
        yield database_url_of(connection.settings_dict)
        return
    if connection.vendor != "sqlite":
        pytest.skip(f"worker processes are only set up for PostgreSQL and SQLite, not {connection.vendor}")
    original = connections["default"]
    original.ensure_connection()
    path = tmp_path / "onevoice.sqlite3"
    copy = sqlite3.connect(path)
    try:
        original.connection.backup(copy)
    finally:
        copy.close()
    switched = original.__class__({**original.settings_dict, "NAME": str(path)}, "default")
    connections["default"] = switched
    try:
        yield f"sqlite:///{path}"
    finally:
        switched.close()
        connections["default"] = original


def spare_redis_db() -> str:
    """A Redis database of its own for this test's queue (empty, and marked as taken while in use)."""
    import redis

    for number in SPARE_REDIS_DBS:
        url = f"{REDIS_SERVER}/{number}"
        client = redis.Redis.from_url(url, socket_connect_timeout=2)
        try:
            if client.dbsize() == 0 and client.set("onevoice-faults-test", os.getpid(), nx=True, ex=900):
                return url
        except redis.RedisError as error:
            return _no_redis(str(error))
        finally:
            client.close()
    return _no_redis(f"no empty database among {list(SPARE_REDIS_DBS)} on {REDIS_SERVER}")


def _no_redis(reason: str) -> str:
    message = f"Redis is not available for the multi-worker test ({reason})"
    if os.environ.get("ONEVOICE_REQUIRE_TESTBED") == "1":
        pytest.fail(f"ONEVOICE_REQUIRE_TESTBED=1 but {message}")
    pytest.skip(message)


def release_redis_db(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


@dataclass
class Bed:
    """One test's set-up: the network, the database and queue the workers share, and the workers."""

    network: Network
    database_url: str
    queue: Queue
    tmp_path: Path
    workers: list[Worker] = field(default_factory=list)

    def worker(self, *, threads: int = 4, ready: bool = True, **env: str) -> Worker:
        log = self.tmp_path / f"worker-{len(self.workers) + 1}.log"
        worker = Worker(worker_env(self.database_url, self.queue, threads=threads, **env), log).start()
        self.workers.append(worker)
        if ready:
            worker.wait_ready()
        return worker

    def stop_all(self) -> None:
        for worker in self.workers:
            worker.kill()

    def logs(self) -> str:
        return "\n".join(f"--- worker {w.pid} ---\n{w.tail()}" for w in self.workers if w.process)


@pytest.fixture(autouse=True)
def allow_the_testbed(settings: Settings) -> None:
    settings.HTTP_ALLOWED_PRIVATE_HOSTS = ["localhost", "127.0.0.1"]


def make_bed(network: Network, tmp_path: Path, *, redis: bool) -> Iterator[Bed]:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    redis_url = spare_redis_db() if redis else ""
    queue = Queue(data_dir=data_dir, redis_url=redis_url)
    try:
        with shared_database(tmp_path) as database_url, sending_to(queue):
            bed = Bed(network=network, database_url=database_url, queue=queue, tmp_path=tmp_path)
            try:
                yield bed
            finally:
                bed.stop_all()
    finally:
        if redis_url:
            release_redis_db(redis_url)


@pytest.fixture
def bed(bluesky_network: Network, tmp_path: Path) -> Iterator[Bed]:
    """Workers on this test's database with a SQLite queue of their own."""
    yield from make_bed(bluesky_network, tmp_path, redis=False)


@pytest.fixture
def redis_bed(bluesky_network: Network, tmp_path: Path) -> Iterator[Bed]:
    """Workers on this test's PostgreSQL database with a Redis queue of their own."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "several workers need PostgreSQL and Redis (SQLite serves one machine and one writer at a time); "
            "run with DATABASE_URL=postgres://… (CI does)"
        )
    yield from make_bed(bluesky_network, tmp_path, redis=True)


@pytest.fixture
def proxy(bluesky_network: Network) -> Iterator[FaultProxy]:
    with FaultProxy(bluesky_network.pds) as running:
        yield running


# ---- accounts, channels and posts --------------------------------------------------------------------


@dataclass
class Outlet:
    """An account on the PDS and the channel connected to it (directly or through a proxy)."""

    account: Account
    channel: Channel


def connect(
    personas: Any, network: Network, count: int, *, service: str = "", prefix: str = "fault"
) -> list[Outlet]:
    outlets = []
    for number in range(count):
        account = create_account(network.pds, f"{prefix}{number}")
        channel = channel_services.channel_connect_bluesky(
            actor=personas.smm,
            name=f"Bluesky {prefix} {number}",
            department=personas.marketing,
            identifier=account.handle,
            app_password=create_app_password(network.pds, account),
            service=service or network.pds,
        )
        outlets.append(Outlet(account, channel))
    return outlets


def schedule(personas: Any, outlet: Outlet, at: datetime, text: str) -> Post:
    """A post taken through the real workflow (the CM writes, the SMM approves) to "scheduled" at `at`."""
    post = plan.post_create(
        actor=personas.cm,
        title=text[:60],
        department=personas.marketing,
        channels=[outlet.channel],
        base_text=text,
        publish_at=at,
    )
    plan.post_submit(actor=personas.cm, post=post)
    plan.post_decide(actor=personas.smm, post=post, verdict=ApprovalDecision.Verdict.APPROVED)
    post.refresh_from_db()
    assert post.status == Post.Status.SCHEDULED
    return post


def publications_of(posts: list[Post]) -> list[Publication]:
    return list(Publication.objects.filter(variant__post__in=posts).select_related("variant", "channel"))


# ---- reading the PDS itself -----------------------------------------------------------------------


def records_on_pds(network: Network, account: Account) -> list[Any]:
    """Every post record in the account's repo, read with the plain SDK (no login needed for listRecords)."""
    client = Client(base_url=network.pds)
    records: list[Any] = []
    cursor: str | None = None
    while True:
        page = client.com.atproto.repo.list_records(
            models.ComAtprotoRepoListRecords.Params(
                repo=account.did, collection=POST, limit=100, cursor=cursor
            )
        )
        records.extend(page.records)
        cursor = page.cursor
        if not cursor or not page.records:
            return records


def check_exactly_once(
    network: Network, outlets: list[Outlet], posts: list[Post], *, absent: Sequence[Post] = ()
) -> dict[str, Any]:
    """Every post once on its account, nothing else there; each publication published with the right URL.

    Returns the records by text, for further checks (their `created_at`)."""
    expected = {post.base_text: post for post in posts}
    unwanted = {post.base_text for post in absent}
    found: dict[str, Any] = {}
    counts: Counter[str] = Counter()
    for outlet in outlets:
        for record in records_on_pds(network, outlet.account):
            text = record.value.text
            counts[text] += 1
            found[text] = record
    twice = {text: n for text, n in counts.items() if n > 1}
    assert not twice, f"published more than once on the PDS: {twice}"
    missing = sorted(set(expected) - set(found))
    assert not missing, f"{len(missing)} of {len(expected)} posts are not on the PDS: {missing[:5]}"
    assert not unwanted & set(found), (
        f"published although withdrawn or moved: {sorted(unwanted & set(found))}"
    )
    stray = sorted(set(found) - set(expected) - unwanted)
    assert not stray, f"records on the PDS that no post asked for: {stray[:5]}"
    accounts = {outlet.channel.pk: outlet.account for outlet in outlets}
    for publication in publications_of(posts):
        account = accounts[publication.channel_id]
        record = found[publication.variant.text]
        assert record.uri.startswith(f"at://{account.did}/"), "on the wrong account"
        rkey = record.uri.rsplit("/", 1)[1]
        assert rkey == record_key_for(publication.idempotency_key)
        assert publication.state == P.PUBLISHED, (publication.pk, publication.state, publication.error)
        assert publication.external_id == record.uri
        assert publication.url == f"https://bsky.app/profile/{account.handle}/post/{rkey}"
    return found


# ---- waiting ----------------------------------------------------------------------------------------


def wait_for(
    check: Callable[[], bool],
    what: str,
    *,
    timeout: float,
    bed: Bed | None = None,
    sweep_every: float = 0.0,
    every: float = 0.25,
) -> list[services.SweepReport]:
    """Poll `check`; with `sweep_every`, run the sweeper now and then as the workers' periodic task would.

    Returns what the sweeps did."""
    deadline = time.monotonic() + timeout
    next_sweep = time.monotonic() + sweep_every
    reports = []
    while not check():
        if time.monotonic() > deadline:
            states = Counter(Publication.objects.values_list("state", flat=True))
            logs = bed.logs() if bed else ""
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}; states {dict(states)}\n{logs}")
        if sweep_every and time.monotonic() >= next_sweep:
            reports.append(services.publications_sweep())
            next_sweep = time.monotonic() + sweep_every
        time.sleep(every)
    return reports


def count_in(state: str, posts: list[Post]) -> int:
    return Publication.objects.filter(variant__post__in=posts, state=state).count()


def all_published(posts: list[Post]) -> Callable[[], bool]:
    return lambda: count_in(P.PUBLISHED, posts) == len(posts)


def outcomes(posts: list[Post]) -> Counter[str]:
    return Counter(
        PublishAttempt.objects.filter(publication__variant__post__in=posts).values_list("outcome", flat=True)
    )


def log_of(publication_id: int) -> list[tuple[str, str]]:
    """A publication's log, oldest first: (worker, outcome)."""
    attempts = PublishAttempt.objects.filter(publication_id=publication_id).order_by("started_at", "id")
    return [(a.worker, a.outcome) for a in attempts]


def soon(seconds: float) -> datetime:
    return timezone.now() + timedelta(seconds=seconds)


def schedule_in_bulk(
    personas: Any, outlets: list[Outlet], at: datetime, label: str, count: int
) -> list[Post]:
    """Many approved posts at once: the rows in bulk, then the engine's own `publications_sync` per post, as
    the approval calls it (the workflow in front of it is tested elsewhere and costs 50 ms a post)."""
    with transaction.atomic():
        posts = Post.objects.bulk_create(
            Post(
                organization=personas.organization,
                department=personas.marketing,
                owner=personas.cm,
                title=f"{label} {number}",
                base_text=f"{label} {number:04d}: Neuigkeiten aus der Redaktion",
                publish_at=at,
                status=Post.Status.SCHEDULED,
            )
            for number in range(count)
        )
        PostVariant.objects.bulk_create(
            PostVariant(post=post, channel=outlets[number % len(outlets)].channel, text=post.base_text)
            for number, post in enumerate(posts)
        )
        for post in posts:
            services.publications_sync(post)
    return posts


def move_all(posts: list[Post], at: datetime) -> None:
    """Move scheduled posts to `at` in one go, the way a reschedule moves one (`services._requeue`): a new
    schedule version, so the tasks for the old time do nothing, and a task for the new time each."""
    Post.objects.filter(pk__in=[post.pk for post in posts]).update(publish_at=at)
    publications = Publication.objects.filter(variant__post__in=posts)
    publications.update(due_at=at, next_attempt_at=at, schedule_version=F("schedule_version") + 1)
    services.enqueue(list(publications))


def moved(personas: Any, post: Post, at: datetime) -> Post:
    """Move a scheduled post as the calendar does; if the move sends it back to review, the SMM approves."""
    post.refresh_from_db()
    post = plan.post_reschedule(actor=personas.cm, post=post, publish_at=at, expected_version=post.version)
    if post.status == Post.Status.IN_REVIEW:
        plan.post_decide(actor=personas.smm, post=post, verdict=ApprovalDecision.Verdict.APPROVED)
        post.refresh_from_db()
    assert post.status == Post.Status.SCHEDULED
    return post


def sleep_until(moment: datetime) -> None:
    left = (moment - timezone.now()).total_seconds()
    if left > 0:
        time.sleep(left)


# ---- the tests ----------------------------------------------------------------------------------------


class TestKilledWorkers:
    POSTS = 200
    CHANNELS = 4

    def test_after_kills_at_any_moment_every_post_is_on_the_network_exactly_once(
        self, personas: Any, bed: Bed, proxy: FaultProxy
    ) -> None:
        seed = int(os.environ.get("ONEVOICE_FAULT_SEED") or time.time_ns() % 1_000_000)
        rng = random.Random(seed)
        print(f"\nkill moments from seed {seed} (ONEVOICE_FAULT_SEED={seed} repeats them)")
        outlets = connect(personas, bed.network, self.CHANNELS, service=proxy.url, prefix="kill")
        posts = schedule_in_bulk(personas, outlets, soon(3600), "Kill", self.POSTS)
        move_all(posts, soon(1))  # all due at once, in a second
        # Every call takes 100 ms longer, so that a kill often lands in the middle of one.
        proxy.pass_through(latency_ms=100)

        # 1. At a random moment while posts go out.
        worker = bed.worker()
        wait_for(lambda: proxy.forwarded("createRecord") >= 20, "the first posts", timeout=30, bed=bed)
        time.sleep(rng.uniform(0, 0.3))
        worker.kill()

        # 2. In the middle of the call, before the PDS has seen it (the request hangs in the proxy).
        proxy.set(Fault.HANG, only="createRecord")
        hung = proxy.faults("createRecord")
        worker = bed.worker()
        assert proxy.wait_for_fault(hung + 2, method="createRecord"), bed.logs()
        worker.kill()

        # 3. After the PDS accepted the post, before OneVoice recorded it (the proxy holds the answer back).
        proxy.set(Fault.DROP, only="createRecord", hold=60)
        dropped = proxy.faults("createRecord")
        worker = bed.worker()
        assert proxy.wait_for_fault(dropped + 2, method="createRecord"), bed.logs()
        worker.kill()
        accepted_unrecorded = proxy.faults("createRecord") - dropped

        # 4. At random moments of a worker's life: while it starts, recovers its predecessors' claims, works.
        proxy.pass_through(latency_ms=100)
        for _ in range(3):
            worker = bed.worker(ready=False)
            time.sleep(rng.uniform(0.3, 3.0))
            worker.kill()

        # 5. A worker left alone, with the sweeper running now and then as its periodic task would.
        proxy.pass_through()
        bed.worker()
        sweeps = wait_for(all_published(posts), "every post published", timeout=120, bed=bed, sweep_every=3)
        sweeps.append(services.publications_sweep())

        check_exactly_once(bed.network, outlets, posts)
        seen = outcomes(posts)
        both = [
            log_of(pk)
            for pk in Publication.objects.filter(variant__post__in=posts).values_list("pk", flat=True)
            if {O.PUBLISHED, O.FOUND} <= {outcome for _, outcome in log_of(pk)}
        ]
        print(f"published, then found again after the kill: {both}")
        print(
            f"{len(bed.workers) - 1} kills; publishing log: {dict(seen)}; "
            f"{accepted_unrecorded} accepted by the PDS but not answered; proxy: {dict(proxy.seen.forwarded)}; "
            f"sweeps: {[(r.enqueued, r.interrupted, r.reconciled) for r in sweeps]} (re-sent, interrupted, looked up)"
        )
        assert seen[O.INTERRUPTED] >= 2 + accepted_unrecorded  # claims of killed workers were settled
        assert seen[O.FOUND] >= accepted_unrecorded  # … by finding what the PDS had accepted
        assert seen[O.NOT_FOUND] >= 2  # … or by sending again what it had never seen
        # Never a second successful call: whatever the PDS had accepted was found, not sent again.
        sent = Counter(
            PublishAttempt.objects.filter(
                publication__variant__post__in=posts, outcome=O.PUBLISHED
            ).values_list("publication_id", flat=True)
        )
        twice = {pk: log_of(pk) for pk, n in sent.items() if n > 1}
        assert not twice, f"sent again after a success: {twice}"
        assert proxy.forwarded("createRecord") == self.POSTS, "the PDS saw a createRecord twice"


class TestNetworkFaults:
    PER_CHANNEL = 8
    OUTAGE = 6.0  # seconds after every network's first fault

    def test_posts_go_out_once_the_network_recovers_and_none_twice(
        self, personas: Any, bed: Bed, bluesky_network: Network
    ) -> None:
        faults = {
            "limited": (Fault.RATE_LIMIT, ""),  # 429 with ratelimit-reset 3 s ahead, on every call
            "failing": (Fault.ERROR, ""),  # 500 on every call
            "silent": (Fault.HANG, "createRecord"),  # the post is never answered (nor made)
            "dropping": (Fault.DROP, "createRecord"),  # the post is made, the answer is lost
        }
        with contextlib.ExitStack() as stack:
            proxies = {name: stack.enter_context(FaultProxy(bluesky_network.pds)) for name in faults}
            outlets = {
                name: connect(personas, bluesky_network, 1, service=proxies[name].url, prefix=name)[0]
                for name in faults
            }
            at = soon(2 + 0.06 * self.PER_CHANNEL * len(faults))
            posts: dict[str, list[Post]] = {name: [] for name in faults}
            for n in range(self.PER_CHANNEL):  # taken in turns, as the queue hands them out
                for name in faults:
                    text = f"{name.title()} {n}: Neues aus der Redaktion"
                    posts[name].append(schedule(personas, outlets[name], at, text))
            for name, (fault, only) in faults.items():
                proxies[name].set(fault, only=only, retry_after=3)
            # A hung call holds its thread until the 20 s read timeout: enough threads for the others.
            bed.worker(threads=self.PER_CHANNEL + 4)
            for name, running in proxies.items():
                assert running.wait_for_fault(timeout=60), f"{name}: no fault happened\n{bed.logs()}"
            time.sleep(self.OUTAGE)  # the outage goes on a while, retries meet it again
            for running in proxies.values():
                running.pass_through()
            everything = [post for group in posts.values() for post in group]
            wait_for(all_published(everything), "every post published", timeout=120, bed=bed, sweep_every=5)

            check_exactly_once(bluesky_network, list(outlets.values()), everything)
            seen = {name: outcomes(group) for name, group in posts.items()}
            print(f"\npublishing log: { {name: dict(c) for name, c in seen.items()} }")
            print(f"proxies: { {name: dict(p.seen.faults) for name, p in proxies.items()} }")
            # The limit came back after its reset and was waited out again: after a 429, the next try of
            # that publication came no earlier than the network's reset (3 s ahead, given in whole seconds:
            # up to one second less).
            assert seen["limited"][O.RATE_LIMITED] >= 2
            for publication in publications_of(posts["limited"]):
                tries = list(
                    PublishAttempt.objects.filter(publication=publication).order_by("started_at", "id")
                )
                for before, after in itertools.pairwise(tries):
                    if before.outcome == O.RATE_LIMITED:
                        assert (after.started_at - before.started_at).total_seconds() >= 1.9, log_of(
                            publication.pk
                        )
            assert all(p.tries == 0 for p in publications_of(posts["limited"]))  # waiting costs no try
            assert seen["failing"][O.TRANSIENT] >= self.PER_CHANNEL
            assert seen["silent"][O.UNCONFIRMED] >= 1
            assert seen["silent"][O.NOT_FOUND] >= 1
            assert seen["dropping"][O.UNCONFIRMED] >= 1
            assert seen["dropping"][O.FOUND] >= 1
            assert proxies["dropping"].forwarded("createRecord") >= self.PER_CHANNEL


class TestSeveralWorkers:
    POSTS = 500
    CHANNELS = 10

    @pytest.mark.parametrize("workers", [2, 3])
    def test_each_of_500_posts_due_at_once_is_published_once(
        self, personas: Any, redis_bed: Bed, workers: int
    ) -> None:
        outlets = connect(personas, redis_bed.network, self.CHANNELS, prefix=f"many{workers}")
        at = soon(5)
        posts = schedule_in_bulk(personas, outlets, at, f"Viele {workers}", self.POSTS)
        # A second task for every publication, as a sweeper re-sending it would: the workers race for claims.
        services.enqueue(Publication.objects.filter(variant__post__in=posts))
        for _ in range(workers):
            redis_bed.worker(threads=8, ready=False)
        for worker in redis_bed.workers:
            worker.wait_ready()
        wait_for(all_published(posts), "every post published", timeout=120, bed=redis_bed)
        finished = timezone.now()

        check_exactly_once(redis_bed.network, outlets, posts)
        attempts = PublishAttempt.objects.filter(publication__variant__post__in=posts)
        per_publication = Counter(attempts.values_list("publication_id", flat=True))
        assert set(per_publication.values()) == {1}, "a publication was tried more than once"
        by_worker = Counter(attempts.values_list("worker", flat=True))
        print(
            f"\n{workers} workers: {dict(by_worker)}; all out {(finished - at).total_seconds():.1f}s after due"
        )
        assert len(by_worker) == workers, "every worker took a share"


class TestLastMomentChanges:
    def test_a_post_moved_withdrawn_or_cancelled_a_second_before_is_not_published_at_the_old_time(
        self, personas: Any, bed: Bed
    ) -> None:
        (outlet,) = connect(personas, bed.network, 1, prefix="race")
        bed.worker()
        at = soon(5)
        names = ("kept", "moved", "postponed", "withdrawn", "cancelled")
        posts = {
            name: schedule(personas, outlet, at, f"Race {name}: Neues aus der Redaktion") for name in names
        }
        new_time = at + timedelta(seconds=5)

        sleep_until(at - timedelta(seconds=1))
        posts["moved"] = moved(personas, posts["moved"], new_time)
        posts["postponed"] = moved(personas, posts["postponed"], at + timedelta(hours=1))
        plan.post_withdraw(actor=personas.cm, post=posts["withdrawn"])
        services.publication_cancel(
            actor=personas.smm, publication=Publication.objects.get(variant__post=posts["cancelled"])
        )
        assert timezone.now() < at, "the changes took longer than the second before the time"

        wait_for(
            all_published([posts["kept"], posts["moved"]]), "the kept and the moved post", timeout=60, bed=bed
        )
        sleep_until(new_time + timedelta(seconds=3))  # the old tasks had every chance to fire

        found = check_exactly_once(
            bed.network,
            [outlet],
            [posts["kept"], posts["moved"]],
            absent=[posts["postponed"], posts["withdrawn"], posts["cancelled"]],
        )

        def created(name: str) -> datetime:
            return datetime.fromisoformat(found[posts[name].base_text].value.created_at)

        tolerance = services.EARLY_TOLERANCE
        assert created("kept") >= at - tolerance
        assert created("moved") >= new_time - tolerance, "the moved post went out at its old time"
        state = {name: Publication.objects.get(variant__post=post).state for name, post in posts.items()}
        assert state == {
            "kept": P.PUBLISHED,
            "moved": P.PUBLISHED,
            "postponed": P.QUEUED,
            "withdrawn": P.CANCELLED,
            "cancelled": P.CANCELLED,
        }


class TestSweeperAfterAKill:
    def test_a_worker_killed_in_the_middle_of_its_sweep_does_not_stop_the_sweeps(
        self, personas: Any, bed: Bed, proxy: FaultProxy
    ) -> None:
        from huey.contrib.djhuey import HUEY

        (outlet,) = connect(personas, bed.network, 1, service=proxy.url, prefix="sweep")
        post = schedule(personas, outlet, soon(3600), "Sweep: Neues aus der Redaktion")
        # An outcome nobody knows yet, due to be looked up: only the sweeper looks it up.
        past = timezone.now() - timedelta(minutes=2)
        Publication.objects.filter(variant__post=post).update(
            state=P.UNCONFIRMED, next_attempt_at=past, claimed_at=past, claimed_by="elsewhere:1"
        )
        proxy.set(Fault.HANG, only="getRecord")  # the look-up hangs: the sweep is still running …
        worker = bed.worker()  # (huey runs the every-minute sweep right at the start)
        assert proxy.wait_for_fault(1, method="getRecord", timeout=20), bed.logs()
        worker.kill()  # … when its worker is killed
        proxy.pass_through()
        # The sweep takes no lock (a killed sweep's lock would never expire): nothing is left to block the next.
        assert not HUEY.is_locked("publishing-sweep")

        bed.worker()  # a new worker: its sweep should look the post up, find it missing and publish it
        wait_for(all_published([post]), "the next sweep to settle the post", timeout=8, bed=bed)
        check_exactly_once(bed.network, [outlet], [post])
