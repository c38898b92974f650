"""The data version: a number that grows with every committed write to the tables kept answers show.

The API's posts list keeps its answers per process (`onevoice/api/v1/posts_cache.py`) and serves one
again only while the data version is the one it was built at. On PostgreSQL, a statement-level trigger on
each table in `TRACKED` adds a row to `core_datachange` (n = 1) for every INSERT, UPDATE, DELETE or
TRUNCATE, from any code path: services, `QuerySet.update`, bulk writes, the admin, raw SQL, COPY. The
version is the sum of n over the rows the reader's snapshot sees:

- a transaction's rows become visible when it commits, all at once, so every commit that wrote to a
  tracked table raises the version, and a rolled-back one changes nothing;
- writers only insert, so they never wait for each other (a counter row that each writer updates would
  hold every writer until the one before it commits);
- `compact()` replaces the rows it sees by one row with their sum in one statement, so the version stays
  the same for every snapshot, and the table stays a handful of rows.

An answer built in one snapshot together with the version read there is exactly the answer for that
version. The version is global, not per organisation: a write in one organisation also renews the other
organisations' kept answers, which costs a rebuild and never shows anything stale.

Other databases have no triggers: `current()` answers None and nothing is kept.
"""

from __future__ import annotations

from django.db import connection

from onevoice.core.prepared import fetch_one

# The tables the posts list shows something from (and the calendar reads): posts and their variants,
# departments, campaigns, topics, memberships and their users, channels and channel permissions, the
# departments of memberships, organisations. A new table an answer shows needs its trigger here and in a
# migration (`install_triggers`).
TRACKED = (
    "planning_post",
    "planning_postvariant",
    "planning_campaign",
    "planning_topic",
    "organization_organization",
    "organization_department",
    "organization_membership",
    "organization_membership_departments",
    "networks_channel",
    "networks_channelpermission",
    "accounts_user",
)

FUNCTION = "onevoice_note_data_change"
# The version as an SQL expression (the API's token check reads it along with the token).
SELECT = "(SELECT coalesce(sum(n), 0) FROM core_datachange)"


def install_triggers(schema_editor: object, tables: tuple[str, ...] = TRACKED) -> None:
    """Used by core's migrations: the trigger function and one statement trigger per table (PostgreSQL)."""
    conn = schema_editor.connection  # type: ignore[attr-defined]
    if conn.vendor != "postgresql":
        return
    with conn.cursor() as cursor:
        cursor.execute(
            f"""
            CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO core_datachange (n) VALUES (1);
                RETURN NULL;
            END
            $$"""  # noqa: S608 (the function's name is a constant of this module)
        )
        for table in tables:
            cursor.execute(
                f"CREATE OR REPLACE TRIGGER {FUNCTION} "
                f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {conn.ops.quote_name(table)} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
            )


def remove_triggers(schema_editor: object, tables: tuple[str, ...] = TRACKED) -> None:
    conn = schema_editor.connection  # type: ignore[attr-defined]
    if conn.vendor != "postgresql":
        return
    with conn.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DROP TRIGGER IF EXISTS {FUNCTION} ON {conn.ops.quote_name(table)}")
        cursor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


def current() -> int | None:
    """The data version as this transaction (or, outside one, this statement) sees it; None where the
    database keeps no version."""
    if connection.vendor != "postgresql":
        return None
    row = fetch_one(f"SELECT {SELECT}", [])
    assert row is not None  # an aggregate returns one row
    return int(row[0])


def compact() -> int:
    """Fold the change rows into one with their sum (the version stays); returns how many were folded."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH gone AS (DELETE FROM core_datachange RETURNING n) "
            "INSERT INTO core_datachange (n) SELECT sum(n) FROM gone HAVING count(*) > 0 "
            "RETURNING (SELECT count(*) FROM gone)"
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0
