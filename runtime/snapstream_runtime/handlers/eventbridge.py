"""The one shape every EventBridge-invoked handler shares: log, trace, count, run the logic."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent

from snapstream_runtime.observability import logger, measured
from snapstream_runtime.settings import Settings, current_settings


def run(
    event: dict[str, Any],
    logic: Callable[[dict[str, Any], Settings], StrEnum],
    *,
    media_id_of: Callable[[dict[str, Any]], str | None],
) -> dict[str, str]:
    """Run ``logic`` on the event's detail. Errors propagate: Lambda retries, then the DLQ."""
    bridge_event = EventBridgeEvent(event)
    detail = dict(bridge_event.detail)
    media_id = media_id_of(detail)
    logger.set_correlation_id(media_id or bridge_event.get_id)
    outcome = measured(logic, detail, current_settings())
    logger.info(
        "event handled",
        extra={
            "outcome": outcome.value,
            "detail_type": bridge_event.detail_type,
            "media_id": media_id,
        },
    )
    return {"outcome": outcome.value}


def media_id_in_detail(detail: dict[str, Any]) -> str | None:
    value = detail.get("media_id")
    return str(value) if value else None


def media_id_in_user_metadata(detail: dict[str, Any]) -> str | None:
    value = (detail.get("userMetadata") or {}).get("media_id")
    return str(value) if value else None
