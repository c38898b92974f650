"""Record keys derived from idempotency keys: the same key always names the same post.

Bluesky's AppView indexes `app.bsky.feed.post` records only when their key is a TID (timestamp
identifier: 13 characters of base32-sortable, the top bit zero, 53 bits of microseconds, 10 bits of
clock id). So the key is TID-shaped: its "timestamp" and clock id come from a SHA-256 of the
idempotency key and land in a fixed window in early 2023, before OneVoice existed, so a derived key
can never collide with a TID the PDS hands out for a post made elsewhere (those carry the current
time). 53 bits of hash leave collisions within one account practically impossible.
"""

from __future__ import annotations

import hashlib
import re

TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
# 2023-01-01T00:00:00Z in microseconds; the hash adds up to 2**43 µs (about 102 days).
WINDOW_START_US = 1_672_531_200_000_000
WINDOW_BITS = 43
CLOCK_ID_BITS = 10

# The record key syntax (atproto spec): 1-512 characters of [A-Za-z0-9._:~-], not "." or "..".
RECORD_KEY = re.compile(r"^[A-Za-z0-9._:~-]{1,512}$")
TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")


def record_key_for(idempotency_key: str) -> str:
    """Derive the TID-shaped record key of the post published under `idempotency_key`."""
    digest = hashlib.sha256(f"onevoice/bluesky/{idempotency_key}".encode()).digest()
    bits = int.from_bytes(digest[:8], "big")
    offset_us = bits >> (64 - WINDOW_BITS)
    clock_id = bits & ((1 << CLOCK_ID_BITS) - 1)
    return encode_tid(((WINDOW_START_US + offset_us) << CLOCK_ID_BITS) | clock_id)


def encode_tid(value: int) -> str:
    if not 0 <= value < 1 << 63:
        raise ValueError("a TID is a 63-bit number")
    return "".join(TID_ALPHABET[(value >> shift) & 31] for shift in range(60, -1, -5))


def is_valid_record_key(key: str) -> bool:
    return bool(RECORD_KEY.match(key)) and key not in (".", "..")


def is_tid(key: str) -> bool:
    return bool(TID.match(key))
