"""DynamoDB capacity units by the service's published rules, for requests moto does not meter.

moto answers ``ConsumedCapacity`` with a constant, so the scaling benchmark applies the rules to
the bytes a request examines: reads cost one unit per 4 KB examined per request, half of it for
eventually consistent reads (Query, Scan and GetItem default); writes one unit per 1 KB written,
once for the table and once for each global secondary index the item appears in.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

READ_UNIT_BYTES = 4096
WRITE_UNIT_BYTES = 1024


def item_size(item: dict[str, Any]) -> int:
    """Bytes DynamoDB counts for ``item`` (attribute names plus values, low-level format)."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: dict[str, Any]) -> int:
    ((kind, data),) = value.items()
    if kind == "S":
        return len(data.encode())
    if kind == "N":
        return _number_size(data)
    if kind == "B":
        return len(data)
    if kind in {"BOOL", "NULL"}:
        return 1
    if kind == "SS":
        return sum(len(s.encode()) for s in data)
    if kind == "NS":
        return sum(_number_size(n) for n in data)
    if kind == "L":
        return 3 + sum(1 + _value_size(v) for v in data)
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + _value_size(v) for k, v in data.items())
    raise ValueError(f"unknown attribute type {kind}")


def _number_size(text: str) -> int:
    digits = Decimal(text).normalize().as_tuple().digits
    return (len(digits) + 1) // 2 + 1


def read_units(examined_bytes: float, *, consistent: bool = False) -> float:
    """Read units one request consumes for ``examined_bytes`` (rounded up per request)."""
    units = max(1, math.ceil(examined_bytes / READ_UNIT_BYTES))
    return units if consistent else units / 2


def write_units(item_bytes: int, *, indexes: int = 0) -> float:
    return max(1, math.ceil(item_bytes / WRITE_UNIT_BYTES)) * (1 + indexes)
