"""MediaTable alone: KMS, point-in-time recovery, deletion protection, its indexes and TTL."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.cdk_support import resources_of_type
from tests.constructs.bare_stacks import Templates, bare_stack

if TYPE_CHECKING:
    import aws_cdk as cdk


@bare_stack("TablesAlone")
def _tables_alone(stack: cdk.Stack) -> None:
    import aws_cdk as cdk

    from snapstream_constructs import DataKey, MediaTable

    destroy = cdk.RemovalPolicy.DESTROY
    key = DataKey(stack, "Key", description="k", removal_policy=destroy).key
    MediaTable(stack, "Media", encryption_key=key, removal_policy=destroy, deletion_protection=True)


def _media(bare_templates: Templates) -> dict[str, Any]:
    tables = resources_of_type(bare_templates["TablesAlone"], "AWS::DynamoDB::Table")
    [media] = [t["Properties"] for lid, t in tables.items() if lid.startswith("Media")]
    properties: dict[str, Any] = media
    return properties


def test_tables_alone(bare_templates: Templates) -> None:
    media = _media(bare_templates)
    assert media["DeletionProtectionEnabled"] is True
    assert [i["IndexName"] for i in media["GlobalSecondaryIndexes"]] == ["gsi1", "gsi2", "gsi3"]
    assert media["SSESpecification"]["SSEType"] == "KMS"
    assert media["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True


def test_media_table_expires_items_and_keeps_the_sweepers_index_keys_only(
    bare_templates: Templates,
) -> None:
    media = _media(bare_templates)
    assert media["BillingMode"] == "PAY_PER_REQUEST"
    assert media["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    projections = {
        i["IndexName"]: i["Projection"]["ProjectionType"] for i in media["GlobalSecondaryIndexes"]
    }
    assert projections == {"gsi1": "ALL", "gsi2": "ALL", "gsi3": "KEYS_ONLY"}
    [watch] = [i for i in media["GlobalSecondaryIndexes"] if i["IndexName"] == "gsi3"]
    assert [(k["AttributeName"], k["KeyType"]) for k in watch["KeySchema"]] == [
        ("gsi3pk", "HASH"),
        ("gsi3sk", "RANGE"),
    ]
