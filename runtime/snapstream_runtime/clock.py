"""Time and identifiers, in one place so tests can pin them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """Sortable UTC timestamp with microseconds: ``2026-11-22T00:07:58.123456Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_id() -> str:
    """A random 128-bit id as 32 hex characters (never guessable, never sequential)."""
    return uuid.uuid4().hex
