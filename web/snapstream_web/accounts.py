"""User accounts: registration, login with lockout, profile changes.

Items (single table): ``USER#<uid>/PROFILE`` (the user, role, password hash, counters),
``EMAIL#<email>/EMAIL`` and ``USERNAME#<name>/USERNAME`` (uniqueness, written in the same
transaction as the profile), ``LOGIN#<email>/LOGIN`` (failed attempts, lock; expires by TTL).
Passwords are hashed with scrypt (werkzeug) and never stored, returned or logged in clear. An
account being deleted (``status: deleting``, ``account_closing.py``) has no sessions and no logins.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

from werkzeug.security import check_password_hash, generate_password_hash

from snapstream_runtime import keys
from snapstream_runtime.adapters.clients import client
from snapstream_runtime.adapters.table import (
    ConditionFailed,
    Table,
    Update,
    from_attributes,
    put_transact_item,
    to_attributes,
)
from snapstream_runtime.clock import iso, new_id, utc_now
from snapstream_runtime.pagination import Page, decode_cursor, encode_cursor

ROLES = ("user", "admin")
USERS_INDEX_PK = "USERS"
MIN_PASSWORD = 10
MAX_PASSWORD = 256
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_USERNAME = re.compile(r"^[A-Za-z0-9_.-]{3,32}$")
#: hashed once so an unknown e-mail costs as much time as a wrong password.
_DUMMY_HASH = generate_password_hash("not a password of anyone", method="scrypt")


class AccountError(ValueError):
    """Input the user can correct; the message says how."""


class LoginFailed(PermissionError):
    """Wrong e-mail or password (never says which)."""


class AccountBeingDeleted(LoginFailed):
    """The right password, for an account being deleted (the login may resume the deletion)."""

    def __init__(self, user_id: str) -> None:
        super().__init__("this account is being deleted")
        self.user_id = user_id


class LoginLocked(PermissionError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed logins; try again in {max(retry_after // 60, 1)} min")
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


def normalize_email(email: str) -> str:
    value = email.strip().casefold()
    if len(value) > 254 or not _EMAIL.match(value):
        raise AccountError("enter a valid e-mail address")
    return value


def check_username(username: str) -> str:
    value = username.strip()
    if not _USERNAME.match(value):
        raise AccountError("a username has 3-32 letters, digits, '.', '_' or '-'")
    return value


def check_password(password: str) -> str:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise AccountError(f"a password has {MIN_PASSWORD} to {MAX_PASSWORD} characters")
    return password


def register(table: Table, *, email: str, username: str, password: str, role: str = "user") -> User:
    email, username = normalize_email(email), check_username(username)
    check_password(password)
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}")
    user_id, now = new_id(), iso(utc_now())
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
    }
    try:
        table.transact(
            [
                put_transact_item(table.name, profile),
                put_transact_item(table.name, {**keys.email_key(email), "user_id": user_id}),
                put_transact_item(table.name, {**keys.username_key(username), "user_id": user_id}),
            ]
        )
    except ConditionFailed:
        claim = table.get(**keys.email_key(email))
        if claim:
            if is_being_deleted(table.get(**keys.profile_key(str(claim["user_id"])))):
                raise AccountError(
                    "the account with this e-mail address is being deleted; "
                    "register again in a few minutes"
                ) from None
            raise AccountError("an account with this e-mail address exists already") from None
        raise AccountError("this username is taken") from None
    return User.from_item(profile)


def is_being_deleted(profile: dict[str, Any] | None) -> bool:
    return bool(profile) and (profile or {}).get("status") == "deleting"


def load_user(table: Table, user_id: str) -> User | None:
    """The account, unless it is gone or being deleted (its sessions end at once)."""
    item = table.get(**keys.profile_key(user_id))
    if not item or "email" not in item or is_being_deleted(item):
        return None
    return User.from_item(item)


def authenticate(
    table: Table, *, email: str, password: str, max_failures: int = 5, lockout_seconds: int = 900
) -> User:
    """The user with these credentials; counts failures per e-mail and locks after too many."""
    try:
        email = normalize_email(email)
    except AccountError:
        raise LoginFailed("wrong e-mail or password") from None
    now = int(time.time())
    throttle = table.get(**keys.login_key(email)) or {}
    locked_until = int(throttle.get("locked_until", 0))
    if locked_until > now:
        raise LoginLocked(locked_until - now)
    owner = table.get(**keys.email_key(email))
    profile = table.get(**keys.profile_key(owner["user_id"])) if owner else None
    stored = profile.get("password_hash") if profile else None
    if not check_password_hash(stored or _DUMMY_HASH, password) or not profile:
        _count_failure(table, email, now, max_failures, lockout_seconds)
        raise LoginFailed("wrong e-mail or password")
    if is_being_deleted(profile):
        raise AccountBeingDeleted(str(profile["user_id"]))
    if throttle:
        throttle_key = to_attributes(keys.login_key(email))
        client("dynamodb").delete_item(TableName=table.name, Key=throttle_key)
    return User.from_item(profile)


def _count_failure(
    table: Table, email: str, now: int, max_failures: int, lockout_seconds: int
) -> None:
    key = keys.login_key(email)
    response = client("dynamodb").update_item(
        TableName=table.name,
        Key=to_attributes(key),
        UpdateExpression="ADD failures :one SET expires_at = :expires",
        ExpressionAttributeValues=to_attributes({":one": 1, ":expires": now + 86400}),
        ReturnValues="UPDATED_NEW",
    )
    failures = int(from_attributes(response["Attributes"])["failures"])
    if failures >= max_failures:
        table.update(key, Update().set("locked_until", now + lockout_seconds).set("failures", 0))


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


def set_role(table: Table, email: str, role: str) -> User:
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}")
    owner = table.get(**keys.email_key(normalize_email(email)))
    if not owner:
        raise AccountError(f"no account for {email}")
    promoted = Update().set("role", role).require_exists("pk")
    table.update(keys.profile_key(owner["user_id"]), promoted)
    user = load_user(table, owner["user_id"])
    if user is None:
        raise AccountError(f"no account for {email}")
    return user


def set_email_subscription(table: Table, user: User, subscription_arn: str | None) -> None:
    update = Update().require_exists("pk")
    if subscription_arn:
        update.set("email_subscription", subscription_arn)
    else:
        update.remove("email_subscription")
    table.update(keys.profile_key(user.user_id), update)


def _reload(table: Table, user: User) -> User:
    return load_user(table, user.user_id) or user


def users_page(table_name: str, *, limit: int = 50, cursor: str | None = None) -> Page:
    """Every account, newest first (GSI2 ``USERS``): one Query per page, for admins."""
    request: dict[str, Any] = {
        "TableName": table_name,
        "IndexName": "gsi2",
        "KeyConditionExpression": "gsi2pk = :pk",
        "ExpressionAttributeValues": to_attributes({":pk": USERS_INDEX_PK}),
        "ScanIndexForward": False,
        "Limit": max(1, min(limit, 100)),
    }
    start = decode_cursor(cursor, partition=("gsi2pk", USERS_INDEX_PK))
    if start:
        request["ExclusiveStartKey"] = start
    response = client("dynamodb").query(**request)
    users = [User.from_item(from_attributes(i)).public() for i in response["Items"]]
    return Page(users, encode_cursor(response.get("LastEvaluatedKey")))
