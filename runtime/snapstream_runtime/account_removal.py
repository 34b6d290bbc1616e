"""Deleting an account that is ``deleting`` (the deletion function's account message).

First its login sessions are deleted (the mark already ended them: it moved the account's
``auth_version``; this removes the records, which name the user), then every media the account
still owns is marked ``deleting`` and gets its own deletion message (fan-out), so each is
deleted like any other media. The account waits until its ``count_deleting`` is 0 — the last
media deletion sends the account message again — then its notifications, tag catalogue and
login throttle go, the SNS e-mail subscription is removed, and the profile goes with the e-mail
and username claims in one transaction: the address can be registered again at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import Any

from snapstream_runtime import keys, removal, session_records
from snapstream_runtime.adapters.email_subscriptions import unsubscribe
from snapstream_runtime.adapters.publishing import publish_notification
from snapstream_runtime.adapters.queues import send_all
from snapstream_runtime.adapters.table import (
    ConditionFailed,
    Item,
    KeyQuery,
    Table,
    Update,
    delete_keys,
    to_attributes,
)
from snapstream_runtime.deletion_requests import account_is_deleting, mark, media_message
from snapstream_runtime.lifecycle import DELETING_COUNTER, Media, Status
from snapstream_runtime.settings import Settings


class AccountOutcome(StrEnum):
    WAITING = "account_waiting"
    DELETED = "account_deleted"
    GONE = "account_gone"
    NOT_MARKED = "not_marked"


def close_account(settings: Settings, user_id: str, *, attempt: int = 1) -> AccountOutcome:
    table = Table(settings.table_name)
    profile = table.get(**keys.profile_key(user_id))
    if profile is None:
        return AccountOutcome.GONE
    if not account_is_deleting(profile):
        return AccountOutcome.NOT_MARKED
    try:
        session_records.revoke_all(table, user_id)
        _fan_out(settings, table, user_id)
        profile = table.get(**keys.profile_key(user_id))
        if profile is None:
            return AccountOutcome.GONE
        if int(profile.get(DELETING_COUNTER, 0)) > 0:
            return AccountOutcome.WAITING  # the last media deletion sends this message again
        return _remove_account(settings, table, profile)
    except Exception as error:
        removal.record_failure(
            table, keys.profile_key(user_id), f"{type(error).__name__}: {error}", attempt
        )
        raise


def _media_indexed_under(table: Table, partition: str) -> Iterator[Media]:
    """The media of one GSI1 partition, page by page."""
    query = KeyQuery("gsi1pk = :pk", {":pk": partition}, index="gsi1")
    return (Media.from_item(item) for item in table.items(query, page_size=100))


def _fan_out(settings: Settings, table: Table, user_id: str) -> None:
    """Mark every media still in the library, then send a message for each media being deleted:
    those marked now (the index may not show them yet) and those marked before (a retry after a
    failed send, or a deletion of one media whose message was lost)."""
    doomed = {
        media.media_id
        for media in _media_indexed_under(table, keys.owner_index_pk(user_id))
        if mark(table, media, requested_by=user_id) is not None
    }
    doomed |= {
        media.media_id
        for media in _media_indexed_under(table, keys.deleting_owner_index_pk(user_id))
    }
    send_all(settings.deletion_queue_url, [media_message(m, user_id) for m in sorted(doomed)])


def _partition(table: Table, user_id: str) -> list[dict[str, Any]]:
    """Keys of the account's own items except the profile: notifications, tag catalogue."""
    return [
        item
        for item in table.item_keys(keys.user_pk(user_id))
        if item["sk"]["S"] != keys.PROFILE_SK
    ]


def _remove_account(settings: Settings, table: Table, profile: Item) -> AccountOutcome:
    user_id, email = str(profile["user_id"]), str(profile["email"])
    subscription = profile.get("email_subscription")
    if subscription:
        _say_goodbye(settings, user_id)
        unsubscribe(str(subscription))
        table.update(keys.profile_key(user_id), Update().remove("email_subscription"))
    delete_keys(table.name, [*_partition(table, user_id), to_attributes(keys.login_key(email))])
    claims = [keys.email_key(email), keys.username_key(str(profile["username"]))]
    last = [
        {
            "Delete": {
                "TableName": table.name,
                "Key": to_attributes(keys.profile_key(user_id)),
                "ConditionExpression": "#status = :deleting AND "
                "(attribute_not_exists(#pending) OR #pending <= :zero)",
                "ExpressionAttributeNames": {"#status": "status", "#pending": DELETING_COUNTER},
                "ExpressionAttributeValues": to_attributes(
                    {":deleting": Status.DELETING.value, ":zero": 0}
                ),
            }
        },
        *(
            {
                "Delete": {
                    "TableName": table.name,
                    "Key": to_attributes(claim),
                    "ConditionExpression": "attribute_not_exists(pk) OR user_id = :me",
                    "ExpressionAttributeValues": to_attributes({":me": user_id}),
                }
            }
            for claim in claims
        ),
    ]
    try:
        table.transact(last)
    except ConditionFailed:
        current = table.get(**keys.profile_key(user_id))
        if current is None:
            return AccountOutcome.GONE
        if int(current.get(DELETING_COUNTER, 0)) > 0:
            return AccountOutcome.WAITING  # a media was marked meanwhile
        raise
    return AccountOutcome.DELETED


def _say_goodbye(settings: Settings, user_id: str) -> None:
    if settings.notifications_topic_arn:
        publish_notification(
            settings.notifications_topic_arn,
            user_id=user_id,
            event="account.deleted",
            subject="SnapStream: account deleted",
            message="Your SnapStream account and all its media were deleted.",
        )
