"""Worker tasks of the inbox (casework); imported by `tasks.py`, which huey discovers.

They only call services, and each is safe to run twice: a reply is claimed before it is sent.
"""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from onevoice.inbox import services

log = logging.getLogger(__name__)

__all__ = ["hide_on_network", "send_reply", "sweep_replies"]


@db_task()
def send_reply(reply_id: int) -> str:
    """Send one queued reply through its channel's connector (does nothing if another worker has it)."""
    return services.reply_run(reply_id)


@db_periodic_task(crontab(minute="*"))
def sweep_replies() -> None:
    """A reply whose task was lost (worker restarted before it ran) is sent again a minute later."""
    resent = services.replies_sweep()
    if resent:
        log.info("inbox: %s queued replies sent again", resent)


@db_task()
def hide_on_network(case_ids: list[int]) -> int:
    """Hide on the network what a routing rule said to hide (after ingestion committed)."""
    return services.cases_hide_on_network(case_ids)


def enqueue_hide(case_ids: list[int]) -> None:
    hide_on_network(case_ids)
