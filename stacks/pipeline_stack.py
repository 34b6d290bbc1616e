"""The stateless media pipeline of one environment: Lambda functions and their wiring.

Replaceable at any time: everything it reads or writes lives in the DataStack.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from snapstream_constructs import Pack, PipelineFunction, acknowledge
from stacks.config import EnvironmentConfig
from stacks.data_stack import DataStack
from stacks.runtime_contract import RUNTIME_ROOT, UPLOADS_PREFIX, contract

REPO = RUNTIME_ROOT.parent
LAYER_DIR = REPO / "build" / "lambda-layer"
_ASSET_EXCLUDES = ["**/__pycache__", "**/*.pyc", "**/.mypy_cache"]


def runtime_code() -> lambda_.Code:
    """The Lambda code asset: ``runtime/`` with ``snapstream_runtime`` at its root."""
    return lambda_.Code.from_asset(str(RUNTIME_ROOT), exclude=_ASSET_EXCLUDES)


def dependencies_layer(scope: Construct) -> lambda_.LayerVersion:
    """Powertools (+ X-Ray SDK) built for arm64 / Python 3.14 by ``make setup`` into build/."""
    if not (LAYER_DIR / "python").is_dir():
        raise FileNotFoundError(
            f"{LAYER_DIR}/python is missing: run `make setup` (it builds the Lambda layer)"
        )
    return lambda_.LayerVersion(
        scope,
        "Dependencies",
        description="aws-lambda-powertools and aws-xray-sdk, pinned in requirements-lambda.txt",
        code=lambda_.Code.from_asset(str(LAYER_DIR), exclude=_ASSET_EXCLUDES),
        compatible_runtimes=[lambda_.Runtime.PYTHON_3_14],
        compatible_architectures=[lambda_.Architecture.ARM_64],
    )


class PipelineStack(cdk.Stack):
    """Ingest today; transcoding, packaging and analysis handlers join here."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        data: DataStack,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            description=f"SnapStream {config.name}: media pipeline functions",
            **kwargs,
        )
        self.layer = dependencies_layer(self)
        code = runtime_code()
        common_environment = {
            contract.ENV_ENVIRONMENT: config.name,
            contract.ENV_TABLE: data.table.table_name,
            "POWERTOOLS_LOG_LEVEL": "INFO",
        }
        self.ingest = PipelineFunction(
            self,
            "Ingest",
            description="Checks each uploaded object's bytes, accepts or rejects it",
            handler=contract.INGEST_HANDLER,
            code=code,
            layers=[self.layer],
            environment={
                **common_environment,
                "POWERTOOLS_SERVICE_NAME": "ingest",
                contract.ENV_EVENT_BUS: data.event_bus.bus.event_bus_name,
                contract.ENV_NOTIFICATIONS_TOPIC: data.notifications_topic.topic_arn,
                contract.ENV_MAX_UPLOAD_BYTES: str(config.max_upload_bytes),
            },
            encryption_key=data.data_key.key,
            log_retention=config.log_retention,
            reserved_concurrency=config.ingest_reserved_concurrency,
            memory_size=config.ingest_memory_mb,
            timeout=cdk.Duration.seconds(config.ingest_timeout_seconds),
            invoked_by="the ingest queue's SQS event source mapping",
        )
        self._grant_ingest(data)
        self.upload_issuer_policy = self._upload_issuer_policy(data)
        self.ingest.consume(
            data.ingest_queue.queue, batch_size=10, max_batching_window=cdk.Duration.seconds(1)
        )

    def _upload_issuer_policy(self, data: DataStack) -> iam.ManagedPolicy:
        """What the web tier needs to run the upload contract (``snapstream_runtime.uploads``).

        A presigned POST carries the signer's authority, so the signer may put objects under
        ``uploads/`` only, encrypted with the data key; and it creates ``awaiting_upload`` media
        records (``MEDIA#`` items) only.
        """
        uploads_arn = cdk.Fn.import_value(data.uploads_arn_export)
        policy = iam.ManagedPolicy(
            self,
            "UploadIssuerPolicy",
            description="Issue presigned upload POSTs and create awaiting_upload media records",
            statements=[
                iam.PolicyStatement(
                    actions=["s3:PutObject"], resources=[f"{uploads_arn}/{UPLOADS_PREFIX}*"]
                ),
                iam.PolicyStatement(
                    actions=["kms:GenerateDataKey"], resources=[data.data_key.key.key_arn]
                ),
                iam.PolicyStatement(
                    actions=["dynamodb:PutItem"],
                    resources=[data.table.table_arn],
                    conditions={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["MEDIA#*"]}},
                ),
            ],
        )
        acknowledge(
            policy,
            pack=Pack.AWS_SOLUTIONS,
            rule="IAM5",
            findings=[f"Resource::{data.uploads_arn_export}/{UPLOADS_PREFIX}*"],
            reason="Each upload gets its own generated key under uploads/<user>/<media>/; the "
            "presigned POST policy pins the exact key, type and length of every single upload.",
        )
        return policy

    def _grant_ingest(self, data: DataStack) -> None:
        ingest = self.ingest
        uploads_arn = cdk.Fn.import_value(data.uploads_arn_export)
        uploads_objects = f"{uploads_arn}/{UPLOADS_PREFIX}*"
        ingest.allow(
            actions=[
                "s3:GetObject",
                "s3:GetObjectVersion",
                "s3:DeleteObject",
                "s3:DeleteObjectVersion",
            ],
            resources=[uploads_objects],
        )
        ingest.allow(
            actions=["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
            resources=[data.table.table_arn],
            conditions={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["MEDIA#*", "USER#*"]}},
        )
        ingest.allow(actions=["events:PutEvents"], resources=[data.event_bus.bus.event_bus_arn])
        ingest.allow(actions=["sns:Publish"], resources=[data.notifications_topic.topic_arn])
        # Read KMS-encrypted uploads; encrypt messages for the encrypted topic.
        ingest.allow(
            actions=["kms:Decrypt", "kms:GenerateDataKey"], resources=[data.data_key.key.key_arn]
        )
        acknowledge(
            ingest.policy,
            pack=Pack.AWS_SOLUTIONS,
            rule="IAM5",
            findings=[f"Resource::{data.uploads_arn_export}/{UPLOADS_PREFIX}*"],
            reason="Upload keys are generated per upload (uploads/<user>/<media>/<name>); the "
            "function may read and delete objects under the uploads/ prefix only.",
        )
