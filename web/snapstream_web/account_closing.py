"""Deleting an account: all its media (files, assets, records), notifications, subscription,
then the account's own items. Safe to repeat if it fails half-way."""

from __future__ import annotations

from snapstream_runtime.adapters.table import Table
from snapstream_runtime.settings import Settings
from snapstream_web import inbox, media_service
from snapstream_web.accounts import User, delete_account_records


def close_account(settings: Settings, user: User) -> int:
    """Returns how many media were deleted."""
    table = Table(settings.table_name)
    deleted = media_service.delete_all_of(settings, user.user_id)
    inbox.clear_all(table, user.user_id)
    inbox.unsubscribe_email(table, user)
    delete_account_records(table, user)
    return deleted
