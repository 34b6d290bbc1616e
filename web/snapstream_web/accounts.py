"""User accounts: registration, checking credentials, profile changes.

Items (single table): ``USER#<uid>/PROFILE`` (the user, role, password hash, counters),
``EMAIL#<email>/EMAIL`` and ``USERNAME#<name>/USERNAME`` (uniqueness, written in the same
transaction as the profile). Failed logins are throttled by ``login_guard.py`` (``LOGIN#`` items),
sessions live in ``sessions.py``. Passwords are hashed with scrypt (werkzeug) and never stored,
returned or logged in clear. An account registered through the site has ``email_verified:
false`` and cannot log in until its address is confirmed (``verification.py``). An account
being deleted (``status: deleting``, ``account_closing.py``) or disabled by an administrator
(``disabled``) has no sessions and no logins.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from werkzeug.security import check_password_hash, generate_password_hash

from snapstream_runtime import keys
from snapstream_runtime.adapters.table import (
    ConditionFailed,
    KeyQuery,
    Table,
    Update,
    put_transact_item,
    to_attributes,
)
from snapstream_runtime.clock import iso, new_id, utc_now
from snapstream_runtime.lifecycle import BYTES_COUNTER, UPLOADS_COUNTER
from snapstream_runtime.pagination import Cursors, Page, PageQuery, index_key, query_page

ROLES = ("user", "admin")
USERS_INDEX_PK = "USERS"
MIN_PASSWORD = 10
MAX_PASSWORD = 256
#: a plain address (lower case): no markup, quotes, spaces or anything exotic, just
#: ``local@host.example``; see :func:`normalize_email`.
_EMAIL = re.compile(
    r"[a-z0-9._%+-]{1,64}@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
    r"(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})",
    re.ASCII,
)
_USERNAME = re.compile(r"^[A-Za-z0-9_.-]{3,32}$")
#: hashed once so an unknown e-mail costs as much time as a wrong password.
_DUMMY_HASH = generate_password_hash("not a password of anyone", method="scrypt")


class AccountError(ValueError):
    """Input the user can correct; the message says how."""


class EmailTaken(AccountError):
    """Registration for an address that has an account already. The site never says so: it
    answers as for a new address and mails the owner instead (``verification.py``)."""

    def __init__(self, email: str) -> None:
        super().__init__("an account with this e-mail address exists already")
        self.email = email


class LoginFailed(PermissionError):
    """Wrong e-mail or password (never says which)."""


class EmailNotVerified(LoginFailed):
    """The right password, for an account whose e-mail address is not confirmed yet."""

    def __init__(self) -> None:
        super().__init__(
            "confirm your e-mail address first with the link we sent you; no message, or the "
            "link expired? “Forgot your password?” sends a new link that confirms it too"
        )


class AccountBeingDeleted(LoginFailed):
    """The right password, for an account being deleted (the login may resume the deletion)."""

    def __init__(self, user_id: str) -> None:
        super().__init__("this account is being deleted")
        self.user_id = user_id


class AccountDisabled(LoginFailed):
    """The right password, for an account an administrator disabled."""

    def __init__(self) -> None:
        super().__init__("this account is disabled; ask an administrator")


class LoginLocked(PermissionError):
    """Too many failed logins (of this account, or from this address): wait, then retry."""

    def __init__(self, retry_after: int) -> None:
        wait = f"{retry_after} s" if retry_after < 60 else f"{-(-retry_after // 60)} min"
        super().__init__(f"too many failed logins; try again in {wait}")
        self.retry_after = retry_after


@dataclass(frozen=True)
class User:
    user_id: str
    email: str
    username: str
    role: str
    created_at: str
    auth_version: int
    email_subscription: str | None
    unread_notifications: int = 0
    #: an administrator disabled the account: no login, no session.
    disabled: bool = False
    #: two-factor authentication is on (``two_factor.py``).
    two_factor: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> User:
        return cls(
            user_id=item["user_id"],
            email=item["email"],
            username=item["username"],
            role=item.get("role", "user"),
            created_at=item["created_at"],
            auth_version=int(item.get("auth_version", 1)),
            email_subscription=item.get("email_subscription") or None,
            unread_notifications=max(int(item.get("unread_notifications", 0)), 0),
            disabled=bool(item.get("disabled")),
            two_factor=bool(item.get("totp_secret")),
        )

    def public(self) -> dict[str, Any]:
        """What may be shown or returned: never the password hash."""
        return {
            "user_id": self.user_id,
            "email": self.email,
            "username": self.username,
            "role": self.role,
            "created_at": self.created_at,
            "email_notifications": bool(self.email_subscription),
        }

    def listed(self) -> dict[str, Any]:
        """An account as the administrators' lists show it."""
        return {**self.public(), "disabled": self.disabled, "two_factor": self.two_factor}


def normalize_email(email: str) -> str:
    """The address in lower case, if it is a plain one: ASCII letters, digits and ``._%+-``
    before the ``@``, dot-separated host names after it, 254 characters at most. Markup
    (``<``, ``>``), quotes, spaces and everything else an address could technically hold are
    refused: simple and strict (and nothing non-ASCII can fold into someone else's address)."""
    value = email.strip()
    if not value.isascii() or len(value) > 254 or not _EMAIL.fullmatch(value.lower()):
        raise AccountError("enter a valid e-mail address, like name@example.com")
    return value.lower()


def check_username(username: str) -> str:
    value = username.strip()
    if not _USERNAME.match(value):
        raise AccountError("a username has 3-32 letters, digits, '.', '_' or '-'")
    return value


def check_password(password: str) -> str:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise AccountError(f"a password has {MIN_PASSWORD} to {MAX_PASSWORD} characters")
    return password


def register(
    table: Table,
    *,
    email: str,
    username: str,
    password: str,
    role: str = "user",
    unverified: Mapping[str, Any] | None = None,
    user_id: str | None = None,
    expires_at: int | None = None,
) -> User:
    """A new account. With ``unverified`` (the verification link's hash and expiry,
    ``verification.py``) it cannot log in until its address is confirmed; without, the address
    counts as confirmed (accounts made by an operator, the local demo account). With
    ``expires_at`` (seconds since the epoch) the profile and both claims carry it, and DynamoDB's
    TTL removes the account then unless confirming it removed the attribute.

    An address that has an account raises :class:`EmailTaken`. The username is checked first,
    so that "this username is taken" never depends on the address given."""
    email, username = normalize_email(email), check_username(username)
    check_password(password)
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}")
    held = table.get(**keys.username_key(username))
    if held and not expired(held):
        raise AccountError("this username is taken")
    user_id, now = user_id or new_id(), iso(utc_now())
    lifetime = {"expires_at": expires_at} if expires_at is not None else {}
    profile = {
        **keys.profile_key(user_id),
        "gsi2pk": USERS_INDEX_PK,
        "gsi2sk": keys.newest_first_sk(now, user_id),
        "user_id": user_id,
        "email": email,
        "username": username,
        "role": role,
        "password_hash": generate_password_hash(password, method="scrypt"),
        "auth_version": 1,
        "created_at": now,
        **({"email_verified": False, **unverified} if unverified is not None else {}),
        **lifetime,
    }
    try:
        table.transact(
            [
                put_transact_item(table.name, profile),
                _claim(table.name, {**keys.email_key(email), "user_id": user_id, **lifetime}),
                _claim(table.name, {**keys.username_key(username), "user_id": user_id, **lifetime}),
            ]
        )
    except ConditionFailed as failed:
        # which claim failed, from the transaction itself: no further read, so that the answer
        # takes as long for a known address as for a new one
        if failed.reasons[2:3] == ["ConditionalCheckFailed"]:  # taken since the check above
            raise AccountError("this username is taken") from None
        raise EmailTaken(email) from None
    return User.from_item(profile)


def expired(item: Mapping[str, Any]) -> bool:
    """An unconfirmed account's item whose lifetime is over, which DynamoDB's TTL has not
    removed yet (it may take days): treated as gone."""
    return "expires_at" in item and int(item["expires_at"]) <= int(utc_now().timestamp())


def is_being_deleted(profile: dict[str, Any] | None) -> bool:
    return bool(profile) and (profile or {}).get("status") == "deleting"


def find_account(table: Table, user_id: str) -> User | None:
    """The account, disabled or not (for administrators); None if it is gone or being deleted."""
    item = table.get(**keys.profile_key(user_id))
    if not item or "email" not in item or is_being_deleted(item):
        return None
    return User.from_item(item)


def load_user(table: Table, user_id: str) -> User | None:
    """The account, unless it is gone, being deleted or disabled (its sessions end at once)."""
    item = table.get(**keys.profile_key(user_id))
    if not item or "email" not in item or is_being_deleted(item) or item.get("disabled"):
        return None
    return User.from_item(item)


def authenticate(table: Table, *, email: str, password: str) -> User:
    """The user with these credentials (throttling is the caller's: ``login_guard.py``)."""
    try:
        email = normalize_email(email)
    except AccountError:
        raise LoginFailed("wrong e-mail or password") from None
    owner = table.get(**keys.email_key(email))
    profile = table.get(**keys.profile_key(owner["user_id"])) if owner else None
    if not password_matches(profile, password) or not profile:
        raise LoginFailed("wrong e-mail or password")
    if is_being_deleted(profile):
        raise AccountBeingDeleted(str(profile["user_id"]))
    if profile.get("disabled"):
        raise AccountDisabled
    if profile.get("email_verified") is False:
        raise EmailNotVerified
    return User.from_item(profile)


def password_matches(profile: dict[str, Any] | None, password: str) -> bool:
    """Whether ``password`` is the profile's (always one scrypt check, even for no profile)."""
    stored = profile.get("password_hash") if profile else None
    return check_password_hash(stored or _DUMMY_HASH, password) and bool(stored)


def change_username(table: Table, user: User, new_username: str) -> User:
    username = check_username(new_username)
    if username == user.username:
        return user
    items: list[dict[str, Any]] = [
        put_transact_item(table.name, {**keys.username_key(username), "user_id": user.user_id}),
        Update()
        .set("username", username)
        .require_equal("username", user.username)
        .transact_item(table.name, keys.profile_key(user.user_id)),
    ]
    if username.casefold() != user.username.casefold():
        items.append(
            {
                "Delete": {
                    "TableName": table.name,
                    "Key": to_attributes(keys.username_key(user.username)),
                }
            }
        )
    else:
        items.pop(0)  # only the letters' case changes: the uniqueness item stays
    try:
        table.transact(items)
    except ConditionFailed:
        raise AccountError("this username is taken") from None
    return _reload(table, user)


def change_password(table: Table, user: User, *, current: str, new: str) -> User:
    """Checks the current password; bumps ``auth_version`` so other sessions are logged out."""
    profile = table.get(**keys.profile_key(user.user_id)) or {}
    if not check_password_hash(profile.get("password_hash") or _DUMMY_HASH, current):
        raise AccountError("the current password is not right")
    check_password(new)
    table.update(
        keys.profile_key(user.user_id),
        Update()
        .set("password_hash", generate_password_hash(new, method="scrypt"))
        .add("auth_version", 1)
        .require_exists("pk"),
    )
    return _reload(table, user)


def _claim(table_name: str, item: Mapping[str, Any]) -> dict[str, Any]:
    """Put a uniqueness claim unless it is held: by an account, or by an unconfirmed one whose
    lifetime is not over (an expired claim TTL has not removed yet is taken over)."""
    put = put_transact_item(table_name, item)["Put"]
    put["ConditionExpression"] = "attribute_not_exists(pk) OR #expires <= :now"
    put["ExpressionAttributeNames"] = {"#expires": "expires_at"}
    put["ExpressionAttributeValues"] = to_attributes({":now": int(utc_now().timestamp())})
    return {"Put": put}


def set_role(table: Table, email: str, role: str) -> User:
    """Make the account of ``email`` a user or an admin (``flask promote``); only a confirmed
    account (an unconfirmed one cannot log in, and expires)."""
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}")
    owner = table.get(**keys.email_key(normalize_email(email)))
    if not owner:
        raise AccountError(f"no account for {email}")
    promoted = Update().set("role", role).require_exists("pk")
    try:
        table.update(
            keys.profile_key(owner["user_id"]), promoted.require_not_equal("email_verified", False)
        )
    except ConditionFailed:
        raise AccountError(f"{email} has not confirmed its address yet") from None
    user = load_user(table, owner["user_id"])
    if user is None:
        raise AccountError(f"no account for {email}")
    return user


def set_disabled(table: Table, user_id: str, *, disabled: bool) -> None:
    """Disable an account (it cannot log in; ``auth_version`` moves, so every session ends at
    once; the caller deletes the session records) or enable it again."""
    update = Update().require_exists("pk").require_not_equal("status", "deleting")
    if disabled:
        update.set("disabled", True).add("auth_version", 1)
    else:
        update.remove("disabled")
    try:
        table.update(keys.profile_key(user_id), update)
    except ConditionFailed:
        raise AccountError("no such account (or it is being deleted)") from None


def set_email_subscription(table: Table, user: User, subscription_arn: str | None) -> None:
    update = Update().require_exists("pk")
    if subscription_arn:
        update.set("email_subscription", subscription_arn)
    else:
        update.remove("email_subscription")
    table.update(keys.profile_key(user.user_id), update)


def _reload(table: Table, user: User) -> User:
    return load_user(table, user.user_id) or user


def users_page(
    table_name: str, *, cursors: Cursors, limit: int = 50, cursor: str | None = None
) -> Page:
    """Every account, newest first (GSI2 ``USERS``): one Query per page, for admins."""
    request = KeyQuery("gsi2pk = :pk", {":pk": USERS_INDEX_PK}, index="gsi2", descending=True)
    query = PageQuery("users", ("gsi2pk", USERS_INDEX_PK), index_key("gsi2"))
    page = query_page(
        Table(table_name), request, query, cursors=cursors, cursor=cursor, limit=limit
    )
    return Page([_listed(i) for i in page.items], page.cursor)


def _listed(profile: dict[str, Any]) -> dict[str, Any]:
    """An account with what it holds, from the counters on its profile (nothing is counted)."""
    return {
        **User.from_item(profile).listed(),
        "media_count": max(int(profile.get(UPLOADS_COUNTER, 0)), 0),
        "bytes_stored": max(int(profile.get(BYTES_COUNTER, 0)), 0),
    }


def usernames(table: Table, user_ids: list[str]) -> dict[str, str]:
    """The usernames of up to 100 accounts in one BatchGetItem (lists show names, not ids);
    an account that is gone is left out."""
    wanted = list(dict.fromkeys(user_ids))[:100]
    found = table.get_many([keys.profile_key(u) for u in wanted])
    return {i["user_id"]: i["username"] for i in found if "username" in i and "user_id" in i}
