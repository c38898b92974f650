"""Huey tasks of webhooks and chat notifications: they only call services, and each is safe to run twice."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from onevoice.webhooks import services

log = logging.getLogger(__name__)


@db_task()
def deliver(delivery_id: int) -> str:
    """One try of one delivery; a second task for the same delivery finds it claimed and does nothing."""
    return services.delivery_send(delivery_id)


@db_periodic_task(crontab(minute="*"))
def sweep() -> None:
    report = services.deliveries_sweep()
    if report.sent or report.released:
        log.info(
            "webhook sweep: %s due sent, %s claims of dead workers released", report.sent, report.released
        )


@db_periodic_task(crontab(minute="17", hour="3"))
def prune() -> None:
    services.deliveries_prune()
