# ruff: noqa: F811 (fixtures imported from deletion_support)
"""Deleting is a durable workflow: the request only marks, the deletion function (the real handler,
fed by the deletion queue as synthesized) does the work, idempotently, and a failure ends in the
dead-letter queue with the media still ``deleting`` and the reason on its record."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from snapstream_runtime import keys, lifecycle, removal, tags
from snapstream_runtime.adapters import storage
from snapstream_runtime.adapters.table import Table
from snapstream_runtime.analysis_records import register_hash, store_results
from snapstream_runtime.deletion import DeletionOutcome, parse_message, process
from snapstream_runtime.deletion_requests import media_message, request_media_deletion
from snapstream_runtime.ingest import ObjectCreated, ingest
from snapstream_runtime.library import all_uploads_page, dashboard, library_page
from snapstream_runtime.lifecycle import Media, Status
from snapstream_runtime.settings import Settings
from snapstream_runtime.tags import Tag, TagSource
from snapstream_web import accounts
from tests.runtime.conftest import Observed
from tests.runtime.deletion_support import (  # noqa: F401 (fixtures)
    DeletionQueue,
    as_deletion_function,
    deletion_queue,
    deletion_settings,
    settle,
)
from tests.runtime.paging_support import CURSORS
from tests.runtime.samples import png_bytes
from tests.runtime.uploads_helpers import put_object, ticket_for
from tools.local.mediapackage import LocalMediaPackage, installed

pytestmark = pytest.mark.usefixtures("as_deletion_function", "mediapackage")


@pytest.fixture
def mediapackage() -> Iterator[LocalMediaPackage]:
    """MediaPackage VOD as make dev stands in for it (moto has none)."""
    with installed(LocalMediaPackage()) as packager:
        yield packager


@pytest.fixture
def owner(deletion_settings: Settings) -> str:
    user = accounts.register(
        Table(deletion_settings.table_name),
        email="owner@example.com",
        username="owner",
        password="a long enough passphrase",
    )
    return user.user_id


def uploaded(settings: Settings, owner: str, name: str, body: bytes | None = None) -> Media:
    """An accepted image of ``owner``, as ingest leaves it."""
    body = body or png_bytes(4, 4)
    ticket = ticket_for(settings, name, "image/png", len(body), owner=owner)
    version = put_object(settings, ticket.key, body)
    ingest(ObjectCreated(settings.uploads_bucket, ticket.key, version), settings)
    media = lifecycle.load(Table(settings.table_name), ticket.media_id)
    assert media is not None and media.status is Status.UPLOADED
    return media


def _versions(bucket: str, prefix: str) -> list[str]:
    listing = boto3.client("s3").list_object_versions(Bucket=bucket, Prefix=prefix)
    return [v["Key"] for v in [*listing.get("Versions", []), *listing.get("DeleteMarkers", [])]]


def _partition(table: Table, pk: str) -> list[dict[str, Any]]:
    response = boto3.client("dynamodb").query(
        TableName=table.name,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": pk}},
    )
    return list(response["Items"])


def _profile(table: Table, owner: str) -> dict[str, Any]:
    return table.get(**keys.profile_key(owner)) or {}


def test_the_request_only_marks_and_the_media_leaves_every_list_at_once(
    deletion_settings: Settings, owner: str, deletion_queue: DeletionQueue
) -> None:
    settings, table = deletion_settings, Table(deletion_settings.table_name)
    keep, doomed = uploaded(settings, owner, "keep.png"), uploaded(settings, owner, "doomed.png")
    tags.add_custom(table, keep.media_id, "storm", owner_id=owner)
    many = [Tag(f"label {n:02d}", TagSource.LABEL, 99) for n in range(60)]  # > one transaction
    tags.apply(table, doomed.media_id, [*many, Tag("storm", TagSource.CUSTOM)], threshold=80)
    assert dashboard(table.name, owner)["uploads"] == 2

    request_media_deletion(settings, lifecycle.load(table, doomed.media_id), requested_by=owner)  # type: ignore[arg-type]

    marked = lifecycle.load(table, doomed.media_id)
    assert marked is not None and marked.status is Status.DELETING and not marked.item["tags"]
    assert marked.item["deletion"]["requested_by"] == owner
    assert [i["media_id"] for i in library_page(table.name, owner, cursors=CURSORS).items] == [
        keep.media_id
    ]
    month = keep.created_at[:7]
    assert [i["media_id"] for i in all_uploads_page(table.name, month, cursors=CURSORS).items] == [
        keep.media_id
    ]
    found = tags.search(table.name, owner, "storm", cursors=CURSORS)
    assert [i["media_id"] for i in found.items] == [keep.media_id]
    assert tags.suggest(table.name, owner, "label") == []
    assert tags.suggest(table.name, owner, "sto") == ["storm"]
    counts = dashboard(table.name, owner)
    assert (counts["uploads"], counts["processing"]) == (1, 1)
    assert _profile(table, owner)[lifecycle.DELETING_COUNTER] == 1
    # Nothing is deleted by the request: the files are still there, the function has a message.
    assert _versions(settings.uploads_bucket, removal.upload_prefix(owner, doomed.media_id))
    assert deletion_queue.bodies() == [media_message(doomed.media_id, owner)]
    # Asking again is harmless and sends again (a lost message is recovered by repeating).
    request_media_deletion(settings, marked, requested_by=owner)
    assert len(deletion_queue.bodies()) == 2
    assert _profile(table, owner)[lifecycle.DELETING_COUNTER] == 1


def _fully_furnished(settings: Settings, owner: str) -> tuple[Media, Media]:
    """Two images sharing a tag; the doomed one with analysis, a hash claim, a thumbnail in two
    versions, tags of its own and its "uploaded" notification."""
    table = Table(settings.table_name)
    keep, doomed = uploaded(settings, owner, "keep.png"), uploaded(settings, owner, "doomed.png")
    for media in (keep, doomed):
        tags.add_custom(table, media.media_id, "storm", owner_id=owner)
    tags.add_custom(table, doomed.media_id, "lighthouse", owner_id=owner)
    store_results(table, doomed, {"labels": [{"name": "Lighthouse"}], "text": []})
    assert register_hash(table, doomed, "ab" * 32) is None
    thumbnail = f"{removal.media_folder(doomed)}thumbnail.jpg"
    for body in (b"jpeg", b"jpeg v2"):
        boto3.client("s3").put_object(Bucket=settings.media_bucket, Key=thumbnail, Body=body)
    return keep, doomed


def test_the_deletion_function_removes_everything_of_the_media_and_nothing_else(
    deletion_settings: Settings, owner: str, deletion_queue: DeletionQueue, observed: Observed
) -> None:
    settings, table = deletion_settings, Table(deletion_settings.table_name)
    keep, doomed = _fully_furnished(settings, owner)
    observed.notifications()
    unread_before = int(_profile(table, owner)[lifecycle.UNREAD_COUNTER])

    request_media_deletion(settings, doomed, requested_by=owner)
    assert settle(deletion_queue) == [{"batchItemFailures": []}]

    assert lifecycle.load(table, doomed.media_id) is None
    assert _partition(table, keys.media_pk(doomed.media_id)) == []
    assert table.get(**keys.hash_key(owner, "ab" * 32)) is None
    for bucket, prefix in [
        (settings.uploads_bucket, removal.upload_prefix(owner, doomed.media_id)),
        (settings.media_bucket, removal.media_prefix(owner, doomed.media_id)),
    ]:
        assert _versions(bucket, prefix) == []
    assert [
        i["media_id"] for i in tags.search(table.name, owner, "storm", cursors=CURSORS).items
    ] == [keep.media_id]
    assert table.get(keys.user_pk(owner), tags.catalogue_sk("storm"))["count"] == 1  # type: ignore[index]
    assert table.get(keys.user_pk(owner), tags.catalogue_sk("lighthouse")) is None
    notifications = [
        i for i in _partition(table, keys.user_pk(owner)) if i["sk"]["S"].startswith("NOTIF#")
    ]
    about = [n for n in notifications if n.get("media_id", {}).get("S") == doomed.media_id]
    assert about == []
    [gone] = [n for n in notifications if n["event"]["S"] == "media.deleted"]
    assert "doomed.png" in gone["message"]["S"] and "media_id" not in gone
    profile = _profile(table, owner)
    # its "uploaded" notification came off the unread count; "deleted" went on it
    assert profile[lifecycle.UNREAD_COUNTER] == unread_before
    assert profile[lifecycle.DELETING_COUNTER] == 0
    [email] = observed.notifications()
    assert email["MessageAttributes"]["event"]["StringValue"] == "media.deleted"
    # the other media is untouched
    kept = lifecycle.load(table, keep.media_id)
    assert kept is not None and kept.status is Status.UPLOADED and kept.item["tags"] == ["storm"]
    assert _versions(settings.uploads_bucket, removal.upload_prefix(owner, keep.media_id))


def test_a_redelivered_deletion_is_harmless(
    deletion_settings: Settings, owner: str, deletion_queue: DeletionQueue
) -> None:
    settings, table = deletion_settings, Table(deletion_settings.table_name)
    keep, doomed = _fully_furnished(settings, owner)
    request_media_deletion(settings, doomed, requested_by=owner)
    message = parse_message(json.dumps(deletion_queue.bodies()[0]))
    assert process(message, settings) is DeletionOutcome.DELETED
    before = (_profile(table, owner), _partition(table, keys.user_pk(owner)))

    assert process(message, settings) is DeletionOutcome.SWEPT
    assert (_profile(table, owner), _partition(table, keys.user_pk(owner))) == before
    assert table.get(keys.user_pk(owner), tags.catalogue_sk("storm"))["count"] == 1  # type: ignore[index]
    assert lifecycle.load(table, keep.media_id) is not None


def test_a_media_not_marked_is_never_touched(deletion_settings: Settings, owner: str) -> None:
    settings, table = deletion_settings, Table(deletion_settings.table_name)
    media = uploaded(settings, owner, "mine.png")
    message = parse_message(json.dumps(media_message(media.media_id, owner)))
    assert process(message, settings) is DeletionOutcome.NOT_MARKED
    assert lifecycle.load(table, media.media_id) == media
    assert _versions(settings.uploads_bucket, removal.upload_prefix(owner, media.media_id))


def _failing_deletes(monkeypatch: pytest.MonkeyPatch, failures: int | None) -> list[int]:
    """S3's multi-object delete fails ``failures`` times (None: always), then works."""
    calls: list[int] = []
    real = storage.delete_versions

    def flaky(bucket: str, objects: list[dict[str, str]]) -> int:
        calls.append(len(objects))
        if failures is None or len(calls) <= failures:
            raise RuntimeError("S3 is having a bad day")
        return real(bucket, objects)

    monkeypatch.setattr(storage, "delete_versions", flaky)
    return calls


def test_a_step_that_fails_twice_then_succeeds_finishes_the_job(
    deletion_settings: Settings,
    owner: str,
    deletion_queue: DeletionQueue,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings, table = deletion_settings, Table(deletion_settings.table_name)
    doomed = uploaded(settings, owner, "doomed.png")
    request_media_deletion(settings, doomed, requested_by=owner)
    calls = _failing_deletes(monkeypatch, failures=2)

    results = settle(deletion_queue)

    assert [len(r["batchItemFailures"]) for r in results] == [1, 1, 0]
    assert len(calls) == 3
    assert lifecycle.load(table, doomed.media_id) is None
    assert _versions(settings.uploads_bucket, removal.upload_prefix(owner, doomed.media_id)) == []
    assert deletion_queue.dead_letters() == []


def test_a_step_that_keeps_failing_ends_in_the_dead_letter_queue_with_the_reason(
    deletion_settings: Settings,
    owner: str,
    deletion_queue: DeletionQueue,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings, table = deletion_settings, Table(deletion_settings.table_name)
    doomed = uploaded(settings, owner, "doomed.png")
    request_media_deletion(settings, doomed, requested_by=owner)
    working = storage.delete_versions
    _failing_deletes(monkeypatch, failures=None)

    results = settle(deletion_queue)

    assert len(results) == 5 and all(r["batchItemFailures"] for r in results)
    [dead] = deletion_queue.dead_letters()
    assert parse_message(dead["Body"]).subject_id == doomed.media_id
    stuck = lifecycle.load(table, doomed.media_id)
    assert stuck is not None and stuck.status is Status.DELETING  # never a half state
    assert stuck.item["deletion"]["error"].startswith("files and asset: RuntimeError: S3 is")
    assert stuck.item["deletion"]["attempts"] == 5
    assert library_page(table.name, owner, cursors=CURSORS).items == []  # still off every list
    # once the cause is fixed, a redrive finishes it (docs/runbooks.md)
    monkeypatch.setattr(storage, "delete_versions", working)
    boto3.client("sqs").send_message(QueueUrl=deletion_queue.url, MessageBody=dead["Body"])
    settle(deletion_queue)
    assert lifecycle.load(table, doomed.media_id) is None


def test_deleting_accepts_no_transition_and_takes_no_writes(
    deletion_settings: Settings, owner: str
) -> None:
    settings, table = deletion_settings, Table(deletion_settings.table_name)
    media = uploaded(settings, owner, "late.png")
    request_media_deletion(settings, media, requested_by=owner)
    marked = lifecycle.load(table, media.media_id)
    assert marked is not None
    for target in Status:
        with pytest.raises(lifecycle.IllegalTransition):
            lifecycle.check_transition(Status.DELETING, target)
    writes: list[Callable[[], object]] = [
        lambda: lifecycle.transition(table, media, Status.READY),
        lambda: lifecycle.record_step(
            table, media.media_id, "analysis_image", lifecycle.StepState.COMPLETE
        ),
        lambda: store_results(table, media, {"labels": []}),
        lambda: register_hash(table, media, "cd" * 32),
        lambda: tags.apply(table, media.media_id, [Tag("late", TagSource.LABEL, 99)], threshold=0),
    ]
    for write in writes:
        with pytest.raises(lifecycle.MediaGone):
            write()
    assert lifecycle.load(table, media.media_id) == marked
    assert [i["sk"]["S"] for i in _partition(table, keys.media_pk(media.media_id))] == ["META"]
    assert table.get(**keys.hash_key(owner, "cd" * 32)) is None


def test_an_analysis_arriving_for_a_deleted_media_writes_nothing_and_sweeps_its_output(
    deletion_settings: Settings, owner: str, deletion_queue: DeletionQueue
) -> None:
    """The image analyser put the thumbnail before the media was marked; its results come too
    late: nothing is written, and the thumbnail is swept."""
    from snapstream_runtime.deletion_requests import Gone, stops_when_deleted

    settings, table = deletion_settings, Table(deletion_settings.table_name)
    media = uploaded(settings, owner, "racing.png")
    request_media_deletion(settings, media, requested_by=owner)
    settle(deletion_queue)
    thumbnail = f"{removal.media_folder(media)}thumbnail.jpg"
    boto3.client("s3").put_object(Bucket=settings.media_bucket, Key=thumbnail, Body=b"late")

    @stops_when_deleted
    def late_results(detail: Media, settings: Settings) -> DeletionOutcome:
        store_results(Table(settings.table_name), detail, {"labels": []})
        return DeletionOutcome.DELETED

    assert late_results(media, settings) is Gone.DELETED
    assert deletion_queue.bodies() == [media_message(media.media_id, owner)]
    assert settle(deletion_queue) == [{"batchItemFailures": []}]
    assert _versions(settings.media_bucket, removal.media_prefix(owner, media.media_id)) == []
    assert _partition(table, keys.media_pk(media.media_id)) == []


def test_an_upload_landing_for_a_media_being_deleted_is_discarded(
    deletion_settings: Settings, owner: str
) -> None:
    settings, table = deletion_settings, Table(deletion_settings.table_name)
    body = png_bytes(4, 4)
    ticket = ticket_for(settings, "slow.png", "image/png", len(body), owner=owner)
    waiting = lifecycle.load(table, ticket.media_id)
    assert waiting is not None
    request_media_deletion(settings, waiting, requested_by=owner)
    version = put_object(settings, ticket.key, body)
    outcome = ingest(ObjectCreated(settings.uploads_bucket, ticket.key, version), settings)
    assert outcome.value == "discarded"
    assert _versions(settings.uploads_bucket, ticket.key) == []
    marked = lifecycle.load(table, ticket.media_id)
    assert marked is not None and marked.status is Status.DELETING
    assert "expires_at" not in marked.item  # TTL cannot take it from under the function


def test_a_malformed_message_fails_alone(
    deletion_queue: DeletionQueue, deletion_settings: Settings, owner: str
) -> None:
    sqs = boto3.client("sqs")
    sqs.send_message(QueueUrl=deletion_queue.url, MessageBody='{"type": "everything"}')
    media = uploaded(deletion_settings, owner, "fine.png")
    request_media_deletion(deletion_settings, media, requested_by=owner)
    settle(deletion_queue)
    assert lifecycle.load(Table(deletion_settings.table_name), media.media_id) is None
    [dead] = deletion_queue.dead_letters()
    assert dead["Body"] == '{"type": "everything"}'
