"""MediaConvert and MediaPackage VOD calls (neither exists in moto: tests use botocore Stubber)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from snapstream_runtime.adapters.clients import client


def create_transcode_job(
    *,
    role_arn: str,
    queue_arn: str,
    job_template: str,
    settings: Mapping[str, Any],
    user_metadata: Mapping[str, str],
    accelerated: bool,
    idempotency_token: str,
) -> str:
    """Submit one job to the regional MediaConvert endpoint; returns the job id.

    ``idempotency_token`` (ClientRequestToken) makes a repeated submission within a minute
    return the first job instead of starting a second one.
    """
    response = client("mediaconvert").create_job(
        Role=role_arn,
        Queue=queue_arn,
        JobTemplate=job_template,
        Settings=dict(settings),
        UserMetadata=dict(user_metadata),
        AccelerationSettings={"Mode": "PREFERRED" if accelerated else "DISABLED"},
        StatusUpdateInterval="SECONDS_60",
        ClientRequestToken=idempotency_token,
    )
    job_id: str = response["Job"]["Id"]
    return job_id


def create_or_get_asset(
    *, asset_id: str, packaging_group_id: str, source_arn: str, source_role_arn: str
) -> list[dict[str, Any]]:
    """Package an HLS source into a VOD asset, reusing the asset if it already exists.

    Returns the asset's egress endpoints (one per packaging configuration).
    """
    packager = client("mediapackage-vod")
    try:
        response = packager.create_asset(
            Id=asset_id,
            PackagingGroupId=packaging_group_id,
            SourceArn=source_arn,
            SourceRoleArn=source_role_arn,
            ResourceId=asset_id,
        )
    except ClientError as error:
        # MediaPackage VOD answers 422 for an id that exists (and for other invalid requests):
        # reuse the asset if it is there, otherwise the original error stands.
        if error.response["Error"]["Code"] != "UnprocessableEntityException":
            raise
        try:
            response = packager.describe_asset(Id=asset_id)
        except ClientError as missing:
            if missing.response["Error"]["Code"] == "NotFoundException":
                raise error from None
            raise
    endpoints: list[dict[str, Any]] = response.get("EgressEndpoints", [])
    return endpoints


def delete_asset(asset_id: str) -> bool:
    """Delete one VOD asset; False if it did not exist (already deleted, or never packaged)."""
    try:
        client("mediapackage-vod").delete_asset(Id=asset_id)
    except ClientError as error:
        if error.response["Error"]["Code"] == "NotFoundException":
            return False
        raise
    return True
