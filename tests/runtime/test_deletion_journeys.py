# ruff: noqa: F811 (fixtures imported from deletion_support)
"""Deleting what is still being processed is safe (completions that arrive later write nothing
and their output is swept), and an account goes with everything of it, through the real
handlers of the deletion, transcode-state, transcription-state and package functions."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from snapstream_runtime import contract, image_analysis, keys, lifecycle, removal, video
from snapstream_runtime import settings as settings_module
from snapstream_runtime.adapters import clients, video_services
from snapstream_runtime.adapters.table import Table
from snapstream_runtime.deletion import DeletionOutcome, parse_message, process
from snapstream_runtime.deletion_requests import (
    media_message,
    request_account_deletion,
    request_media_deletion,
)
from snapstream_runtime.handlers import analysis as analysis_handler
from snapstream_runtime.handlers import package as package_handler
from snapstream_runtime.handlers import transcode_state as transcode_state_handler
from snapstream_runtime.handlers import transcription_state as transcription_state_handler
from snapstream_runtime.ingest import ObjectCreated, ingest
from snapstream_runtime.lifecycle import Media, Status, StepState
from snapstream_runtime.settings import Settings
from snapstream_web import accounts, inbox
from tests.runtime.deletion_support import (  # noqa: F401 (fixtures)
    DeletionQueue,
    as_deletion_function,
    deletion_queue,
    deletion_settings,
    settle,
)
from tests.runtime.paging_support import CURSORS
from tests.runtime.samples import SAMPLES, png_bytes
from tests.runtime.uploads_helpers import put_object, ticket_for
from tools.local.lambdas import LambdaContext as _Context
from tools.local.mediapackage import LocalMediaPackage, installed

Environment = Callable[[str], dict[str, str]]
pytestmark = pytest.mark.usefixtures("as_deletion_function")


@contextmanager
def running_as(environment: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process environment of another function for the block (its handler reads it)."""
    with monkeypatch.context() as scoped:
        for name, value in environment.items():
            scoped.setenv(name, value)
        settings_module.current_settings.cache_clear()
        yield
    settings_module.current_settings.cache_clear()


def meanwhile_the_site_deletes(settings: Settings, media: Media) -> None:
    """The site's deletion request, made while a function is at work: on a thread of its own,
    as the site's request is its own process (its calls are the site's, not the function's)."""
    failures: list[BaseException] = []

    def request() -> None:
        try:
            request_media_deletion(settings, media, requested_by=OWNER)
        except BaseException as error:  # re-raised on the test's thread
            failures.append(error)

    thread = threading.Thread(target=request)
    thread.start()
    thread.join()
    if failures:
        raise failures[0]


def _media(settings: Settings, owner: str, sample: str, name: str) -> Media:
    body, content_type = (png_bytes(4, 4), "image/png") if sample == "png" else SAMPLES[sample]
    ticket = ticket_for(settings, name, content_type, len(body), owner=owner)
    version = put_object(settings, ticket.key, body)
    ingest(ObjectCreated(settings.uploads_bucket, ticket.key, version), settings)
    media = lifecycle.load(Table(settings.table_name), ticket.media_id)
    assert media is not None
    return media


def _processing(settings: Settings, media: Media, step: str) -> Media:
    table = Table(settings.table_name)
    fields = {f"steps.{step}": lifecycle.step_value(StepState.SUBMITTED, "job-1")}
    lifecycle.transition(table, media, Status.PROCESSING, fields=fields)
    current = lifecycle.load(table, media.media_id)
    assert current is not None
    return current


def _write_outputs(settings: Settings, media: Media, *names: str) -> None:
    for name in names:
        boto3.client("s3").put_object(
            Bucket=settings.media_bucket, Key=f"{removal.media_folder(media)}{name}", Body=b"x"
        )


def _files(settings: Settings, media: Media) -> list[str]:
    found = []
    for bucket, prefix in [
        (settings.uploads_bucket, removal.upload_prefix(media.owner_id, media.media_id)),
        (settings.media_bucket, removal.media_folder(media)),
    ]:
        listing = boto3.client("s3").list_object_versions(Bucket=bucket, Prefix=prefix)
        found += [v["Key"] for v in listing.get("Versions", [])]
    return found


def _media_items(settings: Settings, media: Media) -> list[Any]:
    response = boto3.client("dynamodb").query(
        TableName=settings.table_name,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": keys.media_pk(media.media_id)}},
    )
    return list(response["Items"])


OWNER = "e" * 32


def test_a_transcode_finishing_after_the_deletion_resurrects_nothing(
    deletion_settings: Settings,
    deletion_queue: DeletionQueue,
    pipeline_environment: Environment,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = deletion_settings
    media = _processing(settings, _media(settings, OWNER, "mp4", "clip.mp4"), video.TRANSCODE)
    request_media_deletion(settings, media, requested_by=OWNER)
    settle(deletion_queue)
    assert lifecycle.load(Table(settings.table_name), media.media_id) is None
    # MediaConvert was still at work: its outputs land after the deletion, then its events.
    _write_outputs(settings, media, "index.m3u8", "index_360p.m3u8", "index_360p_00001.ts")
    environment = pipeline_environment("TranscodeStateFunction")
    assert environment[contract.ENV_DELETION_QUEUE] == deletion_queue.url

    def state_change(status: str, **extra: Any) -> dict[str, str]:
        detail = {
            "status": status,
            "queue": environment[contract.ENV_TRANSCODE_QUEUE],
            "userMetadata": {"media_id": media.media_id, "owner_id": OWNER, "environment": "dev"},
            **extra,
        }
        event = {"source": "aws.mediaconvert", "detail-type": "MediaConvert Job State Change"}
        with running_as(environment, monkeypatch):
            result: dict[str, str] = transcode_state_handler.handler(
                {**event, "id": "e-1", "detail": detail}, _Context()
            )
        return result

    assert state_change("STATUS_UPDATE", jobProgress={"jobPercentComplete": 90}) == {
        "outcome": "ignored"
    }
    assert deletion_queue.bodies() == []
    assert state_change("COMPLETE", outputGroupDetails=[]) == {"outcome": "deleted"}
    assert lifecycle.load(Table(settings.table_name), media.media_id) is None
    assert _media_items(settings, media) == []
    assert deletion_queue.bodies() == [media_message(media.media_id, OWNER)]

    assert settle(deletion_queue) == [{"batchItemFailures": []}]
    assert _files(settings, media) == []


def test_a_transcript_finishing_after_the_deletion_is_swept(
    deletion_settings: Settings,
    deletion_queue: DeletionQueue,
    pipeline_environment: Environment,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = deletion_settings
    media = _processing(settings, _media(settings, OWNER, "mp3-id3", "talk.mp3"), "analysis_speech")
    job = f"snapstream-dev-{media.media_id}"
    boto3.client("transcribe").start_transcription_job(
        TranscriptionJobName=job,
        Media={"MediaFileUri": f"s3://{settings.uploads_bucket}/{media.upload_key}"},
        IdentifyLanguage=True,
    )
    request_media_deletion(settings, media, requested_by=OWNER)
    settle(deletion_queue)
    _write_outputs(settings, media, "transcript.json")

    detail = {"TranscriptionJobName": job, "TranscriptionJobStatus": "COMPLETED"}
    event = {"source": "aws.transcribe", "detail-type": "Transcribe Job State Change", "id": "t"}
    with running_as(pipeline_environment("TranscriptionStateFunction"), monkeypatch):
        result = transcription_state_handler.handler({**event, "detail": detail}, _Context())

    assert result == {"outcome": "deleted"}
    assert _media_items(settings, media) == []
    assert settle(deletion_queue) == [{"batchItemFailures": []}]
    assert _files(settings, media) == []


def test_a_package_racing_the_deletion_leaves_no_asset(
    deletion_settings: Settings,
    deletion_queue: DeletionQueue,
    pipeline_environment: Environment,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The asset is created, then the media is marked before it can become ready."""
    settings = deletion_settings
    media = _processing(settings, _media(settings, OWNER, "mp4", "race.mp4"), video.TRANSCODE)
    table = Table(settings.table_name)
    outputs = {"hls": f"{removal.media_folder(media)}index.m3u8"}
    lifecycle.record_step(
        table, media.media_id, video.TRANSCODE, StepState.COMPLETE, fields={"outputs": outputs}
    )
    _write_outputs(settings, media, "index.m3u8")
    packager = LocalMediaPackage()
    real = video_services.create_or_get_asset

    def create_then_lose_the_race(**request: Any) -> list[dict[str, Any]]:
        endpoints = real(**request)
        current = lifecycle.load(table, media.media_id)
        assert current is not None
        meanwhile_the_site_deletes(settings, current)
        return endpoints

    monkeypatch.setattr(video, "create_or_get_asset", create_then_lose_the_race)
    event = {"source": contract.EVENT_SOURCE, "detail-type": contract.MEDIA_TRANSCODED, "id": "p"}
    with installed(packager), running_as(pipeline_environment("PackageFunction"), monkeypatch):
        result = package_handler.handler(
            {**event, "detail": {"media_id": media.media_id, "environment": "dev"}}, _Context()
        )
    assert result == {"outcome": "deleted"}
    assert list(packager.assets) == [contract.asset_id("dev", media.media_id)]
    assert len(deletion_queue.bodies()) == 2  # the deletion itself, and the package's sweep

    settle(deletion_queue, packager)
    assert packager.assets == {}
    assert lifecycle.load(table, media.media_id) is None
    assert _files(settings, media) == []


def _ready(settings: Settings, media: Media, **fields: Any) -> Media:
    table = Table(settings.table_name)
    lifecycle.transition(table, media, Status.READY, fields=fields or None)
    current = lifecycle.load(table, media.media_id)
    assert current is not None
    return current


def _everything_of(settings: Settings, user_id: str) -> list[str]:
    """Every item, object version and e-mail subscription that names the user."""
    table = boto3.client("dynamodb").scan(TableName=settings.table_name)["Items"]
    found = [str(item) for item in table if user_id in str(item) or "someone@" in str(item)]
    for bucket in (settings.uploads_bucket, settings.media_bucket):
        listing = boto3.client("s3").list_object_versions(Bucket=bucket)
        versions = [*listing.get("Versions", []), *listing.get("DeleteMarkers", [])]
        found += [v["Key"] for v in versions if user_id in v["Key"]]
    subscriptions = boto3.client("sns").list_subscriptions()["Subscriptions"]
    found += [s["Endpoint"] for s in subscriptions if s["Endpoint"] == "someone@example.com"]
    return found


def test_an_account_goes_with_all_its_media_and_the_address_is_free_again(
    deletion_settings: Settings, deletion_queue: DeletionQueue
) -> None:
    settings, table = deletion_settings, Table(deletion_settings.table_name)
    user = accounts.register(
        table, email="someone@example.com", username="someone", password="p" * 12
    )
    uid = user.user_id
    image = _ready(settings, _media(settings, uid, "png", "photo.png"))
    clip = _media(settings, uid, "mp4", "clip.mp4")
    packager = LocalMediaPackage()
    manifest = f"{removal.media_folder(clip)}index.m3u8"
    _write_outputs(settings, clip, "index.m3u8", "index_360p_00001.ts", "poster.jpg")
    asset = contract.asset_id("dev", clip.media_id)
    packager.create_asset(Id=asset, SourceArn=f"arn:aws:s3:::{settings.media_bucket}/{manifest}")
    _ready(settings, _processing(settings, clip, video.TRANSCODE), asset_id=asset)
    _processing(settings, _media(settings, uid, "mp3-id3", "talk.mp3"), "analysis_speech")
    ticket_for(settings, "never.mp4", "video/mp4", 10, owner=uid)  # still awaiting its upload
    inbox.subscribe_email(table, user, settings.notifications_topic_arn)
    assert image and _everything_of(settings, uid)

    request_account_deletion(settings, uid)
    assert accounts.load_user(table, uid) is None  # its sessions end at once
    with pytest.raises(accounts.AccountBeingDeleted):
        accounts.authenticate(table, email="someone@example.com", password="p" * 12)
    assert accounts.users_page(table.name, cursors=CURSORS).items == []
    settle(deletion_queue, packager)

    assert _everything_of(settings, uid) == []
    assert packager.assets == {}
    again = accounts.register(
        table, email="someone@example.com", username="someone", password="q" * 12
    )
    assert again.user_id != uid


def test_the_asset_is_deleted_by_its_environments_id(
    deletion_settings: Settings, deletion_queue: DeletionQueue
) -> None:
    """The deletion function's DeleteAsset request against the real service model (botocore
    Stubber: moto has no MediaPackage VOD), named by the environment's asset id; a missing asset
    is fine, any other error stops the deletion before a file or record is touched."""
    settings = deletion_settings
    clip = _ready(settings, _processing(settings, _media(settings, OWNER, "mp4", "c.mp4"), "x"))
    request_media_deletion(settings, clip, requested_by=OWNER)
    message = parse_message(json.dumps(media_message(clip.media_id, OWNER)))
    asset = f"snapstream-dev-{clip.media_id}"
    client = botocore.session.get_session().create_client("mediapackage-vod", "us-east-1")
    with Stubber(client) as stub, pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            video_services,
            "client",
            lambda name: client if name == "mediapackage-vod" else clients.client(name),
        )
        stub.add_client_error("delete_asset", "TooManyRequestsException", http_status_code=429)
        with pytest.raises(ClientError, match="TooManyRequests"):
            process(message, settings)
        assert _files(settings, clip)  # nothing went before the asset
        stub.add_response("delete_asset", {}, {"Id": asset})
        assert process(message, settings) is DeletionOutcome.DELETED
        stub.add_client_error("delete_asset", "NotFoundException", http_status_code=404)
        assert process(message, settings) is DeletionOutcome.SWEPT  # redelivered: gone is fine
        stub.assert_no_pending_responses()
    assert _files(settings, clip) == []


def test_an_image_analysis_overtaken_by_the_deletion_sweeps_its_thumbnail(
    deletion_settings: Settings,
    deletion_queue: DeletionQueue,
    pipeline_environment: Environment,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The owner deletes the image while Rekognition looks at it: the analysis still writes the
    preview, then finds the media being deleted, writes no record and asks for a sweep."""
    settings = deletion_settings
    media = _media(settings, OWNER, "png", "busy.png")

    def recognize_while_deleted(*args: Any, **kwargs: Any) -> image_analysis.ImageFindings:
        current = lifecycle.load(Table(settings.table_name), media.media_id)
        assert current is not None
        meanwhile_the_site_deletes(settings, current)
        return image_analysis.ImageFindings()

    monkeypatch.setattr(image_analysis, "recognize", recognize_while_deleted)
    body = json.dumps({"detail": {"media_id": media.media_id, "bucket": settings.uploads_bucket}})
    event = {
        "Records": [
            {
                "messageId": "m-1",
                "receiptHandle": "r-1",
                "body": body,
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:analysis",
                "awsRegion": "us-east-1",
            }
        ]
    }
    with running_as(pipeline_environment("AnalysisFunction"), monkeypatch):
        assert analysis_handler.handler(event, _Context()) == {"batchItemFailures": []}
    marked = lifecycle.load(Table(settings.table_name), media.media_id)
    assert marked is not None and marked.status is Status.DELETING
    assert [i["sk"]["S"] for i in _media_items(settings, media)] == ["META"]  # no results
    assert "content_hash" not in marked.item and "thumbnail" not in marked.item
    assert f"{removal.media_folder(media)}thumbnail.jpg" in _files(settings, media)
    # the deletion's own message, and the analysis's sweep of the preview it wrote
    assert deletion_queue.bodies() == [media_message(media.media_id, OWNER)] * 2
    settle(deletion_queue)
    assert lifecycle.load(Table(settings.table_name), media.media_id) is None
    assert _files(settings, media) == []
