"""Verified e-mail addresses and password resets: single-use, expiring links, stored hashed.

A link carries ``<user id>.<secret>`` in its fragment (``/verify-email#<token>``). Browsers
never send a fragment, so tokens stay out of CloudFront's and the ALB's access logs and of any
Referer; the page's script (``static/js/link_token.js``) moves the token into the form it POSTs
and drops it from the address bar. The secret is 32 random bytes (``secrets``, URL-safe); only
its SHA-256 is stored, on the account's profile, with its expiry (seconds since the epoch):
``verify_hash``/``verify_expires_at`` from registration, ``reset_hash``/``reset_expires_at``
from "forgot password" (a new request replaces the previous link). Using a link is one
conditional write that requires the stored hash, an expiry still ahead and an account not being
deleted, and removes both fields: a link works once, never after it expired, even when two
requests race. A reset also confirms the address (the link proved the mailbox), bumps
``auth_version`` and revokes every session of the account.

An account registered through the site lives :data:`UNCONFIRMED_SECONDS` unless confirmed: its
profile and e-mail and username claims carry ``expires_at`` (the table's TTL attribute), and
confirming (or a reset) removes it from all three in one transaction. An address someone typed
by mistake, or a name taken by a registration nobody finished, is free again after that.

What the visitor sees never depends on whether an address has an account: registration and
"forgot password" answer "check your inbox" either way, and the lookups and mail happen after
the response (:func:`snapstream_web.mail.after_response`). The owner of an address that has an
account gets a notice instead of a verification link; an unknown address gets no reset mail.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from werkzeug.security import generate_password_hash

from snapstream_runtime import clock, keys
from snapstream_runtime.adapters.table import ConditionFailed, Table, Update
from snapstream_runtime.mail_events import is_deliverable
from snapstream_runtime.session_records import revoke_all
from snapstream_web import accounts
from snapstream_web.mail import Mailer, Message

log = logging.getLogger("snapstream_web.verification")
VERIFY, RESET = "verify", "reset"
#: the paths of the two links (the views route them; the mails are written outside a request)
VERIFY_PATH, RESET_PATH = "/verify-email", "/reset-password"
_LINK = re.compile(r"^(?P<user>[0-9a-f]{32})\.(?P<secret>[A-Za-z0-9_-]{43})$")
_DELETING = "deleting"
#: an address gets at most one notice or reset link this often, however often the forms are
#: sent for it (the WAF limits each client address; this limits each mailbox)
MAIL_INTERVAL_SECONDS = 60
#: how long an unconfirmed account lives (at least as long as its verification link); the
#: notice to an address's owner offers a reset link, which confirms too, meanwhile
UNCONFIRMED_SECONDS = 7 * 24 * 3600
#: the TTL attribute (constructs ``tables.TTL_ATTRIBUTE``)
_EXPIRES = "expires_at"


def now() -> int:
    """Seconds since the epoch (tests freeze ``snapstream_runtime.clock.utc_now``)."""
    return int(clock.utc_now().timestamp())


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_link(user_id: str) -> tuple[str, str]:
    """(the token for the link, the hash to store)."""
    secret = secrets.token_urlsafe(32)
    return f"{user_id}.{secret}", _digest(secret)


def _parse(token: str) -> tuple[str, str] | None:
    found = _LINK.match(token)
    return (found["user"], _digest(found["secret"])) if found else None


def _pending(kind: str, digest: str, expires_at: int) -> dict[str, Any]:
    return {f"{kind}_hash": digest, f"{kind}_expires_at": expires_at}


@dataclass(frozen=True)
class Links:
    """Absolute addresses the mails point to, fixed in the request (deployed: the site's own
    domain from its settings, never the request's Host header)."""

    base: str

    def verify(self, token: str) -> str:
        return f"{self.base}{VERIFY_PATH}#{token}"

    def reset(self, token: str) -> str:
        return f"{self.base}{RESET_PATH}#{token}"

    @property
    def login(self) -> str:
        return f"{self.base}/login"

    @property
    def forgot(self) -> str:
        return f"{self.base}/forgot-password"


# -- registration ------------------------------------------------------------------------------


def register(
    table: Table,
    *,
    email: str,
    username: str,
    password: str,
    valid_seconds: int,
    mailer: Mailer,
    links: Links,
) -> Callable[[], None]:
    """Create an unconfirmed account, or find the address taken; either way return the mail
    work to run after the response (a verification link, or a notice to the owner).
    :class:`~snapstream_web.accounts.AccountError` for input the visitor can correct."""
    user_id = clock.new_id()
    token, digest = new_link(user_id)
    # One lifetime for both answers: a name held for less after a taken address than after a
    # new one would tell the two apart once the shorter hold ends.
    until = now() + max(UNCONFIRMED_SECONDS, valid_seconds)
    try:
        accounts.register(
            table,
            email=email,
            username=username,
            password=password,
            unverified=_pending(VERIFY, digest, now() + valid_seconds),
            user_id=user_id,
            expires_at=until,
        )
    except accounts.EmailTaken as taken:
        # After the answer, like a new account's mail: hold the username as long as a new
        # registration would, or registering again with the same name would tell a taken
        # address (name free again) from a new one (name still taken).
        owner = taken.email

        def after_the_answer() -> None:
            reserve_username(table, username, until=until)
            notify_owner(table, mailer, links, owner)

        return after_the_answer
    address = accounts.normalize_email(email)
    message = verification_message(address, links.verify(token), valid_seconds)
    return functools.partial(mailer.send, message)


def reserve_username(table: Table, username: str, *, until: int) -> None:
    """Claim ``username`` for no account until ``until`` (DynamoDB TTL removes the claim)."""
    claim = {**keys.username_key(accounts.check_username(username)), _EXPIRES: until}
    try:
        table.put_new({**claim, "user_id": "", "reserved": True})
    except ConditionFailed:
        return  # taken meanwhile: the name is unavailable either way


def notify_owner(table: Table, mailer: Mailer, links: Links, email: str) -> None:
    """Someone registered with an address that has an account: tell its owner."""
    profile = mailable_owner(table, email)
    if profile is None or not _mail_slot(table, str(profile["user_id"]), Update()):
        return
    if profile.get("status") == _DELETING:
        mailer.send(being_deleted_message(email))
    else:
        mailer.send(already_registered_message(email, links, profile))


def confirm_email(table: Table, token: str, at: int) -> bool:
    """Use a verification link: True once, for a link that has not expired."""
    update = (
        Update().set("email_verified", True).set("email_verified_at", clock.iso(clock.utc_now()))
    )
    return _use(table, token, VERIFY, update, at) is not None


# -- password reset ----------------------------------------------------------------------------


def send_reset(table: Table, mailer: Mailer, links: Links, email: str, valid_seconds: int) -> None:
    """A reset link for the account of ``email``, if there is one (nothing otherwise)."""
    profile = mailable_owner(table, email)
    if profile is None or profile.get("status") == _DELETING:
        return
    user_id = str(profile["user_id"])
    token, digest = new_link(user_id)
    update = Update().require_not_equal("status", _DELETING)
    for field, value in _pending(RESET, digest, now() + valid_seconds).items():
        update.set(field, value)
    if _mail_slot(table, user_id, update):  # else: mailed a moment ago, gone or being deleted
        mailer.send(reset_message(email, links.reset(token), valid_seconds))


def reset_link_works(table: Table, token: str, at: int) -> bool:
    """Whether a reset link would be accepted now (to show the form, or say it expired)."""
    parsed = _parse(token)
    if parsed is None:
        return False
    profile = table.get(**keys.profile_key(parsed[0])) or {}
    stored = str(profile.get(f"{RESET}_hash", ""))
    return (
        hmac.compare_digest(stored, parsed[1])
        and int(profile.get(f"{RESET}_expires_at", 0)) > at
        and profile.get("status") != _DELETING
    )


def reset_password(table: Table, token: str, password: str, at: int) -> str | None:
    """Set a new password with a reset link (the password rules of registration): the user id,
    or None for a link that expired or was used. Confirms the address, logs every session of
    the account out (``auth_version`` + 1, and every session record deleted)."""
    accounts.check_password(password)
    update = (
        Update()
        .set("password_hash", generate_password_hash(password, method="scrypt"))
        .set("email_verified", True)
        .add("auth_version", 1)
        .remove(f"{VERIFY}_hash")
        .remove(f"{VERIFY}_expires_at")
    )
    user_id = _use(table, token, RESET, update, at)
    if user_id is not None:
        revoke_all(table, user_id)
    return user_id


# -- shared ------------------------------------------------------------------------------------


def mailable_owner(table: Table, email: str) -> dict[str, Any] | None:
    """The profile of the account with ``email``, if it may be mailed (not marked undeliverable
    after a bounce or complaint: ``snapstream_runtime.mail_events``)."""
    claim = table.get(**keys.email_key(email))
    if claim is None or accounts.expired(claim):
        return None
    if not is_deliverable(claim):
        log.info("not mailing an address SES reported undeliverable")
        return None
    return table.get(**keys.profile_key(str(claim["user_id"])))


def _mail_slot(table: Table, user_id: str, update: Update) -> bool:
    """Apply ``update`` to the account and note that it is mailed now, unless it was mailed in
    the last :data:`MAIL_INTERVAL_SECONDS` (or is gone): whether to send."""
    at = now()
    update.set("mailed_at", at).require_exists("pk")
    update.require(
        "attribute_not_exists(#mailed) OR #mailed <= :cutoff",
        {"#mailed": "mailed_at"},
        {":cutoff": at - MAIL_INTERVAL_SECONDS},
    )
    try:
        table.update(keys.profile_key(user_id), update)
    except ConditionFailed:
        return False
    return True


def _use(table: Table, token: str, kind: str, update: Update, at: int) -> str | None:
    """Apply ``update`` to the link's account if the link is the stored one and unexpired,
    removing it (single use), and keep an unconfirmed account for good (its claims too); the
    account's id, or None."""
    parsed = _parse(token)
    if parsed is None:
        return None
    user_id, digest = parsed
    update.require_equal(f"{kind}_hash", digest)
    update.require("#expires > :at", {"#expires": f"{kind}_expires_at"}, {":at": at})
    update.require_not_equal("status", _DELETING)
    update.remove(f"{kind}_hash").remove(f"{kind}_expires_at")
    profile = table.get(**keys.profile_key(user_id))
    if profile is None:
        return None
    try:
        if _EXPIRES in profile:
            update.remove(_EXPIRES)
            table.transact(
                [
                    update.transact_item(table.name, keys.profile_key(user_id)),
                    *_keep_claims(table.name, profile),
                ]
            )
        else:
            table.update(keys.profile_key(user_id), update)
    except ConditionFailed:
        return None
    return user_id


def _keep_claims(table_name: str, profile: dict[str, Any]) -> list[dict[str, Any]]:
    """Transaction items that remove the TTL from the account's e-mail and username claims
    (still the account's: a claim TTL removed already fails the transaction)."""
    keep = Update().remove(_EXPIRES).require_equal("user_id", str(profile["user_id"]))
    claims = (keys.email_key(str(profile["email"])), keys.username_key(str(profile["username"])))
    return [keep.transact_item(table_name, key) for key in claims]


def _lasting(seconds: int) -> str:
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours != 1 else ''}"
    minutes = max(seconds // 60, 1)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


SIGNATURE = "\n\n— SnapStream\n"


def verification_message(to: str, link: str, valid_seconds: int) -> Message:
    return Message(
        to,
        "Confirm your e-mail address for SnapStream",
        "Welcome to SnapStream. Confirm this e-mail address to finish creating your account:\n\n"
        f"{link}\n\nThe link works once, for {_lasting(valid_seconds)}. If you did not create "
        "an account, ignore this message: nobody can use the account without it." + SIGNATURE,
    )


def already_registered_message(to: str, links: Links, profile: dict[str, Any]) -> Message:
    unconfirmed = profile.get("email_verified") is False
    return Message(
        to,
        "Someone tried to register with your e-mail address",
        "Someone, perhaps you, tried to create a SnapStream account with this e-mail address. "
        "It has an account already"
        + (", not confirmed yet." if unconfirmed else ".")
        + f"\n\nLog in: {links.login}\nForgot your password? Choose a new one: {links.forgot}"
        + ("\n(Choosing a new password confirms the address too.)" if unconfirmed else "")
        + "\n\nIf it was not you, you need not do anything."
        + SIGNATURE,
    )


def being_deleted_message(to: str) -> Message:
    return Message(
        to,
        "Your SnapStream account is still being deleted",
        "Someone, perhaps you, tried to create a SnapStream account with this e-mail address, "
        "whose account is still being deleted. Register again in a few minutes, once it is "
        "gone." + SIGNATURE,
    )


def reset_message(to: str, link: str, valid_seconds: int) -> Message:
    return Message(
        to,
        "Choose a new SnapStream password",
        f"Choose a new password for your SnapStream account:\n\n{link}\n\nThe link works once, "
        f"for {_lasting(valid_seconds)}. Setting a new password logs every session of the "
        "account out. If you did not ask for this, ignore this message: your password stays "
        "as it is." + SIGNATURE,
    )
