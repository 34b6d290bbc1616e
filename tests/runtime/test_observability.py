"""Every handled item is counted by outcome and timed, under the environment's dimension."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from snapstream_runtime import observability
from snapstream_runtime.contract import ENV_ENVIRONMENT, METRICS_NAMESPACE, metric_prefix
from snapstream_runtime.video import VideoOutcome


@pytest.fixture
def emitted(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(observability.metrics, "service", "transcode-state")
    observability.metrics.clear_metrics()
    observability.add_environment_dimension({ENV_ENVIRONMENT: "staging"})
    yield
    observability.metrics.clear_default_dimensions()
    observability.metrics.clear_metrics()


def test_outcome_count_and_duration_carry_service_and_environment(
    emitted: None,
) -> None:
    observability.measured(lambda: VideoOutcome.FAILED)
    blob: dict[str, Any] = dict(observability.metrics.serialize_metric_set())
    directive = blob["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == METRICS_NAMESPACE
    assert set(directive["Dimensions"][0]) == {"service", "environment"}
    assert blob["environment"] == "staging"
    units = {m["Name"]: m["Unit"] for m in directive["Metrics"]}
    assert units == {"TranscodeState_failed": "Count", "TranscodeStateDuration": "Milliseconds"}
    assert blob["TranscodeState_failed"] == [1.0]
    assert 0 <= blob["TranscodeStateDuration"][0] < 1000


def test_no_environment_dimension_without_an_environment(emitted: None) -> None:
    observability.metrics.clear_default_dimensions()
    observability.metrics.clear_metrics()
    observability.add_environment_dimension({})
    observability.measured(lambda: VideoOutcome.PACKAGED)
    blob: dict[str, Any] = dict(observability.metrics.serialize_metric_set())
    assert "environment" not in blob


@pytest.mark.parametrize(
    ("service", "prefix"),
    [
        ("ingest", "Ingest"),
        ("transcode-submit", "TranscodeSubmit"),
        ("transcription-state", "TranscriptionState"),
        ("video-labels", "VideoLabels"),
    ],
)
def test_metric_prefix_is_the_service_in_pascal_case(service: str, prefix: str) -> None:
    assert metric_prefix(service) == prefix
