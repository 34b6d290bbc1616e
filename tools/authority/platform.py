"""Requests AWS services make on SnapStream's behalf, derived from the templates.

No test can record these: Lambda writes a function's logs and traces and polls its queues *as
the function's role*; S3, EventBridge and SNS deliver to queues and functions, and CloudWatch
alarms publish to their topic, as service principals allowed (or not) by the queue's, topic's,
key's or function's resource policy; CloudFront reads the media bucket through Origin Access
Control; MediaPackage and VPC Flow Logs act through the roles the templates give them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from tools.authority import Environment, Request, RolePrincipal, ServicePrincipal
from tools.authority.calls import encrypted_send
from tools.authority.resources import ResourceIndex, UnknownResource

_POLL = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility")


def _of_type(template: Mapping[str, Any], kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] == kind:
            yield logical_id, resource.get("Properties", {})


def _sending(
    env: Environment, index: ResourceIndex, principal: Any, stack: str, queue_arn: Any, **ctx: str
) -> Iterator[Request]:
    found = index.lookup(str(env.resolve(queue_arn, stack)), "AWS::SQS::Queue")
    yield from encrypted_send(index, principal, found, "sqs:SendMessage", "sqs", context=ctx)


def lambda_service(env: Environment, index: ResourceIndex) -> Iterator[Request]:
    """Logs, traces, queue polling and asynchronous dead letters, as each function's role."""
    for stack, template in index.templates.items():
        for logical_id, props in _of_type(template, "AWS::Lambda::Function"):
            if not str(props.get("Handler", "")).startswith("snapstream_runtime."):
                continue
            role = env.function_role(stack, logical_id)
            group = env.resolve(props.get("LoggingConfig", {}).get("LogGroup"), stack)
            if group:
                stream = f"log-group:{group}:log-stream:2026/12/02/[$LATEST]0123456789abcdef"
                arn = f"arn:aws:logs:{env.region}:{env.account}:{stream}"
                for action in ("logs:CreateLogStream", "logs:PutLogEvents"):
                    yield Request(role, action, arn)
            if props.get("TracingConfig", {}).get("Mode") == "Active":
                for action in ("xray:PutTraceSegments", "xray:PutTelemetryRecords"):
                    yield Request(role, action, "*")
            dead_letters = props.get("DeadLetterConfig", {}).get("TargetArn")
            if dead_letters:
                yield from _sending(env, index, role, stack, dead_letters)
        for _, props in _of_type(template, "AWS::Lambda::EventSourceMapping"):
            function = props["FunctionName"]["Ref"]
            role = env.function_role(stack, function)
            found = index.lookup(
                str(env.resolve(props["EventSourceArn"], stack)), "AWS::SQS::Queue"
            )
            for action in (*_POLL, "sqs:GetQueueAttributes"):
                yield Request(role, action, found.arn)
            key_arn = index.key_arn(found)
            if key_arn is not None:
                via = {"kms:ViaService": f"sqs.{env.region}.amazonaws.com"}
                yield Request(role, "kms:Decrypt", key_arn, via)


def deliveries(env: Environment, index: ResourceIndex) -> Iterator[Request]:
    """S3 notifications and EventBridge rule targets, as the delivering service."""
    s3 = ServicePrincipal("s3.amazonaws.com")
    events = ServicePrincipal("events.amazonaws.com")
    for stack, template in index.templates.items():
        for logical_id, props in _of_type(template, "AWS::S3::Bucket"):
            bucket_arn = env.arn(stack, logical_id)
            for config in props.get("NotificationConfiguration", {}).get("QueueConfigurations", []):
                yield from _sending(
                    env,
                    index,
                    s3,
                    stack,
                    config["Queue"],
                    **{"aws:SourceAccount": env.account, "aws:SourceArn": bucket_arn},
                )
        for logical_id, props in _of_type(template, "AWS::Events::Rule"):
            rule_arn = env.arn(stack, logical_id)
            for target in props.get("Targets", []):
                context = {"aws:SourceAccount": env.account, "aws:SourceArn": rule_arn}
                arn = str(env.resolve(target["Arn"], stack))
                if arn.startswith("arn:aws:sqs:"):
                    yield from _sending(env, index, events, stack, arn, **context)
                else:
                    yield Request(events, "lambda:InvokeFunction", arn, context)
                dead_letters = target.get("DeadLetterConfig", {}).get("Arn")
                if dead_letters:
                    yield from _sending(env, index, events, stack, dead_letters, **context)


def origin_reads(env: Environment, index: ResourceIndex) -> Iterator[Request]:
    """CloudFront fetching an S3 origin through Origin Access Control: the bucket policy and
    the key policy must both admit this distribution."""
    cloudfront = ServicePrincipal("cloudfront.amazonaws.com")
    for stack, template in index.templates.items():
        for logical_id, props in _of_type(template, "AWS::CloudFront::Distribution"):
            distribution = f"arn:aws:cloudfront::{env.account}:distribution/"
            distribution += str(env.name(stack, logical_id))
            context = {"aws:SourceArn": distribution, "aws:SourceAccount": env.account}
            for origin in props["DistributionConfig"]["Origins"]:
                if not origin.get("OriginAccessControlId"):
                    continue
                bucket_id, attribute = origin["DomainName"]["Fn::GetAtt"]
                if attribute != "RegionalDomainName":
                    raise ValueError(f"unexpected OAC origin {origin['DomainName']}")
                found = index.lookup(env.arn(stack, bucket_id), "AWS::S3::Bucket")
                yield Request(
                    cloudfront, "s3:GetObject", f"{found.arn}/media/a/b/poster.jpg", context
                )
                key_arn = index.key_arn(found)
                if key_arn is not None:
                    via = {**context, "kms:ViaService": f"s3.{env.region}.amazonaws.com"}
                    yield Request(cloudfront, "kms:Decrypt", key_arn, via)


def _assumed(env: Environment, service: str, role_arn: str, stack: str) -> Iterator[Request]:
    context = {"aws:SourceAccount": env.account}
    yield Request(ServicePrincipal(service), "sts:AssumeRole", role_arn, context)


def _role_by_arn(env: Environment, arn: str) -> RolePrincipal:
    return next(role for role in env.roles() if role.arn == arn)


def cdn_authorization(env: Environment, index: ResourceIndex) -> Iterator[Request]:
    """MediaPackage reads a packaging group's CDN identifier secret through the group's
    ``SecretsRoleArn``; its documented requirements are these secret, role and key calls.
    (The guide also lists ``secretsmanager:ListSecrets``, but its own policy grants it on the
    secret's ARN only, which IAM never matches for that action: MediaPackage does not need it.)"""
    for stack, template in index.templates.items():
        for _, props in _of_type(template, "AWS::MediaPackage::PackagingGroup"):
            authorization = props.get("Authorization")
            if not authorization:
                continue
            role = _role_by_arn(env, str(env.resolve(authorization["SecretsRoleArn"], stack)))
            yield from _assumed(env, "mediapackage.amazonaws.com", role.arn, stack)
            secret = index.lookup(
                str(env.resolve(authorization["CdnIdentifierSecret"], stack)),
                "AWS::SecretsManager::Secret",
            )
            for action in (
                "secretsmanager:GetSecretValue",
                "secretsmanager:DescribeSecret",
                "secretsmanager:ListSecretVersionIds",
            ):
                yield Request(role, action, secret.arn)
            yield Request(role, "iam:GetRole", role.arn)
            passed = {"iam:PassedToService": "mediapackage.amazonaws.com"}
            yield Request(role, "iam:PassRole", role.arn, passed)
            key_arn = index.key_arn(secret)
            if key_arn is not None:
                via = {"kms:ViaService": f"secretsmanager.{env.region}.amazonaws.com"}
                yield Request(role, "kms:Decrypt", key_arn, via)


def flow_logs(env: Environment, index: ResourceIndex) -> Iterator[Request]:
    """VPC Flow Logs deliver to CloudWatch Logs as the flow log's role."""
    for stack, template in index.templates.items():
        for _, props in _of_type(template, "AWS::EC2::FlowLog"):
            if props.get("LogDestinationType") != "cloud-watch-logs":
                continue
            role = _role_by_arn(env, str(env.resolve(props["DeliverLogsPermissionArn"], stack)))
            yield from _assumed(env, "vpc-flow-logs.amazonaws.com", role.arn, stack)
            group = env.resolve(props["LogGroupName"], stack)
            arn = f"arn:aws:logs:{env.region}:{env.account}:log-group:{group}:log-stream:eni-1-all"
            for action in ("logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"):
                yield Request(role, action, arn)


def notifications(env: Environment, index: ResourceIndex) -> Iterator[Request]:
    """SNS invoking subscribed functions (and dead-lettering what it cannot deliver), SES
    publishing a configuration set's events, and CloudWatch alarms publishing to their action
    topics."""
    sns = ServicePrincipal("sns.amazonaws.com")
    for stack, template in index.templates.items():
        for _, props in _of_type(template, "AWS::SNS::Subscription"):
            topic = str(env.resolve(props["TopicArn"], stack))
            context = {"aws:SourceArn": topic, "aws:SourceAccount": env.account}
            if props["Protocol"] == "lambda":
                function = str(env.resolve(props["Endpoint"], stack))
                yield Request(sns, "lambda:InvokeFunction", function, context)
            dead_letters = props.get("RedrivePolicy", {}).get("deadLetterTargetArn")
            if dead_letters:
                yield from _sending(env, index, sns, stack, dead_letters, **context)
        ses = ServicePrincipal("ses.amazonaws.com")
        for _, props in _of_type(template, "AWS::SES::ConfigurationSetEventDestination"):
            topic = props["EventDestination"].get("SnsDestination", {}).get("TopicARN")
            if topic is None:
                continue
            name = env.resolve(props["ConfigurationSetName"], stack)
            source = f"arn:aws:ses:{env.region}:{env.account}:configuration-set/{name}"
            context = {"aws:SourceArn": source, "aws:SourceAccount": env.account}
            found = index.lookup(str(env.resolve(topic, stack)), "AWS::SNS::Topic")
            yield from encrypted_send(index, ses, found, "sns:Publish", "sns", context=context)
        cloudwatch = ServicePrincipal("cloudwatch.amazonaws.com")
        for _, props in _of_type(template, "AWS::CloudWatch::Alarm"):
            alarm = f"arn:aws:cloudwatch:{env.region}:{env.account}:alarm:{props['AlarmName']}"
            context = {"aws:SourceArn": alarm, "aws:SourceAccount": env.account}
            for action in {json.dumps(a) for a in props.get("AlarmActions", [])}:
                target = str(env.resolve(json.loads(action), stack))
                try:
                    found = index.lookup(target, "AWS::SNS::Topic")
                except UnknownResource:
                    continue  # an operator's own topic (alarm_topic_arn): its policy is theirs
                yield from encrypted_send(
                    index, cloudwatch, found, "sns:Publish", "sns", context=context
                )


def platform_requests(env: Environment, index: ResourceIndex) -> list[Request]:
    return [
        *notifications(env, index),
        *lambda_service(env, index),
        *deliveries(env, index),
        *origin_reads(env, index),
        *cdn_authorization(env, index),
        *flow_logs(env, index),
    ]
