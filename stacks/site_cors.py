"""The uploads bucket's CORS rules, set once the site's own origin exists (docs/web-hosting.md).

Browsers upload straight to S3 from the site's pages, so the uploads bucket must name the site's
origin in its CORS rules. That origin is the site's CloudFront name, which exists only after the
Web stack has created the distribution, while the bucket belongs to the Data stack, deployed
first. The Web stack therefore owns the bucket's CORS rules through a custom resource; the Data
stack's template carries none, so no deployment of either stack undoes the other's.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from snapstream_constructs.functions import FunctionTracing
from snapstream_constructs.storage import browser_upload_cors_rule
from stacks.deploy_time import deploy_time_function, deploy_time_resource
from stacks.runtime_contract import contract


class UploadsCors(Construct):
    """``Custom::BucketCors``: ``bucket`` admits browser POSTs from ``origins``, nothing else."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        bucket: s3.IBucket,
        origins: Sequence[str],
        encryption_key: kms.IKey,
        log_retention: logs.RetentionDays,
        tracing: FunctionTracing | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.function = deploy_time_function(
            self,
            "Function",
            description="Sets the uploads bucket's CORS rules to the site's origins (deploy time)",
            handler=contract.BUCKET_CORS_HANDLER,
            service="bucket-cors",
            encryption_key=encryption_key,
            log_retention=log_retention,
            tracing=tracing,
        )
        # PutBucketCors and DeleteBucketCors are both authorized by s3:PutBucketCORS.
        self.function.policy.add_statements(
            iam.PolicyStatement(actions=["s3:PutBucketCORS"], resources=[bucket.bucket_arn])
        )
        self.rule = browser_upload_cors_rule(origins)
        self.resource = deploy_time_resource(
            self,
            "Rules",
            function=self.function,
            resource_type="Custom::BucketCors",
            properties={"Bucket": bucket.bucket_name, "Rules": [self.rule]},
        )
