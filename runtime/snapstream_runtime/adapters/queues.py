"""Sending work to an SQS queue (the deletion queue): JSON bodies, batches of ten."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from snapstream_runtime.adapters.clients import client


class SendFailed(RuntimeError):
    """SQS accepted the call but not every message (the caller's step is retried)."""


def _body(message: Mapping[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"), sort_keys=True)


def send(queue_url: str, message: Mapping[str, Any]) -> None:
    client("sqs").send_message(QueueUrl=queue_url, MessageBody=_body(message))


def send_all(queue_url: str, messages: Sequence[Mapping[str, Any]]) -> None:
    """Every message, ten per ``SendMessageBatch``; raises :class:`SendFailed` if any is refused."""
    for start in range(0, len(messages), 10):
        chunk = messages[start : start + 10]
        response = client("sqs").send_message_batch(
            QueueUrl=queue_url,
            Entries=[{"Id": str(n), "MessageBody": _body(m)} for n, m in enumerate(chunk)],
        )
        failed = response.get("Failed") or []
        if failed:
            first = failed[0]
            raise SendFailed(f"{len(failed)} messages refused: {first.get('Code')}")
