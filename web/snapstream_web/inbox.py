"""A user's notifications (written by the status machine) and their e-mail subscription.

Reading marks by time: "mark all read" stores ``notifications_read_at`` on the profile and zeroes
the unread counter, instead of rewriting every notification item.
"""

from __future__ import annotations

from snapstream_runtime import keys
from snapstream_runtime.adapters import email_subscriptions
from snapstream_runtime.adapters.table import KeyQuery, Table, Update, delete_keys
from snapstream_runtime.clock import iso, utc_now
from snapstream_runtime.lifecycle import UNREAD_COUNTER
from snapstream_runtime.pagination import Cursors, Page, PageQuery, query_page
from snapstream_web.accounts import User, set_email_subscription

NOTIFICATION_PREFIX = "NOTIF#"


def notifications_page(
    table: Table, user_id: str, *, cursors: Cursors, limit: int = 25, cursor: str | None = None
) -> Page:
    """Newest first, each with ``unread``: one GetItem (read mark) and one Query."""
    profile = table.get(**keys.profile_key(user_id)) or {}
    read_at = str(profile.get("notifications_read_at", ""))
    pk = keys.user_pk(user_id)
    request = KeyQuery(
        "pk = :pk AND begins_with(sk, :prefix)",
        {":pk": pk, ":prefix": NOTIFICATION_PREFIX},
        descending=True,
    )
    query = PageQuery("notifications", ("pk", pk))
    page = query_page(table, request, query, cursors=cursors, cursor=cursor, limit=limit)
    items = [
        {
            "notification_id": item["notification_id"],
            "media_id": item.get("media_id"),
            "event": item["event"],
            "message": item["message"],
            "created_at": item["created_at"],
            "unread": item["created_at"] > read_at and not item.get("read"),
        }
        for item in page.items
    ]
    return Page(items, page.cursor)


def unread_count(table: Table, user_id: str) -> int:
    profile = table.get(**keys.profile_key(user_id)) or {}
    return max(int(profile.get(UNREAD_COUNTER, 0)), 0)


def mark_all_read(table: Table, user_id: str) -> None:
    table.update(
        keys.profile_key(user_id),
        Update().set("notifications_read_at", iso(utc_now())).set(UNREAD_COUNTER, 0),
    )


def clear_all(table: Table, user_id: str) -> int:
    """Delete every notification of the user; returns how many."""
    doomed = table.item_keys(keys.user_pk(user_id), sk_prefix=NOTIFICATION_PREFIX)
    delete_keys(table.name, doomed)
    mark_all_read(table, user_id)
    return len(doomed)


def subscribe_email(table: Table, user: User, topic_arn: str) -> str:
    """Subscribe the user's address to the notifications topic, filtered to their own messages.

    SNS sends a confirmation e-mail first; nothing is delivered until the user confirms.
    """
    if user.email_subscription:
        return user.email_subscription
    arn = email_subscriptions.subscribe(topic_arn, user.email, user_id=user.user_id)
    set_email_subscription(table, user, arn)
    return arn


def unsubscribe_email(table: Table, user: User) -> None:
    if user.email_subscription:
        email_subscriptions.unsubscribe(user.email_subscription)
    set_email_subscription(table, user, None)
