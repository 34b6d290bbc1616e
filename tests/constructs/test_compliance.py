from __future__ import annotations

from pathlib import Path

import pytest

from snapstream_constructs.compliance import Pack, acknowledgment_id


def test_acknowledgment_ids_are_prefixed_and_granular() -> None:
    assert (
        acknowledgment_id(Pack.AWS_SOLUTIONS, "IAM5", "Resource::<Bucket.Arn>/*")
        == "AwsSolutions::AwsSolutions-IAM5[Resource::<Bucket.Arn>/*]"
    )
    assert (
        acknowledgment_id(Pack.NIST_800_53_R5, "S3BucketReplicationEnabled")
        == "NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled"
    )


def test_an_acknowledgment_needs_a_real_reason() -> None:
    import aws_cdk as cdk

    from snapstream_constructs import acknowledge

    stack = cdk.Stack(cdk.App(), "S")
    with pytest.raises(ValueError, match="real reason"):
        acknowledge(stack, pack=Pack.AWS_SOLUTIONS, rule="S1", reason="because")


def test_an_acknowledgment_lands_only_on_the_resources_its_rule_reports_on() -> None:
    import aws_cdk as cdk
    from aws_cdk import aws_ec2 as ec2
    from aws_cdk import aws_iam as iam
    from aws_cdk import aws_sqs as sqs

    from snapstream_constructs.compliance import reported_on

    stack = cdk.Stack(cdk.App(), "S")
    queue = sqs.Queue(stack, "Queue", enforce_ssl=True)  # with a queue policy
    assert [c.node.path for c in reported_on(queue, Pack.SERVERLESS, "SQSRedrivePolicy")] == [
        "S/Queue/Resource"
    ]
    vpc = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=1)
    [subnet] = vpc.public_subnets
    # A public subnet holds its subnet, route table, association, EIP, NAT gateway and route:
    # only the route is what VPCNoUnrestrictedRouteToIGW checks.
    assert [
        c.node.path for c in reported_on(subnet, Pack.NIST_800_53_R5, "VPCNoUnrestrictedRouteToIGW")
    ] == ["S/Vpc/PublicSubnet1/DefaultRoute"]
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    role.add_to_policy(iam.PolicyStatement(actions=["s3:GetObject"], resources=["*"]))
    policy = role.node.find_child("DefaultPolicy")
    assert [c.node.path for c in reported_on(policy, Pack.AWS_SOLUTIONS, "IAM5")] == [
        "S/Role/DefaultPolicy/Resource"
    ]
    # The resource itself is taken as given (a role whose inline policies raise IAM5).
    cfn_role = role.node.default_child
    assert isinstance(cfn_role, iam.CfnRole)
    assert reported_on(cfn_role, Pack.AWS_SOLUTIONS, "IAM5") == [cfn_role]


def test_an_acknowledgment_where_its_rule_reports_on_nothing_is_refused() -> None:
    import aws_cdk as cdk
    from aws_cdk import aws_sns as sns

    from snapstream_constructs import acknowledge

    stack = cdk.Stack(cdk.App(), "S")
    topic = sns.Topic(stack, "Topic")
    with pytest.raises(ValueError, match="reports on AWS::SQS::Queue; S/Topic holds none"):
        acknowledge(topic, pack=Pack.AWS_SOLUTIONS, rule="SQS3", reason="a topic is not a queue")
    with pytest.raises(ValueError, match="no rule SQS99"):
        acknowledge(
            topic, pack=Pack.AWS_SOLUTIONS, rule="SQS99", reason="no such rule exists in the pack"
        )


def test_the_stale_gate_reports_an_acknowledgment_on_a_resource_its_rule_never_fires_on(
    tmp_path: Path,
) -> None:
    """cdk-nag's own API acknowledges on a construct and everything below it. A dead-letter
    queue acknowledged that way for SQSRedrivePolicy carries the acknowledgment on its queue
    policy too, where the rule never fires: the gate reports it there, although the same
    acknowledgment matches the queue's finding. :func:`acknowledge` puts it on the queue only."""
    import aws_cdk as cdk
    from aws_cdk import aws_sqs as sqs

    from snapstream_constructs import DataKey, acknowledge, register_compliance_packs
    from snapstream_constructs.compliance import acknowledgment_id
    from tests.cdk_support import new_app
    from tools.assembly import stale_acknowledgments

    reason = "It is the dead-letter queue: failed messages end here for an operator."

    def synthesize(outdir: Path, *, cascade: bool) -> Path:
        app = new_app(outdir)
        register_compliance_packs(app)
        stack = cdk.Stack(app, "Queues")
        key = DataKey(stack, "Key", description="k", removal_policy=cdk.RemovalPolicy.DESTROY).key
        # the dead-letter queue has a queue policy (TLS only), where no queue rule ever fires
        failures = sqs.Queue(stack, "Failures", encryption_master_key=key, enforce_ssl=True)
        sqs.Queue(
            stack,
            "Work",
            dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=3, queue=failures),
            encryption_master_key=key,
            enforce_ssl=True,
        )
        if cascade:
            cdk.Validations.of(failures).acknowledge(
                cdk.Acknowledgment(
                    id=acknowledgment_id(Pack.SERVERLESS, "SQSRedrivePolicy"), reason=reason
                )
            )
        else:
            acknowledge(failures, pack=Pack.SERVERLESS, rule="SQSRedrivePolicy", reason=reason)
        app.synth()
        return outdir

    assert stale_acknowledgments(synthesize(tmp_path / "placed", cascade=False)) == []
    assert stale_acknowledgments(synthesize(tmp_path / "cascaded", cascade=True)) == [
        ("Queues/Failures/Policy/Resource", "Serverless::Serverless-SQSRedrivePolicy")
    ]
