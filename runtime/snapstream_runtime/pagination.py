"""Opaque page cursors over DynamoDB's LastEvaluatedKey, bound to the query they came from."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from snapstream_runtime.adapters.table import from_attributes, to_attributes


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    cursor: str | None


def encode_cursor(key: Mapping[str, Any] | None) -> str | None:
    if not key:
        return None
    return base64.urlsafe_b64encode(json.dumps(from_attributes(key)).encode()).decode()


def decode_cursor(cursor: str | None, *, partition: tuple[str, str]) -> dict[str, Any] | None:
    """The start key for ``cursor``, which must belong to ``partition`` (attribute, value): a
    cursor from one user's query can never page through another's."""
    if not cursor:
        return None
    try:
        key: dict[str, Any] = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError) as error:
        raise ValueError("the page cursor is not valid") from error
    attribute, value = partition
    if not isinstance(key, dict) or key.get(attribute) != value:
        raise ValueError("the page cursor belongs to another search")
    return to_attributes(key)
