"""Administrators: every account with what it stores (never a password hash; disable, enable
or delete one), every upload with its owner's name, processing failures."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from snapstream_runtime.deletion_requests import DeletionNotStarted
from snapstream_runtime.library import all_uploads_page
from snapstream_runtime.session_records import revoke_all
from snapstream_web import accounts, media_service, security
from snapstream_web.account_closing import close_account
from snapstream_web.accounts import AccountError
from snapstream_web.views.arguments import cursor_argument, cursors, month_argument
from snapstream_web.views.guards import signed_in_user

blueprint = Blueprint("admin", __name__, url_prefix="/admin")
_USER_ID = re.compile(r"^[0-9a-f]{32}$")


def uploads_listing(status: str | None) -> tuple[str, list[dict[str, Any]], str | None]:
    settings = security.web_config().settings
    if status and status not in media_service.STATUSES:
        abort(400, description=f"the status filter is one of {', '.join(media_service.STATUSES)}")
    month = month_argument()
    page = all_uploads_page(
        settings.table_name, month, cursors=cursors(), cursor=cursor_argument(), status=status
    )
    names = accounts.usernames(security.table(), [item["owner_id"] for item in page.items])
    rows = [
        {
            **media_service.card(settings, item),
            "owner_id": item["owner_id"],
            "owner_name": names.get(item["owner_id"]),
            "status_reason": item.get("status_reason"),
        }
        for item in page.items
    ]
    return month, rows, page.cursor


@blueprint.get("/users")
@security.admin_required
def users() -> Any:
    page = accounts.users_page(
        security.web_config().settings.table_name, cursors=cursors(), cursor=cursor_argument()
    )
    return render_template("admin/users.html", users=page.items, cursor=page.cursor)


@blueprint.get("/uploads")
@security.admin_required
def uploads() -> Any:
    status = request.args.get("status") or None
    month, rows, cursor = uploads_listing(status)
    return render_template(
        "admin/uploads.html",
        rows=rows,
        cursor=cursor,
        month=month,
        status=status,
        statuses=media_service.STATUSES,
        title="All uploads",
    )


@blueprint.get("/failures")
@security.admin_required
def failures() -> Any:
    month, rows, cursor = uploads_listing("failed")
    return render_template(
        "admin/uploads.html",
        rows=rows,
        cursor=cursor,
        month=month,
        status="failed",
        statuses=media_service.STATUSES,
        title="Processing failures",
    )


@blueprint.post("/users/<user_id>/disable")
@security.admin_required
def disable_user(user_id: str) -> Any:
    """The account can no longer log in, and every session of it ends now."""
    _set_disabled(user_id, disabled=True)
    flash("The account is disabled and logged out everywhere.", "success")
    return redirect(url_for("admin.users"))


@blueprint.post("/users/<user_id>/enable")
@security.admin_required
def enable_user(user_id: str) -> Any:
    _set_disabled(user_id, disabled=False)
    flash("The account is enabled again.", "success")
    return redirect(url_for("admin.users"))


@blueprint.post("/users/<user_id>/delete")
@security.admin_required
def delete_user(user_id: str) -> Any:
    """Delete the account and everything in it (the account-deletion workflow, as if its owner
    closed it), once the administrator has typed its username; never their own account."""
    _check_other(user_id, "delete")
    found = accounts.find_account(security.table(), user_id)
    if found is None:
        abort(404, description="no such account (or it is being deleted already)")
    if request.form.get("confirm", "").strip() != found.username:
        flash(f"Type “{found.username}” to confirm; nothing was deleted.", "error")
        return redirect(url_for("admin.users"))
    try:
        close_account(security.web_config().settings, user_id)
    except DeletionNotStarted:
        flash(
            f"“{found.username}” is marked for deletion and logged out, but the deletion did not "
            "start: see docs/runbooks.md, “Redriving deletions”.",
            "error",
        )
        return redirect(url_for("admin.users"))
    flash(
        f"“{found.username}” is logged out and being deleted with all its media; the address "
        "can register again once it is done.",
        "success",
    )
    return redirect(url_for("admin.users"))


def _check_other(user_id: str, verb: str) -> None:
    """An account id, and not the administrator's own."""
    if not _USER_ID.match(user_id):
        abort(404, description="no such account")
    if user_id == signed_in_user().user_id:
        abort(400, description=f"you cannot {verb} your own account")


def _set_disabled(user_id: str, *, disabled: bool) -> None:
    table = security.table()
    _check_other(user_id, "disable")
    try:
        accounts.set_disabled(table, user_id, disabled=disabled)
    except AccountError:
        abort(404, description="no such account")
    if disabled:
        revoke_all(table, user_id)
