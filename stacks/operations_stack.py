"""One environment's dashboard and alarms, deployed after the stacks it watches.

It finds what to watch in the other stacks' construct trees, so a function, dead-letter queue or
EventBridge rule added anywhere is watched without anyone remembering to list it here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_events as events
from aws_cdk import aws_lambda as lambda_
from constructs import Construct, IConstruct

from snapstream_constructs import (
    AgedQueue,
    DeliveryRule,
    OperationsMonitoring,
    PipelineMetrics,
    QueueWithDeadLetters,
    WebTier,
    is_dead_letter_queue,
)
from stacks.config import EnvironmentConfig
from stacks.data_stack import DataStack
from stacks.pipeline_stack import PipelineStack
from stacks.runtime_contract import contract
from stacks.web_stack import WebStack

#: Construct ids that say nothing about what a resource is for.
_NOISE = {"Resource", "Default", "Function", "Queue", "Table", "Handler", "Rule"}
_LAMBDA_FUNCTION = "AWS::Lambda::Function"


class OperationsStack(cdk.Stack):
    """Dashboard ``snapstream-<env>`` and every alarm, publishing to the operations topic."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        data: DataStack,
        pipeline: PipelineStack,
        web: WebStack,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            description=f"SnapStream {config.name}: dashboard and alarms",
            **kwargs,
        )
        watched = Watched.found_in(data, pipeline, web)
        services = pipeline.services
        thresholds = config.alarms
        # Uploads and analysis wait in these queues; an old message there is work not done.
        aged = {
            data.ingest_queue: thresholds.ingest_queue_age_seconds,
            pipeline.analysis.queue: thresholds.analysis_queue_age_seconds,
        }
        self.monitoring = OperationsMonitoring(
            self,
            "Monitoring",
            name_prefix=config.operations_name,
            alarm_topic=data.operations_topic,
            thresholds=thresholds,
            pipeline=PipelineMetrics(
                namespace=contract.METRICS_NAMESPACE,
                dimensions={"environment": config.name},
                steps={service: contract.metric_prefix(service) for service in services.values()},
                failed_outcome=contract.FAILED_OUTCOME,
                transcode_state_service=services["TranscodeState"],
                ingest_service=services["Ingest"],
                upload_outcomes=("accepted", "rejected", "duplicate"),
                stuck_media_service=services["StuckMedia"],
                stuck_media_outcomes=("redriven", "resent", "timed_out", "still_deleting"),
            ),
            functions=watched.functions,
            dead_letter_queues=watched.dead_letter_queues,
            work_queues=watched.work_queues,
            tables=watched.tables,
            instances=watched.instances,
            transcode_queue_name=pipeline.video.transcoding.queue.attr_name,
            web=_web_tier(web),
            distributions={
                "CloudFront": data.cdn.distribution.distribution_id,  # video and media files
                "SiteCloudFront": web.site.distribution.distribution_id,
            },
            # CloudFront publishes its metrics in us-east-1 only.
            alarm_on_distribution=config.region == "us-east-1",
            aged_queues={
                readable_name(queue): AgedQueue(
                    queue_name=queue.queue.queue_name, max_age_seconds=seconds
                )
                for queue, seconds in aged.items()
            },
            rules=watched.rules,
            # An existing SNS topic is an alarm action of its own; a Chatbot channel cannot be
            # one and reads the operations topic instead (DataStack's OperationsTopicArn output).
            also_notify=(
                [config.alarm_topic_arn]
                if config.alarm_topic_arn and not config.alarm_topic_is_chatbot
                else []
            ),
        )


@dataclass
class Watched:
    """What the alarms watch, by readable name: function, queue and table names, rules."""

    functions: dict[str, str] = field(default_factory=dict)
    dead_letter_queues: dict[str, str] = field(default_factory=dict)
    work_queues: dict[str, str] = field(default_factory=dict)
    tables: dict[str, str] = field(default_factory=dict)
    instances: dict[str, str] = field(default_factory=dict)
    rules: dict[str, DeliveryRule] = field(default_factory=dict)

    @classmethod
    def found_in(cls, *stacks: cdk.Stack) -> Watched:
        """One walk over each stack's tree, sorted by Python type (each jsii call costs: synth
        time is a measured target)."""
        found = cls()
        for stack in stacks:
            for construct in stack.node.find_all():
                if isinstance(construct, lambda_.CfnFunction) or (
                    type(construct) is cdk.CfnResource
                    and construct.cfn_resource_type == _LAMBDA_FUNCTION
                ):
                    found.functions[readable_name(construct)] = construct.ref
                elif isinstance(construct, dynamodb.CfnTable):
                    found.tables[readable_name(construct)] = construct.ref
                elif isinstance(construct, ec2.CfnInstance):
                    found.instances[readable_name(construct)] = construct.ref
                elif isinstance(construct, QueueWithDeadLetters):
                    found.work_queues[readable_name(construct)] = construct.queue.queue_name
                elif is_dead_letter_queue(construct):
                    found.dead_letter_queues[readable_name(construct)] = construct.queue_name
                elif isinstance(construct, events.CfnRule):
                    found.rules[readable_name(construct)] = _delivery_rule(construct)
        return found


def _delivery_rule(rule: events.CfnRule) -> DeliveryRule:
    """``rule`` by the dimensions of its metrics. Its name is cut from its ARN in its own stack,
    published as an output and read with ``Fn::GetStackOutput``: ``Fn::Split`` does not take a
    ``Fn::GetStackOutput`` (cfn-lint E1017), which a reference to the ARN would become here."""
    stack = cdk.Stack.of(rule)
    on_default_bus = rule.event_bus_name is None
    parts = cdk.Fn.split("/", rule.attr_arn)  # arn:…:rule/[<bus>/]<name>
    output = cdk.CfnOutput(
        rule,
        "NameForMetrics",
        value=cdk.Fn.select(1 if on_default_bus else 2, parts),
        description="The rule's name (the RuleName dimension of its AWS/Events metrics)",
    )
    output_name = "RuleName" + readable_name(rule).replace("-", "")
    output.override_logical_id(output_name)
    return DeliveryRule(
        rule_name=cdk.Fn.get_stack_output(stack.stack_name, output_name, stack.region),
        event_bus_name=rule.event_bus_name,
    )


def _web_tier(web: WebStack) -> WebTier:
    balancer = web.hosting.load_balancer.node.default_child
    targets = web.hosting.target_group.node.default_child
    assert isinstance(balancer, elbv2.CfnLoadBalancer)
    assert isinstance(targets, elbv2.CfnTargetGroup)
    # The attributes themselves: CDK's derived names split the ARN, across stacks too.
    return WebTier(
        load_balancer_full_name=balancer.attr_load_balancer_full_name,
        target_group_full_name=targets.attr_target_group_full_name,
    )


def readable_name(construct: IConstruct) -> str:
    """``SnapStream-dev/Pipeline/Ingest/Function/Resource`` -> ``Pipeline-Ingest``."""
    parts = construct.node.path.split("/")[1:]
    kept = [p for p in parts if p not in _NOISE] or parts
    return re.sub(r"[^A-Za-z0-9]+", "-", "-".join(kept)).strip("-")
