from __future__ import annotations

from datetime import UTC, datetime

from onevoice.networks.connectors.bluesky.record_key import (
    TID_ALPHABET,
    is_tid,
    is_valid_record_key,
    record_key_for,
)


def tid_time(tid: str) -> datetime:
    value = 0
    for char in tid:
        value = value * 32 + TID_ALPHABET.index(char)
    return datetime.fromtimestamp((value >> 10) / 1_000_000, tz=UTC)


class TestRecordKeyFor:
    def test_it_gives_the_same_key_for_the_same_variant_every_time(self) -> None:
        assert record_key_for("variant-42") == record_key_for("variant-42")

    def test_it_gives_different_keys_to_different_variants(self) -> None:
        keys = {record_key_for(f"variant-{n}") for n in range(5000)}
        assert len(keys) == 5000

    def test_every_key_is_a_valid_record_key_and_a_tid(self) -> None:
        for key in [*(f"variant-{n}" for n in range(500)), "", "ü👋🏽", "x" * 10_000]:
            rkey = record_key_for(key)
            assert is_valid_record_key(rkey), rkey
            assert is_tid(rkey), rkey
            assert len(rkey) == 13

    def test_the_tid_time_lies_in_early_2023_so_it_never_meets_a_tid_of_today(self) -> None:
        for n in range(500):
            moment = tid_time(record_key_for(f"variant-{n}"))
            assert datetime(2023, 1, 1, tzinfo=UTC) <= moment < datetime(2023, 4, 15, tzinfo=UTC)


class TestRecordKeySyntax:
    def test_it_follows_the_atproto_rules(self) -> None:
        assert is_valid_record_key("self")
        assert is_valid_record_key("3jzfcijpj2z2a")
        assert is_valid_record_key("a:b~c_d-e.f")
        assert not is_valid_record_key(".")
        assert not is_valid_record_key("..")
        assert not is_valid_record_key("")
        assert not is_valid_record_key("a/b")
        assert not is_valid_record_key("ä")
        assert not is_valid_record_key("x" * 513)
        assert not is_tid("kzzzzzzzzzzzz")  # top bit set
