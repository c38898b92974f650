"""Huey tasks of analytics: collecting figures, the scheduled reports, the retention. Each only calls services
and is safe to run twice."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from onevoice.analytics import collection, services

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*/10"))
def collect_metrics() -> None:
    """Every ten minutes: pull the figures of the posts and channels that are due (young posts often)."""
    outcomes = collection.collect_due()
    collected = sum(1 for o in outcomes if o.state == "collected")
    failed = sum(1 for o in outcomes if o.state in ("failed", "rate_limited"))
    if collected or failed:
        log.info("metrics: %s channels collected, %s failed or rate limited", collected, failed)


@db_periodic_task(crontab(minute="15"))
def send_scheduled_reports() -> None:
    """Hourly: queue last month's report for each schedule whose day has come."""
    services.schedules_run()


@db_task(retries=services.MAX_TRIES - 1, retry_delay=600)
def deliver_report(delivery_id: int) -> str:
    """Mail one report; raises (and huey retries) until the last try, which leaves it marked failed."""
    return services.delivery_send(delivery_id)


@db_periodic_task(crontab(hour="3", minute="40"))
def expire_samples() -> None:
    """Nightly: remove raw samples past the organisation's retention (daily figures stay)."""
    removed = collection.samples_expire()
    if removed:
        log.info("metrics: %s raw samples past their retention removed", removed)
