"""Create in a local AWS (moto) the resources a synthesized template defines, from the template.

Tests (and the local platform) use this instead of a hand-kept copy of the infrastructure, so the
table's keys and indexes, the queues and their redrive, the bucket's versioning and its S3 -> SQS
notification are exactly what CDK synthesized. Encryption settings are not reproduced: moto does
not need them, and the templates' encryption is asserted by the template tests.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import boto3

ACCOUNT = "123456789012"
REGION = "us-east-1"
#: KMS key ARN moto generated -> the template's logical id (moto cannot choose key ids; the
#: authority tests need to know which template key a call's key ARN is).
KEY_LOGICAL_IDS: dict[str, str] = {}


@dataclass
class LocalResources:
    """Physical names, ARNs and URLs of the resources created, by logical id."""

    region: str
    names: dict[str, str] = field(default_factory=dict)
    arns: dict[str, str] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    exports: dict[str, str] = field(default_factory=dict)

    def resolve(self, value: Any) -> Any:
        """Resolve the intrinsics our templates use between these resources."""
        if isinstance(value, dict) and len(value) == 1:
            ((function, argument),) = value.items()
            if function == "Ref":
                if argument.startswith("AWS::"):
                    return self.pseudo_parameters()[argument]
                return self.refs[argument]
            if function == "Fn::GetAtt":
                logical_id, attribute = argument
                if attribute == "Arn":
                    return self.arns[logical_id]
                if attribute == "Name":
                    return self.names[logical_id]
                raise KeyError(f"unsupported attribute {attribute}")
            if function == "Fn::GetStackOutput":
                return self.outputs[argument["OutputName"]]
            if function == "Fn::ImportValue":
                return self.exports[argument]
            if function == "Fn::Join":
                separator, parts = argument
                return separator.join(str(self.resolve(part)) for part in parts)
        return value

    def pseudo_parameters(self) -> dict[str, str]:
        return {
            "AWS::AccountId": ACCOUNT,
            "AWS::Region": self.region,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        }

    def record(self, logical_id: str, *, name: str, arn: str, ref: str) -> None:
        self.names[logical_id], self.arns[logical_id], self.refs[logical_id] = name, arn, ref

    def find(self, construct_path: str) -> str:
        """The logical id CDK gave the resource at ``construct_path`` (path joined, + hash)."""
        pattern = re.compile(re.escape(construct_path) + "[0-9A-F]{8}")
        [logical_id] = [lid for lid in self.names if pattern.fullmatch(lid)]
        return logical_id


def _of_type(template: Mapping[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == resource_type}


def provision(template: Mapping[str, Any], *, region: str = REGION) -> LocalResources:
    """Create the keys, queues, topics, tables, buses and buckets of ``template``."""
    found = LocalResources(region=region)
    _keys(template, found)
    _queues(template, found)
    _topics(template, found)
    _tables(template, found)
    _event_buses(template, found)
    _buckets(template, found)
    for name, output in template.get("Outputs", {}).items():
        try:
            value = found.resolve(output["Value"])
        except KeyError:
            continue  # an output of a resource moto does not provide (MediaPackage, CloudFront)
        found.outputs[name] = value
        if "Export" in output:
            found.exports[output["Export"]["Name"]] = value
    return found


def _physical(logical_id: str) -> str:
    return f"local-{logical_id.lower()}"[:63]


def _keys(template: Mapping[str, Any], found: LocalResources) -> None:
    kms = boto3.client("kms", region_name=found.region)
    for logical_id in _of_type(template, "AWS::KMS::Key"):
        metadata = kms.create_key(Description=logical_id)["KeyMetadata"]
        KEY_LOGICAL_IDS[metadata["Arn"]] = logical_id
        found.record(logical_id, name=metadata["KeyId"], arn=metadata["Arn"], ref=metadata["KeyId"])


def _queues(template: Mapping[str, Any], found: LocalResources) -> None:
    sqs = boto3.client("sqs", region_name=found.region)
    queues = _of_type(template, "AWS::SQS::Queue")
    # Dead-letter queues first: the others name them in their redrive policy.
    ordered = sorted(
        queues.items(), key=lambda item: "RedrivePolicy" in item[1].get("Properties", {})
    )
    for logical_id, queue in ordered:
        props = queue.get("Properties", {})
        attributes = {
            key: str(props[key])
            for key in ("VisibilityTimeout", "MessageRetentionPeriod")
            if key in props
        }
        if "RedrivePolicy" in props:
            redrive = props["RedrivePolicy"]
            attributes["RedrivePolicy"] = json.dumps(
                {
                    "deadLetterTargetArn": found.resolve(redrive["deadLetterTargetArn"]),
                    "maxReceiveCount": redrive["maxReceiveCount"],
                }
            )
        url = sqs.create_queue(QueueName=_physical(logical_id), Attributes=attributes)["QueueUrl"]
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        arn = attributes["Attributes"]["QueueArn"]
        found.record(logical_id, name=_physical(logical_id), arn=arn, ref=url)


def _topics(template: Mapping[str, Any], found: LocalResources) -> None:
    sns = boto3.client("sns", region_name=found.region)
    for logical_id in _of_type(template, "AWS::SNS::Topic"):
        arn = sns.create_topic(Name=_physical(logical_id))["TopicArn"]
        found.record(logical_id, name=_physical(logical_id), arn=arn, ref=arn)


def _tables(template: Mapping[str, Any], found: LocalResources) -> None:
    dynamodb = boto3.client("dynamodb", region_name=found.region)
    for logical_id, table in _of_type(template, "AWS::DynamoDB::Table").items():
        props = table["Properties"]
        request: dict[str, Any] = {
            "TableName": _physical(logical_id),
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
        }
        if props.get("GlobalSecondaryIndexes"):
            request["GlobalSecondaryIndexes"] = [
                {k: index[k] for k in ("IndexName", "KeySchema", "Projection")}
                for index in props["GlobalSecondaryIndexes"]
            ]
        arn = dynamodb.create_table(**request)["TableDescription"]["TableArn"]
        ttl = props.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled"):
            dynamodb.update_time_to_live(
                TableName=_physical(logical_id),
                TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]},
            )
        found.record(logical_id, name=_physical(logical_id), arn=arn, ref=_physical(logical_id))


def _event_buses(template: Mapping[str, Any], found: LocalResources) -> None:
    events = boto3.client("events", region_name=found.region)
    for logical_id in _of_type(template, "AWS::Events::EventBus"):
        arn = events.create_event_bus(Name=_physical(logical_id))["EventBusArn"]
        found.record(logical_id, name=_physical(logical_id), arn=arn, ref=_physical(logical_id))


def _buckets(template: Mapping[str, Any], found: LocalResources) -> None:
    s3 = boto3.client("s3", region_name=found.region)
    for logical_id, bucket in _of_type(template, "AWS::S3::Bucket").items():
        props = bucket.get("Properties", {})
        # A name the template fixes is kept (policies may name the bucket by it).
        name = (
            found.resolve(props["BucketName"]) if "BucketName" in props else _physical(logical_id)
        )
        s3.create_bucket(Bucket=name)
        if props.get("VersioningConfiguration", {}).get("Status") == "Enabled":
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        queue_configs = props.get("NotificationConfiguration", {}).get("QueueConfigurations", [])
        if queue_configs:
            s3.put_bucket_notification_configuration(
                Bucket=name,
                NotificationConfiguration={
                    "QueueConfigurations": [
                        {
                            "QueueArn": found.resolve(config["Queue"]),
                            "Events": [config["Event"]],
                            "Filter": {
                                "Key": {
                                    "FilterRules": [
                                        {"Name": r["Name"], "Value": r["Value"]}
                                        for r in config["Filter"]["S3Key"]["Rules"]
                                    ]
                                }
                            },
                        }
                        for config in queue_configs
                    ]
                },
            )
        found.record(logical_id, name=name, arn=f"arn:aws:s3:::{name}", ref=name)


def provision_mail(template: Mapping[str, Any], found: LocalResources) -> None:
    """The SES identities (verified at once: moto refuses to send from anything else) and the
    configuration sets of ``template`` (the Web stack's), added to ``found``."""
    sesv2 = boto3.client("sesv2", region_name=found.region)
    for logical_id in _of_type(template, "AWS::SES::ConfigurationSet"):
        name = _physical(logical_id)
        sesv2.create_configuration_set(ConfigurationSetName=name)
        arn = f"arn:aws:ses:{found.region}:{ACCOUNT}:configuration-set/{name}"
        found.record(logical_id, name=name, arn=arn, ref=name)
    for logical_id, identity in _of_type(template, "AWS::SES::EmailIdentity").items():
        name = str(found.resolve(identity["Properties"]["EmailIdentity"]))
        sesv2.create_email_identity(EmailIdentity=name)
        arn = f"arn:aws:ses:{found.region}:{ACCOUNT}:identity/{name}"
        found.record(logical_id, name=name, arn=arn, ref=name)


def function_environment(
    template: Mapping[str, Any],
    function_prefix: str,
    resources: LocalResources,
    fallback: Callable[[Any], Any] | None = None,
) -> dict[str, str]:
    """A function's environment variables as synthesized, resolved against local resources.

    Variables naming resources moto does not provide (MediaConvert, MediaPackage) are resolved
    by ``fallback`` when given (tests: the names the IAM evaluator gives them), else left out.
    """
    [function] = [
        r
        for lid, r in template["Resources"].items()
        if r["Type"] == "AWS::Lambda::Function" and lid.startswith(function_prefix)
    ]
    variables = function["Properties"].get("Environment", {}).get("Variables", {})
    environment = {}
    for name, value in variables.items():
        try:
            resolved = resources.resolve(value)
        except KeyError:
            if fallback is None:
                continue
            resolved = fallback(value)
        if isinstance(resolved, str):
            environment[name] = resolved
    return environment
