"""Huey tasks: they only call services, and every one is safe to run twice."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, on_startup

from onevoice.publishing import services

log = logging.getLogger(__name__)


@db_task()
def publish(publication_id: int, version: int) -> str:
    """Sent for the publication's time; does nothing if it was moved, cancelled or taken by another worker."""
    return services.publication_run(publication_id, version)


# No lock: every step of the sweep is a conditional update, so two sweeps at once do no harm, while a lock
# left behind by a worker killed mid-sweep would stop the sweeper for good (huey's locks never expire).
@db_periodic_task(crontab(minute="*"))
def sweep() -> None:
    report = services.publications_sweep()
    if report.enqueued or report.interrupted or report.reconciled:
        log.info(
            "publishing sweep: %s re-sent, %s interrupted, %s looked up",
            report.enqueued,
            report.interrupted,
            report.reconciled,
        )


@on_startup()
def recover_after_restart() -> None:
    """A worker killed mid-publication left claims behind: settle them now rather than after the timeout.

    Huey runs this once per worker thread and logs (without stopping) if it fails."""
    recovered = services.publications_recover_after_restart()
    if recovered:
        log.info("%s interrupted publications looked up after a restart", recovered)
