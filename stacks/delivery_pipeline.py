"""The optional delivery pipeline: ``SnapStream-Delivery`` (CDK Pipelines).

Source (CodeConnections) -> Build (``make test``, ``make synth``) -> UpdatePipeline (self-mutation)
-> Assets -> ``SnapStream-dev`` -> ``SnapStream-staging`` -> manual approval -> ``SnapStream-prod``.
Each environment is the same :class:`~stacks.stage.SnapStreamStage` that ``cdk deploy
'SnapStream-<env>/*'`` deploys without the pipeline, so its stacks keep their names
(``SnapStream-<env>-Data`` ...). See docs/deployment.md.
"""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import pipelines
from constructs import Construct

from snapstream_constructs import AccessLogBucket, DataKey, SecureBucket
from stacks.config import EnvironmentConfig
from stacks.delivery_acknowledgments import acknowledge_delivery_pipeline
from stacks.delivery_config import DeliveryConfig, check_pipeline_environments
from stacks.stage import SnapStreamStage, stage_name

DELIVERY_STACK_NAME = "SnapStream-Delivery"
#: the CDK CLI the pipeline's self-mutation runs: the version package-lock.json pins (npm's
#: ``latest`` 3.x cannot read aws-cdk-lib 2.x assemblies).
CDK_CLI_VERSION = "2.1148.1"
#: ``make test`` and ``make synth`` need what the README's fresh machine has: Debian, Python 3.11+,
#: root for apt (Chromium and ffmpeg for the tests). CodeBuild's standard images are Ubuntu, whose
#: ``chromium`` is a snap that cannot run in a build container, hence the official Debian image.
SYNTH_IMAGE = "public.ecr.aws/docker/library/python:3.11-bookworm"
#: environments whose deployment waits for a person to approve it in the console.
APPROVAL_BEFORE = frozenset({"prod"})
#: fails the build when the synthesized assembly lacks this stack (the ``delivery`` context is
#: not committed in cdk.json), instead of letting self-mutation fail obscurely.
ASSEMBLY_HAS_PIPELINE = (
    f"test -f cdk.out/{DELIVERY_STACK_NAME}.template.json || "
    f'{{ echo "cdk.out has no {DELIVERY_STACK_NAME}: commit the delivery context (and the '
    "environments' accounts) to cdk.json, see docs/deployment.md\" >&2; exit 1; }"
)


class DeliveryPipelineStack(cdk.Stack):
    """A self-mutating pipeline deploying every environment in order, prod after approval."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        delivery: DeliveryConfig,
        environments: Sequence[EnvironmentConfig],
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            env=cdk.Environment(account=delivery.account, region=delivery.region),
            description="SnapStream delivery pipeline: test, synth and deploy dev, staging, prod",
        )
        check_pipeline_environments(environments)
        retain = cdk.RemovalPolicy.RETAIN
        key = DataKey(
            self,
            "ArtifactKey",
            description="SnapStream delivery pipeline artifacts",
            removal_policy=retain,
        )
        access_logs = AccessLogBucket(
            self, "AccessLogs", retention=cdk.Duration.days(365), removal_policy=retain
        )
        artifacts = SecureBucket(
            self,
            "Artifacts",
            encryption_key=key.key,
            access_logs=access_logs.bucket,
            access_log_prefix="artifacts/",
            removal_policy=retain,
            noncurrent_version_expiration=cdk.Duration.days(30),
        )
        source = pipelines.CodePipelineSource.connection(
            delivery.repository, delivery.branch, connection_arn=delivery.connection_arn
        )
        self.pipeline = pipelines.CodePipeline(
            self,
            "Pipeline",
            pipeline_name="SnapStream",
            synth=pipelines.ShellStep(
                "Synth",
                input=source,
                commands=["make test", "make synth", ASSEMBLY_HAS_PIPELINE],
                primary_output_directory="cdk.out",
            ),
            artifact_bucket=artifacts.bucket,
            cross_account_keys=True,
            enable_key_rotation=True,
            cli_version=CDK_CLI_VERSION,
            self_mutation=True,
            use_change_sets=True,
            publish_assets_in_parallel=False,
            docker_enabled_for_synth=False,
            docker_enabled_for_self_mutation=False,
            synth_code_build_defaults=pipelines.CodeBuildOptions(
                build_environment=codebuild.BuildEnvironment(
                    build_image=codebuild.LinuxBuildImage.from_docker_registry(SYNTH_IMAGE),
                    compute_type=codebuild.ComputeType.MEDIUM,
                ),
                timeout=cdk.Duration.minutes(60),
            ),
        )
        self.stages: list[SnapStreamStage] = []
        for config in environments:
            stage = SnapStreamStage(self, stage_name(config), config=config)
            approval = (
                [
                    pipelines.ManualApprovalStep(
                        f"Approve-{config.name}",
                        comment=f"Deploy to {stage_name(config)}? Check the staging deployment "
                        "and this change's cdk diff first.",
                    )
                ]
                if config.name in APPROVAL_BEFORE
                else []
            )
            self.pipeline.add_stage(stage, pre=approval)
            self.stages.append(stage)
        # CDK Pipelines creates its CodePipeline, CodeBuild projects and roles lazily at synth;
        # build them now so that each can be acknowledged on its own resource.
        self.pipeline.build_pipeline()
        acknowledge_delivery_pipeline(self.pipeline)
        self._depend_on_role_policy_only()

    def _depend_on_role_policy_only(self) -> None:
        """CodePipeline adds DependsOn: role, which the RoleArn GetAtt already implies (cfn-lint
        W3005); keep only the dependency on the role's policy, which nothing else implies."""
        cfn_pipeline = self.pipeline.pipeline.node.default_child
        policy = self.pipeline.pipeline.role.node.find_child("DefaultPolicy").node.default_child
        assert isinstance(cfn_pipeline, cdk.CfnResource)
        assert isinstance(policy, cdk.CfnElement)
        cfn_pipeline.add_override("DependsOn", [self.resolve(self.get_logical_id(policy))])
