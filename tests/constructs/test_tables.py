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
    MediaTable(
        stack,
        "Upgrading",
        encryption_key=key,
        removal_policy=destroy,
        deletion_protection=False,
        library_indexes=2,
    )


def _media(bare_templates: Templates, prefix: str = "Media") -> dict[str, Any]:
    tables = resources_of_type(bare_templates["TablesAlone"], "AWS::DynamoDB::Table")
    [media] = [t["Properties"] for lid, t in tables.items() if lid.startswith(prefix)]
    properties: dict[str, Any] = media
    return properties


def test_tables_alone(bare_templates: Templates) -> None:
    media = _media(bare_templates)
    assert media["DeletionProtectionEnabled"] is True
    assert [i["IndexName"] for i in media["GlobalSecondaryIndexes"]] == [
        "gsi1", "gsi2", "gsi3", "gsi4", "gsi5", "gsi6", "gsi7", "gsi8"
    ]  # fmt: skip
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
    assert projections == {
        "gsi1": "ALL",
        "gsi2": "ALL",
        "gsi3": "KEYS_ONLY",
        **dict.fromkeys(("gsi4", "gsi5", "gsi6", "gsi7", "gsi8"), "INCLUDE"),
    }
    [watch] = [i for i in media["GlobalSecondaryIndexes"] if i["IndexName"] == "gsi3"]
    assert [(k["AttributeName"], k["KeyType"]) for k in watch["KeySchema"]] == [
        ("gsi3pk", "HASH"),
        ("gsi3sk", "RANGE"),
    ]


def test_the_library_indexes_are_sparse_include_projections_sharing_gsi1_keys(
    bare_templates: Templates,
) -> None:
    from snapstream_constructs.tables import CARD_ATTRIBUTES

    media = _media(bare_templates)
    indexes = {i["IndexName"]: i for i in media["GlobalSecondaryIndexes"]}
    schema = {
        name: tuple(k["AttributeName"] for k in indexes[name]["KeySchema"])
        for name in ("gsi4", "gsi5", "gsi6", "gsi7", "gsi8")
    }
    assert schema == {
        "gsi4": ("gsi4pk", "gsi1sk"),
        "gsi5": ("gsi5pk", "gsi1sk"),
        "gsi6": ("gsi6pk", "gsi1sk"),
        "gsi7": ("gsi7pk", "gsi1sk"),
        "gsi8": ("gsi1pk", "gsi8sk"),
    }
    for name in schema:
        assert indexes[name]["Projection"]["NonKeyAttributes"] == list(CARD_ATTRIBUTES)
    defined = {a["AttributeName"] for a in media["AttributeDefinitions"]}
    assert {"gsi4pk", "gsi5pk", "gsi6pk", "gsi7pk", "gsi8sk"} <= defined


def test_an_existing_table_gains_the_library_indexes_one_deployment_at_a_time(
    bare_templates: Templates,
) -> None:
    import aws_cdk as cdk
    import pytest

    from snapstream_constructs import MediaTable

    upgrading = _media(bare_templates, "Upgrading")
    names = [i["IndexName"] for i in upgrading["GlobalSecondaryIndexes"]]
    assert names == ["gsi1", "gsi2", "gsi3", "gsi4", "gsi5"]
    stack = cdk.Stack(cdk.App(), "Refused")
    key = cdk.aws_kms.Key(stack, "Key")
    with pytest.raises(ValueError, match="from 0 to 5"):
        MediaTable(
            stack,
            "Table",
            encryption_key=key,
            removal_policy=cdk.RemovalPolicy.DESTROY,
            deletion_protection=False,
            library_indexes=6,
        )
