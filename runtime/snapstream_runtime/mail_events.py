"""Amazon SES bounce and complaint events -> the address is marked undeliverable.

The site's configuration set publishes ``Bounce`` and ``Complaint`` events to an encrypted SNS
topic (stacks/mail.py) whose subscriber is the mail-events function. For a permanent bounce or
a complaint it marks each recipient's e-mail claim (``EMAIL#<address>``, the item that makes the
address unique) with ``mail_undeliverable`` (``bounce`` or ``complaint``) and when; the site
sends nothing more to a marked address. SES's own suppression list (configuration set
``SuppressionOptions``) stops the sending as well; this record is what the site and an operator
can read. A transient bounce changes nothing (SES retried it already). An address without an
account is not recorded: a claim is never created here (it would block that address from
registering).
"""

from __future__ import annotations

from datetime import datetime
from email.utils import parseaddr
from enum import StrEnum
from typing import Any

from snapstream_runtime import keys
from snapstream_runtime.adapters.table import ConditionFailed, Table, Update
from snapstream_runtime.clock import iso

UNDELIVERABLE = "mail_undeliverable"
UNDELIVERABLE_AT = "mail_undeliverable_at"


class MailEventOutcome(StrEnum):
    RECORDED = "recorded"
    NO_ACCOUNT = "no_account"
    TRANSIENT = "transient"
    IGNORED = "ignored"


def recipients(message: dict[str, Any]) -> tuple[str | None, list[str]]:
    """(reason, addresses) of an SES event: ``bounce`` for a permanent bounce, ``complaint``;
    (None, []) for anything else. Accepts configuration-set events (``eventType``) and
    identity notifications (``notificationType``) alike."""
    kind = message.get("eventType") or message.get("notificationType")
    if kind == "Bounce":
        bounce = message.get("bounce") or {}
        if bounce.get("bounceType") != "Permanent":
            return None, []
        found = bounce.get("bouncedRecipients") or []
        reason = "bounce"
    elif kind == "Complaint":
        found = (message.get("complaint") or {}).get("complainedRecipients") or []
        reason = "complaint"
    else:
        return None, []
    addresses = [parseaddr(str(r.get("emailAddress", "")))[1].strip().lower() for r in found]
    return reason, sorted({a for a in addresses if "@" in a})


def record(message: dict[str, Any], table: Table, now: datetime) -> MailEventOutcome:
    """Mark every recipient the event names (idempotent: a redelivery writes the same)."""
    reason, addresses = recipients(message)
    if reason is None:
        bounce = (message.get("bounce") or {}).get("bounceType")
        return MailEventOutcome.TRANSIENT if bounce else MailEventOutcome.IGNORED
    marked = 0
    for address in addresses:
        update = (
            Update().set(UNDELIVERABLE, reason).set(UNDELIVERABLE_AT, iso(now)).require_exists("pk")
        )
        try:
            table.update(keys.email_key(address), update)
            marked += 1
        except ConditionFailed:
            continue  # no account has this address (any more)
    return MailEventOutcome.RECORDED if marked else MailEventOutcome.NO_ACCOUNT


def is_deliverable(claim: dict[str, Any] | None) -> bool:
    """False for an address SES reported as bouncing for good or complaining."""
    return not (claim or {}).get(UNDELIVERABLE)
