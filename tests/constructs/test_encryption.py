from __future__ import annotations

from typing import Any

from tests.cdk_support import only_resource


def test_data_key_alone_rotates_and_keeps_a_deletion_window(
    bare_templates: dict[str, dict[str, Any]],
) -> None:
    key = only_resource(bare_templates["KeyAlone"], "AWS::KMS::Key")
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["Properties"]["PendingWindowInDays"] == 30
    assert key["DeletionPolicy"] == "Delete"
