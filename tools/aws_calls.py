"""Count the AWS API calls made through boto3's default session (benchmarks, call-count tests)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3


@contextmanager
def recorded_calls() -> Iterator[list[str]]:
    """Record ``Service.Operation`` for every call of clients created inside the block."""
    calls: list[str] = []

    def record(model: Any, **_: Any) -> None:
        calls.append(f"{model.service_model.service_id}.{model.name}")

    session = boto3._get_default_session()  # the session boto3.client() uses
    session.events.register("before-parameter-build", record)
    try:
        yield calls
    finally:
        session.events.unregister("before-parameter-build", record)
