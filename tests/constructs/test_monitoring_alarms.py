"""AlarmWriter: an alarm's name, construct id, actions and ARN, and the order it keeps."""

from __future__ import annotations

from typing import Any

from snapstream_constructs.metric_queries import MetricSpec

TEAM_PAGER = "arn:aws:sns:eu-west-1:123456789012:team-pager"


def _writer() -> tuple[Any, Any]:
    import aws_cdk as cdk
    from constructs import Construct

    from snapstream_constructs.monitoring_alarms import AlarmWriter

    stack = cdk.Stack(cdk.App(), "S")
    holder = Construct(stack, "Monitoring")
    ops = "arn:aws:sns:eu-west-1:123456789012:ops"
    return stack, AlarmWriter(
        holder, name_prefix="team-dev", actions=[ops, TEAM_PAGER], evaluation_periods=3
    )


ERRORS = MetricSpec("AWS/Lambda", "Errors", {"FunctionName": "f"}, label="Ingest")


def test_names_and_ids_keep_only_safe_characters() -> None:
    _, writer = _writer()
    writer.alarm("Media table", "oldest message", ERRORS, threshold=5, description="d")
    writer.alarm("Ingest", "errors", ERRORS, threshold=1, description="d")
    media, ingest = writer.alarms
    assert media.alarm_name == "team-dev-Media-table-oldest-message"
    assert media.node.id == "MediatableOldestMessage"
    assert media.node.path == "S/Monitoring/MediatableOldestMessage"
    assert (ingest.alarm_name, ingest.node.id) == ("team-dev-Ingest-errors", "IngestErrors")


def test_every_alarm_notifies_each_topic_on_alarm_and_on_recovery() -> None:
    _, writer = _writer()
    writer.alarm("Ingest", "errors", ERRORS, threshold=2, description="Ingest failed.")
    [alarm] = writer.alarms
    assert (
        alarm.alarm_actions
        == alarm.ok_actions
        == [
            "arn:aws:sns:eu-west-1:123456789012:ops",
            TEAM_PAGER,
        ]
    )
    assert (alarm.threshold, alarm.evaluation_periods) == (2, 3)
    assert alarm.comparison_operator == "GreaterThanOrEqualToThreshold"
    assert (alarm.treat_missing_data, alarm.alarm_description) == ("notBreaching", "Ingest failed.")


def test_missing_data_can_keep_the_last_verdict() -> None:
    _, writer = _writer()
    writer.alarm("Sweeper", "found", ERRORS, threshold=1, description="d", missing_data="ignore")
    assert writer.alarms[0].treat_missing_data == "ignore"


def test_arns_follow_the_order_alarms_were_written_in() -> None:
    stack, writer = _writer()
    for name in ("B", "A", "C"):
        writer.alarm(name, "errors", ERRORS, threshold=1, description="d")
    arns = [stack.resolve(arn) for arn in writer.arns]
    assert [arn["Fn::Join"][1][-1] for arn in arns] == [
        ":alarm:team-dev-B-errors",
        ":alarm:team-dev-A-errors",
        ":alarm:team-dev-C-errors",
    ]
    assert arns[0]["Fn::Join"][1][:2] == ["arn:", {"Ref": "AWS::Partition"}]
