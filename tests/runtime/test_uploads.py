"""The upload contract: a record and a presigned POST that pins everything, or a clear refusal."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import boto3
import pytest

from snapstream_runtime.media_types import ALIASES, ALLOWED
from snapstream_runtime.settings import Settings
from snapstream_runtime.uploads import UploadRefused, create_upload

USER = "c" * 32


def _policy(fields: dict[str, str]) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(base64.b64decode(fields["policy"]))
    return document


def test_ticket_pins_key_type_length_and_encryption(settings: Settings) -> None:
    ticket = create_upload(
        settings, user_id=USER, file_name="Mayor speech.mp4", content_type="video/mp4", size=1234
    )
    assert ticket.key == f"uploads/{USER}/{ticket.media_id}/Mayor speech.mp4"
    assert ticket.fields["key"] == ticket.key
    conditions = _policy(ticket.fields)["conditions"]
    assert {"Content-Type": "video/mp4"} in conditions
    assert {"x-amz-server-side-encryption": "aws:kms"} in conditions
    assert ["content-length-range", 1234, 1234] in conditions
    assert {"key": ticket.key} in conditions
    assert {"bucket": settings.uploads_bucket} in conditions


#: every declared type the contract takes (aliases included), with each extension of its type
DECLARATIONS = [
    (declared, extension)
    for declared in sorted({*ALLOWED, *ALIASES})
    for extension in ALLOWED[ALIASES.get(declared, declared)].extensions
]


@pytest.mark.parametrize(("declared", "extension"), DECLARATIONS)
def test_every_accepted_type_gets_a_ticket_pinned_to_its_one_name(
    settings: Settings, declared: str, extension: str
) -> None:
    """The POST policy pins the canonical type whatever alias the browser sent: the object is
    stored as, and ingest then expects, exactly that type."""
    canonical = ALIASES.get(declared, declared)
    ticket = create_upload(
        settings,
        user_id=USER,
        file_name=f"Take 1{extension.upper()}",
        content_type=declared,
        size=7,
    )
    conditions = _policy(ticket.fields)["conditions"]
    assert {"Content-Type": canonical} in conditions
    assert ticket.fields["Content-Type"] == canonical
    assert ["content-length-range", 7, 7] in conditions
    assert ticket.key.endswith(f"/Take 1{extension.upper()}")


def test_ticket_expires_in_minutes(settings: Settings) -> None:
    ticket = create_upload(
        settings, user_id=USER, file_name="a.png", content_type="image/png", size=5
    )
    expiration = _policy(ticket.fields)["expiration"]
    assert isinstance(expiration, str)
    seconds_left = time.mktime(time.strptime(expiration[:19], "%Y-%m-%dT%H:%M:%S")) - time.mktime(
        time.gmtime()
    )
    assert 0 < seconds_left <= settings.presign_expiry_seconds + 5


def test_the_record_awaits_its_upload_and_expires_if_none_comes(settings: Settings) -> None:
    ticket = create_upload(
        settings, user_id=USER, file_name="../../évian.jpg", content_type="image/jpg", size=99
    )
    item = boto3.client("dynamodb").get_item(
        TableName=settings.table_name,
        Key={"pk": {"S": f"MEDIA#{ticket.media_id}"}, "sk": {"S": "META"}},
    )["Item"]
    assert item["status"]["S"] == "awaiting_upload"
    assert item["content_type"]["S"] == "image/jpeg"
    assert item["file_name"]["S"] == "évian.jpg"
    assert item["title"]["S"] == "../../évian.jpg"
    assert item["gsi1pk"]["S"] == f"OWNER#{USER}"
    assert int(item["expires_at"]["N"]) > time.time()


@pytest.mark.parametrize(
    ("file_name", "content_type", "size", "message"),
    [
        ("report.pdf", "application/pdf", 10, "not accepted"),
        ("clip.mp4", "image/png", 10, "declared as image/png"),
        ("big.mp4", "video/mp4", 6 * 1024**3, "larger than the 5.0 GB limit"),
        ("empty.png", "image/png", 0, "empty"),
        ("...", "image/png", 10, "no usable characters"),
    ],
)
def test_refusals_come_before_any_record_or_url(
    settings: Settings, file_name: str, content_type: str, size: int, message: str
) -> None:
    with pytest.raises(UploadRefused, match=message):
        create_upload(
            settings, user_id=USER, file_name=file_name, content_type=content_type, size=size
        )
    scanned = boto3.client("dynamodb").scan(TableName=settings.table_name)
    assert scanned["Count"] == 0


def test_no_upload_starts_for_an_account_being_deleted(settings: Settings) -> None:
    """The record and the account check are one transaction: an upload presigned while the
    account is being deleted cannot slip past the deletion's fan-out."""
    from snapstream_runtime import keys
    from snapstream_runtime.adapters.table import Table
    from snapstream_runtime.lifecycle import Status

    table = Table(settings.table_name)
    profile = {**keys.profile_key(USER), "user_id": USER, "status": "active"}
    table.put_new(profile)
    create_upload(settings, user_id=USER, file_name="a.png", content_type="image/png", size=9)
    table.put_new({**keys.profile_key("d" * 32), "status": Status.DELETING.value})
    with pytest.raises(UploadRefused, match="being deleted"):
        create_upload(
            settings, user_id="d" * 32, file_name="b.png", content_type="image/png", size=9
        )
    owned = boto3.client("dynamodb").scan(TableName=settings.table_name)["Items"]
    assert not [i for i in owned if "d" * 32 in str(i) and i["sk"]["S"] != "PROFILE"]
