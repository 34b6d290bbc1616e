"""What ``Ref`` and ``Fn::GetAtt`` return, per resource type, following CloudFormation's
documented return values. Physical names are supplied by the caller (generated or explicit).

A type or attribute missing from :data:`ATTRIBUTES` is :class:`~tools.authority.model.Unresolvable`:
add it here with its documented return value when a template starts to use it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

#: Property holding the explicit physical name (or required identifier) of a resource type.
NAME_PROPERTY = {
    "AWS::S3::Bucket": "BucketName",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::IAM::InstanceProfile": "InstanceProfileName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::Lambda::LayerVersion": "LayerName",
    "AWS::Events::EventBus": "Name",
    "AWS::Events::Rule": "Name",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::MediaConvert::Queue": "Name",
    "AWS::MediaConvert::JobTemplate": "Name",
    "AWS::MediaPackage::PackagingGroup": "Id",
    "AWS::MediaPackage::PackagingConfiguration": "Id",
    "AWS::SecretsManager::Secret": "Name",
    "AWS::KMS::Alias": "AliasName",
    "AWS::SES::EmailIdentity": "EmailIdentity",
    "AWS::SES::ConfigurationSet": "Name",
}


@dataclass(frozen=True)
class Named:
    """A resource with its physical name, and a resolver for its own properties."""

    stack: str
    logical_id: str
    resource_type: str
    properties: Mapping[str, Any]
    name: str
    account: str
    region: str
    resolve: Callable[[Any], Any]

    def arn(self, service: str, resource: str, *, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{resource}"


Attributes = dict[str, Callable[[], Any]]


def _bucket(r: Named) -> Attributes:
    return {
        "Ref": lambda: r.name,
        "Arn": lambda: f"arn:aws:s3:::{r.name}",
        "DomainName": lambda: f"{r.name}.s3.amazonaws.com",
        "RegionalDomainName": lambda: f"{r.name}.s3.{r.region}.amazonaws.com",
    }


def _queue(r: Named) -> Attributes:
    url = f"https://sqs.{r.region}.amazonaws.com/{r.account}/{r.name}"
    return {
        "Ref": lambda: url,
        "QueueUrl": lambda: url,
        "Arn": lambda: r.arn("sqs", r.name),
        "QueueName": lambda: r.name,
    }


def _topic(r: Named) -> Attributes:
    arn = r.arn("sns", r.name)
    return {"Ref": lambda: arn, "TopicArn": lambda: arn, "TopicName": lambda: r.name}


def _with_path(r: Named, kind: str) -> str:
    path = r.resolve(r.properties.get("Path", "/"))
    return f"arn:aws:iam::{r.account}:{kind}{path}{r.name}"


def _role(r: Named) -> Attributes:
    return {"Ref": lambda: r.name, "Arn": lambda: _with_path(r, "role")}


def _managed_policy(r: Named) -> Attributes:
    return {"Ref": lambda: _with_path(r, "policy"), "PolicyArn": lambda: _with_path(r, "policy")}


def _rule(r: Named) -> Attributes:
    def bus() -> str | None:
        value = r.properties.get("EventBusName")
        if value is None:
            return None
        name = str(r.resolve(value))
        return name.rsplit("/", 1)[-1] if name.startswith("arn:") else name

    def ref() -> str:
        return r.name if bus() in (None, "default") else f"{bus()}|{r.name}"

    def arn() -> str:
        on = bus()
        return r.arn(
            "events", f"rule/{r.name}" if on in (None, "default") else f"rule/{on}/{r.name}"
        )

    return {"Ref": ref, "Arn": arn}


def _secret(r: Named) -> Attributes:
    # Secrets Manager appends "-" and six random characters; a stable stand-in here.
    suffix = hashlib.sha256(r.name.encode()).hexdigest()[:6]
    arn = r.arn("secretsmanager", f"secret:{r.name}-{suffix}")
    return {"Ref": lambda: arn, "Id": lambda: arn}


def _id_only(r: Named) -> Attributes:
    return {"Ref": lambda: r.name, "Id": lambda: r.name}


def _distribution(r: Named) -> Attributes:
    return {**_id_only(r), "DomainName": lambda: f"{r.name.lower()}.cloudfront.net"}


def _vpc(r: Named) -> Attributes:
    return {
        "Ref": lambda: r.name,
        "VpcId": lambda: r.name,
        "DefaultSecurityGroup": lambda: f"{r.name}-default-security-group",
    }


def _arn_and_name(service: str, kind: str, *name_attributes: str) -> Callable[[Named], Attributes]:
    """Types whose ARN is ``arn:aws:<service>:<region>:<account>:<kind><name>`` and whose Ref
    (and ``name_attributes``) return the name."""

    def attributes(r: Named) -> Attributes:
        found: Attributes = {
            "Ref": lambda: r.name,
            "Arn": lambda: r.arn(service, f"{kind}{r.name}"),
        }
        found.update({attribute: (lambda: r.name) for attribute in name_attributes})
        return found

    return attributes


ATTRIBUTES: dict[str, Callable[[Named], Attributes]] = {
    "AWS::S3::Bucket": _bucket,
    "AWS::DynamoDB::Table": _arn_and_name("dynamodb", "table/"),
    "AWS::SQS::Queue": _queue,
    "AWS::SNS::Topic": _topic,
    "AWS::KMS::Key": _arn_and_name("kms", "key/", "KeyId"),
    "AWS::IAM::Role": _role,
    "AWS::IAM::ManagedPolicy": _managed_policy,
    "AWS::IAM::InstanceProfile": lambda r: {
        "Ref": lambda: r.name,
        "Arn": lambda: _with_path(r, "instance-profile"),
    },
    "AWS::Lambda::Function": _arn_and_name("lambda", "function:"),
    "AWS::Lambda::LayerVersion": lambda r: {"Ref": lambda: r.arn("lambda", f"layer:{r.name}:1")},
    "AWS::Events::EventBus": _arn_and_name("events", "event-bus/", "Name"),
    "AWS::Events::Rule": _rule,
    "AWS::Logs::LogGroup": lambda r: {
        "Ref": lambda: r.name,
        "Arn": lambda: r.arn("logs", f"log-group:{r.name}:*"),
    },
    "AWS::MediaConvert::Queue": _arn_and_name("mediaconvert", "queues/", "Name"),
    "AWS::MediaConvert::JobTemplate": _arn_and_name("mediaconvert", "jobTemplates/", "Name"),
    "AWS::MediaPackage::PackagingGroup": _arn_and_name(
        "mediapackage-vod", "packaging-groups/", "Id"
    ),
    "AWS::MediaPackage::PackagingConfiguration": _arn_and_name(
        "mediapackage-vod", "packaging-configurations/", "Id"
    ),
    "AWS::SecretsManager::Secret": _secret,
    "AWS::CloudFront::Distribution": _distribution,
    "AWS::CloudFront::PublicKey": _id_only,
    "AWS::CloudFront::KeyGroup": _id_only,
    "AWS::EC2::VPC": _vpc,
    "AWS::EC2::SecurityGroup": lambda r: {"Ref": lambda: r.name, "GroupId": lambda: r.name},
}


def _stable_id(r: Named, length: int = 16) -> str:
    return hashlib.sha256(f"{r.stack}/{r.logical_id}".encode()).hexdigest()[:length]


def _load_balancer(r: Named) -> Attributes:
    full = f"app/{r.name}/{_stable_id(r)}"
    arn = r.arn("elasticloadbalancing", f"loadbalancer/{full}")
    return {
        "Ref": lambda: arn,
        "LoadBalancerArn": lambda: arn,
        "LoadBalancerFullName": lambda: full,
        "LoadBalancerName": lambda: r.name,
        "DNSName": lambda: f"{r.name}-{_stable_id(r, 10)}.{r.region}.elb.amazonaws.com",
    }


def _target_group(r: Named) -> Attributes:
    full = f"targetgroup/{r.name}/{_stable_id(r)}"
    arn = r.arn("elasticloadbalancing", full)
    return {
        "Ref": lambda: arn,
        "TargetGroupArn": lambda: arn,
        "TargetGroupFullName": lambda: full,
        "TargetGroupName": lambda: r.name,
    }


ATTRIBUTES["AWS::ElasticLoadBalancingV2::LoadBalancer"] = _load_balancer
ATTRIBUTES["AWS::ElasticLoadBalancingV2::TargetGroup"] = _target_group
ATTRIBUTES["AWS::EC2::Instance"] = lambda r: {"Ref": lambda: r.name, "InstanceId": lambda: r.name}
# SES identities and configuration sets: Ref is the name. CloudFormation has no Arn attribute
# for them; "Arn" here is the ARN IAM authorizes SendEmail on (the resource index needs it).
ATTRIBUTES["AWS::SES::EmailIdentity"] = _arn_and_name("ses", "identity/")
ATTRIBUTES["AWS::SES::ConfigurationSet"] = _arn_and_name("ses", "configuration-set/")
