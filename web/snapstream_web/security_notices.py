"""Mail an account's owner when its protection changes: password changed, two-factor turned on
or off.

Whoever holds a session and the password can make these changes; the owner hears of each at
their address, with the way back ("forgot password" logs every session out). Sent after the
response (:func:`snapstream_web.mail.after_response`), never to an address SES reported
undeliverable.
"""

from __future__ import annotations

from datetime import UTC, datetime

from snapstream_runtime import clock
from snapstream_runtime.adapters.table import Table
from snapstream_web.mail import Mailer, Message
from snapstream_web.verification import SIGNATURE, Links, mailable_owner

PASSWORD_CHANGED = "Your SnapStream password was changed"  # noqa: S105 (a subject line)
TWO_FACTOR_ON = "Two-factor authentication is on for your SnapStream account"
TWO_FACTOR_OFF = "Two-factor authentication is off for your SnapStream account"

_WHAT = {
    PASSWORD_CHANGED: "The password of your SnapStream account was changed just now, and "
    "every other session of the account was logged out.",
    TWO_FACTOR_ON: "Two-factor authentication was turned on for your SnapStream account just "
    "now: logging in needs a code from the authenticator app it was set up with, and every "
    "other session of the account was logged out.",
    TWO_FACTOR_OFF: "Two-factor authentication was turned off for your SnapStream account just "
    "now: logging in needs only the password, and every other session of the account was "
    "logged out.",
}


def notice(to: str, subject: str, links: Links, at: datetime) -> Message:
    when = at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return Message(
        to,
        subject,
        f"{_WHAT[subject]} ({when})\n\nIf it was you, there is nothing to do. If it was not, "
        "someone has your password: choose a new one at once, which logs every session out, "
        f"and tell your SnapStream administrator:\n\n{links.forgot}" + SIGNATURE,
    )


def send(table: Table, mailer: Mailer, links: Links, email: str, subject: str) -> None:
    """Mail ``subject``'s notice to ``email``, if that address may be mailed."""
    if mailable_owner(table, email) is not None:
        mailer.send(notice(email, subject, links, clock.utc_now()))
