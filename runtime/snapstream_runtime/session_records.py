"""The site's login sessions as stored (single table), and revoking them.

One item per session: ``SESSION#<sha256 of the session id>/SESSION`` with the user, when it
was created and last seen, the browser's user agent, its deadlines and a TTL (``expires_at``:
the sooner of the idle and the absolute deadline, moved on as the session is used). The
session id itself lives only in the browser's signed cookie; the table holds its hash, so a
copy of the table logs nobody in. GSI1 lists a user's sessions (``SESSIONS#<user id>``, newest
first): the profile page shows them, and a password change, an administrator disabling the
account or the account's deletion ends them all (``revoke_all``).
"""

from __future__ import annotations

import hashlib
from typing import Any

from snapstream_runtime import keys
from snapstream_runtime.adapters.table import KeyQuery, Table, delete_keys, to_attributes

SESSIONS_INDEX = "gsi1"


def session_hash(session_id: str) -> str:
    """The stored name of a session: the SHA-256 of its (high-entropy, random) id."""
    return hashlib.sha256(session_id.encode()).hexdigest()


def sessions_of(table: Table, user_id: str) -> list[dict[str, Any]]:
    """Every stored session of ``user_id``, newest first (every page of one GSI1 partition).

    The index is eventually consistent: a session created a moment ago may be missing. That is
    why every session also records the account's ``auth_version`` and is refused once it
    moved (a password change, disabling, deletion), whatever the index shows."""
    query = KeyQuery(
        "gsi1pk = :pk",
        {":pk": keys.sessions_index_pk(user_id)},
        index=SESSIONS_INDEX,
        descending=True,
    )
    return list(table.items(query, page_size=100))


def revoke_all(table: Table, user_id: str, *, keep: str | None = None) -> int:
    """Delete every session of ``user_id`` but the one whose hash is ``keep``; how many."""
    doomed = [
        to_attributes(keys.session_key(str(item["session"])))
        for item in sessions_of(table, user_id)
        if item.get("session") and item["session"] != keep
    ]
    if doomed:
        delete_keys(table.name, doomed)
    return len(doomed)
