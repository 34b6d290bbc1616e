"""The Operations stack as synthesized: every dead-letter queue, function and table of the
environment is alarmed, found independently from the other templates, with the environment's
thresholds, and every alarm reaches the operations topic."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from snapstream_constructs import AlarmThresholds
from snapstream_runtime.contract import FAILED_OUTCOME, metric_prefix
from stacks.config import ENVIRONMENTS
from tests.cdk_support import (
    environment_resources,
    environment_templates,
    named_resource,
    only_resource,
    resources_of_type,
)
from tools.assembly import StackArtifact, stacks
from tools.synth_summary import alarm_destinations, alarm_lines

ENVS = list(ENVIRONMENTS)
Templates = dict[tuple[str, str], dict[str, Any]]
#: (stack, logical id) of a resource in one environment.
Located = tuple[str, str]


def _alarms(templates: Templates, env: str) -> dict[str, dict[str, Any]]:
    alarms = resources_of_type(templates[env, "Operations"], "AWS::CloudWatch::Alarm")
    return {a["Properties"]["AlarmName"]: a["Properties"] for a in alarms.values()}


def _metrics(alarm: dict[str, Any]) -> list[dict[str, Any]]:
    """The metrics an alarm reads, whether written plainly or as metric-math queries."""
    if "MetricName" in alarm:
        return [{k: alarm[k] for k in ("Namespace", "MetricName", "Dimensions")}]
    return [q["MetricStat"]["Metric"] for q in alarm["Metrics"] if "MetricStat" in q]


def _resolve(templates: Templates, env: str, value: Any) -> Located:
    """A reference in the Operations template -> the resource it names in its own stack (a
    rule's name is a part of its ARN: ``Fn::Select`` of ``Fn::Split`` on ``/``)."""
    if "Fn::GetStackOutput" in value:
        output = value["Fn::GetStackOutput"]
        stack = output["StackName"].rsplit("-", 1)[-1]
        value = templates[env, stack]["Outputs"][output["OutputName"]]["Value"]
    else:
        stack = "Operations"
    if "Fn::Select" in value:
        _, split = value["Fn::Select"]
        delimiter, value = split["Fn::Split"]
        assert delimiter == "/"
    if "Ref" in value:
        return stack, value["Ref"]
    return stack, value["Fn::GetAtt"][0]


def _alarmed(templates: Templates, env: str, metric_name: str, dimension: str) -> set[Located]:
    found = set()
    for alarm in _alarms(templates, env).values():
        for metric in _metrics(alarm):
            if metric["MetricName"] == metric_name:
                [value] = [d["Value"] for d in metric["Dimensions"] if d["Name"] == dimension]
                found.add(_resolve(templates, env, value))
    return found


def _arn_target(value: Any) -> str:
    return str(value["Fn::GetAtt"][0])


def _dead_letter_queues(templates: Templates, env: str) -> set[Located]:
    """Every queue some resource names as where its failures go."""
    found: set[Located] = set()
    for stack, template in environment_templates(templates, env):
        for resource in template["Resources"].values():
            props = resource.get("Properties", {})
            kind = resource["Type"]
            if kind in {"AWS::SQS::Queue", "AWS::SNS::Subscription"} and "RedrivePolicy" in props:
                found.add((stack, _arn_target(props["RedrivePolicy"]["deadLetterTargetArn"])))
            if kind == "AWS::Lambda::Function" and "DeadLetterConfig" in props:
                found.add((stack, _arn_target(props["DeadLetterConfig"]["TargetArn"])))
            if kind == "AWS::Events::Rule":
                for target in props.get("Targets", []):
                    if "DeadLetterConfig" in target:
                        found.add((stack, _arn_target(target["DeadLetterConfig"]["Arn"])))
    return found


@pytest.mark.parametrize("env", ENVS)
def test_every_dead_letter_queue_alarms_on_any_message(templates: Templates, env: str) -> None:
    dead_letter_queues = _dead_letter_queues(templates, env)
    assert len(dead_letter_queues) >= 10
    alarmed = _alarmed(templates, env, "ApproximateNumberOfMessagesVisible", "QueueName")
    assert alarmed == dead_letter_queues
    for name, alarm in _alarms(templates, env).items():
        if name.endswith("-messages"):
            assert alarm["Threshold"] == ENVIRONMENTS[env].alarms.dead_letter_messages == 1


def _ingest_queue(templates: Templates, env: str) -> Located:
    """The queue the uploads bucket notifies."""
    data = templates[env, "Data"]
    [config] = [
        config
        for bucket in resources_of_type(data, "AWS::S3::Bucket").values()
        for config in bucket["Properties"]
        .get("NotificationConfiguration", {})
        .get("QueueConfigurations", [])
    ]
    return "Data", _arn_target(config["Queue"])


def _analysis_queue(templates: Templates, env: str) -> Located:
    """The queue the analysis function polls."""
    pipeline = templates[env, "Pipeline"]
    function_id, _ = named_resource(pipeline, "AWS::Lambda::Function", "AnalysisFunction")
    [mapping] = [
        m["Properties"]
        for m in resources_of_type(pipeline, "AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == {"Ref": function_id}
    ]
    return "Pipeline", _arn_target(mapping["EventSourceArn"])


@pytest.mark.parametrize("env", ENVS)
def test_the_ingest_and_analysis_queues_alarm_on_their_oldest_message(
    templates: Templates, env: str
) -> None:
    ingest, analysis = _ingest_queue(templates, env), _analysis_queue(templates, env)
    assert _alarmed(templates, env, "ApproximateAgeOfOldestMessage", "QueueName") == {
        ingest,
        analysis,
    }
    thresholds = ENVIRONMENTS[env].alarms
    expected = {
        ingest: thresholds.ingest_queue_age_seconds,
        analysis: thresholds.analysis_queue_age_seconds,
    }
    for alarm in _alarms(templates, env).values():
        metric = _metrics(alarm)[0]
        if metric["MetricName"] != "ApproximateAgeOfOldestMessage":
            continue
        [dimension] = metric["Dimensions"]
        assert alarm["Threshold"] == expected[_resolve(templates, env, dimension["Value"])]
        [query] = alarm["Metrics"]
        assert query["MetricStat"]["Stat"] == "Maximum"


@pytest.mark.parametrize("env", ENVS)
@pytest.mark.parametrize(
    ("metric", "threshold"),
    [
        ("FailedInvocations", "rule_failed_invocations"),
        ("InvocationsFailedToBeSentToDlq", "rule_dead_letter_failures"),
    ],
)
def test_every_rule_alarms_on_delivery_failures(
    templates: Templates, env: str, metric: str, threshold: str
) -> None:
    """Each rule of the environment, by the dimensions EventBridge gives its metrics: RuleName
    alone on the default bus, EventBusName and RuleName on a custom bus."""
    rules = environment_resources(templates, env, "AWS::Events::Rule")
    assert len(rules) >= 5
    assert _alarmed(templates, env, metric, "RuleName") == rules
    configured = getattr(ENVIRONMENTS[env].alarms, threshold)
    for alarm in _alarms(templates, env).values():
        found = _metrics(alarm)[0]
        if found["MetricName"] != metric:
            continue
        assert len(alarm["Metrics"]) == 1
        assert found["Namespace"] == "AWS/Events"
        assert alarm["Threshold"] == configured
        dims = {d["Name"]: d["Value"] for d in found["Dimensions"]}
        stack, rule_id = _resolve(templates, env, dims["RuleName"])
        rule = templates[env, stack]["Resources"][rule_id]["Properties"]
        # arn:aws:events:<region>:<account>:rule/[<bus>/]<name>, cut in the rule's own stack:
        # Fn::Split takes no Fn::GetStackOutput.
        index, split = _resolve_value(templates, env, dims["RuleName"])["Fn::Select"]
        assert split["Fn::Split"][1] == {"Fn::GetAtt": [rule_id, "Arn"]}
        if "EventBusName" in rule:
            assert index == 2
            assert _resolve_value(templates, env, dims["EventBusName"]) == _resolve_value(
                templates, env, rule["EventBusName"], stack=stack
            )
        else:
            assert index == 1
            assert set(dims) == {"RuleName"}


def _resolve_value(templates: Templates, env: str, value: Any, stack: str = "Operations") -> Any:
    """A weak cross-stack reference (``Fn::GetStackOutput``) -> the value its output holds."""
    if isinstance(value, dict) and "Fn::GetStackOutput" in value:
        output = value["Fn::GetStackOutput"]
        source = output["StackName"].rsplit("-", 1)[-1]
        return templates[env, source]["Outputs"][output["OutputName"]]["Value"]
    return value


@pytest.mark.parametrize("env", ENVS)
@pytest.mark.parametrize("metric", ["Errors", "Throttles"])
def test_every_function_alarms_on_errors_and_throttles(
    templates: Templates, env: str, metric: str
) -> None:
    functions = environment_resources(templates, env, "AWS::Lambda::Function")
    assert len(functions) >= 8
    assert _alarmed(templates, env, metric, "FunctionName") == functions


@pytest.mark.parametrize("env", ENVS)
def test_every_table_alarms_on_throttling(templates: Templates, env: str) -> None:
    tables = environment_resources(templates, env, "AWS::DynamoDB::Table")
    assert len(tables) == 1
    assert _alarmed(templates, env, "ThrottledRequests", "TableName") == tables


@pytest.mark.parametrize("env", ENVS)
def test_thresholds_come_from_the_environment(templates: Templates, env: str) -> None:
    thresholds = ENVIRONMENTS[env].alarms
    alarms = _alarms(templates, env)
    prefix = f"snapstream-{env}"
    assert alarms[f"{prefix}-Pipeline-Ingest-errors"]["Threshold"] == thresholds.function_errors
    assert (
        alarms[f"{prefix}-Pipeline-Ingest-throttles"]["Threshold"] == thresholds.function_throttles
    )
    assert alarms[f"{prefix}-LoadBalancer-5xx"]["Threshold"] == thresholds.load_balancer_5xx
    assert alarms[f"{prefix}-WebTargets-unhealthy"]["Threshold"] == thresholds.unhealthy_hosts
    assert alarms[f"{prefix}-MediaConvert-job-errors"]["Threshold"] == thresholds.transcode_errors
    assert alarms[f"{prefix}-CloudFront-5xx-rate"]["Threshold"] == thresholds.cdn_5xx_rate_percent
    site_5xx = alarms[f"{prefix}-SiteCloudFront-5xx-rate"]["Threshold"]
    assert site_5xx == thresholds.cdn_5xx_rate_percent
    assert (
        alarms[f"{prefix}-Data-IngestQueue-oldest-message"]["Threshold"]
        == thresholds.ingest_queue_age_seconds
    )
    assert (
        alarms[f"{prefix}-Pipeline-AnalysisQueue-oldest-message"]["Threshold"]
        == thresholds.analysis_queue_age_seconds
    )
    assert (
        alarms[f"{prefix}-Pipeline-TranscodeStateChanged-failed-invocations"]["Threshold"]
        == thresholds.rule_failed_invocations
    )
    assert (
        alarms[f"{prefix}-Pipeline-VideoUploaded-dlq-failures"]["Threshold"]
        == thresholds.rule_dead_letter_failures
    )


def test_environments_differ_in_strictness() -> None:
    assert ENVIRONMENTS["dev"].alarms.function_errors > ENVIRONMENTS["prod"].alarms.function_errors
    assert (
        ENVIRONMENTS["dev"].alarms.load_balancer_5xx > ENVIRONMENTS["prod"].alarms.load_balancer_5xx
    )


@pytest.mark.parametrize("env", ENVS)
def test_every_alarm_pages_the_operations_topic(templates: Templates, env: str) -> None:
    topic_id, _ = named_resource(templates[env, "Data"], "AWS::SNS::Topic", "OperationsTopic")
    for alarm in _alarms(templates, env).values():
        for actions in (alarm["AlarmActions"], alarm["OKActions"]):
            [action] = actions
            assert _resolve(templates, env, action) == ("Data", topic_id)


@pytest.mark.parametrize("env", ENVS)
def test_transcode_errors_alarm_reads_what_the_state_handler_emits(
    templates: Templates, env: str
) -> None:
    alarm = _alarms(templates, env)[f"snapstream-{env}-MediaConvert-job-errors"]
    [metric] = _metrics(alarm)
    assert metric["MetricName"] == f"{metric_prefix('transcode-state')}_{FAILED_OUTCOME}"
    assert {d["Name"]: d["Value"] for d in metric["Dimensions"]} == {
        "service": "transcode-state",
        "environment": env,
    }


@pytest.mark.parametrize("env", ENVS)
def test_web_alarms_watch_this_environments_load_balancer(templates: Templates, env: str) -> None:
    balancers = environment_resources(templates, env, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    assert _alarmed(templates, env, "HTTPCode_ELB_5XX_Count", "LoadBalancer") == balancers
    groups = environment_resources(templates, env, "AWS::ElasticLoadBalancingV2::TargetGroup")
    assert _alarmed(templates, env, "UnHealthyHostCount", "TargetGroup") == groups


@pytest.mark.parametrize("env", ENVS)
def test_every_stand_alone_instance_alarms_on_failed_status_checks(
    templates: Templates, env: str
) -> None:
    instances = environment_resources(templates, env, "AWS::EC2::Instance")
    assert len(instances) == (1 if ENVIRONMENTS[env].nat == "instance" else 0)
    assert _alarmed(templates, env, "StatusCheckFailed", "InstanceId") == instances


@pytest.mark.parametrize("env", ENVS)
def test_cdn_alarm_watches_this_environments_distribution(templates: Templates, env: str) -> None:
    distributions = environment_resources(templates, env, "AWS::CloudFront::Distribution")
    assert _alarmed(templates, env, "5xxErrorRate", "DistributionId") == distributions


@pytest.mark.parametrize("env", ENVS)
def test_one_dashboard_per_environment(templates: Templates, env: str) -> None:
    dashboard = only_resource(templates[env, "Operations"], "AWS::CloudWatch::Dashboard")
    assert dashboard["Properties"]["DashboardName"] == f"snapstream-{env}"
    body = str(dashboard["Properties"]["DashboardBody"])
    for step in ("Ingest", "TranscodeSubmit", "Package", "Analysis", "VideoLabels", "Deletion"):
        assert f"{step}Duration" in body


DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize("env", ENVS)
def test_the_runbook_says_how_to_redrive_every_dead_letter_queue(
    templates: Templates, env: str
) -> None:
    runbooks = (DOCS / "runbooks.md").read_text()
    prefix = f"snapstream-{env}-"
    queues = [
        name.removeprefix(prefix).removesuffix("-messages")
        for name in _alarms(templates, env)
        if name.endswith("-messages")
    ]
    missing = [queue for queue in queues if f"`{queue}`" not in runbooks]
    assert missing == []


def test_the_documented_thresholds_are_the_configured_ones() -> None:
    """docs/operations.md's alarm table: one column per environment, in config order."""
    table = (DOCS / "operations.md").read_text().split("## Alarms", 1)[1]
    rows = {
        cells[0]: cells[2:5]
        for line in table.splitlines()
        if line.startswith("| ") and not line.startswith("| alarm")
        for cells in [[c.strip() for c in line.strip("|").split("|")]]
    }
    documented = {
        "function_errors": rows["each function `…-errors`"],
        "function_throttles": rows["each function `…-throttles`"],
        "dead_letter_messages": rows["each dead-letter queue `…-messages`"],
        "transcode_errors": rows["`MediaConvert-job-errors`"],
        "load_balancer_5xx": rows["`LoadBalancer-5xx`"],
        "unhealthy_hosts": rows["`WebTargets-unhealthy`"],
        "instance_status_checks": rows["each stand-alone instance `…-status-check`"],
        "cdn_5xx_rate_percent": rows["`CloudFront-5xx-rate`"],
        "table_throttles": rows["each table `…-throttles`"],
        "ingest_queue_age_seconds": rows["`Data-IngestQueue-oldest-message`"],
        "analysis_queue_age_seconds": rows["`Pipeline-AnalysisQueue-oldest-message`"],
        "rule_failed_invocations": rows["each EventBridge rule `…-failed-invocations`"],
        "rule_dead_letter_failures": rows["each EventBridge rule `…-dlq-failures`"],
        "stuck_media": rows["`StuckMedia-found`"],
    }
    documented_names = set(documented) | {"evaluation_periods"}
    assert documented_names == {f.name for f in dataclasses.fields(AlarmThresholds)}
    for name, values in documented.items():
        configured = [getattr(ENVIRONMENTS[env].alarms, name) for env in ("dev", "staging", "prod")]
        assert [float(v) for v in values] == configured, name


@pytest.mark.parametrize("env", ENVS)
def test_only_this_environments_alarms_may_publish_to_the_operations_topic(
    templates: Templates, env: str
) -> None:
    data = templates[env, "Data"]
    topic_id, _ = named_resource(data, "AWS::SNS::Topic", "OperationsTopic")
    _, policy = named_resource(data, "AWS::SNS::TopicPolicy", "OperationsTopicPolicy")
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    [allow] = [s for s in statements if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert allow["Action"] == "sns:Publish"
    assert allow["Resource"] == {"Ref": topic_id}
    assert allow["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    source = json.dumps(allow["Condition"]["ArnLike"]["aws:SourceArn"])
    assert f":alarm:snapstream-{env}-*" in source
    for name in _alarms(templates, env):
        assert name.startswith(f"snapstream-{env}-")


@pytest.mark.parametrize("env", ENVS)
def test_queue_pollers_stop_at_the_functions_reserved_concurrency(
    templates: Templates, env: str
) -> None:
    """Else bursts throttle the function, page someone and spend the messages' receive count."""
    template = templates[env, "Pipeline"]
    mappings = resources_of_type(template, "AWS::Lambda::EventSourceMapping").values()
    assert len(mappings) == 3  # analysis, deletion (Pipeline); ingest's queue is in Data
    for mapping in mappings:
        function = template["Resources"][mapping["Properties"]["FunctionName"]["Ref"]]
        reserved = function["Properties"]["ReservedConcurrentExecutions"]
        assert mapping["Properties"]["ScalingConfig"] == {"MaximumConcurrency": max(2, reserved)}


def test_the_synth_summary_warns_where_alarms_go_nowhere(
    stack_artifacts: list[StackArtifact],
) -> None:
    """``make synth`` on a fresh clone: no account, no destination, a warning per environment."""
    lines = alarm_lines(stack_artifacts)
    for env in ENVS:
        assert f"SnapStream-{env} alarms go to: nowhere" in lines
        assert any(
            line.startswith(f"WARNING: SnapStream-{env}'s alarms reach nobody: set alarm_email")
            for line in lines
        )


ACCOUNT = "123456789012"
ALARM_TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:ops-pager"


@pytest.fixture(scope="module")
def staging_with_destinations(tmp_path_factory: pytest.TempPathFactory) -> list[StackArtifact]:
    """staging deployed to an account, paging an e-mail address and an existing SNS topic,
    synthesized once (a failing nag gate raises). The Availability Zones are given as a
    committed cdk.context.json would hold them."""
    from stacks.application import build_app
    from stacks.config import resolve_environments
    from tests.cdk_support import new_app
    from tools.assembly import open_violations, stale_acknowledgments
    from tools.cfn_lint_gate import lint

    outdir = tmp_path_factory.mktemp("cdk.out.alarm-destinations")
    zones = [f"us-east-1{zone}" for zone in "abc"]
    app = new_app(
        outdir,
        extra_context={f"availability-zones:account={ACCOUNT}:region=us-east-1": zones},
    )
    overrides = {"staging": {"alarm_email": "ops@example.com", "alarm_topic_arn": ALARM_TOPIC}}
    build_app(
        app,
        resolve_environments(
            overrides=overrides,
            default_account=ACCOUNT,
            default_region="us-east-1",
            selected="staging",
        ),
    )
    app.synth()
    assert open_violations(outdir) == []
    assert stale_acknowledgments(outdir) == []
    assert lint(outdir) == []
    return stacks(outdir)


def test_every_alarm_also_pages_the_configured_topic(
    staging_with_destinations: list[StackArtifact],
) -> None:
    by_stack = {s.stack_name.rsplit("-", 1)[-1]: s.template for s in staging_with_destinations}
    topic_id, _ = named_resource(by_stack["Data"], "AWS::SNS::Topic", "OperationsTopic")
    alarms = resources_of_type(by_stack["Operations"], "AWS::CloudWatch::Alarm").values()
    assert alarms
    for alarm in alarms:
        props = alarm["Properties"]
        for actions in (props["AlarmActions"], props["OKActions"]):
            own, configured = actions
            assert _resolve({("staging", "Data"): by_stack["Data"]}, "staging", own) == (
                "Data",
                topic_id,
            )
            assert configured == ALARM_TOPIC
    [subscription] = [
        s["Properties"]
        for s in resources_of_type(by_stack["Data"], "AWS::SNS::Subscription").values()
        if s["Properties"]["Protocol"] == "email"
    ]
    assert subscription["Endpoint"] == "ops@example.com"
    assert subscription["TopicArn"] == {"Ref": topic_id}
    # Undeliverable e-mails land in a dead-letter queue, alarmed and in the runbook.
    assert "RedrivePolicy" in subscription
    names = {a["Properties"]["AlarmName"] for a in alarms}
    assert "snapstream-staging-Data-AlarmEmailDeliveryFailures-messages" in names
    assert "`Data-AlarmEmailDeliveryFailures`" in (DOCS / "runbooks.md").read_text()
    assert alarm_lines(staging_with_destinations) == [
        f"SnapStream-staging alarms go to: e-mail ops@example.com and SNS topic {ALARM_TOPIC}"
    ]


def test_a_chatbot_channel_is_told_which_topic_to_read(tmp_path: Path) -> None:
    """A Chatbot channel cannot be an alarm action: the Data stack names the operations topic
    for the channel's configuration, and the summary says so (templates made by hand)."""
    channel = f"arn:aws:chatbot::{ACCOUNT}:chat-configuration/slack-channel/ops"
    data = {
        "Resources": {},
        "Outputs": {
            "OperationsTopicArn": {
                "Value": {"Ref": "OperationsTopic6000C985"},
                "Description": f"Add to the SNS topics of Chatbot channel {channel}",
            }
        },
    }
    path = tmp_path / "data.template.json"
    path.write_text(json.dumps(data))
    artifact = StackArtifact("SnapStream-prod", "SnapStream-prod-Data", "us-east-1", path, None)
    assert alarm_destinations([artifact]) == [
        f"Chatbot channel {channel} (once it lists the operations topic)"
    ]
