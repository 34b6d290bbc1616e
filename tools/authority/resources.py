"""Physical names met in recorded calls, traced back to the environment's resources.

A call names a bucket, table, queue URL, topic ARN or secret; IAM decides on ARNs and, for
encrypted resources, on the KMS key behind them. This index answers both from the templates.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tools.authority import Environment, RolePrincipal

_NAMED_TYPES = (
    "AWS::S3::Bucket",
    "AWS::DynamoDB::Table",
    "AWS::SQS::Queue",
    "AWS::SNS::Topic",
    "AWS::Events::EventBus",
    "AWS::SecretsManager::Secret",
    "AWS::IAM::Role",
    "AWS::KMS::Key",
    "AWS::SES::EmailIdentity",
    "AWS::SES::ConfigurationSet",
)
_SECRET_SUFFIX = re.compile(r"-[A-Za-z0-9]{6}$")
_REF_IS_ARN = {"AWS::SecretsManager::Secret", "AWS::SNS::Topic"}
#: where each type names its KMS key
_KEY_PROPERTY = {
    "AWS::SQS::Queue": "KmsMasterKeyId",
    "AWS::SNS::Topic": "KmsMasterKeyId",
    "AWS::SecretsManager::Secret": "KmsKeyId",
}


class UnknownResource(LookupError):
    """A call names something the environment does not define (a test's made-up value?)."""


@dataclass(frozen=True)
class Found:
    stack: str
    logical_id: str
    resource_type: str
    arn: str
    properties: Mapping[str, Any]


class ResourceIndex:
    def __init__(self, env: Environment, templates: Mapping[str, Mapping[str, Any]]) -> None:
        self.env, self.templates = env, templates
        self._by_name: dict[str, Found] = {}
        self._handlers: dict[str, tuple[str, str]] = {}
        for stack, template in templates.items():
            for logical_id, resource in template["Resources"].items():
                kind = resource["Type"]
                properties = resource.get("Properties", {})
                if kind == "AWS::Lambda::Function" and str(
                    properties.get("Handler", "")
                ).startswith("snapstream_runtime.handlers."):
                    module = str(properties["Handler"]).rsplit(".", 1)[0]
                    self._handlers[module] = (stack, logical_id)
                if kind not in _NAMED_TYPES:
                    continue
                arn = (
                    str(env.resolve({"Ref": logical_id}, stack))  # a secret's Ref is its ARN
                    if kind in _REF_IS_ARN
                    else env.arn(stack, logical_id)
                )
                found = Found(stack, logical_id, kind, arn, properties)
                for alias in {env.name(stack, logical_id), found.arn}:
                    self._by_name[alias] = found

    # -- principals -------------------------------------------------------------------------

    def principal_of(self, actor: str) -> RolePrincipal:
        """The role a recorded actor runs as: a handler's function role, or the site's role."""
        if actor == "site":
            return self.env.role(
                "Web", self.env.find("Web", "HostingInstanceRole", "AWS::IAM::Role")
            )
        if actor not in self._handlers:
            raise UnknownResource(f"no function of this environment runs {actor}.handler")
        return self.env.function_role(*self._handlers[actor])

    def function_of(self, actor: str) -> tuple[str, str]:
        return self._handlers[actor]

    # -- resources --------------------------------------------------------------------------

    def lookup(self, name_or_arn: str, resource_type: str) -> Found:
        found = self._by_name.get(name_or_arn)
        if found is None and resource_type == "AWS::SQS::Queue":
            found = self._by_name.get(name_or_arn.rstrip("/").rsplit("/", 1)[-1])
        if found is None and resource_type == "AWS::SecretsManager::Secret":
            # arn:...:secret:<name>-<6 random characters Secrets Manager appends>
            name = _SECRET_SUFFIX.sub("", name_or_arn.rsplit(":", 1)[-1])
            found = self._by_name.get(name) or self._by_name.get(name_or_arn.rsplit(":", 1)[-1])
        if found is None or found.resource_type != resource_type:
            raise UnknownResource(f"{resource_type} {name_or_arn!r} is not in this environment")
        return found

    def key_arn(self, found: Found) -> str | None:
        """The customer managed KMS key that encrypts ``found`` (None: none, or AWS owned)."""
        if found.resource_type == "AWS::S3::Bucket":
            rules = found.properties.get("BucketEncryption", {}).get(
                "ServerSideEncryptionConfiguration", []
            )
            value = next(
                (
                    r["ServerSideEncryptionByDefault"].get("KMSMasterKeyID")
                    for r in rules
                    if r["ServerSideEncryptionByDefault"].get("SSEAlgorithm") == "aws:kms"
                ),
                None,
            )
        elif found.resource_type == "AWS::DynamoDB::Table":
            value = found.properties.get("SSESpecification", {}).get("KMSMasterKeyId")
        else:
            value = found.properties.get(_KEY_PROPERTY.get(found.resource_type, ""))
        if value is None:
            return None
        return self.key(str(self.env.resolve(value, found.stack)))

    def key(self, key_id_or_arn: str) -> str:
        """A key's ARN from its id, ARN or the environment's name for it."""
        from tools.local.aws import KEY_LOGICAL_IDS  # keys moto created for the tests

        found = self._by_name.get(key_id_or_arn)
        if key_id_or_arn in KEY_LOGICAL_IDS:
            found = self._by_name.get(self.env.name("Data", KEY_LOGICAL_IDS[key_id_or_arn]))
        if found is not None and found.resource_type == "AWS::KMS::Key":
            return found.arn
        raise UnknownResource(f"KMS key {key_id_or_arn!r} is not in this environment")

    def hash_key(self, table: Found, index: str | None) -> str:
        schemas = [table.properties["KeySchema"]]
        if index:
            schemas = [
                i["KeySchema"]
                for i in table.properties.get("GlobalSecondaryIndexes", [])
                if i["IndexName"] == index
            ]
        if not schemas:
            raise UnknownResource(f"{table.logical_id} has no index {index!r}")
        return str(next(k["AttributeName"] for k in schemas[0] if k["KeyType"] == "HASH"))
