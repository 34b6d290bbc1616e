"""The library's sparse index keys on a media record: which filtered lists it is on.

A user can list their media by kind, by status, by both, or by name; an administrator lists one
month's uploads by status. Each of these is one Query on an index of its own, which holds exactly
the media of that list (a FilterExpression on GSI1 would read the whole library to fill a page):

==========  ==========================================  ============================
index       partition (``<attribute>``)                  sort key
==========  ==========================================  ============================
``gsi4``    ``OWNER#<user>#KIND#<kind>`` (gsi4pk)          ``<created>#<media>`` (gsi1sk)
``gsi5``    ``OWNER#<user>#STATUS#<status>`` (gsi5pk)      gsi1sk
``gsi6``    ``OWNER#<user>#KIND#<k>#STATUS#<s>`` (gsi6pk)  gsi1sk
``gsi7``    ``ALL#<month>#STATUS#<status>`` (gsi7pk)       gsi1sk
``gsi8``    ``OWNER#<user>`` (gsi1pk, shared with GSI1)    ``<folded title>#<media>`` (gsi8sk)
==========  ==========================================  ============================

A record gets all of them when it is created (:func:`record_keys`). Kind never changes; the
status machine moves the three status partitions in the very write that changes the status
(:func:`track`), and marking a media ``deleting`` removes every one of these keys in the mark's
write, so the media leaves each list at the moment it leaves GSI1. A rename moves ``gsi8sk``.
The construct's ``LIBRARY_INDEXES`` defines the indexes (tests/infra checks both agree).
"""

from __future__ import annotations

from snapstream_runtime import keys
from snapstream_runtime.adapters.table import Update

KIND_INDEX, STATUS_INDEX, KIND_STATUS_INDEX, MONTH_STATUS_INDEX, NAME_INDEX = (
    "gsi4",
    "gsi5",
    "gsi6",
    "gsi7",
    "gsi8",
)
#: index -> (partition key attribute, sort key attribute)
INDEXES: dict[str, tuple[str, str]] = {
    KIND_INDEX: ("gsi4pk", "gsi1sk"),
    STATUS_INDEX: ("gsi5pk", "gsi1sk"),
    KIND_STATUS_INDEX: ("gsi6pk", "gsi1sk"),
    MONTH_STATUS_INDEX: ("gsi7pk", "gsi1sk"),
    NAME_INDEX: ("gsi1pk", "gsi8sk"),
}
NAME_KEY = INDEXES[NAME_INDEX][1]
_STATUS_KEYS = tuple(INDEXES[i][0] for i in (STATUS_INDEX, KIND_STATUS_INDEX, MONTH_STATUS_INDEX))
_DELETING = "deleting"


def status_keys(owner_id: str, kind: str, created_at: str, status: str) -> dict[str, str]:
    """The status partitions of a media in ``status`` (owner's, owner's kind's, the month's)."""
    return dict(
        zip(
            _STATUS_KEYS,
            (
                keys.status_index_pk(owner_id, status),
                keys.kind_status_index_pk(owner_id, kind, status),
                keys.month_status_index_pk(created_at, status),
            ),
            strict=True,
        )
    )


def record_keys(
    *, owner_id: str, kind: str, created_at: str, status: str, media_id: str, title: str
) -> dict[str, str]:
    """Every library key of a new record (GSI1's own keys are set beside them)."""
    return {
        INDEXES[KIND_INDEX][0]: keys.kind_index_pk(owner_id, kind),
        **status_keys(owner_id, kind, created_at, status),
        NAME_KEY: keys.name_sort_key(title, media_id),
    }


def track(update: Update, *, owner_id: str, kind: str, created_at: str, status: str) -> Update:
    """In ``update`` (a write that leaves the media in ``status``): move it to that status's
    lists, or, for ``deleting``, off every list of the library."""
    if status == _DELETING:
        for attribute in (INDEXES[KIND_INDEX][0], *_STATUS_KEYS, NAME_KEY):
            update.remove(attribute)
        return update
    for attribute, value in status_keys(owner_id, kind, created_at, status).items():
        update.set(attribute, value)
    return update
