"""Worker tasks of the inbox (ingest); imported by `tasks.py`, which huey discovers.

Every minute: poll each channel that is due (one task per channel, so a slow network holds up only its
own channel) and escalate overdue cases; every five minutes, look for spikes. Each task is safe to run twice: polling claims
the channel, escalation and alerts are conditional writes.
"""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from onevoice.inbox import escalation, ingest
from onevoice.networks.models import Channel

log = logging.getLogger(__name__)


@db_task()
def inbox_poll_channel(channel_id: int) -> str:
    """Fetch and store what is new on one channel; does nothing if it is not due or another worker has it."""
    channel = Channel.objects.select_related("organization").filter(pk=channel_id).first()
    if channel is None:
        return "gone"
    return ingest.ingest_channel(channel).outcome


@db_periodic_task(crontab(minute="*"))
def inbox_poll_due_channels() -> None:
    due = ingest.channels_due()
    for channel_id in due:
        inbox_poll_channel(channel_id)


@db_periodic_task(crontab(minute="*"))
def inbox_escalate_overdue() -> None:
    escalated = escalation.cases_escalate()
    if escalated:
        log.info("inbox: %s overdue cases escalated", escalated)


# Every five minutes: a spike is an hour's worth of messages, and the count reads a week of them.
@db_periodic_task(crontab(minute="*/5"))
def inbox_spike_alert() -> None:
    alerts = escalation.spikes_alert()
    if alerts:
        log.info("inbox: %s spike alerts", len(alerts))
