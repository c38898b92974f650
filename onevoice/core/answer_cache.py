"""Finished answers (response bodies) kept in this process, by everything they were built from.

The calendar's events endpoint and the API's posts list keep theirs here; each decides what goes into its
keys (the person, what decides what they see, the request, a fingerprint of the data), so an answer is
never served to anyone else, nor after a write to what it shows.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any


class AnswerCache:
    """The last answers, bounded in entries and bytes; the least recently used goes first."""

    def __init__(self, entries: int, size: int) -> None:
        self.entries, self.size = entries, size
        self.answers: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
        self.used = 0
        self.lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> bytes | None:
        with self.lock:
            body = self.answers.get(key)
            if body is not None:
                self.answers.move_to_end(key)
            return body

    def put(self, key: tuple[Any, ...], body: bytes) -> None:
        if len(body) > self.size // 4:
            return
        with self.lock:
            old = self.answers.pop(key, None)
            self.used -= len(old) if old is not None else 0
            self.answers[key] = body
            self.used += len(body)
            while len(self.answers) > self.entries or self.used > self.size:
                _key, dropped = self.answers.popitem(last=False)
                self.used -= len(dropped)

    def clear(self) -> None:
        with self.lock:
            self.answers.clear()
            self.used = 0
