"""Failed-login throttles: growing delays per account and per client address, never a lock.

Each throttle is one item (``LOGIN#<e-mail>/LOGIN`` for an account, ``LOGIN#<address>/ADDRESS``
for a client address) counting failures in a row. The first ``free_failures`` cost nothing;
each further failure makes the next attempt wait twice as long as the one before
(``base_delay_seconds``, doubled, at most ``max_delay_seconds``). An attempt made while waiting
is refused (429 with ``Retry-After``) *without being counted*, so nobody can extend a delay by
hammering, and the count is forgotten ``forget_after_seconds`` after the last failure (the item
expires by TTL; an expired item that TTL has not removed yet counts as absent). What throttles
which attempt, and who is exempt, is the login guard's business (``login_guard.py``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from snapstream_runtime.adapters.table import ConditionFailed, Table, Update


@dataclass(frozen=True)
class Throttle:
    """A delay schedule: free failures, then doubling waits up to a ceiling."""

    free_failures: int
    base_delay_seconds: int = 30
    max_delay_seconds: int = 900
    forget_after_seconds: int = 6 * 3600

    def __post_init__(self) -> None:
        if self.free_failures < 1 or self.base_delay_seconds < 1:
            raise ValueError("a throttle needs at least one free failure and a positive delay")
        if self.max_delay_seconds < self.base_delay_seconds:
            raise ValueError("max_delay_seconds must be at least base_delay_seconds")
        if self.forget_after_seconds < self.max_delay_seconds:
            raise ValueError("forget_after_seconds must be at least max_delay_seconds")

    def delay(self, failures: int) -> int:
        """Seconds to wait after ``failures`` failures in a row (0 while they are free)."""
        extra = failures - self.free_failures
        if extra <= 0:
            return 0
        return min(self.base_delay_seconds << min(extra - 1, 32), self.max_delay_seconds)


#: an account: 5 failures in a row are free; after the 6th wait 30 s, then 1, 2, 4, 8, 15 min.
ACCOUNT_THROTTLE = Throttle(free_failures=5)
#: a client address (an office behind one NAT is many people): 20 free, then the same waits.
ADDRESS_THROTTLE = Throttle(free_failures=20)


def now() -> int:
    """Now, in seconds since the epoch (tests move it)."""
    return int(time.time())


def wait_seconds(table: Table, key: dict[str, str], *, at: int | None = None) -> int:
    """How long an attempt under ``key`` must still wait (0: it may go ahead)."""
    moment = now() if at is None else at
    item = table.get(**key)
    if not item or int(item.get("expires_at", 0)) <= moment:
        return 0
    return max(int(item.get("blocked_until", 0)) - moment, 0)


def record_failure(
    table: Table, key: dict[str, str], policy: Throttle, *, at: int | None = None
) -> int:
    """Count one failure under ``key``; the wait it imposes on the next attempt (seconds)."""
    moment = now() if at is None else at
    forget = moment + policy.forget_after_seconds
    counted = (
        Update()
        .add("failures", 1)
        .set("expires_at", forget)
        .require("attribute_not_exists(pk) OR expires_at > :now", {}, {":now": moment})
    )
    try:
        failures = int(table.update(key, counted, return_updated=True)["failures"])
    except ConditionFailed:
        # an expired count TTL has not removed yet: start again from one
        fresh: dict[str, Any] = {**key, "failures": 1, "expires_at": forget}
        table.put(fresh)
        failures = 1
    delay = policy.delay(failures)
    if delay:
        table.update(key, Update().set("blocked_until", moment + delay))
    return delay


def clear(table: Table, key: dict[str, str]) -> None:
    """Forget the failures under ``key`` (a successful login to the account)."""
    if table.get(**key):
        table.delete(key)
