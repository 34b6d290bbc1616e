"""service_role: a role only its service may assume, only for this account, holding one policy."""

from __future__ import annotations


def test_only_the_service_acting_for_this_account_may_assume_the_role() -> None:
    import aws_cdk as cdk
    from aws_cdk import aws_iam as iam

    from snapstream_constructs import service_role

    stack = cdk.Stack(cdk.App(), "S")
    policy = iam.ManagedPolicy(
        stack, "Policy", statements=[iam.PolicyStatement(actions=["s3:GetObject"], resources=["*"])]
    )
    role = service_role(
        stack,
        "Role",
        service="mediapackage.amazonaws.com",
        description="packaging",
        policy=policy,
        role_name="team-packaging",
    )
    cfn_role = role.node.default_child
    assert isinstance(cfn_role, iam.CfnRole)
    assert (cfn_role.role_name, cfn_role.description) == ("team-packaging", "packaging")
    [trust] = stack.resolve(cfn_role.assume_role_policy_document)["Statement"]
    assert trust["Principal"] == {"Service": "mediapackage.amazonaws.com"}
    assert trust["Action"] == "sts:AssumeRole"
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    assert stack.resolve(cfn_role.managed_policy_arns) == [stack.resolve(policy.managed_policy_arn)]
