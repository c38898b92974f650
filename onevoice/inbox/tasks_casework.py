"""Worker tasks of the inbox (casework); imported by `tasks.py`, which huey discovers."""
