from __future__ import annotations

from typing import Any

from tests.cdk_support import resources_of_type


def test_tables_alone(bare_templates: dict[str, dict[str, Any]]) -> None:
    tables = resources_of_type(bare_templates["TablesAlone"], "AWS::DynamoDB::Table")
    [media] = [t["Properties"] for lid, t in tables.items() if lid.startswith("Media")]
    [idem] = [t["Properties"] for lid, t in tables.items() if lid.startswith("Idempotency")]
    assert media["DeletionProtectionEnabled"] is True
    assert [i["IndexName"] for i in media["GlobalSecondaryIndexes"]] == ["gsi1", "gsi2", "gsi3"]
    assert idem["TimeToLiveSpecification"]["AttributeName"] == "expiration"
    for table in (media, idem):
        assert table["SSESpecification"]["SSEType"] == "KMS"
        assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
