"""Publishing to the SnapStream event bus and to the notifications topic."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from snapstream_runtime.adapters.clients import client
from snapstream_runtime.contract import EVENT_SOURCE


class PublishFailed(RuntimeError):
    """EventBridge accepted the call but not the entry (the caller retries the whole step)."""


def put_event(bus_name: str, detail_type: str, detail: Mapping[str, Any]) -> None:
    response = client("events").put_events(
        Entries=[
            {
                "EventBusName": bus_name,
                "Source": EVENT_SOURCE,
                "DetailType": detail_type,
                "Detail": json.dumps(detail, separators=(",", ":")),
            }
        ]
    )
    if response.get("FailedEntryCount"):
        entry = response["Entries"][0]
        raise PublishFailed(
            f"{detail_type} not accepted: {entry.get('ErrorCode')} {entry.get('ErrorMessage')}"
        )


def publish_notification(
    topic_arn: str, *, user_id: str, event: str, subject: str, message: str
) -> None:
    """Publish with ``user_id`` and ``event`` attributes so e-mail subscriptions filter per user."""
    client("sns").publish(
        TopicArn=topic_arn,
        Subject=subject,
        Message=message,
        MessageAttributes={
            "user_id": {"DataType": "String", "StringValue": user_id},
            "event": {"DataType": "String", "StringValue": event},
        },
    )
