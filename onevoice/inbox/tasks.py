"""The inbox's worker tasks. huey discovers this module; each part of the inbox keeps its own."""

from onevoice.inbox.tasks_casework import *  # noqa: F403
from onevoice.inbox.tasks_ingest import *  # noqa: F403
from onevoice.inbox.tasks_privacy import *  # noqa: F403
