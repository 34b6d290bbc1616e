"""Compliance gates: the cdk-nag 3 packs and granular, recorded acknowledgments.

cdk-nag 3 runs on CDK's policy-validation framework. An acknowledgment only takes effect when its
id is *prefixed* with the pack name and names the granular finding, e.g.
``AwsSolutions::AwsSolutions-IAM5[Resource::<Bucket.Arn>/*]``; anything else is silently ignored.
:func:`acknowledge` builds that id, so callers name pack, rule and finding separately, and places
it on the CloudFormation resource(s) the rule reports on, never on a whole construct: CDK applies
an acknowledgment to everything below the construct that carries it, and writes it into every one
of those resources' template ``Metadata``, so one on a queue would also sit on its queue policy,
where no queue rule ever fires. CDK records each acknowledgment (``aws:cdk:acknowledged-rules``)
in the assembly's metadata and each finding it matched in ``validation-report.json``, so a test
can prove that none is stale on any resource it covers (``tools.assembly.stale_acknowledgments``).
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

import aws_cdk as cdk
from cdk_nag import (
    AwsSolutionsChecks,
    NIST80053R5Checks,
    ServerlessChecks,
    WriteNagSuppressionsToCloudFormationAspect,
)
from constructs import IConstruct

from snapstream_constructs.nag_rule_types import REPORTED_ON


class Pack(StrEnum):
    """The cdk-nag packs SnapStream is held to, by the name each reports under."""

    AWS_SOLUTIONS = "AwsSolutions"
    NIST_800_53_R5 = "NIST.800.53.R5"
    SERVERLESS = "Serverless"


def register_compliance_packs(app: cdk.App) -> None:
    """Run every pack on every synth of ``app``: any unacknowledged finding fails the synth.

    Acknowledged reasons are written into the templates (``Metadata.cdk_nag``) for stacks directly
    under ``app``; stacks inside a ``cdk.Stage`` need :func:`write_acknowledgments_to_templates`
    on the stage, because the app's aspects do not reach into stages.
    """
    cdk.Validations.of(app).add_plugins(
        AwsSolutionsChecks(app, write_suppressions_to_cloud_formation=True),
        NIST80053R5Checks(app),
        ServerlessChecks(app),
    )


def write_acknowledgments_to_templates(stage: cdk.Stage) -> None:
    """Write every acknowledgment (id and reason) into its resource's template ``Metadata``."""
    cdk.Aspects.of(stage).add(WriteNagSuppressionsToCloudFormationAspect())


def acknowledgment_id(pack: Pack, rule: str, finding: str | None = None) -> str:
    """The id cdk-nag 3 matches: ``<pack>::<pack-prefix>-<rule>[<finding>]``."""
    qualified = f"{pack.value}::{pack.value}-{rule}"
    return f"{qualified}[{finding}]" if finding else qualified


def acknowledge_rotation_by_redeploy(secret: IConstruct, *, reason: str) -> None:
    """A secret rotated by a documented redeploy (CloudFront must change in the same deployment),
    not by a Secrets Manager rotation function: both packs' rotation rules, one reason."""
    for pack, rule in (
        (Pack.AWS_SOLUTIONS, "SMG4"),
        (Pack.NIST_800_53_R5, "SecretsManagerRotationEnabled"),
    ):
        acknowledge(secret, pack=pack, rule=rule, reason=reason)


def resource_finding(scope: IConstruct, resource: str) -> str:
    """The ``Resource::...`` finding cdk-nag's IAM5 reports for ``resource`` (an ARN, tokens
    allowed), rendered the way cdk-nag flattens CloudFormation references."""
    return f"Resource::{_flatten(cdk.Stack.of(scope).resolve(resource))}"


def _flatten(node: Any) -> str:
    if isinstance(node, str):
        return node.replace("${", "<").replace("}", ">")
    if isinstance(node, dict) and len(node) == 1:
        ((function, argument),) = node.items()
        if function == "Fn::Join":
            delimiter, parts = argument
            return str(delimiter).join(_flatten(part) for part in parts)
        if function == "Fn::Sub":
            return _flatten(argument)
        if function == "Fn::GetAtt":
            return f"<{_flatten(argument[0])}.{_flatten(argument[1])}>"
        if function == "Fn::ImportValue":
            return _flatten(argument)
        if function == "Ref":
            return f"<{_flatten(argument)}>"
    return json.dumps(node, separators=(",", ":"))


def acknowledge(
    scope: IConstruct,
    *,
    pack: Pack,
    rule: str,
    reason: str,
    findings: Sequence[str] = (),
) -> None:
    """Acknowledge one rule where it reports, with a reason an auditor can read.

    ``scope`` is the resource or the construct holding it: the acknowledgment is placed on each
    CloudFormation resource below ``scope`` of a type the rule reports findings on
    (:data:`~snapstream_constructs.nag_rule_types.REPORTED_ON`, read from cdk-nag), e.g. only the
    ``AWS::SQS::Queue`` of a queue construct, not its queue policy; only the ``AWS::EC2::Route``
    of a public subnet. A CloudFormation resource passed as ``scope`` is taken as it is (a role
    whose inline policies raise IAM5). ``findings`` lists the granular findings for rules that
    report them (IAM5's resources and actions); pass none for rules that report the resource as a
    whole.
    """
    if len(reason.strip()) < 20:
        raise ValueError(f"acknowledging {rule} on {scope.node.path} needs a real reason")
    for target in reported_on(scope, pack, rule):
        validations = _validations_of(target)
        for finding in findings or (None,):
            ack_id = acknowledgment_id(pack, rule, finding)
            validations.acknowledge(cdk.Acknowledgment(id=ack_id, reason=reason))


def reported_on(scope: IConstruct, pack: Pack, rule: str) -> list[IConstruct]:
    """The resources at or below ``scope`` where ``pack``'s ``rule`` reports its findings.

    Raises ValueError when there is none (a construct the rule never checks, or an
    acknowledgment made before its resource exists): such an acknowledgment would match nothing.
    """
    if isinstance(scope, cdk.CfnResource):
        return [scope]
    types = REPORTED_ON.get(f"{pack.value}-{rule}")
    if types is None:
        raise ValueError(f"{pack.value} has no rule {rule} (cdk-nag: see nag_rule_types.py)")
    found: list[IConstruct] = [
        construct
        for construct in scope.node.find_all()
        if isinstance(construct, cdk.CfnResource) and construct.cfn_resource_type in types
    ]
    if not found:
        raise ValueError(
            f"{pack.value}-{rule} reports on {', '.join(types)}; {scope.node.path} holds none"
        )
    return found


#: ``Validations.of(scope)`` per scope: each lookup is a jsii round trip, and constructs collect
#: several acknowledgments (synthesis time is a benchmarked target).
_VALIDATIONS: weakref.WeakKeyDictionary[IConstruct, cdk.Validations] = weakref.WeakKeyDictionary()


def _validations_of(scope: IConstruct) -> cdk.Validations:
    found = _VALIDATIONS.get(scope)
    if found is None:
        found = _VALIDATIONS[scope] = cdk.Validations.of(scope)
    return found
