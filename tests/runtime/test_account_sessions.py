# ruff: noqa: F811 (fixtures imported from deletion_support)
"""An account's deletion ends its login sessions: at once (the mark moves ``auth_version``) and
for good (the deletion function deletes the records, which name the user). Nobody else's."""

from __future__ import annotations

import boto3
import pytest

from snapstream_runtime import keys
from snapstream_runtime.adapters.table import Table
from snapstream_runtime.deletion_requests import request_account_deletion
from snapstream_runtime.session_records import revoke_all, session_hash, sessions_of
from snapstream_runtime.settings import Settings
from snapstream_web import accounts, sessions
from tests.runtime.deletion_support import (  # noqa: F401 (fixtures)
    DeletionQueue,
    as_deletion_function,
    deletion_queue,
    deletion_settings,
    settle,
)

pytestmark = pytest.mark.usefixtures("as_deletion_function")
TIMEOUTS = sessions.Timeouts(idle_seconds=3600, absolute_seconds=12 * 3600)


def _session_items(settings: Settings) -> list[dict[str, str]]:
    items = boto3.client("dynamodb").scan(TableName=settings.table_name)["Items"]
    return [
        {"pk": i["pk"]["S"], "user_id": i["user_id"]["S"]}
        for i in items
        if i["pk"]["S"].startswith("SESSION#")
    ]


def _start(table: Table, user: accounts.User) -> str:
    session_id, _ = sessions.start(
        table, user, stage=sessions.ACTIVE, user_agent="test", timeouts=TIMEOUTS
    )
    return session_id


def test_deleting_an_account_deletes_its_sessions_and_no_one_elses(
    deletion_settings: Settings, deletion_queue: DeletionQueue
) -> None:
    table = Table(deletion_settings.table_name)
    leaving = accounts.register(
        table, email="leaving@example.com", username="leaving", password="p" * 12
    )
    staying = accounts.register(
        table, email="staying@example.com", username="staying", password="p" * 12
    )
    mine = [_start(table, leaving) for _ in range(3)]
    pending, _ = sessions.start(
        table, leaving, stage=sessions.TWO_FACTOR, user_agent="test", timeouts=TIMEOUTS
    )
    theirs = _start(table, staying)
    assert len(_session_items(deletion_settings)) == 5

    request_account_deletion(deletion_settings, leaving.user_id)
    assert accounts.load_user(table, leaving.user_id) is None  # every session refused at once
    settle(deletion_queue)

    remaining = _session_items(deletion_settings)
    assert remaining == [{"pk": f"SESSION#{session_hash(theirs)}", "user_id": staying.user_id}]
    assert all(sessions.load(table, sid, TIMEOUTS) is None for sid in [*mine, pending])
    assert sessions.load(table, theirs, TIMEOUTS) is not None


def test_revoking_keeps_only_the_named_session(deletion_settings: Settings) -> None:
    table = Table(deletion_settings.table_name)
    user = accounts.register(table, email="kim@example.com", username="kim", password="p" * 12)
    kept, *others = [_start(table, user) for _ in range(4)]
    assert len(sessions_of(table, user.user_id)) == 4
    assert revoke_all(table, user.user_id, keep=session_hash(kept)) == 3
    assert [item["session"] for item in sessions_of(table, user.user_id)] == [session_hash(kept)]
    assert all(table.get(**keys.session_key(session_hash(sid))) is None for sid in others)
    assert revoke_all(table, user.user_id) == 1 and sessions_of(table, user.user_id) == []
