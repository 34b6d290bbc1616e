from __future__ import annotations

from urllib.parse import quote_plus

import pytest

from snapstream_runtime import keys
from snapstream_runtime.keys import decode_event_key, parse_upload_key, upload_key

USER, MEDIA = "a" * 32, "b" * 32


@pytest.mark.parametrize(
    "name", ["plain.mp4", "with space.mp4", "plus+sign.mp4", "Fête d'été.png", "日本語.jpg"]
)
def test_event_keys_decode_back_to_the_uploaded_key(name: str) -> None:
    key = upload_key(USER, MEDIA, name)
    encoded = quote_plus(key, safe="/")
    assert decode_event_key(encoded) == key
    ref = parse_upload_key(decode_event_key(encoded))
    assert ref is not None
    assert (ref.user_id, ref.media_id, ref.file_name) == (USER, MEDIA, name)


@pytest.mark.parametrize(
    "key",
    [
        "other/prefix.mp4",
        f"uploads/{USER}/{MEDIA}",
        f"uploads/{USER}/{MEDIA}/a/b.mp4",
        f"uploads/{USER.upper()}/{MEDIA}/x.mp4",
        f"uploads/../{MEDIA}/x.mp4",
    ],
)
def test_keys_outside_the_contract_are_not_uploads(key: str) -> None:
    assert parse_upload_key(key) is None


def test_the_name_sort_key_fits_an_index_key_however_the_title_folds() -> None:
    """NFKC turns U+FDFA into 18 characters: 200 of them must not overflow DynamoDB's
    1,024-byte limit on a secondary index's sort key."""
    media_id = "0" * 32
    key = keys.name_sort_key("\ufdfa" * 200, media_id)
    assert len(key.encode()) <= 1024 and key.endswith(f"#{media_id}")
    assert keys.name_sort_key("Harbour", media_id) == f"harbour#{media_id}"
