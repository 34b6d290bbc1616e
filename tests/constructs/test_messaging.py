"""SecureTopic alone: KMS-encrypted, TLS only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.cdk_support import only_resource
from tests.constructs.bare_stacks import Templates, bare_stack

if TYPE_CHECKING:
    import aws_cdk as cdk


@bare_stack("TopicAlone")
def _topic_alone(stack: cdk.Stack) -> None:
    import aws_cdk as cdk

    from snapstream_constructs import DataKey, SecureTopic

    key = DataKey(stack, "Key", description="k", removal_policy=cdk.RemovalPolicy.DESTROY).key
    SecureTopic(stack, "Topic", encryption_key=key, display_name="alone")


def test_secure_topic_alone(bare_templates: Templates) -> None:
    template = bare_templates["TopicAlone"]
    topic = only_resource(template, "AWS::SNS::Topic")
    assert "KmsMasterKeyId" in topic["Properties"]
    policy = only_resource(template, "AWS::SNS::TopicPolicy")
    [statement] = policy["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
