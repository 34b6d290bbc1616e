"""Page cursors: signed by the site, bound to their query, checked against the index's keys."""

from __future__ import annotations

import base64
import json

import pytest

from snapstream_runtime.pagination import (
    MAX_CURSOR_LENGTH,
    BadCursor,
    Cursors,
    PageQuery,
    index_key,
)

CURSORS = Cursors.from_secret("the site's session secret")
ALICE = PageQuery("library", ("gsi1pk", "OWNER#" + "a" * 32), index_key("gsi1"), ("kind=",))
LAST = {
    "pk": "MEDIA#" + "1" * 32,
    "sk": "META",
    "gsi1pk": "OWNER#" + "a" * 32,
    "gsi1sk": "2026-11-02T10:00:00Z#" + "1" * 32,
}


def _cursor(query: PageQuery = ALICE, key: dict[str, str] = LAST) -> str:
    cursor = CURSORS.encode(key, query)
    assert cursor is not None
    return cursor


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def test_a_cursor_round_trips_to_its_start_key() -> None:
    cursor = _cursor()
    assert CURSORS.decode(cursor, ALICE) == LAST
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
    assert CURSORS.encode(None, ALICE) is None and CURSORS.encode({}, ALICE) is None
    assert CURSORS.decode(None, ALICE) is None and CURSORS.decode("", ALICE) is None


@pytest.mark.parametrize(
    "other",
    [
        PageQuery("library", ("gsi1pk", "OWNER#" + "b" * 32), index_key("gsi1"), ("kind=",)),
        PageQuery("library", ALICE.partition, index_key("gsi1"), ("kind=video",)),
        PageQuery("all-uploads", ALICE.partition, index_key("gsi1"), ("kind=",)),
        PageQuery("library", ALICE.partition, index_key("gsi2"), ("kind=",)),
    ],
    ids=["another user", "another filter", "another list", "another index"],
)
def test_a_cursor_is_refused_for_any_other_query(other: PageQuery) -> None:
    with pytest.raises(BadCursor, match="another search"):
        CURSORS.decode(_cursor(), other)


def test_a_cursor_signed_with_another_key_is_refused() -> None:
    rotated = Cursors.from_secret("a new session secret")
    with pytest.raises(BadCursor, match="another search or list, or has expired"):
        rotated.decode(_cursor(), ALICE)
    with pytest.raises(ValueError, match="16 bytes"):
        Cursors(b"short")


def test_altered_and_forged_cursors_are_refused() -> None:
    payload, tag = _cursor().split(".")
    bob = {**LAST, "gsi1pk": "OWNER#" + "b" * 32}
    forged = _b64(json.dumps(bob).encode())
    for cursor in [
        f"{forged}.{tag}",  # someone else's partition under Alice's tag
        f"{payload}.{tag[:-2]}AA",  # a changed tag
        f"{payload}.",  # no tag
        payload,  # the key alone (the old, unsigned format)
        f"{payload}.{tag}.{tag}",
    ]:
        with pytest.raises(BadCursor):
            CURSORS.decode(cursor, ALICE)


@pytest.mark.parametrize(
    "cursor",
    ["%%%", "²", "a.b=", "..", " ", "a" * (MAX_CURSOR_LENGTH + 1), "é.é", "a\n.b", "{}.{}"],
)
def test_malformed_cursors_get_a_message_for_people(cursor: str) -> None:
    with pytest.raises(BadCursor) as refused:
        CURSORS.decode(cursor, ALICE)
    message = str(refused.value)
    assert "first page" in message and "Error" not in message and "codec" not in message


def test_a_well_signed_key_must_still_match_the_index_key_schema() -> None:
    """Defence in depth: even with the key leaked, only the index's own key shape passes."""
    for key in [
        {"pk": "x", "sk": "y"},  # the table's key, not the index's
        {**LAST, "extra": "z"},
        {**LAST, "gsi1sk": ""},
        {**LAST, "gsi1pk": "OWNER#" + "b" * 32},
    ]:
        with pytest.raises(BadCursor):
            CURSORS.decode(_cursor(key=key), ALICE)
    numbers = {**LAST, "gsi1sk": 5}
    payload = json.dumps(numbers, separators=(",", ":"), sort_keys=True).encode()
    signed = f"{_b64(payload)}.{_b64(CURSORS._tag(ALICE, payload))}"
    with pytest.raises(BadCursor):
        CURSORS.decode(signed, ALICE)
