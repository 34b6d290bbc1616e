"""The capacity rules the scaling benchmark applies where moto meters nothing."""

from __future__ import annotations

from bench.capacity import item_size, read_units, write_units


def test_item_size_counts_names_and_values() -> None:
    assert item_size({"pk": {"S": "ab"}}) == 4
    assert item_size({"n": {"N": "1000"}}) == 1 + 2  # one significant digit
    assert item_size({"n": {"N": "123456"}}) == 1 + 4
    assert item_size({"t": {"L": [{"S": "flood"}]}}) == 1 + 3 + 1 + 5
    assert item_size({"m": {"M": {"a": {"BOOL": True}}}}) == 1 + 3 + 1 + 1 + 1


def test_reads_round_up_per_4_kb_and_halve_when_eventually_consistent() -> None:
    assert read_units(0) == 0.5
    assert read_units(4096) == 0.5
    assert read_units(4097) == 1.0
    assert read_units(4097, consistent=True) == 2


def test_writes_round_up_per_kb_and_repeat_per_index() -> None:
    assert write_units(100) == 1
    assert write_units(1025, indexes=2) == 6
