from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from onevoice.core import data_version


@db_periodic_task(crontab(minute="*"))
@lock_task("compact-data-changes")
def compact_data_changes() -> None:
    """Keep the data version's table a handful of rows (reading the version sums them)."""
    data_version.compact()
