"""Administrators: every account (never a password hash), every upload, processing failures."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, abort, render_template, request

from snapstream_runtime.clock import utc_now
from snapstream_runtime.library import all_uploads_page
from snapstream_web import accounts, media_service, security

blueprint = Blueprint("admin", __name__, url_prefix="/admin")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def month_argument() -> str:
    month = request.args.get("month") or utc_now().strftime("%Y-%m")
    if not _MONTH.match(month):
        abort(400, description="month must look like 2026-11")
    return month


def uploads_listing(status: str | None) -> tuple[str, list[dict[str, Any]], str | None]:
    settings = security.web_config().settings
    if status and status not in media_service.STATUSES:
        abort(400, description="unknown status")
    month = month_argument()
    try:
        page = all_uploads_page(
            settings.table_name, month, cursor=request.args.get("cursor"), status=status
        )
    except ValueError as error:
        abort(400, description=str(error))
    rows = [
        {
            **media_service.card(settings, item),
            "owner_id": item["owner_id"],
            "status_reason": item.get("status_reason"),
        }
        for item in page.items
    ]
    return month, rows, page.cursor


@blueprint.get("/users")
@security.admin_required
def users() -> Any:
    try:
        page = accounts.users_page(
            security.web_config().settings.table_name, cursor=request.args.get("cursor")
        )
    except ValueError as error:
        abort(400, description=str(error))
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
