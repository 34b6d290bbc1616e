"""Server-side login sessions (records: ``snapstream_runtime.session_records``).

A login creates a record; the browser's signed cookie carries only the session's random id
(and the CSRF token). Every request looks the record up and accepts it only if it exists, is
not idle longer than ``idle_seconds`` nor older than ``absolute_seconds``, and was made under
the account's current ``auth_version``; a used session's ``last_seen`` (and TTL) moves at most
once a minute, not on every request. Logging out, ending a session from the profile page, a
password change, an administrator disabling the account and the account's deletion delete
records. A login that still needs its second factor is a short-lived ``two_factor`` record that
authorizes nothing but the code form.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from snapstream_runtime import keys
from snapstream_runtime.adapters.table import Condition, ConditionFailed, Table, Update
from snapstream_runtime.clock import iso
from snapstream_runtime.session_records import session_hash, sessions_of
from snapstream_web.accounts import User

ACTIVE = "active"
TWO_FACTOR = "two_factor"
#: ``last_seen`` is written at most this often (an idle deadline is accurate to a minute).
TOUCH_EVERY_SECONDS = 60
#: how long a login may wait for its second factor, and how many wrong codes it may send.
TWO_FACTOR_SECONDS = 300
MAX_CODE_ATTEMPTS = 5
USER_AGENT_CHARS = 256


@dataclass(frozen=True)
class Timeouts:
    idle_seconds: int
    absolute_seconds: int


@dataclass(frozen=True)
class SessionRecord:
    handle: str
    user_id: str
    stage: str
    created_at: str
    created: int
    last_seen: int
    user_agent: str
    absolute_expiry: int
    auth_version: int

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> SessionRecord:
        return cls(
            handle=str(item["session"]),
            user_id=str(item["user_id"]),
            stage=str(item.get("stage", ACTIVE)),
            created_at=str(item["created_at"]),
            created=int(item["created"]),
            last_seen=int(item["last_seen"]),
            user_agent=str(item.get("user_agent", "")),
            absolute_expiry=int(item["absolute_expiry"]),
            auth_version=int(item.get("auth_version", 1)),
        )

    def alive(self, now: int, timeouts: Timeouts) -> bool:
        return now < self.absolute_expiry and now < self.last_seen + timeouts.idle_seconds

    @property
    def created_text(self) -> str:
        return _minute(self.created)

    @property
    def last_seen_text(self) -> str:
        return _minute(self.last_seen)


def _minute(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M UTC")


def clock() -> int:
    """Now, in seconds since the epoch (tests move it)."""
    return int(time.time())


def _now(at: int | None) -> int:
    return clock() if at is None else at


def start(
    table: Table,
    user: User,
    *,
    stage: str,
    user_agent: str,
    timeouts: Timeouts,
    at: int | None = None,
) -> tuple[str, SessionRecord]:
    """A new session of ``user``: its id (for the cookie only) and its record."""
    now = _now(at)
    session_id = secrets.token_urlsafe(32)
    handle = session_hash(session_id)
    lifetime = timeouts.absolute_seconds if stage == ACTIVE else TWO_FACTOR_SECONDS
    created_at = iso(datetime.fromtimestamp(now, UTC))
    item = {
        **keys.session_key(handle),
        "session": handle,
        "user_id": user.user_id,
        "stage": stage,
        "created_at": created_at,
        "created": now,
        "last_seen": now,
        "user_agent": user_agent[:USER_AGENT_CHARS],
        "absolute_expiry": now + lifetime,
        "auth_version": user.auth_version,
        "expires_at": min(now + lifetime, now + timeouts.idle_seconds),
        "gsi1pk": keys.sessions_index_pk(user.user_id),
        "gsi1sk": f"{created_at}#{handle}",
    }
    table.put_new(item)
    return session_id, SessionRecord.from_item(item)


def load(
    table: Table, session_id: str, timeouts: Timeouts, *, at: int | None = None
) -> SessionRecord | None:
    """The live session with this id; None if it is unknown, ended or expired (then deleted)."""
    item = table.get(**keys.session_key(session_hash(session_id)))
    if not item:
        return None
    record = SessionRecord.from_item(item)
    if not record.alive(_now(at), timeouts):
        end(table, record.handle)
        return None
    return record


def touch(
    table: Table, record: SessionRecord, timeouts: Timeouts, *, at: int | None = None
) -> bool:
    """Note that the session was used (at most once a minute); False if it ended meanwhile."""
    now = _now(at)
    if now - record.last_seen < TOUCH_EVERY_SECONDS:
        return True
    update = (
        Update()
        .set("last_seen", now)
        .set("expires_at", min(record.absolute_expiry, now + timeouts.idle_seconds))
        .require_exists("pk")
    )
    try:
        table.update(keys.session_key(record.handle), update)
    except ConditionFailed:
        return False
    return True


def end(table: Table, handle: str) -> None:
    table.delete(keys.session_key(handle))


def end_own(table: Table, user_id: str, handle: str) -> bool:
    """End one of ``user_id``'s sessions by its handle; False if it is not theirs (or gone)."""
    return table.delete(keys.session_key(handle), Condition().require_equal("user_id", user_id))


def adopt_auth_version(table: Table, handle: str, auth_version: int) -> None:
    """Keep this session valid after the account's ``auth_version`` moved (this user changed
    their password or turned two-factor on here)."""
    with_version = Update().set("auth_version", auth_version).require_exists("pk")
    table.update(keys.session_key(handle), with_version)


def count_wrong_code(table: Table, handle: str) -> int:
    """One more wrong second-factor code for this pending login; how many so far (as many as
    allowed if the pending login is gone already)."""
    wrong = Update().add("code_attempts", 1).require_exists("pk")
    try:
        counted = table.update(keys.session_key(handle), wrong, return_updated=True)
    except ConditionFailed:
        return MAX_CODE_ATTEMPTS
    return int(counted["code_attempts"])


def listing(
    table: Table, user_id: str, timeouts: Timeouts, *, at: int | None = None
) -> list[SessionRecord]:
    """The user's live sessions, newest first (what the profile page shows)."""
    now = _now(at)
    records = [SessionRecord.from_item(item) for item in sessions_of(table, user_id)]
    return [r for r in records if r.stage == ACTIVE and r.alive(now, timeouts)]
