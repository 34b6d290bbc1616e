"""Video on demand against moto (table, buckets, topic, bus) and botocore Stubber for MediaConvert
and MediaPackage VOD, whose every request is validated against the real service models."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.stub import ANY, Stubber

from snapstream_runtime import contract, lifecycle
from snapstream_runtime.adapters import clients, video_services
from snapstream_runtime.adapters.table import Table
from snapstream_runtime.deletion_requests import Gone, mark
from snapstream_runtime.ingest import ingest
from snapstream_runtime.lifecycle import Status
from snapstream_runtime.settings import Settings
from snapstream_runtime.video import (
    CANCELED_REASON,
    VideoOutcome,
    on_transcode_state,
    package,
    submit_transcode,
    transcode_outputs,
)
from tests.runtime.conftest import Observed
from tests.runtime.samples import SAMPLES
from tests.runtime.uploads_helpers import OWNER, put_object, ticket_for

#: The video functions' MediaConvert and MediaPackage names, set per test to what the Pipeline
#: template gives them (_synthesized_names): every call a test makes is judged against the
#: synthesized policies (tests/conftest.py), so a made-up ARN would be refused.
QUEUE_ARN = ROLE_ARN = PACKAGING_ROLE = JOB_TEMPLATE = ""
CONFIGS = {"hls": "grp-hls", "dash": "grp-dash", "cmaf": "grp-cmaf"}


@pytest.fixture(autouse=True)
def _synthesized_names(
    pipeline_environment: Callable[[str], dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    submit = pipeline_environment("TranscodeSubmitFunction")
    names = {
        "QUEUE_ARN": submit[contract.ENV_TRANSCODE_QUEUE],
        "ROLE_ARN": submit[contract.ENV_TRANSCODE_ROLE],
        "JOB_TEMPLATE": submit[contract.ENV_TRANSCODE_TEMPLATE],
        "PACKAGING_ROLE": pipeline_environment("PackageFunction")[contract.ENV_PACKAGING_ROLE],
    }
    for name, value in names.items():
        monkeypatch.setattr(sys.modules[__name__], name, value)


@pytest.fixture
def video_settings(settings: Settings, local_aws: Any) -> Settings:
    media = local_aws.names[local_aws.find("MediaBucket")]
    return dataclasses.replace(
        settings,
        media_bucket=media,
        transcode_queue_arn=QUEUE_ARN,
        transcode_role_arn=ROLE_ARN,
        transcode_job_template=JOB_TEMPLATE,
        packaging_group_id="snapstream-dev-group",
        packaging_role_arn=PACKAGING_ROLE,
        packaging_configurations=CONFIGS,
    )


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Stubber]]:
    """Real botocore clients for MediaConvert and MediaPackage VOD behind Stubbers."""
    session = botocore.session.get_session()
    stubs = {
        name: Stubber(session.create_client(name, region_name="us-east-1"))
        for name in ("mediaconvert", "mediapackage-vod")
    }
    real_client = clients.client

    def client(service: str) -> Any:
        return stubs[service].client if service in stubs else real_client(service)

    monkeypatch.setattr(video_services, "client", client)
    for stub in stubs.values():
        stub.activate()
    yield stubs
    for stub in stubs.values():
        stub.assert_no_pending_responses()
        stub.deactivate()


def _uploaded_video(settings: Settings, content_type: str = "video/mp4") -> lifecycle.Media:
    body = SAMPLES["mp4"][0]
    ticket = ticket_for(settings, "Council meeting.mp4", content_type, len(body))
    version = put_object(settings, ticket.key, body)
    from snapstream_runtime.ingest import ObjectCreated

    ingest(ObjectCreated(settings.uploads_bucket, ticket.key, version), settings)
    media = lifecycle.load(Table(settings.table_name), ticket.media_id)
    assert media is not None and media.status is Status.UPLOADED
    return media


def _uploaded_event(media: lifecycle.Media, settings: Settings) -> dict[str, Any]:
    return {
        "media_id": media.media_id,
        "owner_id": media.owner_id,
        "kind": media.kind,
        "bucket": settings.uploads_bucket,
        "key": media.upload_key,
        "environment": settings.environment,
    }


def _expect_job(
    stub: Stubber, media: lifecycle.Media, job_id: str = "1700000000000-abc123"
) -> None:
    stub.add_response(
        "create_job",
        {"Job": {"Id": job_id, "Role": ROLE_ARN, "Settings": {}}},
        {
            "Role": ROLE_ARN,
            "Queue": QUEUE_ARN,
            "JobTemplate": JOB_TEMPLATE,
            "Settings": ANY,
            "UserMetadata": {"media_id": media.media_id, "owner_id": OWNER, "environment": "dev"},
            "AccelerationSettings": {"Mode": "DISABLED"},
            "StatusUpdateInterval": "SECONDS_60",
            "ClientRequestToken": f"transcode-{media.media_id}",
        },
    )


def _load(settings: Settings, media_id: str) -> lifecycle.Media:
    media = lifecycle.load(Table(settings.table_name), media_id)
    assert media is not None
    return media


def test_an_uploaded_video_gets_one_job(
    video_settings: Settings, stubbed: dict[str, Stubber]
) -> None:
    media = _uploaded_video(video_settings)
    _expect_job(stubbed["mediaconvert"], media)
    event = _uploaded_event(media, video_settings)
    assert submit_transcode(event, video_settings) is VideoOutcome.SUBMITTED
    stored = _load(video_settings, media.media_id)
    assert stored.status is Status.PROCESSING
    assert stored.item["steps"]["transcode"]["state"] == "submitted"
    assert stored.item["transcode_job_id"] == "1700000000000-abc123"
    # Redelivered: no second CreateJob (the Stubber would fail on an unexpected call).
    assert submit_transcode(event, video_settings) is VideoOutcome.DUPLICATE


def test_the_job_reads_the_upload_and_writes_only_the_media_folder(
    video_settings: Settings, stubbed: dict[str, Stubber]
) -> None:
    media = _uploaded_video(video_settings)
    seen: dict[str, Any] = {}
    real_create = video_services.create_transcode_job

    def spy(**kwargs: Any) -> str:
        seen.update(kwargs)
        return real_create(**kwargs)

    _expect_job(stubbed["mediaconvert"], media)
    accelerated = dataclasses.replace(video_settings, accelerated_transcoding=False)
    import snapstream_runtime.video as video_module

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(video_module, "create_transcode_job", spy)
        submit_transcode(_uploaded_event(media, accelerated), accelerated)
    settings = seen["settings"]
    assert (
        settings["Inputs"][0]["FileInput"]
        == f"s3://{video_settings.uploads_bucket}/{media.upload_key}"
    )
    destination = f"s3://{video_settings.media_bucket}/media/{OWNER}/{media.media_id}/index"
    for group in settings["OutputGroups"]:
        group_settings = next(v for k, v in group["OutputGroupSettings"].items() if k != "Type")
        assert group_settings["Destination"] == destination


def test_accelerated_transcoding_is_switchable(
    video_settings: Settings, stubbed: dict[str, Stubber]
) -> None:
    media = _uploaded_video(video_settings)
    stubbed["mediaconvert"].add_response(
        "create_job",
        {"Job": {"Id": "j-fast", "Role": ROLE_ARN, "Settings": {}}},
        {
            "Role": ANY,
            "Queue": ANY,
            "JobTemplate": ANY,
            "Settings": ANY,
            "UserMetadata": ANY,
            "AccelerationSettings": {"Mode": "PREFERRED"},
            "StatusUpdateInterval": ANY,
            "ClientRequestToken": ANY,
        },
    )
    fast = dataclasses.replace(video_settings, accelerated_transcoding=True)
    assert submit_transcode(_uploaded_event(media, fast), fast) is VideoOutcome.SUBMITTED


def test_images_and_audio_are_not_transcoded(
    video_settings: Settings, stubbed: dict[str, Stubber]
) -> None:
    body = SAMPLES["png"][0]
    ticket = ticket_for(video_settings, "a.png", "image/png", len(body))
    event = {"media_id": ticket.media_id, "bucket": video_settings.uploads_bucket}
    assert submit_transcode(event, video_settings) is VideoOutcome.NOT_VIDEO


def test_throttling_is_retried_not_recorded(
    video_settings: Settings, stubbed: dict[str, Stubber]
) -> None:
    media = _uploaded_video(video_settings)
    stubbed["mediaconvert"].add_client_error(
        "create_job", "TooManyRequestsException", http_status_code=429
    )
    with pytest.raises(Exception, match="TooManyRequests"):
        submit_transcode(_uploaded_event(media, video_settings), video_settings)
    assert _load(video_settings, media.media_id).status is Status.UPLOADED


def test_a_refused_job_fails_the_media_with_a_reason(
    video_settings: Settings, stubbed: dict[str, Stubber], observed: Observed
) -> None:
    media = _uploaded_video(video_settings)
    observed.notifications()  # the upload's own notification
    stubbed["mediaconvert"].add_client_error(
        "create_job", "BadRequestException", http_status_code=400
    )
    assert (
        submit_transcode(_uploaded_event(media, video_settings), video_settings)
        is VideoOutcome.FAILED
    )
    stored = _load(video_settings, media.media_id)
    assert stored.status is Status.FAILED
    assert "could not be submitted" in (stored.status_reason or "")
    [note] = observed.notifications()
    assert note["MessageAttributes"]["event"]["StringValue"] == "media.failed"


def _state_event(media: lifecycle.Media, status: str, **extra: Any) -> dict[str, Any]:
    return {
        "status": status,
        "jobId": "1700000000000-abc123",
        "queue": QUEUE_ARN,
        "userMetadata": {"media_id": media.media_id, "owner_id": OWNER, "environment": "dev"},
        **extra,
    }


def _complete_detail(bucket: str, media: lifecycle.Media) -> dict[str, Any]:
    base = f"s3://{bucket}/media/{OWNER}/{media.media_id}/index"
    return {
        "outputGroupDetails": [
            {
                "type": "HLS_GROUP",
                "playlistFilePaths": [f"{base}.m3u8"],
                "outputDetails": [
                    {
                        "outputFilePaths": [f"{base}_{height}p.m3u8"],
                        "durationInMs": 10_000,
                        "videoDetails": {"widthInPx": width, "heightInPx": height},
                    }
                    for width, height in ((640, 360), (960, 540), (1280, 720), (1920, 1080))
                ],
            },
            {
                "type": "FILE_GROUP",
                "outputDetails": [
                    {"outputFilePaths": [f"{base}_720p.mp4"], "durationInMs": 10_000}
                ],
            },
            {
                "type": "FILE_GROUP",
                "outputDetails": [
                    {"outputFilePaths": [f"{base}_poster.0000000.jpg"]},
                    {"outputFilePaths": [f"{base}_frame.0000000.jpg"]},
                ],
            },
        ]
    }


def _submitted(settings: Settings, stubbed: dict[str, Stubber]) -> lifecycle.Media:
    media = _uploaded_video(settings)
    _expect_job(stubbed["mediaconvert"], media)
    submit_transcode(_uploaded_event(media, settings), settings)
    return _load(settings, media.media_id)


def test_progress_complete_and_outputs_are_recorded(
    video_settings: Settings, stubbed: dict[str, Stubber], observed: Observed
) -> None:
    media = _submitted(video_settings, stubbed)
    progress = _state_event(media, "STATUS_UPDATE", jobProgress={"jobPercentComplete": 42})
    assert on_transcode_state(progress, video_settings) is VideoOutcome.PROGRESS
    assert _load(video_settings, media.media_id).item["steps"]["transcode"]["detail"] == "42%"

    complete = _state_event(
        media, "COMPLETE", **_complete_detail(video_settings.media_bucket, media)
    )
    assert on_transcode_state(complete, video_settings) is VideoOutcome.TRANSCODED
    stored = _load(video_settings, media.media_id)
    outputs = stored.item["outputs"]
    prefix = f"media/{OWNER}/{media.media_id}/index"
    assert outputs["hls"] == f"{prefix}.m3u8"
    assert outputs["mp4"] == f"{prefix}_720p.mp4"
    assert outputs["poster"] == f"{prefix}_poster.0000000.jpg"
    assert outputs["duration_ms"] == 10_000
    assert [r["height"] for r in outputs["renditions"]] == [360, 540, 720, 1080]
    assert stored.item["steps"]["transcode"]["state"] == "complete"
    events = [e for e in observed.events() if e["detail-type"] == "MediaTranscoded"]
    assert [e["detail"]["media_id"] for e in events] == [media.media_id]

    # A late progress event does not undo the result.
    assert on_transcode_state(progress, video_settings) is VideoOutcome.DUPLICATE
    assert _load(video_settings, media.media_id).item["steps"]["transcode"]["state"] == "complete"


def test_events_from_another_queue_or_environment_are_ignored(
    video_settings: Settings, stubbed: dict[str, Stubber]
) -> None:
    media = _submitted(video_settings, stubbed)
    other_queue = _state_event(media, "ERROR", errorMessage="x") | {"queue": QUEUE_ARN + "-other"}
    assert on_transcode_state(other_queue, video_settings) is VideoOutcome.IGNORED
    other_env = _state_event(media, "ERROR") | {
        "userMetadata": {"media_id": media.media_id, "environment": "prod"}
    }
    assert on_transcode_state(other_env, video_settings) is VideoOutcome.IGNORED
    assert _load(video_settings, media.media_id).status is Status.PROCESSING


def test_an_error_fails_the_media_once_with_the_message(
    video_settings: Settings, stubbed: dict[str, Stubber], observed: Observed
) -> None:
    media = _submitted(video_settings, stubbed)
    observed.notifications()
    error = _state_event(media, "ERROR", errorCode=1030, errorMessage="Unsupported codec")
    assert on_transcode_state(error, video_settings) is VideoOutcome.FAILED
    stored = _load(video_settings, media.media_id)
    assert stored.status is Status.FAILED
    assert stored.status_reason == "transcoding failed: Unsupported codec (MediaConvert error 1030)"
    assert on_transcode_state(error, video_settings) is VideoOutcome.DUPLICATE
    assert len(observed.notifications()) == 1


def test_a_canceled_job_fails_the_media_once_and_tells_its_owner(
    video_settings: Settings, stubbed: dict[str, Stubber], observed: Observed
) -> None:
    """Without this a canceled job left its media ``processing`` for good."""
    media = _submitted(video_settings, stubbed)
    observed.notifications()
    canceled = _state_event(media, "CANCELED")
    assert on_transcode_state(canceled, video_settings) is VideoOutcome.FAILED
    stored = _load(video_settings, media.media_id)
    assert stored.status is Status.FAILED
    assert stored.status_reason == CANCELED_REASON == "transcoding was canceled"
    assert stored.item["steps"]["transcode"]["state"] == "failed"
    assert not stored.announce_pending
    [note] = observed.notifications()
    assert note["MessageAttributes"]["event"]["StringValue"] == "media.failed"
    assert note["MessageAttributes"]["user_id"]["StringValue"] == OWNER
    # Delivered again (EventBridge may): nothing changes, nobody is told twice.
    assert on_transcode_state(canceled, video_settings) is VideoOutcome.DUPLICATE
    assert observed.notifications() == []
    # A late progress event does not revive it.
    progress = _state_event(media, "STATUS_UPDATE", jobProgress={"jobPercentComplete": 50})
    assert on_transcode_state(progress, video_settings) is VideoOutcome.DUPLICATE
    assert _load(video_settings, media.media_id).status is Status.FAILED


def test_a_canceled_job_of_a_media_being_deleted_changes_nothing(
    video_settings: Settings, stubbed: dict[str, Stubber], observed: Observed
) -> None:
    settings = dataclasses.replace(video_settings, deletion_queue_url="")
    media = _submitted(settings, stubbed)
    observed.notifications()
    table = Table(settings.table_name)
    marked = mark(table, media, requested_by=OWNER)
    assert marked is not None and marked.status is Status.DELETING
    assert on_transcode_state(_state_event(media, "CANCELED"), settings) is Gone.DELETED
    stored = _load(settings, media.media_id)
    assert stored.status is Status.DELETING
    assert stored.status_reason != CANCELED_REASON
    assert observed.notifications() == []


def test_an_earlier_jobs_cancellation_after_a_resubmission_is_ignored(
    video_settings: Settings, stubbed: dict[str, Stubber], observed: Observed
) -> None:
    media = _submitted(video_settings, stubbed)
    first_job = _state_event(media, "ERROR", errorCode=1999, errorMessage="quota")
    assert on_transcode_state(first_job, video_settings) is VideoOutcome.FAILED
    _expect_job(stubbed["mediaconvert"], media, job_id="1700000000000-retry")
    submit_transcode(_uploaded_event(media, video_settings), video_settings)
    observed.notifications()
    # The operator cancels the first job after resubmitting: the new job goes on.
    late = _state_event(media, "CANCELED")  # jobId of the first job
    assert on_transcode_state(late, video_settings) is VideoOutcome.IGNORED
    stored = _load(video_settings, media.media_id)
    assert stored.status is Status.PROCESSING
    assert observed.notifications() == []
    current = _state_event(media, "CANCELED") | {"jobId": "1700000000000-retry"}
    assert on_transcode_state(current, video_settings) is VideoOutcome.FAILED
    assert _load(video_settings, media.media_id).status_reason == CANCELED_REASON


def test_outputs_outside_the_media_folder_are_not_trusted() -> None:
    detail = {"outputGroupDetails": [{"playlistFilePaths": ["s3://other/media/x/y/index.m3u8"]}]}
    assert "hls" not in transcode_outputs(detail, "media-bucket", "media/x/y/")


def _transcoded(
    settings: Settings, stubbed: dict[str, Stubber], *, with_manifest: bool = True
) -> lifecycle.Media:
    media = _submitted(settings, stubbed)
    on_transcode_state(
        _state_event(media, "COMPLETE", **_complete_detail(settings.media_bucket, media)), settings
    )
    if with_manifest:
        boto3.client("s3").put_object(
            Bucket=settings.media_bucket,
            Key=f"media/{OWNER}/{media.media_id}/index.m3u8",
            Body=b"#EXTM3U\n",
        )
    return _load(settings, media.media_id)


def _egress(media_id: str) -> list[dict[str, str]]:
    return [
        {
            "PackagingConfigurationId": config,
            "Url": f"https://abc.egress.mediapackage-vod.us-east-1.amazonaws.com/out/v1/{media_id[:8]}/{config}/index.{ext}",
            "Status": "PLAYABLE",
        }
        for config, ext in (("grp-hls", "m3u8"), ("grp-dash", "mpd"), ("grp-cmaf", "m3u8"))
    ]


def test_packaging_makes_the_video_ready_with_playback_paths(
    video_settings: Settings, stubbed: dict[str, Stubber], observed: Observed
) -> None:
    media = _transcoded(video_settings, stubbed)
    observed.notifications()
    source = f"arn:aws:s3:::{video_settings.media_bucket}/media/{OWNER}/{media.media_id}/index.m3u8"
    asset = f"snapstream-dev-{media.media_id}"  # the environment in the id: IAM can scope it
    stubbed["mediapackage-vod"].add_response(
        "create_asset",
        {"Id": asset, "EgressEndpoints": _egress(media.media_id)},
        {
            "Id": asset,
            "PackagingGroupId": "snapstream-dev-group",
            "SourceArn": source,
            "SourceRoleArn": PACKAGING_ROLE,
            "ResourceId": asset,
        },
    )
    assert package({"media_id": media.media_id}, video_settings) is VideoOutcome.PACKAGED
    stored = _load(video_settings, media.media_id)
    assert stored.status is Status.READY
    assert stored.item["asset_id"] == asset
    assert stored.item["playback"] == {
        "hls": f"/out/v1/{media.media_id[:8]}/grp-hls/index.m3u8",
        "dash": f"/out/v1/{media.media_id[:8]}/grp-dash/index.mpd",
        "cmaf": f"/out/v1/{media.media_id[:8]}/grp-cmaf/index.m3u8",
    }
    [note] = observed.notifications()
    assert note["MessageAttributes"]["event"]["StringValue"] == "media.ready"
    # A duplicate MediaTranscoded event makes no second asset.
    assert package({"media_id": media.media_id}, video_settings) is VideoOutcome.DUPLICATE


def test_an_existing_asset_is_reused(video_settings: Settings, stubbed: dict[str, Stubber]) -> None:
    media = _transcoded(video_settings, stubbed)
    packager = stubbed["mediapackage-vod"]
    packager.add_client_error(
        "create_asset", "UnprocessableEntityException", "Asset already exists", 422
    )
    asset = f"snapstream-dev-{media.media_id}"
    packager.add_response(
        "describe_asset", {"Id": asset, "EgressEndpoints": _egress(media.media_id)}, {"Id": asset}
    )
    assert package({"media_id": media.media_id}, video_settings) is VideoOutcome.PACKAGED
    assert _load(video_settings, media.media_id).status is Status.READY


def test_a_missing_hls_manifest_fails_the_media(
    video_settings: Settings, stubbed: dict[str, Stubber]
) -> None:
    media = _transcoded(video_settings, stubbed, with_manifest=False)
    assert package({"media_id": media.media_id}, video_settings) is VideoOutcome.FAILED
    stored = _load(video_settings, media.media_id)
    assert stored.status is Status.FAILED
    assert stored.status_reason == "the transcoded HLS manifest is missing"


def test_packaging_throttling_is_retried(
    video_settings: Settings, stubbed: dict[str, Stubber]
) -> None:
    media = _transcoded(video_settings, stubbed)
    stubbed["mediapackage-vod"].add_client_error(
        "create_asset", "TooManyRequestsException", http_status_code=429
    )
    with pytest.raises(Exception, match="TooManyRequests"):
        package({"media_id": media.media_id}, video_settings)
    assert _load(video_settings, media.media_id).status is Status.PROCESSING


def test_a_replayed_upload_event_resubmits_a_failed_transcode(
    video_settings: Settings, stubbed: dict[str, Stubber]
) -> None:
    media = _submitted(video_settings, stubbed)
    on_transcode_state(
        _state_event(media, "ERROR", errorCode=1999, errorMessage="quota"), video_settings
    )
    assert _load(video_settings, media.media_id).status is Status.FAILED
    _expect_job(stubbed["mediaconvert"], media, job_id="1700000000000-retry")
    assert (
        submit_transcode(_uploaded_event(media, video_settings), video_settings)
        is VideoOutcome.SUBMITTED
    )
    stored = _load(video_settings, media.media_id)
    assert stored.status is Status.PROCESSING
    assert stored.item["transcode_job_id"] == "1700000000000-retry"


def test_a_redelivered_error_finishes_an_announcement_whose_publish_failed(
    video_settings: Settings,
    stubbed: dict[str, Stubber],
    observed: Observed,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from snapstream_runtime import announcements

    media = _submitted(video_settings, stubbed)
    observed.notifications()
    from snapstream_runtime.notifications import notify_owner as real_notify

    def down(*_: Any) -> None:
        raise RuntimeError("SNS unavailable")

    monkeypatch.setattr(announcements, "notify_owner", down)
    error = _state_event(media, "ERROR", errorCode=1030, errorMessage="Unsupported codec")
    with pytest.raises(RuntimeError):
        on_transcode_state(error, video_settings)
    assert _load(video_settings, media.media_id).announce_pending
    monkeypatch.setattr(announcements, "notify_owner", real_notify)
    assert on_transcode_state(error, video_settings) is VideoOutcome.FAILED
    assert not _load(video_settings, media.media_id).announce_pending
    assert len(observed.notifications()) == 1
    assert on_transcode_state(error, video_settings) is VideoOutcome.DUPLICATE


def test_a_late_progress_write_cannot_overwrite_a_result(
    video_settings: Settings, stubbed: dict[str, Stubber]
) -> None:
    from snapstream_runtime.adapters.table import ConditionFailed
    from snapstream_runtime.lifecycle import StepState

    media = _submitted(video_settings, stubbed)
    table = Table(video_settings.table_name)
    lifecycle.record_step(table, media.media_id, "transcode", StepState.COMPLETE)
    with pytest.raises(ConditionFailed):
        lifecycle.record_step(
            table,
            media.media_id,
            "transcode",
            StepState.PROGRESSING,
            "90%",
            only_while=(StepState.SUBMITTED, StepState.PROGRESSING),
        )
    assert _load(video_settings, media.media_id).item["steps"]["transcode"]["state"] == "complete"
