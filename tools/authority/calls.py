"""What IAM checks for each recorded call: its actions, resource ARNs and request context.

One API call can need several authorizations: a transaction is authorized per item, S3 reads
and writes of KMS-encrypted objects need the key too, a ``Role`` parameter needs
``iam:PassRole``, and services that read S3 on the caller's behalf (Rekognition, Transcribe)
need the caller's ``s3:GetObject``. Anything this module does not know raises
:class:`Unmapped`, so a new kind of call is never waved through.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator, Mapping
from email.utils import parseaddr
from typing import Any

from tools.authority import Principal, Request, RolePrincipal, sar
from tools.authority.model import ContextValue
from tools.authority.recorder import Call
from tools.authority.resources import Found, ResourceIndex, UnknownResource

Mapper = Callable[[Call, RolePrincipal, ResourceIndex], Iterator[Request]]
_MAPPERS: dict[tuple[str, str], Mapper] = {}


class Unmapped(LookupError):
    """A recorded call this module cannot translate into IAM requests."""


def requests_for(call: Call, principal: RolePrincipal, index: ResourceIndex) -> list[Request]:
    """The call's requests; an action with no resource-level permissions is authorized on "*"
    whatever it acts on, as IAM does (so a policy naming ARNs for it matches nothing)."""
    mapper = _MAPPERS.get((call.service, call.operation))
    if mapper is None:
        raise Unmapped(f"no IAM mapping for {call.service}:{call.operation}")
    requests = [
        r if sar.supports_resource_level(r.action) else dataclasses.replace(r, resource="*")
        for r in mapper(call, principal, index)
    ]
    return requests + list(_table_keys(requests, principal, index))


def _table_keys(
    requests: list[Request], principal: RolePrincipal, index: ResourceIndex
) -> Iterator[Request]:
    """A table encrypted with a customer managed key needs the caller's kms:Decrypt through
    DynamoDB (which decrypts the table key with the caller's authority)."""
    tables = {r.resource.split("/index/")[0] for r in requests if r.action.startswith("dynamodb:")}
    for arn in sorted(tables):
        key_arn = index.key_arn(index.lookup(arn, "AWS::DynamoDB::Table"))
        if key_arn is not None:
            via = {"kms:ViaService": f"dynamodb.{index.env.region}.amazonaws.com"}
            yield Request(principal, "kms:Decrypt", key_arn, via)


def _maps(service: str, *operations: str) -> Callable[[Mapper], Mapper]:
    def register(mapper: Mapper) -> Mapper:
        for operation in operations:
            _MAPPERS[service, operation] = mapper
        return mapper

    return register


def _s3_via(index: ResourceIndex) -> dict[str, str]:
    return {"kms:ViaService": f"s3.{index.env.region}.amazonaws.com"}


# -- DynamoDB ---------------------------------------------------------------------------------


def _value(attribute: dict[str, Any]) -> str:
    [(_, value)] = attribute.items()
    return str(value)


def _partition(item_key: dict[str, Any], hash_key: str) -> str:
    return _value(item_key[hash_key])


def _table(index: ResourceIndex, name: str) -> Any:
    return index.lookup(name, "AWS::DynamoDB::Table")


def _item(principal: RolePrincipal, action: str, table: Any, keys: list[str]) -> Request:
    return Request(principal, action, table.arn, {"dynamodb:LeadingKeys": keys})


@_maps("dynamodb", "GetItem", "PutItem", "UpdateItem", "DeleteItem")
def _single_item(call: Call, principal: RolePrincipal, index: ResourceIndex) -> Iterator[Request]:
    table = _table(index, call.params["TableName"])
    key = call.params.get("Key") or call.params["Item"]
    leading = _partition(key, index.hash_key(table, None))
    yield _item(principal, f"dynamodb:{call.operation}", table, [leading])


_EQUALS = re.compile(r"([#\w]+)\s*=\s*(:\w+)")


@_maps("dynamodb", "Query")
def _query(call: Call, principal: RolePrincipal, index: ResourceIndex) -> Iterator[Request]:
    params = call.params
    table = _table(index, params["TableName"])
    hash_key = index.hash_key(table, params.get("IndexName"))
    names = params.get("ExpressionAttributeNames", {})
    values = params.get("ExpressionAttributeValues", {})
    leading = [
        _value(values[placeholder])
        for name, placeholder in _EQUALS.findall(params["KeyConditionExpression"])
        if names.get(name, name) == hash_key
    ]
    if len(leading) != 1:
        raise Unmapped(f"no partition key equality in {params['KeyConditionExpression']!r}")
    arn = table.arn + (f"/index/{params['IndexName']}" if params.get("IndexName") else "")
    yield Request(principal, "dynamodb:Query", arn, {"dynamodb:LeadingKeys": leading})


@_maps("dynamodb", "BatchGetItem", "BatchWriteItem")
def _batch(call: Call, principal: RolePrincipal, index: ResourceIndex) -> Iterator[Request]:
    for name, entries in call.params["RequestItems"].items():
        table = _table(index, name)
        hash_key = index.hash_key(table, None)
        if call.operation == "BatchGetItem":
            keys = entries["Keys"]
        else:
            keys = [
                (e.get("PutRequest") or {}).get("Item") or e["DeleteRequest"]["Key"]
                for e in entries
            ]
        leading = sorted({_partition(k, hash_key) for k in keys})
        yield _item(principal, f"dynamodb:{call.operation}", table, leading)


_TRANSACT_ACTIONS = {
    "Put": "dynamodb:PutItem",
    "Update": "dynamodb:UpdateItem",
    "Delete": "dynamodb:DeleteItem",
    "ConditionCheck": "dynamodb:ConditionCheckItem",
    "Get": "dynamodb:GetItem",
}


@_maps("dynamodb", "TransactWriteItems", "TransactGetItems")
def _transaction(call: Call, principal: RolePrincipal, index: ResourceIndex) -> Iterator[Request]:
    """IAM authorizes a transaction item by item, each with its own action."""
    for entry in call.params["TransactItems"]:
        [(kind, item)] = entry.items()
        table = _table(index, item["TableName"])
        key = item.get("Key") or item["Item"]
        leading = _partition(key, index.hash_key(table, None))
        yield _item(principal, _TRANSACT_ACTIONS[kind], table, [leading])


# -- S3 ---------------------------------------------------------------------------------------


def _object(
    index: ResourceIndex, principal: RolePrincipal, action: str, bucket: str, key: str
) -> Iterator[Request]:
    found = index.lookup(bucket, "AWS::S3::Bucket")
    yield Request(principal, action, f"{found.arn}/{key}")
    key_arn = index.key_arn(found)
    if key_arn is None:
        return
    reading = action.startswith("s3:Get")
    kms_action = "kms:Decrypt" if reading else "kms:GenerateDataKey"
    yield Request(principal, kms_action, key_arn, _s3_via(index))


@_maps("s3", "GetObject", "presigned:GetObject")
def _get_object(call: Call, principal: RolePrincipal, index: ResourceIndex) -> Iterator[Request]:
    action = "s3:GetObjectVersion" if call.params.get("VersionId") else "s3:GetObject"
    yield from _object(index, principal, action, call.params["Bucket"], call.params["Key"])


@_maps("s3", "HeadObject")
def _head_object(call: Call, principal: RolePrincipal, index: ResourceIndex) -> Iterator[Request]:
    """HEAD needs read permission on the object, not the key (no data is decrypted)."""
    found = index.lookup(call.params["Bucket"], "AWS::S3::Bucket")
    action = "s3:GetObjectVersion" if call.params.get("VersionId") else "s3:GetObject"
    yield Request(principal, action, f"{found.arn}/{call.params['Key']}")


@_maps("s3", "PutObject", "presigned:PostObject", "CreateMultipartUpload")
def _put_object(call: Call, principal: RolePrincipal, index: ResourceIndex) -> Iterator[Request]:
    yield from _object(index, principal, "s3:PutObject", call.params["Bucket"], call.params["Key"])


@_maps("s3", "DeleteObject")
def _delete_object(call: Call, principal: RolePrincipal, index: ResourceIndex) -> Iterator[Request]:
    found = index.lookup(call.params["Bucket"], "AWS::S3::Bucket")
    action = "s3:DeleteObjectVersion" if call.params.get("VersionId") else "s3:DeleteObject"
    yield Request(principal, action, f"{found.arn}/{call.params['Key']}")


@_maps("s3", "DeleteObjects")
def _delete_objects(
    call: Call, principal: RolePrincipal, index: ResourceIndex
) -> Iterator[Request]:
    found = index.lookup(call.params["Bucket"], "AWS::S3::Bucket")
    for entry in call.params["Delete"]["Objects"]:
        action = "s3:DeleteObjectVersion" if entry.get("VersionId") else "s3:DeleteObject"
        yield Request(principal, action, f"{found.arn}/{entry['Key']}")


@_maps("s3", "ListObjectVersions", "ListObjectsV2", "ListObjects")
def _list(call: Call, principal: RolePrincipal, index: ResourceIndex) -> Iterator[Request]:
    found = index.lookup(call.params["Bucket"], "AWS::S3::Bucket")
    action = "s3:ListBucketVersions" if call.operation == "ListObjectVersions" else "s3:ListBucket"
    yield Request(principal, action, found.arn, {"s3:prefix": call.params.get("Prefix", "")})


@_maps("s3", "PutBucketCors", "DeleteBucketCors")
def _bucket_cors(call: Call, principal: RolePrincipal, index: ResourceIndex) -> Iterator[Request]:
    """Setting and deleting a bucket's CORS rules both need s3:PutBucketCORS (Service
    Authorization Reference: DeleteBucketCors has no action of its own)."""
    found = index.lookup(call.params["Bucket"], "AWS::S3::Bucket")
    yield Request(principal, "s3:PutBucketCORS", found.arn)


@_maps("ec2", "DescribeSecurityGroups")
def _describe_security_groups(
    call: Call, principal: RolePrincipal, index: ResourceIndex
) -> Iterator[Request]:
    """No resource-level permissions (Service Authorization Reference): the request names "*"."""
    yield Request(principal, "ec2:DescribeSecurityGroups", "*")


# -- messaging --------------------------------------------------------------------------------


def encrypted_send(
    index: ResourceIndex,
    principal: Principal,
    found: Found,
    action: str,
    service: str,
    *,
    context: Mapping[str, str] | None = None,
) -> Iterator[Request]:
    """``action`` on a queue or topic, and, when a customer managed key encrypts it, the
    sender's ``kms:GenerateDataKey`` and ``kms:Decrypt`` through ``service``."""
    context = dict(context or {})
    yield Request(principal, action, found.arn, context)
    key_arn = index.key_arn(found)
    if key_arn is not None:
        via = {**context, "kms:ViaService": f"{service}.{index.env.region}.amazonaws.com"}
        yield Request(principal, "kms:GenerateDataKey", key_arn, via)
        yield Request(principal, "kms:Decrypt", key_arn, via)


@_maps("sns", "Publish")
def _publish(call: Call, principal: RolePrincipal, index: ResourceIndex) -> Iterator[Request]:
    found = index.lookup(call.params["TopicArn"], "AWS::SNS::Topic")
    yield from encrypted_send(index, principal, found, "sns:Publish", "sns")


@_maps("sns", "Subscribe")
def _subscribe(call: Call, principal: RolePrincipal, index: ResourceIndex) -> Iterator[Request]:
    found = index.lookup(call.params["TopicArn"], "AWS::SNS::Topic")
    context = {"sns:Protocol": call.params["Protocol"], "sns:Endpoint": call.params["Endpoint"]}
    yield Request(principal, "sns:Subscribe", found.arn, context)


@_maps("sns", "Unsubscribe")
def _unsubscribe(call: Call, principal: RolePrincipal, index: ResourceIndex) -> Iterator[Request]:
    yield Request(principal, "sns:Unsubscribe", "*")


@_maps("sqs", "SendMessage", "SendMessageBatch")
def _send(call: Call, principal: RolePrincipal, index: ResourceIndex) -> Iterator[Request]:
    found = index.lookup(call.params["QueueUrl"], "AWS::SQS::Queue")
    yield from encrypted_send(index, principal, found, "sqs:SendMessage", "sqs")


@_maps("events", "PutEvents")
def _put_events(call: Call, principal: RolePrincipal, index: ResourceIndex) -> Iterator[Request]:
    for entry in call.params["Entries"]:
        found = index.lookup(entry.get("EventBusName", "default"), "AWS::Events::EventBus")
        context = {"events:source": entry["Source"], "events:detail-type": entry["DetailType"]}
        yield Request(principal, "events:PutEvents", found.arn, context)


# -- e-mail ------------------------------------------------------------------------------------


def _sending_identity(index: ResourceIndex, address: str) -> Found:
    """The SES identity a From address sends through: the address's own identity, else its
    domain's (as SES chooses)."""
    for candidate in (address, address.rpartition("@")[2]):
        try:
            return index.lookup(candidate, "AWS::SES::EmailIdentity")
        except UnknownResource:
            continue
    raise UnknownResource(f"no SES identity of this environment sends as {address!r}")


@_maps("sesv2", "SendEmail")
def _send_email(call: Call, principal: RolePrincipal, index: ResourceIndex) -> Iterator[Request]:
    """IAM authorizes ses:SendEmail on the identity and, when one is named, on the
    configuration set, each with the message's From address and recipients."""
    params = call.params
    display_name, address = parseaddr(params["FromEmailAddress"])
    destination = params.get("Destination", {})
    recipients = [
        parseaddr(a)[1].lower()
        for field in ("ToAddresses", "CcAddresses", "BccAddresses")
        for a in destination.get(field, [])
    ]
    context: dict[str, ContextValue] = {
        "ses:ApiVersion": "2",
        "ses:FromAddress": address,
        "ses:Recipients": recipients,
        **({"ses:FromDisplayName": display_name} if display_name else {}),
    }
    yield Request(principal, "ses:SendEmail", _sending_identity(index, address).arn, context)
    if params.get("ConfigurationSetName"):
        found = index.lookup(params["ConfigurationSetName"], "AWS::SES::ConfigurationSet")
        yield Request(principal, "ses:SendEmail", found.arn, context)


#: what Secrets Manager does with the secret's key for the caller: encrypt a new value with a
#: data key, or decrypt the stored one
_SECRET_KEY_ACTIONS = {"PutSecretValue": "kms:GenerateDataKey", "GetSecretValue": "kms:Decrypt"}


@_maps("secretsmanager", *_SECRET_KEY_ACTIONS)
def _secret(call: Call, principal: RolePrincipal, index: ResourceIndex) -> Iterator[Request]:
    found = index.lookup(call.params["SecretId"], "AWS::SecretsManager::Secret")
    yield Request(principal, f"secretsmanager:{call.operation}", found.arn)
    key_arn = index.key_arn(found)
    if key_arn is not None:
        via = {"kms:ViaService": f"secretsmanager.{index.env.region}.amazonaws.com"}
        yield Request(principal, _SECRET_KEY_ACTIONS[call.operation], key_arn, via)
