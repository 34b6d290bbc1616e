"""What the analysers write beside a media's record: results and the content-hash claim.

Each write is one transaction with :func:`lifecycle.active_guard`, so nothing is written for a
media being deleted or gone (:class:`lifecycle.MediaGone`, with a sweep of what the analyser
may have put in the media's folder before).
"""

from __future__ import annotations

from typing import Any

from snapstream_runtime import keys, lifecycle
from snapstream_runtime.adapters.table import ConditionFailed, Table, to_attributes
from snapstream_runtime.lifecycle import Media


def store_results(table: Table, media: Media, analyses: dict[str, Any]) -> None:
    """One ``ANALYSIS#<kind>`` item per analyser, in one transaction with the guard."""
    puts = [
        {
            "Put": {
                "TableName": table.name,
                "Item": to_attributes(
                    {
                        "pk": keys.media_pk(media.media_id),
                        "sk": f"ANALYSIS#{kind}",
                        "media_id": media.media_id,
                        "owner_id": media.owner_id,
                        "kind": kind,
                        "body": body,
                    }
                ),
            }
        }
        for kind, body in analyses.items()
    ]
    try:
        table.transact([lifecycle.active_guard(table.name, media.media_id), *puts])
    except ConditionFailed as error:
        raise lifecycle.gone_unless_changed(
            table, media.media_id, error, owner_id=media.owner_id
        ) from error


def register_hash(table: Table, media: Media, sha256: str) -> str | None:
    """Claim the content hash for the media; the id of the owner's earlier media with the same
    bytes, if there is one."""
    key = keys.hash_key(media.owner_id, sha256)
    claim = {
        "Put": {
            "TableName": table.name,
            "Item": to_attributes({**key, "media_id": media.media_id}),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }
    # The record names the hash in the same transaction: a deletion always finds the claim.
    guard = lifecycle.active_guard(table.name, media.media_id, {"content_hash": sha256})
    try:
        table.transact([guard, claim])
    except ConditionFailed as error:
        gone = lifecycle.gone_unless_changed(table, media.media_id, error, owner_id=media.owner_id)
        if gone is not error:
            raise gone from error
        existing = table.get(**key) or {}
        other = existing.get("media_id")
        return str(other) if other and other != media.media_id else None
    return None


def claim_content_hash(table: Table, media: Media, sha256: str) -> dict[str, Any]:
    """The record's fields for the media's content hash, claimed with :func:`register_hash`:
    ``content_hash``, and ``duplicate_of`` (the earlier media's id) when its owner uploaded the
    same bytes before."""
    fields: dict[str, Any] = {"content_hash": sha256}
    earlier = register_hash(table, media, sha256)
    if earlier:
        fields["duplicate_of"] = earlier
    return fields
