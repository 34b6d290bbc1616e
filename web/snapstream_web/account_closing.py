"""Closing an account: the request marks it ``deleting`` (its sessions end, it leaves the admins'
list, nobody can log in to it) and hands it to the deletion function, which deletes its media,
notifications, subscription and its own items (``snapstream_runtime.account_removal``)."""

from __future__ import annotations

from snapstream_runtime.deletion_requests import request_account_deletion
from snapstream_runtime.settings import Settings


def close_account(settings: Settings, user_id: str) -> None:
    """Start (or, for an account being deleted, restart) the account's deletion; raises
    ``DeletionNotStarted`` if the hand-over failed (logging in again retries it)."""
    request_account_deletion(settings, user_id)
