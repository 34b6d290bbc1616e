"""E-mail subscriptions to the notifications topic, each filtered to one user's messages (the
``user_id`` attribute :func:`~snapstream_runtime.adapters.publishing.publish_notification` sets)."""

from __future__ import annotations

import json

from botocore.exceptions import ClientError

from snapstream_runtime.adapters.clients import client


def subscribe(topic_arn: str, address: str, *, user_id: str) -> str:
    """Subscribe ``address`` to the messages for ``user_id``; the subscription's ARN. SNS mails
    a confirmation first: nothing is delivered until its owner confirms."""
    response = client("sns").subscribe(
        TopicArn=topic_arn,
        Protocol="email",
        Endpoint=address,
        Attributes={
            "FilterPolicy": json.dumps({"user_id": [user_id]}),
            "FilterPolicyScope": "MessageAttributes",
        },
        ReturnSubscriptionArn=True,
    )
    return str(response["SubscriptionArn"])


def unsubscribe(subscription_arn: str) -> None:
    """End a subscription; one already gone is not an error."""
    try:
        client("sns").unsubscribe(SubscriptionArn=subscription_arn)
    except ClientError as error:
        if error.response["Error"]["Code"] != "NotFound":
            raise
