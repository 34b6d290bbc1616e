"""Per role, what the policies mean to refuse is refused: another environment's table, bucket,
queue, assets and jobs; item families a function does not own; roles passed to the wrong
service. Each refusal is paired with the same request on the role's own resource, which must be
allowed, so a evaluator that refused everything would fail here too."""

from __future__ import annotations

from typing import Any

import pytest

from tools.authority import Environment, Request, RolePrincipal, environment_of

KEY_CONTEXT = {"kms:ViaService": "s3.us-east-1.amazonaws.com"}


@pytest.fixture(scope="module")
def dev(templates: dict[tuple[str, str], dict[str, Any]]) -> Environment:
    return environment_of(templates, "dev")


@pytest.fixture(scope="module")
def prod(templates: dict[tuple[str, str], dict[str, Any]]) -> Environment:
    return environment_of(templates, "prod")


def _role(env: Environment, stack: str, prefix: str) -> RolePrincipal:
    return env.role(stack, env.find(stack, prefix, "AWS::IAM::Role"))


def _arn(env: Environment, stack: str, prefix: str, kind: str) -> str:
    return env.arn(stack, env.find(stack, prefix, kind))


def _only_own(
    role: RolePrincipal,
    env: Environment,
    action: str,
    own: str,
    other: str,
    context: dict[str, Any] | None = None,
    other_context: dict[str, Any] | None = None,
) -> None:
    allowed = env.evaluate(Request(role, action, own, context or {}))
    assert allowed.allowed, f"{role.logical_id} {action} {own}: {allowed.reason}"
    refused = env.evaluate(Request(role, action, other, other_context or context or {}))
    assert not refused.allowed, f"{role.logical_id} {action} {other}: {refused.reason}"


@pytest.mark.parametrize(
    "role_prefix", ["IngestRole", "AnalysisRole", "TranscodeStateRole", "PackageRole"]
)
def test_pipeline_roles_stay_in_their_environment(
    dev: Environment, prod: Environment, role_prefix: str
) -> None:
    role = _role(dev, "Pipeline", role_prefix)
    table = ("Data", "MediaTable", "AWS::DynamoDB::Table")
    leading = {"dynamodb:LeadingKeys": ["MEDIA#0123"]}
    _only_own(role, dev, "dynamodb:UpdateItem", _arn(dev, *table), _arn(prod, *table), leading)
    topic = dev.resolve({"Ref": dev.find("Data", "NotificationsTopic")}, "Data")
    other_topic = prod.resolve({"Ref": prod.find("Data", "NotificationsTopic")}, "Data")
    _only_own(role, dev, "sns:Publish", str(topic), str(other_topic))


def test_item_families_bound_each_pipeline_role(dev: Environment) -> None:
    """``dynamodb:LeadingKeys``: ingest may not write tags or hash claims; analysis may."""
    table = _arn(dev, "Data", "MediaTable", "AWS::DynamoDB::Table")
    ingest, analysis = _role(dev, "Pipeline", "IngestRole"), _role(dev, "Pipeline", "AnalysisRole")
    tag = {"dynamodb:LeadingKeys": ["TAG#owner#harbour"]}
    assert analysis and dev.evaluate(Request(analysis, "dynamodb:PutItem", table, tag)).allowed
    assert not dev.evaluate(Request(ingest, "dynamodb:PutItem", table, tag)).allowed
    mixed = {"dynamodb:LeadingKeys": ["MEDIA#1", "EMAIL#someone@example.com"]}
    assert not dev.evaluate(Request(analysis, "dynamodb:PutItem", table, mixed)).allowed


def test_the_site_cannot_forge_duplicate_claims(dev: Environment) -> None:
    """The internet-facing role reaches the item families a browser request needs, not the
    pipeline's content-hash claims."""
    site = _role(dev, "Web", "HostingInstanceRole")
    table = _arn(dev, "Data", "MediaTable", "AWS::DynamoDB::Table")
    own = {"dynamodb:LeadingKeys": ["USER#u1"]}
    hashes = {"dynamodb:LeadingKeys": ["HASH#u1#0f0f"]}
    _only_own(site, dev, "dynamodb:PutItem", table, table, own, hashes)


def test_objects_of_another_environment_are_out_of_reach(
    dev: Environment, prod: Environment
) -> None:
    bucket = ("Data", "UploadsBucket", "AWS::S3::Bucket")
    own = _arn(dev, *bucket) + "/uploads/o/m/a.png"
    other = _arn(prod, *bucket) + "/uploads/o/m/a.png"
    for stack, role_prefix in (("Pipeline", "IngestRole"), ("Web", "HostingInstanceRole")):
        _only_own(_role(dev, stack, role_prefix), dev, "s3:GetObject", own, other)
    media = ("Data", "MediaBucket", "AWS::S3::Bucket")
    _only_own(
        _role(dev, "Pipeline", "AnalysisRole"),
        dev,
        "s3:PutObject",
        _arn(dev, *media) + "/media/o/m/thumb.jpg",
        _arn(prod, *media) + "/media/o/m/thumb.jpg",
    )


def test_assets_and_jobs_of_another_environment_are_out_of_reach(dev: Environment) -> None:
    assets = f"arn:aws:mediapackage-vod:us-east-1:{dev.account}:assets/snapstream-"
    package = _role(dev, "Pipeline", "PackageRole")
    _only_own(package, dev, "mediapackage-vod:DescribeAsset", assets + "dev-1", assets + "prod-1")
    jobs = f"arn:aws:transcribe:us-east-1:{dev.account}:transcription-job/snapstream-"
    transcripts = _role(dev, "Pipeline", "TranscriptionStateRole")
    _only_own(transcripts, dev, "transcribe:GetTranscriptionJob", jobs + "dev-1", jobs + "prod-1")


def test_transcription_jobs_must_write_to_this_environment(
    dev: Environment, prod: Environment
) -> None:
    """StartTranscriptionJob has no resource-level permissions: its condition keys bound it."""
    analysis = _role(dev, "Pipeline", "AnalysisRole")
    own_bucket = dev.name("Data", dev.find("Data", "MediaBucket", "AWS::S3::Bucket"))
    other_bucket = prod.name("Data", prod.find("Data", "MediaBucket", "AWS::S3::Bucket"))
    key = _arn(dev, "Data", "DataKey", "AWS::KMS::Key")
    context = {
        "transcribe:OutputBucketName": own_bucket,
        "transcribe:OutputEncryptionKMSKeyId": key,
    }
    other = {**context, "transcribe:OutputBucketName": other_bucket}
    _only_own(analysis, dev, "transcribe:StartTranscriptionJob", "*", "*", context, other)
    unencrypted = {"transcribe:OutputBucketName": own_bucket}
    _only_own(analysis, dev, "transcribe:StartTranscriptionJob", "*", "*", context, unencrypted)


def test_roles_are_passed_only_to_their_service(dev: Environment) -> None:
    transcoding = _arn(dev, "Pipeline", "TranscodingRole", "AWS::IAM::Role")
    submit = _role(dev, "Pipeline", "TranscodeSubmitRole")
    _only_own(
        submit,
        dev,
        "iam:PassRole",
        transcoding,
        transcoding,
        {"iam:PassedToService": "mediaconvert.amazonaws.com"},
        {"iam:PassedToService": "lambda.amazonaws.com"},
    )
    rekognition = _arn(dev, "Pipeline", "VideoAnalysisRole", "AWS::IAM::Role")
    analysis = _role(dev, "Pipeline", "AnalysisRole")
    service = {"iam:PassedToService": "rekognition.amazonaws.com"}
    _only_own(analysis, dev, "iam:PassRole", rekognition, transcoding, service)


def test_the_site_deletes_nothing_itself(dev: Environment) -> None:
    """Deleting files and VOD assets belongs to the deletion function alone."""
    site = _role(dev, "Web", "HostingInstanceRole")
    uploads = _arn(dev, "Data", "UploadsBucket", "AWS::S3::Bucket") + "/uploads/o/m/a.png"
    asset = f"arn:aws:mediapackage-vod:us-east-1:{dev.account}:assets/snapstream-dev-1"
    for action, resource in (
        ("s3:DeleteObject", uploads),
        ("s3:DeleteObjectVersion", uploads),
        ("mediapackage-vod:DeleteAsset", asset),
    ):
        assert not dev.evaluate(Request(site, action, resource)).allowed, action


def test_uploads_reach_the_ingest_queue_only_from_this_environments_uploads_bucket(
    dev: Environment, prod: Environment
) -> None:
    """The ingest queue admits S3 for exactly one bucket (``aws:SourceArn``) in this account
    (``aws:SourceAccount``): not another account, not this environment's other buckets, not
    another environment's uploads bucket, not a look-alike name."""
    from tools.authority import ServicePrincipal

    queue = _arn(dev, "Data", "IngestQueue", "AWS::SQS::Queue")
    bucket = _arn(dev, "Data", "UploadsBucket", "AWS::S3::Bucket")
    assert bucket == f"arn:aws:s3:::snapstream-dev-uploads-{dev.account}-{dev.region}"
    s3 = ServicePrincipal("s3.amazonaws.com")
    own = {"aws:SourceAccount": dev.account, "aws:SourceArn": bucket}
    assert dev.evaluate(Request(s3, "sqs:SendMessage", queue, own)).allowed
    others = [
        _arn(dev, "Data", "MediaBucket", "AWS::S3::Bucket"),
        _arn(prod, "Data", "UploadsBucket", "AWS::S3::Bucket"),
        f"{bucket}-copy",
        "arn:aws:s3:::someone-elses-bucket",
    ]
    for other in others:
        context = {**own, "aws:SourceArn": other}
        assert not dev.evaluate(Request(s3, "sqs:SendMessage", queue, context)).allowed, other
    foreign = {**own, "aws:SourceAccount": "999999999999"}
    assert not dev.evaluate(Request(s3, "sqs:SendMessage", queue, foreign)).allowed
    without_source = {"aws:SourceAccount": dev.account}
    assert not dev.evaluate(Request(s3, "sqs:SendMessage", queue, without_source)).allowed
