"""What the operations view is given: alarm thresholds are checked before anything is built."""

from __future__ import annotations

import pytest

from snapstream_constructs import AlarmThresholds
from snapstream_constructs.monitoring_inputs import MAX_MESSAGE_AGE_SECONDS


def test_thresholds_must_be_positive() -> None:
    assert AlarmThresholds().problems() == []
    assert AlarmThresholds(function_errors=0).problems() == [
        "alarm threshold function_errors must be positive"
    ]
    assert AlarmThresholds(cdn_5xx_rate_percent=120).problems() == [
        "alarm threshold cdn_5xx_rate_percent must be at most 100"
    ]


@pytest.mark.parametrize("name", ["ingest_queue_age_seconds", "analysis_queue_age_seconds"])
def test_a_queue_age_alarm_must_fire_before_the_message_expires(name: str) -> None:
    """Work queues keep a message 4 days: an alarm on an older one could never fire."""
    assert AlarmThresholds(**{name: MAX_MESSAGE_AGE_SECONDS - 1}).problems() == []
    [problem] = AlarmThresholds(**{name: MAX_MESSAGE_AGE_SECONDS}).problems()
    assert problem.startswith(f"alarm threshold {name} must be below {MAX_MESSAGE_AGE_SECONDS}")


def test_every_problem_is_reported_at_once() -> None:
    problems = AlarmThresholds(
        function_errors=0, evaluation_periods=-1, stuck_media=0, cdn_5xx_rate_percent=0
    ).problems()
    assert problems == [
        "alarm threshold function_errors must be positive",
        "alarm threshold stuck_media must be positive",
        "alarm threshold cdn_5xx_rate_percent must be positive",
        "alarm threshold evaluation_periods must be positive",
    ]
