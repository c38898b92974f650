"""Worker tasks of the inbox (ingest); imported by `tasks.py`, which huey discovers."""
