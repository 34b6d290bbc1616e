"""Data stores: encryption, versioning/PITR, retention and what protects them from deletion."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tools.audit.iam import environment_outputs
from tools.audit.intrinsics import Outputs, render
from tools.audit.loading import Environment, Resource

KINDS = {
    "AWS::S3::Bucket": "S3 bucket",
    "AWS::DynamoDB::Table": "DynamoDB table",
    "AWS::DynamoDB::GlobalTable": "DynamoDB table",
    "AWS::SQS::Queue": "SQS queue",
    "AWS::SNS::Topic": "SNS topic",
    "AWS::SecretsManager::Secret": "Secrets Manager secret",
    "AWS::Logs::LogGroup": "log group",
    "AWS::KMS::Key": "KMS key",
    "AWS::Events::Archive": "EventBridge archive",
}


@dataclass(frozen=True)
class DataStore:
    stack: str
    logical_id: str
    name: str
    kind: str
    encryption: str
    versioning: str
    retention: str
    protection: str


def _bucket(p: dict[str, Any], o: Outputs) -> tuple[str, str, str]:
    rules = p.get("BucketEncryption", {}).get("ServerSideEncryptionConfiguration", [])
    default = rules[0].get("ServerSideEncryptionByDefault", {}) if rules else {}
    encryption = default.get("SSEAlgorithm", "none (S3 default SSE-S3)")
    if "KMSMasterKeyID" in default:
        encryption += f" with {render(default['KMSMasterKeyID'], o)}"
    versioning = p.get("VersioningConfiguration", {}).get("Status", "not enabled")
    lifecycle = []
    for rule in p.get("LifecycleConfiguration", {}).get("Rules", []):
        parts = [f"{k}={render(v, o)}" for k, v in rule.items() if k not in {"Id", "Status"}]
        lifecycle.append(f"{rule.get('Id', 'rule')}: {'; '.join(parts)}")
    return encryption, f"versioning {versioning}", " | ".join(lifecycle) or "no lifecycle rules"


def _table(p: dict[str, Any], o: Outputs) -> tuple[str, str, str]:
    sse = p.get("SSESpecification", {})
    encryption = (
        f"KMS {render(sse.get('KMSMasterKeyId', 'AWS managed key'), o)}"
        if sse.get("SSEEnabled")
        else "DynamoDB default (AWS owned key)"
    )
    pitr = p.get("PointInTimeRecoverySpecification", {})
    recovery = "PITR on" if pitr.get("PointInTimeRecoveryEnabled") else "PITR off"
    if pitr.get("RecoveryPeriodInDays"):
        recovery += f" ({pitr['RecoveryPeriodInDays']} days)"
    ttl = p.get("TimeToLiveSpecification", {})
    retention = f"TTL on {ttl['AttributeName']}" if ttl.get("Enabled") else "no TTL"
    return encryption, recovery, retention


def _queue(p: dict[str, Any], o: Outputs) -> tuple[str, str, str]:
    if "KmsMasterKeyId" in p:
        encryption = f"KMS {render(p['KmsMasterKeyId'], o)}"
    elif p.get("SqsManagedSseEnabled"):
        encryption = "SSE-SQS (SQS managed)"
    else:
        encryption = "SQS default"
    dlq = p.get("RedrivePolicy", {})
    redrive = (
        f"DLQ {render(dlq.get('deadLetterTargetArn'), o)} after {dlq.get('maxReceiveCount')}"
        if dlq
        else "no DLQ"
    )
    days = int(p.get("MessageRetentionPeriod", 345600)) / 86400
    return encryption, redrive, f"messages kept {days:g} days"


def _topic(p: dict[str, Any], o: Outputs) -> tuple[str, str, str]:
    key = p.get("KmsMasterKeyId")
    return (f"KMS {render(key, o)}" if key else "not encrypted", "-", "-")


def _secret(p: dict[str, Any], o: Outputs) -> tuple[str, str, str]:
    key = p.get("KmsKeyId")
    return (f"KMS {render(key, o)}" if key else "AWS managed key (aws/secretsmanager)", "-", "-")


def _log_group(p: dict[str, Any], o: Outputs) -> tuple[str, str, str]:
    key = p.get("KmsKeyId")
    days = p.get("RetentionInDays")
    return (
        f"KMS {render(key, o)}" if key else "CloudWatch Logs default",
        "-",
        f"{days} days" if days else "never expires",
    )


def _key(p: dict[str, Any], o: Outputs) -> tuple[str, str, str]:
    rotation = "rotation on" if p.get("EnableKeyRotation") else "rotation off"
    return (str(p.get("KeySpec", "SYMMETRIC_DEFAULT")), rotation, "-")


def _archive(p: dict[str, Any], o: Outputs) -> tuple[str, str, str]:
    days = p.get("RetentionDays")
    key = p.get("KmsKeyIdentifier")
    encryption = f"KMS {render(key, o)}" if key else "EventBridge default"
    return encryption, "-", f"{days} days" if days else "indefinite"


_DESCRIBE: dict[str, Callable[[dict[str, Any], Outputs], tuple[str, str, str]]] = {
    "AWS::S3::Bucket": _bucket,
    "AWS::DynamoDB::Table": _table,
    "AWS::DynamoDB::GlobalTable": _table,
    "AWS::SQS::Queue": _queue,
    "AWS::SNS::Topic": _topic,
    "AWS::SecretsManager::Secret": _secret,
    "AWS::Logs::LogGroup": _log_group,
    "AWS::KMS::Key": _key,
    "AWS::Events::Archive": _archive,
}


def _protection(resource: Resource) -> str:
    props = resource.get("Properties", {})
    parts = [
        f"DeletionPolicy {resource.get('DeletionPolicy', 'Delete')}",
        f"UpdateReplacePolicy {resource.get('UpdateReplacePolicy', 'Delete')}",
    ]
    if "DeletionProtectionEnabled" in props:
        parts.append(f"deletion protection {props['DeletionProtectionEnabled']}")
    if "PendingWindowInDays" in props:
        parts.append(f"pending window {props['PendingWindowInDays']} days")
    return ", ".join(parts)


def data_stores(env: Environment) -> list[DataStore]:
    outputs = environment_outputs(env)
    found = []
    for stack, logical_id, resource in env.resources(*KINDS):
        encryption, versioning, retention = _DESCRIBE[resource["Type"]](
            resource.get("Properties", {}), outputs
        )
        found.append(
            DataStore(
                stack=stack.name,
                logical_id=logical_id,
                name=stack.readable_name(logical_id),
                kind=KINDS[resource["Type"]],
                encryption=encryption,
                versioning=versioning,
                retention=retention,
                protection=_protection(resource),
            )
        )
    return found
