"""cdk-nag acknowledgments for the roles and projects CDK Pipelines generates.

Everything that props can fix is fixed in :mod:`stacks.delivery_pipeline` (artifact bucket and key,
CodeBuild encryption, no Docker, no privileged mode). What remains is in the roles CDK Pipelines
writes itself; each finding is acknowledged where it is raised: on the one project, or on the
DefaultPolicy of the one role (IAM findings are raised on the policy, never on the role itself).
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import pipelines
from constructs import IConstruct

from snapstream_constructs import Pack, acknowledge, resource_finding

_INLINE_POLICY = (
    "CDK Pipelines generates this single-purpose role for one pipeline action or CodeBuild "
    "project together with its policy (the role's DefaultPolicy); a customer-managed policy would "
    "be attached to this one role only, so it adds no reuse or central control, and every change "
    "to it shows in the SnapStream-Delivery template and its cdk diff."
)
_ARTIFACTS = (
    "CodePipeline's grant on its own artifact bucket: artifact object keys are generated per "
    "pipeline execution, so the role may use the objects of this one KMS-encrypted, TLS-only, "
    "versioned bucket; the wildcard actions are the grant's read (and, for the stages that "
    "produce artifacts, write) action groups, limited to that bucket."
)
_ARTIFACT_KEY = (
    "Encrypt/decrypt grant on the pipeline's own artifact key (the resource is that key's ARN): "
    "kms:GenerateDataKey* and kms:ReEncrypt* are the data-key and re-encrypt variants S3 needs "
    "to write and read the SSE-KMS pipeline artifacts."
)
_PROJECT_LOGS = (
    "CodeBuild writes this project's logs as one log stream per build inside the project's own "
    "log group (/aws/codebuild/<project>) and its reports into report groups named "
    "<project>-*; both wildcards stay within this one project."
)
_ASSET_LOGS = (
    "CDK Pipelines' asset-publishing role is shared by the pipeline's asset-publishing CodeBuild "
    "project(s) and is created before their generated names exist, so its log-group and "
    "report-group permissions name the CodeBuild prefixes in this account and Region; they allow "
    "writing logs and reports only."
)
_ASSET_BUILDS = (
    "CDK Pipelines' asset-publishing role grants itself codebuild:StartBuild/StopBuild/"
    "BatchGetBuilds without naming the asset project, whose name is generated after the role; "
    "only CodeBuild can assume the role and it runs cdk-assets on this pipeline's cloud assembly. "
    "The pipeline belongs in a dedicated tooling account (docs/deployment.md), where the only "
    "projects in reach are the pipeline's own."
)
_SELF_MUTATION_LOOKUPS = (
    "The self-mutation step runs `cdk deploy` of the pipeline stack: the CDK CLI reads stack "
    "state (cloudformation:DescribeStacks) and lists the bootstrap staging bucket (s3:ListBucket) "
    "before it assumes the bootstrap deploy role; both are read-only, and every change is made "
    "by the CDK bootstrap roles, not by this role."
)
_SELF_MUTATION_ROLES = (
    "The self-mutation step assumes the CDK bootstrap roles (deploy, file- and image-publishing) "
    "of the pipeline account, whose names carry the bootstrap qualifier; the statement's "
    "condition limits it to roles tagged aws-cdk:bootstrap-role with one of those three values."
)
_CUSTOM_IMAGE = (
    "make test and make synth need the platform the README supports, Debian with root for apt "
    "(Chromium and ffmpeg for the browser and media tests); CodeBuild's curated images are "
    "Ubuntu, whose chromium package is a snap that cannot run in a build container, so the "
    "synth step uses Docker's official python:3.11-bookworm image from ECR Public, unprivileged."
)

_ARTIFACT_READ_ACTIONS = ("s3:GetBucket*", "s3:GetObject*", "s3:List*")
_ARTIFACT_WRITE_ACTIONS = ("s3:Abort*", "s3:DeleteObject*")
_KMS_ACTIONS = ("kms:GenerateDataKey*", "kms:ReEncrypt*")


def acknowledge_delivery_pipeline(pipeline: pipelines.CodePipeline) -> None:
    """Acknowledge, per role or project, the findings CDK Pipelines' resources raise.

    Call after ``pipeline.build_pipeline()``: before it, these constructs do not exist.
    """
    stack = cdk.Stack.of(pipeline)
    bucket = pipeline.pipeline.artifact_bucket
    artifact_objects = resource_finding(stack, f"{bucket.bucket_arn}/*")
    key_and_objects = [*(f"Action::{a}" for a in _KMS_ACTIONS), artifact_objects]
    read = [*(f"Action::{a}" for a in _ARTIFACT_READ_ACTIONS), *key_and_objects]
    read_write = [*read, *(f"Action::{a}" for a in _ARTIFACT_WRITE_ACTIONS)]

    def artifacts(role: IConstruct, findings: list[str]) -> None:
        _iam5(role, [f for f in findings if f.startswith(("Action::s3", "Resource::"))], _ARTIFACTS)
        _iam5(role, [f for f in findings if f.startswith("Action::kms")], _ARTIFACT_KEY)

    def project_logs(project: codebuild.IProject) -> None:
        _iam5(
            _role_of(project),
            [
                resource_finding(
                    stack,
                    stack.format_arn(
                        service="logs",
                        resource="log-group",
                        resource_name=f"/aws/codebuild/{project.project_name}:*",
                        arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
                    ),
                ),
                resource_finding(
                    stack,
                    stack.format_arn(
                        service="codebuild",
                        resource="report-group",
                        resource_name=f"{project.project_name}-*",
                    ),
                ),
            ],
            _PROJECT_LOGS,
        )

    for role in _roles(pipeline):
        acknowledge(
            _default_policy(role),
            pack=Pack.NIST_800_53_R5,
            rule="IAMNoInlinePolicy",
            reason=_INLINE_POLICY,
        )

    # The pipeline's own role and the source action's role read and write artifacts.
    artifacts(pipeline.pipeline.role, read_write)
    [source_role] = [r for r in _roles(pipeline) if "/Pipeline/Source/" in r.node.path]
    artifacts(source_role, read_write)

    synth = pipeline.synth_project
    acknowledge(synth, pack=Pack.AWS_SOLUTIONS, rule="CB5", reason=_CUSTOM_IMAGE)
    artifacts(_role_of(synth), read_write)
    project_logs(synth)

    mutation = pipeline.self_mutation_project
    artifacts(_role_of(mutation), read)
    project_logs(mutation)
    _iam5(_role_of(mutation), ["Resource::*"], _SELF_MUTATION_LOOKUPS)
    _iam5(
        _role_of(mutation),
        [f"Resource::arn:*:iam::{stack.account}:role/*"],
        _SELF_MUTATION_ROLES,
    )

    assets = pipeline.node.find_child("Assets").node.find_child("FileRole")
    _iam5(
        assets,
        [
            *(f"Action::{a}" for a in _ARTIFACT_READ_ACTIONS),
            artifact_objects,
        ],
        _ARTIFACTS,
    )
    _iam5(
        assets,
        [
            resource_finding(
                stack,
                stack.format_arn(
                    service="logs",
                    resource="log-group",
                    resource_name="/aws/codebuild/*",
                    arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
                ),
            ),
            resource_finding(
                stack,
                stack.format_arn(service="codebuild", resource="report-group", resource_name="*"),
            ),
        ],
        _ASSET_LOGS,
    )
    _iam5(assets, ["Resource::*"], _ASSET_BUILDS)


def _iam5(role: IConstruct, findings: list[str], reason: str) -> None:
    acknowledge(
        _default_policy(role),
        pack=Pack.AWS_SOLUTIONS,
        rule="IAM5",
        findings=findings,
        reason=reason,
    )


def _default_policy(role: IConstruct) -> IConstruct:
    """The inline policy CDK writes for ``role``, where its IAM findings are raised."""
    return role.node.find_child("DefaultPolicy")


def _role_of(project: codebuild.IProject) -> IConstruct:
    if project.role is None:
        raise ValueError(f"{project.node.path} has no role to acknowledge findings on")
    return project.role


def _roles(pipeline: pipelines.CodePipeline) -> list[IConstruct]:
    """Every IAM role CDK Pipelines created under ``pipeline`` (each has a DefaultPolicy)."""
    return [
        c
        for c in pipeline.node.find_all()
        if c.node.id == "Role" or c.node.id.endswith("Role")
        if c.node.try_find_child("DefaultPolicy") is not None
    ]
