"""SQLite only: a revision of the plan that changes with every write to a post or a variant, kept by triggers.

The calendar's events endpoint keeps its answer for a month of posts and serves it again while the plan is
unchanged (`selectors.plan_fingerprint`). On PostgreSQL the fingerprint is read from the rows themselves
(each row version's transaction id, `xmin`), so nothing is needed there. SQLite has no such column: these
triggers give every insert, update and delete of a post or a variant, from any code path (services,
`QuerySet.update`, bulk writes, raw SQL), a new random revision. Random, not counted up: a rolled-back
write must not leave behind a number that a later, different write takes again.

Django rebuilds a SQLite table to alter it, which drops its triggers. The endpoint checks that all six
are there and does not cache without them; `test_calendar_cache.py` fails until they are created again.
"""

from django.db import migrations

TRIGGERS = {
    "planning_calendar_rev_post_insert": (
        "CREATE TRIGGER IF NOT EXISTS planning_calendar_rev_post_insert AFTER INSERT ON planning_post "
        "BEGIN UPDATE planning_calendar_revision SET n = random() WHERE id = 1; END"
    ),
    "planning_calendar_rev_post_update": (
        "CREATE TRIGGER IF NOT EXISTS planning_calendar_rev_post_update AFTER UPDATE ON planning_post "
        "BEGIN UPDATE planning_calendar_revision SET n = random() WHERE id = 1; END"
    ),
    "planning_calendar_rev_post_delete": (
        "CREATE TRIGGER IF NOT EXISTS planning_calendar_rev_post_delete AFTER DELETE ON planning_post "
        "BEGIN UPDATE planning_calendar_revision SET n = random() WHERE id = 1; END"
    ),
    "planning_calendar_rev_postvariant_insert": (
        "CREATE TRIGGER IF NOT EXISTS planning_calendar_rev_postvariant_insert AFTER INSERT ON planning_postvariant "
        "BEGIN UPDATE planning_calendar_revision SET n = random() WHERE id = 1; END"
    ),
    "planning_calendar_rev_postvariant_update": (
        "CREATE TRIGGER IF NOT EXISTS planning_calendar_rev_postvariant_update AFTER UPDATE ON planning_postvariant "
        "BEGIN UPDATE planning_calendar_revision SET n = random() WHERE id = 1; END"
    ),
    "planning_calendar_rev_postvariant_delete": (
        "CREATE TRIGGER IF NOT EXISTS planning_calendar_rev_postvariant_delete AFTER DELETE ON planning_postvariant "
        "BEGIN UPDATE planning_calendar_revision SET n = random() WHERE id = 1; END"
    ),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute(
        "CREATE TABLE IF NOT EXISTS planning_calendar_revision "
        "(id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL)"
    )
    schema_editor.execute("INSERT OR IGNORE INTO planning_calendar_revision (id, n) VALUES (1, random())")
    for sql in TRIGGERS.values():
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in TRIGGERS:
        schema_editor.execute("DROP TRIGGER IF EXISTS " + schema_editor.quote_name(name))
    schema_editor.execute("DROP TABLE IF EXISTS planning_calendar_revision")


class Migration(migrations.Migration):
    dependencies = [
        ("planning", "0004_inbox_workload_notification_kinds"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
