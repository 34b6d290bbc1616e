"""The ingest Lambda against moto: every object becomes uploaded or rejected, exactly once."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from snapstream_runtime import ingest as ingest_module
from snapstream_runtime import lifecycle
from snapstream_runtime.adapters import publishing, storage
from snapstream_runtime.adapters.table import Table
from snapstream_runtime.handlers import ingest as handler_module
from snapstream_runtime.ingest import (
    MalformedEvent,
    ObjectCreated,
    Outcome,
    ingest,
    parse_notification,
)
from snapstream_runtime.lifecycle import Status
from snapstream_runtime.media_types import ALLOWED
from snapstream_runtime.settings import Settings
from snapstream_runtime.sniffing import SNIFF_BYTES
from tests.runtime.conftest import Observed
from tests.runtime.samples import SAMPLES, png_bytes
from tests.runtime.uploads_helpers import OWNER, put_object, s3_notification, sqs_event, ticket_for


class _Context:
    function_name = "ingest"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:ingest"
    aws_request_id = "request-1"


def _upload(
    settings: Settings, name: str, content_type: str, body: bytes
) -> tuple[str, ObjectCreated]:
    ticket = ticket_for(settings, name, content_type, max(len(body), 1))
    version = put_object(settings, ticket.key, body)
    return ticket.media_id, ObjectCreated(settings.uploads_bucket, ticket.key, version)


def _media(settings: Settings, media_id: str) -> lifecycle.Media:
    media = lifecycle.load(Table(settings.table_name), media_id)
    assert media is not None
    return media


def _object_versions(settings: Settings, key: str) -> list[str]:
    listing = boto3.client("s3").list_object_versions(Bucket=settings.uploads_bucket, Prefix=key)
    return [v["VersionId"] for v in listing.get("Versions", [])]


def test_a_real_png_is_accepted_and_announced_once(settings: Settings, observed: Observed) -> None:
    media_id, created = _upload(settings, "Fête d'été+1.png", "image/png", png_bytes())
    assert ingest(created, settings) is Outcome.ACCEPTED
    media = _media(settings, media_id)
    assert media.status is Status.UPLOADED
    assert media.item["detected_type"] == "image/png"
    assert media.item["size"] == len(png_bytes())
    assert media.item["etag"]
    assert media.version_id == created.version_id
    assert not media.announce_pending
    [event] = observed.events()
    assert event["detail-type"] == "MediaUploaded"
    assert event["detail"]["media_id"] == media_id
    assert event["detail"]["key"] == created.key
    assert event["detail"]["kind"] == "image"
    [note] = observed.notifications()
    assert note["MessageAttributes"]["user_id"]["StringValue"] == OWNER
    assert note["MessageAttributes"]["event"]["StringValue"] == "media.uploaded"


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_every_accepted_format_passes(settings: Settings, sample: str) -> None:
    body, content_type = SAMPLES[sample]
    name = f"file{ALLOWED[content_type].extensions[0]}"
    _, created = _upload(settings, name, content_type, body)
    assert ingest(created, settings) is Outcome.ACCEPTED


@pytest.mark.parametrize(
    ("name", "content_type", "body", "reason"),
    [
        (
            "clip.mp4",
            "video/mp4",
            png_bytes(),
            "the file's content is a PNG image, but it was declared as video/mp4",
        ),
        ("empty.png", "image/png", b"", "the file is empty"),
        (
            "notes.mp3",
            "audio/mpeg",
            b"just some text, not audio",
            "the file's content is not a supported image, video or audio format",
        ),
    ],
)
def test_bad_files_are_rejected_removed_and_the_record_kept(
    settings: Settings, observed: Observed, name: str, content_type: str, body: bytes, reason: str
) -> None:
    media_id, created = _upload(settings, name, content_type, body)
    assert ingest(created, settings) is Outcome.REJECTED
    media = _media(settings, media_id)
    assert media.status is Status.REJECTED
    assert media.status_reason == reason
    assert _object_versions(settings, created.key) == []
    assert observed.events() == []
    [note] = observed.notifications()
    assert note["MessageAttributes"]["event"]["StringValue"] == "media.rejected"
    assert reason in note["Body"]


def test_oversize_is_rejected_without_reading_the_bytes(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = dataclasses.replace(settings, max_upload_bytes=1024)
    media_id, created = _upload(settings, "big.png", "image/png", png_bytes() + b"\x00" * 4096)

    def no_read(*_: Any) -> bytes:
        raise AssertionError("an oversize object must not be read")

    monkeypatch.setattr(storage, "first_bytes", no_read)
    assert ingest(created, small) is Outcome.REJECTED
    assert "larger than the 1.0 KB limit" in (_media(settings, media_id).status_reason or "")


def test_only_the_first_bytes_are_read(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    _, created = _upload(settings, "clip.mp4", "video/mp4", SAMPLES["mp4"][0] + b"\x00" * 100_000)
    seen: list[int] = []
    real = storage.first_bytes

    def spy(bucket: str, key: str, version_id: str | None, count: int) -> bytes:
        data = real(bucket, key, version_id, count)
        seen.append(len(data))
        return data

    monkeypatch.setattr(storage, "first_bytes", spy)
    assert ingest(created, settings) is Outcome.ACCEPTED
    assert seen == [SNIFF_BYTES]


def test_an_object_no_upload_asked_for_is_deleted(settings: Settings) -> None:
    key = f"uploads/{OWNER}/{'e' * 32}/stray.png"
    version = put_object(settings, key, png_bytes())
    assert (
        ingest(ObjectCreated(settings.uploads_bucket, key, version), settings)
        is Outcome.UNKNOWN_KEY
    )
    assert _object_versions(settings, key) == []


def test_a_key_claiming_another_owner_is_deleted(settings: Settings) -> None:
    ticket = ticket_for(settings, "a.png", "image/png", len(png_bytes()))
    forged = ticket.key.replace(OWNER, "f" * 32)
    version = put_object(settings, forged, png_bytes())
    assert (
        ingest(ObjectCreated(settings.uploads_bucket, forged, version), settings)
        is Outcome.UNKNOWN_KEY
    )
    assert _media(settings, ticket.media_id).status is Status.AWAITING_UPLOAD


def test_duplicate_delivery_changes_nothing(settings: Settings, observed: Observed) -> None:
    media_id, created = _upload(settings, "a.png", "image/png", png_bytes())
    assert ingest(created, settings) is Outcome.ACCEPTED
    before = _media(settings, media_id).item
    assert ingest(created, settings) is Outcome.DUPLICATE
    assert _media(settings, media_id).item == before
    assert len(observed.events()) == 1
    assert len(observed.notifications()) == 1
    profile = Table(settings.table_name).get(f"USER#{OWNER}", "PROFILE")
    assert profile is not None and profile["count_uploads"] == 1


def test_a_retry_after_a_failed_publish_finishes_the_job(
    settings: Settings, observed: Observed, monkeypatch: pytest.MonkeyPatch
) -> None:
    media_id, created = _upload(settings, "a.png", "image/png", png_bytes())
    real_put = publishing.put_event

    def throttled(*_: Any) -> None:
        raise ClientError(
            {"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "PutEvents"
        )

    monkeypatch.setattr(ingest_module, "put_event", throttled)
    with pytest.raises(ClientError):
        ingest(created, settings)
    assert _media(settings, media_id).announce_pending
    monkeypatch.setattr(ingest_module, "put_event", real_put)
    assert ingest(created, settings) is Outcome.RESUMED
    assert not _media(settings, media_id).announce_pending
    assert len(observed.events()) == 1
    assert ingest(created, settings) is Outcome.DUPLICATE


def test_a_second_object_at_a_judged_key_is_removed(settings: Settings) -> None:
    media_id, created = _upload(settings, "a.png", "image/png", png_bytes())
    assert ingest(created, settings) is Outcome.ACCEPTED
    swapped = put_object(settings, created.key, b"MZ\x90\x00 not a png any more")
    second = ObjectCreated(settings.uploads_bucket, created.key, swapped)
    assert ingest(second, settings) is Outcome.OVERWRITE_REMOVED
    assert _object_versions(settings, created.key) == [created.version_id]
    assert _media(settings, media_id).status is Status.UPLOADED


def test_test_events_and_other_event_names_carry_no_work() -> None:
    assert parse_notification(json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent"})) == []
    body = s3_notification("b", "uploads/x", None, event="ObjectRemoved:Delete")
    assert parse_notification(body) == []


@pytest.mark.parametrize(
    "body", ["not json", "[1, 2]", json.dumps({"Records": [{"eventName": "ObjectCreated:Put"}]})]
)
def test_malformed_messages_are_refused_clearly(body: str) -> None:
    with pytest.raises(MalformedEvent):
        parse_notification(body)


def test_handler_retries_only_the_throttled_record(
    settings: Settings,
    ingest_environment: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in ingest_environment.items():
        monkeypatch.setenv(name, value)
    uploads = [_upload(settings, f"{n}.png", "image/png", png_bytes()) for n in ("a", "b", "c")]
    throttled_id = uploads[1][0]
    real_load = lifecycle.load

    def load(table: Table, media_id: str) -> lifecycle.Media | None:
        if media_id == throttled_id:
            raise ClientError(
                {
                    "Error": {
                        "Code": "ProvisionedThroughputExceededException",
                        "Message": "throttled",
                    }
                },
                "GetItem",
            )
        return real_load(table, media_id)

    monkeypatch.setattr(lifecycle, "load", load)
    event = sqs_event(
        *(s3_notification(c.bucket, c.key, c.version_id) for _, c in uploads),
        json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent"}),
        "garbage",
    )
    result = handler_module.handler(event, _Context())
    assert result == {
        "batchItemFailures": [{"itemIdentifier": "message-1"}, {"itemIdentifier": "message-4"}]
    }
    monkeypatch.setattr(lifecycle, "load", real_load)
    statuses = [_media(settings, media_id).status for media_id, _ in uploads]
    assert statuses == [Status.UPLOADED, Status.AWAITING_UPLOAD, Status.UPLOADED]
    throttled = uploads[1][1]
    retry_event = sqs_event(s3_notification(throttled.bucket, throttled.key, throttled.version_id))
    retry = handler_module.handler(retry_event, _Context())
    assert retry == {"batchItemFailures": []}
    assert _media(settings, throttled_id).status is Status.UPLOADED


@pytest.mark.parametrize("others", [0, 200])
def test_an_upload_costs_seven_calls_whatever_the_table_holds(
    settings: Settings, others: int
) -> None:
    from snapstream_runtime.adapters import clients
    from tools.aws_calls import recorded_calls

    for index in range(others):
        ticket_for(settings, f"other-{index}.png", "image/png", 10, owner="1" * 32)
    _, created = _upload(settings, "a.png", "image/png", png_bytes())
    clients.reset()
    with recorded_calls() as calls:
        assert ingest(created, settings) is Outcome.ACCEPTED
    assert calls == [
        "DynamoDB.GetItem",
        "S3.HeadObject",
        "S3.GetObject",
        "DynamoDB.TransactWriteItems",
        "EventBridge.PutEvents",
        "SNS.Publish",
        "DynamoDB.UpdateItem",
    ]
