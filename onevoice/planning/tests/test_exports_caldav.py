"""The feed in a real CalDAV server: Radicale runs on 127.0.0.1, caldav puts every event in and reads it back."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.urls import reverse

from onevoice.planning import exports
from onevoice.planning.models import Post
from onevoice.planning.tests.conftest import later
from onevoice.planning.tests.exports_helpers import planned

caldav = pytest.importorskip("caldav")
pytest.importorskip("radicale")

pytestmark = [pytest.mark.django_db, pytest.mark.urls("onevoice.planning.tests.feed_urls")]
BERLIN = ZoneInfo("Europe/Berlin")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def radicale(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
        [
            sys.executable,
            "-m",
            "radicale",
            "--config",
            "",
            "--server-hosts",
            f"127.0.0.1:{port}",
            "--auth-type",
            "none",
            "--storage-filesystem-folder",
            str(tmp_path / "collections"),
            "--logging-level",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"Radicale did not start: {server.stderr.read()!r}") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        server.wait(timeout=10)


def _last_sunday(year: int, month: int) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() - 6) % 7)


def _single_event_calendars(feed: icalendar.Calendar) -> list[tuple[str, bytes]]:
    """Each VEVENT as its own VCALENDAR with the zone it uses, as CalDAV stores one resource per event."""
    zones = feed.walk("VTIMEZONE")
    out = []
    for event in feed.walk("VEVENT"):
        single = icalendar.Calendar.new(prodid=str(feed["PRODID"]), subcomponents=[*zones, event])
        out.append((str(event["UID"]), single.to_ical()))
    return out


def test_the_feed_goes_into_a_caldav_server_and_comes_back_the_same(
    radicale, personas, channels, client
) -> None:
    year = datetime.now(BERLIN).year + 1  # the next changes of the clocks, always ahead of today
    autumn, spring = _last_sunday(year, 10), _last_sunday(year, 3)
    moments = {
        "Normal": later(days=4, hour=11),
        "Erste 02:30": datetime.combine(autumn, datetime.min.time().replace(hour=2, minute=30), BERLIN),
        "Zweite 02:30": datetime.combine(
            autumn, datetime.min.time().replace(hour=2, minute=30, fold=1), BERLIN
        ),
        "Nach der Umstellung": datetime.combine(
            spring, datetime.min.time().replace(hour=3, minute=30), BERLIN
        ),
    }
    posts = {
        title: planned(personas.smm, personas.marketing, channels, title=title, at=moment)
        for title, moment in moments.items()
    }
    Post.objects.filter(pk=posts["Normal"].pk).update(status=Post.Status.WITHDRAWN)
    _feed, token = exports.feed_create(actor=personas.cm, name="CalDAV", plan_filter=exports.PlanFilter())
    response = client.get(reverse("planning-ical", kwargs={"token": token}))
    feed = icalendar.Calendar.from_ical(response.content)
    sent = {str(e["UID"]): e.DTSTART.astimezone(UTC) for e in feed.events}
    assert len(sent) == 4

    dav = caldav.DAVClient(
        url=radicale, username="plan", password="-", enable_rfc6764=False, require_tls=False, timeout=10
    )
    calendar = dav.principal().make_calendar(name="OneVoice", cal_id="onevoice")
    for _uid, body in _single_event_calendars(feed):
        calendar.save_event(body.decode())  # a PUT; Radicale refuses what it cannot parse

    stored = {str(c["UID"]): c for c in (e.icalendar_component for e in calendar.events())}
    assert {uid: c.start.astimezone(UTC) for uid, c in stored.items()} == sent
    expected_uids = {f"{p.public_id}@onevoice": title for title, p in posts.items()}
    assert set(stored) == set(expected_uids)
    by_title = {expected_uids[uid]: c for uid, c in stored.items()}
    assert by_title["Normal"]["STATUS"] == "CANCELLED"
    assert by_title["Erste 02:30"]["DTSTART"].params["TZID"] == "Europe/Berlin"

    # The server reads our VTIMEZONE as we meant it: a time-range query finds each post at its instant
    # and not an hour off. (For the doubled hour Radicale also matches a local 02:30 at its second
    # occurrence, so only the unambiguous times are checked for what a window must not find.)
    def titles_between(start: datetime, minutes: int = 20) -> set[str]:
        found = calendar.search(event=True, start=start, end=start + timedelta(minutes=minutes))
        return {str(f.icalendar_component["SUMMARY"]) for f in found}

    for title in ("Erste 02:30", "Zweite 02:30", "Nach der Umstellung"):
        assert title in titles_between(moments[title].astimezone(UTC) - timedelta(minutes=10))
    assert (
        titles_between(datetime.combine(spring, datetime.min.time(), UTC).replace(hour=0, minute=20)) == set()
    )
    assert (
        titles_between(datetime.combine(spring, datetime.min.time(), UTC).replace(hour=2, minute=20)) == set()
    )
    assert (
        titles_between(datetime.combine(autumn, datetime.min.time(), UTC).replace(hour=2, minute=10)) == set()
    )
