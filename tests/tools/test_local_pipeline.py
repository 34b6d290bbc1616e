"""The local pipeline's wiring comes from the synthesized Pipeline template."""

from __future__ import annotations

from typing import Any

import pytest

from tools.local.aws import LocalResources
from tools.local.eventbridge import matches, routes, scheduled_event, schedules
from tools.local.pipeline import add_stand_ins


@pytest.mark.parametrize(
    ("pattern", "event", "expected"),
    [
        ({"source": ["a"]}, {"source": "a"}, True),
        ({"source": ["a"]}, {"source": "b"}, False),
        ({"detail": {"kind": ["video"]}}, {"detail": {"kind": "video"}}, True),
        ({"detail": {"kind": ["video"]}}, {"detail": {"kind": "image"}}, False),
        ({"detail": {"kind": ["video"]}}, {"detail": {}}, False),
        (
            {"detail": {"name": [{"prefix": "snapstream-dev-"}]}},
            {"detail": {"name": "snapstream-dev-x"}},
            True,
        ),
        (
            {"detail": {"name": [{"prefix": "snapstream-dev-"}]}},
            {"detail": {"name": "other"}},
            False,
        ),
        ({"resources": ["r1"]}, {"resources": ["r0", "r1"]}, True),
    ],
)
def test_event_patterns_match_like_eventbridge(pattern: Any, event: Any, expected: bool) -> None:
    assert matches(pattern, event) is expected


def test_routes_are_the_pipeline_rules(templates: dict[tuple[str, str], dict[str, Any]]) -> None:
    template = templates["dev", "Pipeline"]
    resources = LocalResources(region="us-east-1")
    resources.outputs = {
        output: f"local-{output}" for output in _stack_outputs(templates["dev", "Data"])
    }
    add_stand_ins(template, resources, "us-east-1")
    found = {
        (r.rule.rstrip("0123456789ABCDEF"), r.function.rstrip("0123456789ABCDEF"), r.through_queue)
        for r in routes(template, resources)
    }
    assert found == {
        ("VideoUploadedRule", "TranscodeSubmitFunction", False),
        ("TranscodeStateChangedRule", "TranscodeStateFunction", False),
        ("VideoTranscodedRule", "PackageFunction", False),
        ("MediaToAnalyseRule", "AnalysisFunction", True),
        ("TranscriptionStateChangedRule", "TranscriptionStateFunction", False),
    }
    [transcode] = [r for r in routes(template, resources) if r.rule.startswith("TranscodeState")]
    assert transcode.pattern["detail"]["queue"][0].startswith("arn:aws:mediaconvert:")
    video = {
        "source": "snapstream.media",
        "detail-type": "MediaUploaded",
        "detail": {"kind": "video", "environment": "dev"},
    }
    assert {
        r.function.rstrip("0123456789ABCDEF")
        for r in routes(template, resources)
        if matches(r.pattern, video)
    } == {
        "TranscodeSubmitFunction",
        "AnalysisFunction",
    }


def _stack_outputs(template: dict[str, Any]) -> list[str]:
    return list(template.get("Outputs", {}))


def test_scheduled_rules_run_their_function_at_the_templates_rate(
    templates: dict[tuple[str, str], dict[str, Any]],
) -> None:
    """make dev's stand-in for the EventBridge schedule (tests/runtime/test_stuck_media.py runs
    it against the real handler)."""
    [schedule] = schedules(templates["dev", "Pipeline"])
    assert schedule.rule.startswith("StuckMediaScheduleRule")
    assert schedule.function.startswith("StuckMediaFunction")
    assert schedule.every_seconds == 15 * 60
    event = scheduled_event(schedule.rule, 1_796_000_000.0)
    assert event["detail-type"] == "Scheduled Event" and event["source"] == "aws.events"
    assert event["time"] == "2026-11-30T00:53:20Z"
    bad = {
        "Resources": {
            "R": {
                "Type": "AWS::Events::Rule",
                "Properties": {"ScheduleExpression": "cron(0 12 * * ? *)", "Targets": []},
            }
        }
    }
    with pytest.raises(ValueError, match="only rate"):
        schedules(bad)
