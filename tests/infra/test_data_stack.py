"""The stateful core of every environment carries every security default an auditor checks."""

from __future__ import annotations

from typing import Any

import pytest

from snapstream_constructs.tables import CARD_ATTRIBUTES, LIBRARY_INDEXES
from snapstream_runtime import listings
from stacks.config import ENVIRONMENTS
from tests.cdk_support import only_resource, resources_of_type

ENVS = list(ENVIRONMENTS)
Templates = dict[tuple[str, str], dict[str, Any]]


def _data(templates: Templates, env: str) -> dict[str, Any]:
    return templates[env, "Data"]


def _bucket(template: dict[str, Any], prefix: str) -> tuple[str, dict[str, Any]]:
    [(logical_id, bucket)] = [
        (lid, r)
        for lid, r in resources_of_type(template, "AWS::S3::Bucket").items()
        if lid.startswith(prefix)
    ]
    return logical_id, bucket


def _key_id(template: dict[str, Any]) -> str:
    [key_id] = resources_of_type(template, "AWS::KMS::Key")
    return key_id


@pytest.mark.parametrize("env", ENVS)
def test_key_rotates_yearly(templates: Templates, env: str) -> None:
    key = only_resource(_data(templates, env), "AWS::KMS::Key")
    assert key["Properties"]["EnableKeyRotation"] is True


@pytest.mark.parametrize("env", ENVS)
@pytest.mark.parametrize("prefix", ["Uploads", "Media"])
def test_data_buckets_are_kms_encrypted_private_versioned_and_logged(
    templates: Templates, env: str, prefix: str
) -> None:
    template = _data(templates, env)
    _, bucket = _bucket(template, prefix)
    props = bucket["Properties"]
    [rule] = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert rule["ServerSideEncryptionByDefault"]["KMSMasterKeyID"] == {
        "Fn::GetAtt": [_key_id(template), "Arn"]
    }
    assert rule["BucketKeyEnabled"] is True
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    logs_id, _ = _bucket(template, "AccessLogs")
    assert props["LoggingConfiguration"] == {
        "DestinationBucketName": {"Ref": logs_id},
        "LogFilePrefix": f"{prefix.lower()}/",
    }
    assert props["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]


@pytest.mark.parametrize("env", ENVS)
@pytest.mark.parametrize("prefix", ["Uploads", "Media", "AccessLogs"])
def test_every_bucket_denies_non_tls_requests(templates: Templates, env: str, prefix: str) -> None:
    template = _data(templates, env)
    bucket_id, _ = _bucket(template, prefix)
    [policy] = [
        p
        for p in resources_of_type(template, "AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": bucket_id}
    ]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    assert {
        "Action": "s3:*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Resource": [
            {"Fn::GetAtt": [bucket_id, "Arn"]},
            {"Fn::Join": ["", [{"Fn::GetAtt": [bucket_id, "Arn"]}, "/*"]]},
        ],
    } in statements


@pytest.mark.parametrize("env", ENVS)
def test_lifecycle_aborts_multipart_and_expires_noncurrent_versions(
    templates: Templates, env: str
) -> None:
    config = ENVIRONMENTS[env]
    for prefix in ("Uploads", "Media"):
        _, bucket = _bucket(_data(templates, env), prefix)
        rules = {r["Id"]: r for r in bucket["Properties"]["LifecycleConfiguration"]["Rules"]}
        main = rules["abort-incomplete-multipart-and-expire-noncurrent"]
        assert main["Status"] == "Enabled"
        assert main["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 2}
        assert main["NoncurrentVersionExpiration"] == {
            "NoncurrentDays": config.noncurrent_version_retention_days
        }
        assert rules["remove-expired-delete-markers"]["ExpiredObjectDeleteMarker"] is True


@pytest.mark.parametrize("env", ENVS)
def test_old_uploads_move_to_infrequent_access_as_configured(
    templates: Templates, env: str
) -> None:
    days = ENVIRONMENTS[env].uploads_infrequent_access_after_days
    _, uploads = _bucket(_data(templates, env), "Uploads")
    [rule] = [
        r
        for r in uploads["Properties"]["LifecycleConfiguration"]["Rules"]
        if r["Id"] == "abort-incomplete-multipart-and-expire-noncurrent"
    ]
    expected = [{"StorageClass": "STANDARD_IA", "TransitionInDays": days}] if days else None
    assert rule.get("Transitions") == expected


@pytest.mark.parametrize("env", ENVS)
def test_no_bucket_template_carries_cors_rules(templates: Templates, env: str) -> None:
    """The Web stack owns the uploads bucket's CORS rules (tests/infra/test_site_edge.py): a
    rule here would be undone by, and undo, every deployment of the other stack."""
    template = _data(templates, env)
    for prefix in ("Uploads", "Media", "AccessLogs"):
        assert "CorsConfiguration" not in _bucket(template, prefix)[1]["Properties"]


@pytest.mark.parametrize("env", ENVS)
def test_access_log_bucket_uses_sse_s3_and_expires_logs(templates: Templates, env: str) -> None:
    _, logs = _bucket(_data(templates, env), "AccessLogs")
    props = logs["Properties"]
    [rule] = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    assert props["PublicAccessBlockConfiguration"]["RestrictPublicBuckets"] is True
    [lifecycle] = props["LifecycleConfiguration"]["Rules"]
    assert lifecycle["ExpirationInDays"] == ENVIRONMENTS[env].access_log_retention_days


@pytest.mark.parametrize("env", ENVS)
def test_tables_are_kms_encrypted_with_point_in_time_recovery(
    templates: Templates, env: str
) -> None:
    template = _data(templates, env)
    tables = resources_of_type(template, "AWS::DynamoDB::Table")
    assert len(tables) == 1  # the media table: one table for every access pattern
    for table in tables.values():
        props = table["Properties"]
        assert props["SSESpecification"] == {
            "KMSMasterKeyId": {"Fn::GetAtt": [_key_id(template), "Arn"]},
            "SSEEnabled": True,
            "SSEType": "KMS",
        }
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert props["BillingMode"] == "PAY_PER_REQUEST"


def _keys(index: dict[str, Any]) -> tuple[str, str]:
    [(pk, hash_type), (sk, range_type)] = [
        (k["AttributeName"], k["KeyType"]) for k in index["KeySchema"]
    ]
    assert (hash_type, range_type) == ("HASH", "RANGE")
    return pk, sk


@pytest.mark.parametrize("env", ENVS)
def test_media_table_serves_the_access_patterns(templates: Templates, env: str) -> None:
    [media] = [
        t
        for lid, t in resources_of_type(_data(templates, env), "AWS::DynamoDB::Table").items()
        if lid.startswith("MediaTable")
    ]
    props = media["Properties"]
    assert props["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    indexes = {i["IndexName"]: i for i in props["GlobalSecondaryIndexes"]}
    assert [i["IndexName"] for i in props["GlobalSecondaryIndexes"]] == [
        "gsi1", "gsi2", "gsi3", *LIBRARY_INDEXES
    ]  # fmt: skip
    for name in ("gsi1", "gsi2", "gsi3"):
        assert _keys(indexes[name]) == (f"{name}pk", f"{name}sk")
        # gsi3, the stuck-media sweeper's, is read for keys only (tests/infra/test_stuck_media.py)
        projection = "KEYS_ONLY" if name == "gsi3" else "ALL"
        assert indexes[name]["Projection"] == {"ProjectionType": projection}
    # the library's filtered and by-name lists: keys as the runtime writes them, and a card's
    # attributes (one Query fills a page; the pipeline's step updates write no index)
    assert LIBRARY_INDEXES == listings.INDEXES
    for name, keys in LIBRARY_INDEXES.items():
        assert _keys(indexes[name]) == keys
        assert indexes[name]["Projection"] == {
            "ProjectionType": "INCLUDE",
            "NonKeyAttributes": list(CARD_ATTRIBUTES),
        }
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert bool(props.get("DeletionProtectionEnabled")) is ENVIRONMENTS[env].retain_data


@pytest.mark.parametrize("env", ENVS)
def test_topics_are_kms_encrypted_and_tls_only(templates: Templates, env: str) -> None:
    template = _data(templates, env)
    topics = resources_of_type(template, "AWS::SNS::Topic")
    assert len(topics) == 2
    policies = resources_of_type(template, "AWS::SNS::TopicPolicy").values()
    for topic_id, topic in topics.items():
        assert topic["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": [_key_id(template), "Arn"]}
        [policy] = [p for p in policies if {"Ref": topic_id} in p["Properties"]["Topics"]]
        [deny] = [
            s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Deny"
        ]
        assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


@pytest.mark.parametrize("env", ENVS)
def test_cloudwatch_may_publish_alarms_into_the_encrypted_topic(
    templates: Templates, env: str
) -> None:
    key = only_resource(_data(templates, env), "AWS::KMS::Key")
    [statement] = [
        s
        for s in key["Properties"]["KeyPolicy"]["Statement"]
        if s.get("Principal") == {"Service": "cloudwatch.amazonaws.com"}
    ]
    assert statement["Action"] == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    }


@pytest.mark.parametrize("env", ENVS)
def test_stateful_resources_are_retained_only_in_prod(templates: Templates, env: str) -> None:
    expected = "Retain" if ENVIRONMENTS[env].retain_data else "Delete"
    template = _data(templates, env)
    for resource_type in ("AWS::S3::Bucket", "AWS::DynamoDB::Table", "AWS::KMS::Key"):
        for logical_id, resource in resources_of_type(template, resource_type).items():
            assert resource["DeletionPolicy"] == expected, logical_id
            assert resource["UpdateReplacePolicy"] == expected, logical_id
