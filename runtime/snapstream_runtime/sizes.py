"""Byte sizes: the one check every declared size passes, and human-readable sizes for messages."""

from __future__ import annotations

from typing import TypeGuard

_PETABYTE = 1024**5


class BadSize(ValueError):
    """A size that is not a whole number of bytes within range; the message is for people."""


def is_whole_number(value: object) -> TypeGuard[int]:
    """A JSON integer: an ``int`` and never a ``bool``; floats (even ``12.0``, NaN, Infinity)
    and numeric strings are not."""
    return isinstance(value, int) and not isinstance(value, bool)


def byte_count(value: object, *, maximum: int) -> int:
    """``value`` if it is a whole number of bytes from 1 to ``maximum``; :class:`BadSize`."""
    if not is_whole_number(value):
        raise BadSize("the size must be a whole number of bytes, like 52431")
    if value <= 0:
        raise BadSize("the file is empty")
    if value > maximum:
        limit = human_size(maximum)
        raise BadSize(f"the file is {human_size(value)}, larger than the {limit} limit")
    return value


def human_size(size: int) -> str:
    if size >= _PETABYTE:  # (floats overflow long before Python's integers do)
        return "more than a petabyte"
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")
