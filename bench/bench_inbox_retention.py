"""The nightly retention run on many old closed cases, against the least any anonymisation must do.

    .venv/bin/python bench/bench_inbox_retention.py [--cases 20000]

Runs on a throw-away test database (SQLite by default, PostgreSQL when DATABASE_URL is set). Builds three
organisations of the same shape (each case: closed 14 months ago, its own contact with one handle, two
messages, one internal note, one reply) and measures, in the same run:

- anonymise: `retention_apply` (texts, handles, names, links, network ids, notes, replies blanked, cases
  detached, contacts left without a case deleted, one audit event) against a floor of two plain UPDATEs
  that blank the message texts and the case subjects of the same rows;
- delete: `retention_apply` in delete mode against a floor of `Case.objects.filter(...).delete()` plus
  deleting the contacts.

Prints seconds and the ratio to the floor (no target in the issue; reported for the closing note).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["ONEVOICE_TESTING"] = "1"

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

if TYPE_CHECKING:
    from onevoice.organization.models import Organization

BATCH = 2000


def build(cases: int, name: str, mode: str) -> Organization:
    from onevoice.accounts.models import User
    from onevoice.inbox.models import (
        Case,
        Contact,
        ContactHandle,
        InboxSettings,
        InternalNote,
        Message,
        Reply,
    )
    from onevoice.networks.models import Channel
    from onevoice.organization import services as org_services
    from onevoice.organization.models import default_business_hours

    hint = name.split()[0].lower()
    user = User.objects.create_user(f"{hint}@example.org", "Bench-Passwort-1", full_name=name)
    admin = org_services.organization_create(
        creator=user,
        name=name,
        time_zone="Europe/Berlin",
        form_of_address="sie",
        model="solo",
        business_hours=default_business_hours(),
        departments=[org_services.DepartmentProposal("Kommunikation", is_central_team=True)],
    )
    org = admin.organization
    InboxSettings.objects.create(organization=org, retention_months=12, retention_mode=mode)
    channel = Channel(organization=org, network="bluesky", name="Bluesky", handle=f"{hint}.test")
    channel.set_credentials({"identifier": "x", "app_password": "y"})
    channel.save()
    closed = timezone.now() - timedelta(days=430)
    for start in range(0, cases, BATCH):
        n = min(BATCH, cases - start)
        contacts = Contact.objects.bulk_create(
            [Contact(organization=org, display_name=f"Person {start + i}") for i in range(n)]
        )
        Contact.objects.filter(pk__in=[c.pk for c in contacts]).update(created_at=closed - timedelta(days=5))
        ContactHandle.objects.bulk_create(
            [
                ContactHandle(
                    organization=org,
                    contact=c,
                    network="bluesky",
                    author_id=f"did:plc:p{start + i}",
                    handle=f"person{start + i}.test",
                )
                for i, c in enumerate(contacts)
            ]
        )
        rows = Case.objects.bulk_create(
            [
                Case(
                    organization=org,
                    channel=channel,
                    thread_key=f"at://did:plc:p{start + i}/post/1|p{start + i}",
                    contact=c,
                    kind="reply",
                    subject=f"Frage von Person {start + i}",
                    status=Case.Status.CLOSED,
                    first_message_at=closed - timedelta(days=2),
                    last_message_at=closed - timedelta(days=1),
                    closed_at=closed,
                    message_count=2,
                )
                for i, c in enumerate(contacts)
            ]
        )
        Message.objects.bulk_create(
            [
                Message(
                    case=case,
                    channel=channel,
                    external_id=f"at://did:plc:p{start + i}/app.bsky.feed.post/{k}",
                    direction=Message.Direction.INBOUND if k == 0 else Message.Direction.OUTBOUND,
                    kind="reply",
                    author_id=f"did:plc:p{start + i}",
                    author_handle=f"person{start + i}.test",
                    author_name=f"Person {start + i}",
                    text="Wann kommt meine Bestellung 4711? Ich warte schon seit Tagen." * 2,
                    url=f"https://bsky.app/profile/person{start + i}.test/post/{k}",
                    created_at=closed - timedelta(days=2 - k),
                )
                for i, case in enumerate(rows)
                for k in range(2)
            ]
        )
        InternalNote.objects.bulk_create(
            [InternalNote(case=case, text="Kundin ruft oft an, bitte freundlich bleiben.") for case in rows]
        )
        Reply.objects.bulk_create(
            [Reply(case=case, text="Hallo, wir prüfen das gern.", state=Reply.State.SENT) for case in rows]
        )
    return org


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    from onevoice.inbox.models import Case, Contact, Message
    from onevoice.inbox.privacy import retention_apply

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20000)
    args = parser.parse_args()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print(f"database: {connection.vendor}, {args.cases} closed cases per organisation")
        floor_org = build(args.cases, "Floor GmbH", "anonymize")
        anon_org = build(args.cases, "Anon GmbH", "anonymize")

        def floor_anonymise() -> None:
            Message.objects.filter(case__organization=floor_org).update(text="")
            Case.objects.filter(organization=floor_org).update(subject="")

        floor = timed(floor_anonymise)
        result = None

        def run_anonymise() -> None:
            nonlocal result
            result = retention_apply(anon_org)

        anonymise = timed(run_anonymise)
        assert result is not None
        assert result.cases == args.cases, result
        assert not Message.objects.filter(case__organization=anon_org).exclude(text="").exists()
        print(f"anonymise: {anonymise:.2f} s, floor {floor:.2f} s, ratio {anonymise / floor:.1f}×")

        floor_del_org = build(args.cases, "Floordel GmbH", "delete")
        del_org = build(args.cases, "Delete GmbH", "delete")

        def floor_delete() -> None:
            Case.objects.filter(organization=floor_del_org).delete()
            Contact.objects.filter(organization=floor_del_org).delete()

        floor_d = timed(floor_delete)
        deleted = timed(lambda: retention_apply(del_org))
        assert not Case.objects.filter(organization=del_org).exists()
        print(f"delete:    {deleted:.2f} s, floor {floor_d:.2f} s, ratio {deleted / floor_d:.1f}×")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
