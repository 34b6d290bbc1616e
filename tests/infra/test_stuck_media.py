"""The stuck-media sweeper as synthesized: the sparse index it reads, its schedule (with a
dead-letter queue and retries), its least-privilege role, its alarm, and its configuration."""

from __future__ import annotations

import json
from typing import Any

import pytest

from snapstream_constructs.tables import WATCH_INDEX, WATCH_INDEX_KEYS
from snapstream_runtime import watch
from snapstream_runtime.stuck_media import STUCK, SweepOutcome
from stacks.config import ENVIRONMENTS, resolve_environments
from stacks.runtime_contract import contract
from tests.cdk_support import named_resource, resources_of_type

ENVS = list(ENVIRONMENTS)
Templates = dict[tuple[str, str], dict[str, Any]]


def _function(templates: Templates, env: str) -> tuple[str, dict[str, Any]]:
    return named_resource(templates[env, "Pipeline"], "AWS::Lambda::Function", "StuckMediaFunction")


def _statements(templates: Templates, env: str) -> list[dict[str, Any]]:
    _, policy = named_resource(
        templates[env, "Pipeline"], "AWS::IAM::ManagedPolicy", "StuckMediaPolicy"
    )
    statements: list[dict[str, Any]] = policy["Properties"]["PolicyDocument"]["Statement"]
    return statements


def _actions(statement: dict[str, Any]) -> list[str]:
    actions = statement["Action"]
    return actions if isinstance(actions, list) else [actions]


def test_the_runtime_and_the_table_agree_on_the_index() -> None:
    assert watch.INDEX == WATCH_INDEX
    assert (watch.PARTITION_KEY, watch.SORT_KEY) == WATCH_INDEX_KEYS


@pytest.mark.parametrize("env", ENVS)
def test_the_watch_index_is_sparse_and_keys_only(templates: Templates, env: str) -> None:
    [table] = [
        t["Properties"]
        for lid, t in resources_of_type(templates[env, "Data"], "AWS::DynamoDB::Table").items()
        if lid.startswith("MediaTable")
    ]
    [index] = [i for i in table["GlobalSecondaryIndexes"] if i["IndexName"] == WATCH_INDEX]
    assert index["KeySchema"] == [
        {"AttributeName": "gsi3pk", "KeyType": "HASH"},
        {"AttributeName": "gsi3sk", "KeyType": "RANGE"},
    ]
    # Only the media in flight carry its keys (sparse); it copies nothing else (keys only), so a
    # step's progress never writes it.
    assert index["Projection"] == {"ProjectionType": "KEYS_ONLY"}


@pytest.mark.parametrize("env", ENVS)
def test_the_sweeper_runs_on_a_schedule_with_retries_and_a_dead_letter_queue(
    templates: Templates, env: str
) -> None:
    config, pipeline = ENVIRONMENTS[env], templates[env, "Pipeline"]
    function_id, function = _function(templates, env)
    rule_id, rule = named_resource(pipeline, "AWS::Events::Rule", "StuckMediaScheduleRule")
    props = rule["Properties"]
    assert props["ScheduleExpression"] == f"rate({config.stuck_sweep_minutes} minutes)"
    assert "EventBusName" not in props and "EventPattern" not in props
    [target] = props["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": [function_id, "Arn"]}
    # The function's own dead-letter queue also takes the sweeps EventBridge could not deliver.
    dead_id, _ = named_resource(pipeline, "AWS::SQS::Queue", "StuckMediaFailures")
    assert function["Properties"]["DeadLetterConfig"] == {
        "TargetArn": {"Fn::GetAtt": [dead_id, "Arn"]}
    }
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [dead_id, "Arn"]}}
    assert target["RetryPolicy"] == {
        "MaximumRetryAttempts": 8,
        "MaximumEventAgeInSeconds": config.stuck_sweep_minutes * 60,
    }
    [permission] = [
        p["Properties"]
        for p in resources_of_type(pipeline, "AWS::Lambda::Permission").values()
        if p["Properties"]["FunctionName"] == {"Fn::GetAtt": [function_id, "Arn"]}
    ]
    assert permission["Principal"] == "events.amazonaws.com"
    assert permission["SourceArn"] == {"Fn::GetAtt": [rule_id, "Arn"]}
    properties = function["Properties"]
    assert properties["Handler"] == contract.STUCK_MEDIA_HANDLER
    assert properties["ReservedConcurrentExecutions"] == 1  # one sweep at a time
    assert "DeadLetterConfig" in properties  # a sweep the function failed three times
    variables = properties["Environment"]["Variables"]
    assert json.loads(variables[contract.ENV_STUCK_DEADLINES]) == {
        "uploaded": config.stuck_uploaded_minutes * 60,
        "processing": config.stuck_processing_minutes * 60,
        "deleting": config.stuck_deleting_minutes * 60,
    }
    assert variables["POWERTOOLS_SERVICE_NAME"] == "stuck-media"


@pytest.mark.parametrize("env", ENVS)
def test_the_sweeper_may_query_only_the_watch_index_and_never_scan(
    templates: Templates, env: str
) -> None:
    statements = _statements(templates, env)
    granted = {action for s in statements for action in _actions(s)}
    assert granted == {
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        # (X-Ray: the environment's shared FunctionTracing policy, tests/infra/test_compliance.py)
        "sqs:SendMessage",  # its asynchronous dead-letter queue; the deletion queue
        "kms:GenerateDataKey",
        "kms:Decrypt",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:Query",
        "events:PutEvents",
        "sns:Publish",
    }
    [query] = [s for s in statements if "dynamodb:Query" in _actions(s)]
    assert _actions(query) == ["dynamodb:Query"]
    assert json.dumps(query["Resource"]).endswith(f'"/index/{WATCH_INDEX}"]]}}')
    assert query["Condition"] == {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["WATCH#*"]}}
    [items] = [s for s in statements if "dynamodb:UpdateItem" in _actions(s)]
    assert items["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"] == [
        "MEDIA#*",
        "USER#*",
    ]
    pipeline = templates[env, "Pipeline"]
    queue_id, _ = named_resource(pipeline, "AWS::SQS::Queue", "DeletionQueue")
    [sends] = [s for s in statements if "sqs:SendMessage" in _actions(s)]
    failures_id, _ = named_resource(pipeline, "AWS::SQS::Queue", "StuckMediaFailures")
    assert sorted(r["Fn::GetAtt"][0] for r in sends["Resource"]) == [queue_id, failures_id]
    [bus] = [s for s in statements if "events:PutEvents" in _actions(s)]
    assert "EventBus" in json.dumps(bus["Resource"])
    for (template_env, _), template in templates.items():
        for policy in resources_of_type(template, "AWS::IAM::ManagedPolicy").values():
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                assert "dynamodb:Scan" not in _actions(statement), template_env


@pytest.mark.parametrize("env", ENVS)
def test_stuck_media_alarm_per_sweep_with_the_environments_threshold(
    templates: Templates, env: str
) -> None:
    alarms = {
        a["Properties"]["AlarmName"]: a["Properties"]
        for a in resources_of_type(templates[env, "Operations"], "AWS::CloudWatch::Alarm").values()
    }
    alarm = alarms[f"snapstream-{env}-StuckMedia-found"]
    assert alarm["Threshold"] == ENVIRONMENTS[env].alarms.stuck_media
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    # One value per sweep: between sweeps the last verdict stands.
    assert alarm["TreatMissingData"] == "ignore"
    [query] = alarm["Metrics"]
    stat = query["MetricStat"]
    assert stat["Stat"] == "Maximum"
    assert stat["Metric"]["Namespace"] == contract.METRICS_NAMESPACE
    assert stat["Metric"]["MetricName"] == contract.metric_prefix("stuck-media") == "StuckMedia"
    dimensions = {d["Name"]: d["Value"] for d in stat["Metric"]["Dimensions"]}
    assert dimensions == {"service": "stuck-media", "environment": env}
    # The schedule's rule and dead-letter queues are watched like every other.
    for name in (
        "Pipeline-StuckMediaSchedule-failed-invocations",
        "Pipeline-StuckMediaFailures-messages",
        "Pipeline-StuckMedia-errors",
    ):
        assert f"snapstream-{env}-{name}" in alarms


@pytest.mark.parametrize("env", ENVS)
def test_the_dashboard_graphs_every_stuck_outcome(templates: Templates, env: str) -> None:
    [dashboard] = resources_of_type(templates[env, "Operations"], "AWS::CloudWatch::Dashboard")
    body = json.dumps(templates[env, "Operations"]["Resources"][dashboard]["Properties"])
    for outcome in STUCK:
        assert f"StuckMedia_{outcome.value}" in body
    assert SweepOutcome.ACTIVE not in STUCK and SweepOutcome.MOVED not in STUCK


def test_deadlines_and_the_schedule_are_overridden_and_checked() -> None:
    [prod] = resolve_environments(
        overrides={"prod": {"stuck_processing_minutes": 720, "stuck_sweep_minutes": 10}},
        default_account=None,
        default_region=None,
        selected="prod",
    )
    assert prod.stuck_deadlines_minutes == {"uploaded": 120, "processing": 720, "deleting": 120}
    for changes, message in [
        ({"stuck_sweep_minutes": 0}, "stuck_sweep_minutes must be 1-60"),
        ({"stuck_sweep_minutes": 90}, "stuck_sweep_minutes must be 1-60"),
        # shorter than the hour the analysis and deletion queues retry
        ({"stuck_uploaded_minutes": 30}, "stuck_uploaded_minutes must be 60-10080"),
        # two sweeps at least
        (
            {"stuck_sweep_minutes": 45, "stuck_deleting_minutes": 60},
            "stuck_deleting_minutes must be 90-10080",
        ),
        ({"stuck_processing_minutes": 8 * 24 * 60}, "stuck_processing_minutes must be 60-10080"),
    ]:
        with pytest.raises(ValueError, match=f"environment 'staging': .*{message}"):
            resolve_environments(
                overrides={"staging": changes},
                default_account=None,
                default_region=None,
                selected="staging",
            )
    with pytest.raises(ValueError, match="alarm threshold stuck_media must be positive"):
        resolve_environments(
            overrides={"dev": {"alarms": {"stuck_media": 0}}},
            default_account=None,
            default_region=None,
        )
