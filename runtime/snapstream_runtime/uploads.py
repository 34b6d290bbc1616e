"""The upload contract the web tier calls: a media record plus a presigned S3 POST.

Everything the browser could lie about is pinned in the POST policy (exact key, content type,
exact length, KMS encryption, owner and media id metadata) and checked again from the stored
object by the ingest Lambda.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from snapstream_runtime import keys
from snapstream_runtime.adapters.presigned import upload_form
from snapstream_runtime.adapters.table import (
    ConditionFailed,
    Table,
    put_transact_item,
    to_attributes,
)
from snapstream_runtime.clock import iso, new_id, utc_now
from snapstream_runtime.file_names import BadFileName, display_title, safe_file_name
from snapstream_runtime.lifecycle import Status, new_media_item
from snapstream_runtime.media_types import UnsupportedType, type_for_file_name
from snapstream_runtime.settings import Settings
from snapstream_runtime.sizes import BadSize, byte_count


class UploadRefused(ValueError):
    """The upload is not allowed; the message says why, in words for the user."""


@dataclass(frozen=True)
class UploadTicket:
    media_id: str
    key: str
    url: str
    fields: dict[str, str]
    expires_at: str
    content_type: str
    size: int


def _account_open(table: Table, user_id: str) -> dict[str, Any]:
    """A transaction check: the profile is not ``deleting`` (or does not exist yet)."""
    return {
        "ConditionCheck": {
            "TableName": table.name,
            "Key": to_attributes(keys.profile_key(user_id)),
            "ConditionExpression": "attribute_not_exists(pk) OR #status <> :deleting",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": to_attributes({":deleting": Status.DELETING.value}),
        }
    }


def create_upload(
    settings: Settings, *, user_id: str, file_name: str, content_type: str, size: int
) -> UploadTicket:
    """Create the ``awaiting_upload`` record and a presigned POST for exactly this file."""
    try:
        safe_name = safe_file_name(file_name)
        media_type = type_for_file_name(safe_name, content_type)
        size = byte_count(size, maximum=settings.max_upload_bytes)
    except (BadFileName, UnsupportedType, BadSize) as error:
        raise UploadRefused(str(error)) from error

    media_id = new_id()
    key = keys.upload_key(user_id, media_id, safe_name)
    now = utc_now()
    created_at = iso(now)
    record = new_media_item(
        media_id=media_id,
        owner_id=user_id,
        title=display_title(file_name),
        file_name=safe_name,
        media_type=media_type,
        declared_size=size,
        upload_key=key,
        created_at=created_at,
        expires_at=int(now.timestamp()) + settings.awaiting_upload_ttl_seconds,
    )
    table = Table(settings.table_name)
    try:
        # In the same transaction: the owner's account is not being deleted (its fan-out
        # would otherwise race an upload presigned at that moment).
        table.transact([put_transact_item(table.name, record), _account_open(table, user_id)])
    except ConditionFailed as error:
        raise UploadRefused("this account is being deleted") from error
    fields = {"Content-Type": media_type.content_type, "x-amz-server-side-encryption": "aws:kms"}
    if settings.uploads_kms_key_arn:
        fields["x-amz-server-side-encryption-aws-kms-key-id"] = settings.uploads_kms_key_arn
    for name, value in keys.upload_metadata(user_id, media_id).items():
        fields[f"x-amz-meta-{name}"] = value
    conditions: list[object] = [{name: value} for name, value in fields.items()]
    conditions.append(["content-length-range", size, size])
    url, form_fields = upload_form(
        settings.uploads_bucket,
        key,
        fields=fields,
        conditions=conditions,
        expires_in=settings.presign_expiry_seconds,
    )
    return UploadTicket(
        media_id=media_id,
        key=key,
        url=url,
        fields=form_fields,
        expires_at=iso(now + timedelta(seconds=settings.presign_expiry_seconds)),
        content_type=media_type.content_type,
        size=size,
    )
