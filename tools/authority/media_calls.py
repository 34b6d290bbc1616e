"""IAM requests of the analysis and video services' calls, and what those services then do.

Rekognition and Transcribe read their S3 input with the *caller's* permissions (and its KMS
grant); Transcribe also writes its output that way. MediaConvert, MediaPackage and Rekognition's
SNS notifications act through a role the caller passes, so a call here also yields
``iam:PassRole`` and, as :func:`service_requests`, the calls the service makes as that role.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

from tools.authority import Request, RolePrincipal, ServicePrincipal
from tools.authority.calls import _maps, _object, _table, encrypted_send
from tools.authority.recorder import Call
from tools.authority.resources import ResourceIndex, UnknownResource


def _pass_role(principal: RolePrincipal, role_arn: str, service: str) -> Request:
    return Request(principal, "iam:PassRole", role_arn, {"iam:PassedToService": service})


def _role(index: ResourceIndex, arn: str) -> RolePrincipal:
    found = index.lookup(arn, "AWS::IAM::Role")
    return index.env.role(found.stack, found.logical_id)


def _s3_uri(uri: str) -> tuple[str, str]:
    parsed = urlparse(uri)
    if parsed.scheme == "s3":
        return parsed.netloc, parsed.path.lstrip("/")
    raise UnknownResource(f"not an s3:// URI: {uri}")


def _assume(service: str, role: RolePrincipal, index: ResourceIndex) -> Request:
    context = {"aws:SourceAccount": index.env.account}
    return Request(ServicePrincipal(service), "sts:AssumeRole", role.arn, context)


# -- Rekognition ------------------------------------------------------------------------------


@_maps(
    "rekognition",
    "DetectLabels",
    "DetectText",
    "DetectModerationLabels",
    "RecognizeCelebrities",
)
def _image(call: Call, principal: RolePrincipal, index: ResourceIndex) -> Iterator[Request]:
    yield Request(principal, f"rekognition:{call.operation}", "*")
    s3_object = call.params["Image"].get("S3Object")
    if s3_object:  # read with the caller's permissions
        action = "s3:GetObjectVersion" if s3_object.get("Version") else "s3:GetObject"
        yield from _object(index, principal, action, s3_object["Bucket"], s3_object["Name"])


@_maps("rekognition", "StartLabelDetection", "StartTextDetection", "StartSegmentDetection")
def _start_video(call: Call, principal: RolePrincipal, index: ResourceIndex) -> Iterator[Request]:
    yield Request(principal, f"rekognition:{call.operation}", "*")
    s3_object = call.params["Video"]["S3Object"]
    action = "s3:GetObjectVersion" if s3_object.get("Version") else "s3:GetObject"
    yield from _object(index, principal, action, s3_object["Bucket"], s3_object["Name"])
    channel = call.params.get("NotificationChannel")
    if channel:
        yield _pass_role(principal, channel["RoleArn"], "rekognition.amazonaws.com")
        role = _role(index, channel["RoleArn"])
        yield _assume("rekognition.amazonaws.com", role, index)
        topic = index.lookup(channel["SNSTopicArn"], "AWS::SNS::Topic")
        yield from encrypted_send(index, role, topic, "sns:Publish", "sns")


@_maps("rekognition", "GetLabelDetection", "GetTextDetection", "GetSegmentDetection")
def _video_results(call: Call, principal: RolePrincipal, index: ResourceIndex) -> Iterator[Request]:
    yield Request(principal, f"rekognition:{call.operation}", "*")


# -- Transcribe and Comprehend ---------------------------------------------------------------


@_maps("transcribe", "StartTranscriptionJob")
def _transcribe(call: Call, principal: RolePrincipal, index: ResourceIndex) -> Iterator[Request]:
    params = call.params
    context: dict[str, Any] = {
        "transcribe:OutputBucketName": params.get("OutputBucketName", ""),
        "transcribe:OutputKey": params.get("OutputKey", ""),
    }
    if params.get("OutputEncryptionKMSKeyId"):
        # the key's ARN as deployed (moto names keys at random; the tests map them back)
        context["transcribe:OutputEncryptionKMSKeyId"] = index.key(
            params["OutputEncryptionKMSKeyId"]
        )
    job = f"arn:aws:transcribe:{index.env.region}:{index.env.account}:transcription-job/"
    job += params["TranscriptionJobName"]
    yield Request(principal, "transcribe:StartTranscriptionJob", job, context)
    if params.get("Tags"):
        tags = {"aws:TagKeys": [t["Key"] for t in params["Tags"]]}
        yield Request(principal, "transcribe:TagResource", job, tags)
    # the media is read, and the transcript written and encrypted, with the caller's rights
    bucket, key = _s3_uri(params["Media"]["MediaFileUri"])
    yield from _object(index, principal, "s3:GetObject", bucket, key)
    if params.get("OutputBucketName"):
        output = index.lookup(params["OutputBucketName"], "AWS::S3::Bucket")
        yield Request(principal, "s3:PutObject", f"{output.arn}/{params.get('OutputKey', '')}")
    if params.get("OutputEncryptionKMSKeyId"):
        key_arn = index.key(params["OutputEncryptionKMSKeyId"])
        yield Request(principal, "kms:Encrypt", key_arn)


@_maps("transcribe", "GetTranscriptionJob")
def _transcription_job(
    call: Call, principal: RolePrincipal, index: ResourceIndex
) -> Iterator[Request]:
    job = f"arn:aws:transcribe:{index.env.region}:{index.env.account}:transcription-job/"
    name = call.params["TranscriptionJobName"]
    yield Request(principal, "transcribe:GetTranscriptionJob", job + name)


@_maps(
    "comprehend",
    "DetectDominantLanguage",
    "DetectSentiment",
    "DetectEntities",
    "DetectKeyPhrases",
    "BatchDetectSentiment",
    "BatchDetectEntities",
    "BatchDetectKeyPhrases",
)
def _comprehend(call: Call, principal: RolePrincipal, index: ResourceIndex) -> Iterator[Request]:
    yield Request(principal, f"comprehend:{call.operation}", "*")


# -- MediaConvert and MediaPackage VOD -------------------------------------------------------


def _mediaconvert_arn(index: ResourceIndex, kind: str, value: str) -> str:
    if value.startswith("arn:"):
        return value
    return f"arn:aws:mediaconvert:{index.env.region}:{index.env.account}:{kind}/{value}"


@_maps("mediaconvert", "CreateJob")
def _create_job(call: Call, principal: RolePrincipal, index: ResourceIndex) -> Iterator[Request]:
    """CreateJob is authorized on each resource the job names (queue, job template)."""
    params = call.params
    for kind, name in (
        ("queues", params.get("Queue")),
        ("jobTemplates", params.get("JobTemplate")),
    ):
        if name:
            arn = _mediaconvert_arn(index, kind, name)
            yield Request(principal, "mediaconvert:CreateJob", arn)
    yield _pass_role(principal, params["Role"], "mediaconvert.amazonaws.com")
    yield from _transcoder(call, _role(index, params["Role"]), index)


def _transcoder(call: Call, role: RolePrincipal, index: ResourceIndex) -> Iterator[Request]:
    """MediaConvert, as the passed role: read every input, write every output group."""
    yield _assume("mediaconvert.amazonaws.com", role, index)
    settings = call.params.get("Settings", {})
    for job_input in settings.get("Inputs", []):
        bucket, key = _s3_uri(job_input["FileInput"])
        yield from _object(index, role, "s3:GetObject", bucket, key)
    for group in settings.get("OutputGroups", []):
        group_settings = group.get("OutputGroupSettings", {})
        for value in group_settings.values():
            destination = isinstance(value, dict) and value.get("Destination")
            if destination:
                bucket, prefix = _s3_uri(destination)
                yield from _object(index, role, "s3:PutObject", bucket, prefix + "output.file")
                # large outputs go up in parts: a multipart upload under SSE-KMS also decrypts
                key_arn = index.key_arn(index.lookup(bucket, "AWS::S3::Bucket"))
                if key_arn is not None:
                    via = {"kms:ViaService": f"s3.{index.env.region}.amazonaws.com"}
                    yield Request(role, "kms:Decrypt", key_arn, via)


@_maps("mediapackage-vod", "CreateAsset")
def _create_asset(call: Call, principal: RolePrincipal, index: ResourceIndex) -> Iterator[Request]:
    params = call.params
    yield Request(principal, "mediapackage-vod:CreateAsset", "*")
    yield _pass_role(principal, params["SourceRoleArn"], "mediapackage.amazonaws.com")
    role = _role(index, params["SourceRoleArn"])
    yield _assume("mediapackage.amazonaws.com", role, index)
    bucket, _, key = params["SourceArn"].split(":::", 1)[1].partition("/")
    folder = key.rsplit("/", 1)[0]
    # MediaPackage reads the HLS manifest and every segment beside it, and checks the bucket's
    # Region and payer and lists it (MediaPackage VOD's documented source-bucket access)
    for name in (key, f"{folder}/segment_00001.ts"):
        yield from _object(index, role, "s3:GetObject", bucket, name)
    bucket_arn = index.lookup(bucket, "AWS::S3::Bucket").arn
    for action in ("s3:GetBucketLocation", "s3:GetBucketRequestPayment", "s3:ListBucket"):
        yield Request(role, action, bucket_arn)


@_maps("mediapackage-vod", "DescribeAsset", "DeleteAsset")
def _asset(call: Call, principal: RolePrincipal, index: ResourceIndex) -> Iterator[Request]:
    arn = f"arn:aws:mediapackage-vod:{index.env.region}:{index.env.account}:assets/"
    yield Request(principal, f"mediapackage-vod:{call.operation}", arn + call.params["Id"])


@_maps("dynamodb", "DescribeTable")
def _describe_table(
    call: Call, principal: RolePrincipal, index: ResourceIndex
) -> Iterator[Request]:
    yield Request(principal, "dynamodb:DescribeTable", _table(index, call.params["TableName"]).arn)
