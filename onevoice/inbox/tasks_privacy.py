"""Worker tasks of the inbox (privacy); imported by `tasks.py`, which huey discovers."""
