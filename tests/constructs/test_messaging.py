from __future__ import annotations

from typing import Any

from tests.cdk_support import only_resource


def test_secure_topic_alone(bare_templates: dict[str, dict[str, Any]]) -> None:
    template = bare_templates["TopicAlone"]
    topic = only_resource(template, "AWS::SNS::Topic")
    assert "KmsMasterKeyId" in topic["Properties"]
    policy = only_resource(template, "AWS::SNS::TopicPolicy")
    [statement] = policy["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
