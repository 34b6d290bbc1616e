"""The JSON API (``/api/...``): the same session, CSRF and ownership checks as the pages.

Described by ``/api/openapi.json`` (see openapi.py); a test checks every route is documented.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Blueprint, abort, jsonify, request

from snapstream_runtime import media_details
from snapstream_runtime.deletion_requests import DeletionNotStarted
from snapstream_runtime.lifecycle import Status
from snapstream_runtime.playback import NotPlayable, PlaybackDenied
from snapstream_runtime.sizes import is_whole_number
from snapstream_runtime.uploads import UploadRefused
from snapstream_web import (
    accounts,
    bulk_actions,
    inbox,
    library_service,
    media_service,
    security,
)
from snapstream_web.openapi import openapi_document
from snapstream_web.views import login_flow
from snapstream_web.views.admin_views import uploads_listing
from snapstream_web.views.arguments import (
    cursor_argument,
    cursors,
    library_arguments,
    limit_argument,
)
from snapstream_web.views.guards import live_media, owned_media, signed_in_user, visible_media
from snapstream_web.views.local_media import local_playback

blueprint = Blueprint("api", __name__, url_prefix="/api")


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, description="send a JSON object")
    return body


@blueprint.get("/openapi.json")
def openapi() -> Any:
    return jsonify(openapi_document())


@blueprint.get("/session")
def session_info() -> Any:
    """The CSRF token for this session (and who is logged in, if anyone)."""
    user = security.current_user()
    return jsonify({"csrf_token": security.csrf_token(), "user": user.public() if user else None})


@blueprint.post("/session")
def log_in() -> Any:
    """Throttled; ``code`` too for an account with two-factor on (views/login_flow.py)."""
    return login_flow.api_log_in(_body())


@blueprint.delete("/session")
def log_out() -> Any:
    security.log_out()
    return "", 204


@blueprint.get("/me")
@security.login_required
def me() -> Any:
    return jsonify(signed_in_user().public())


@blueprint.get("/dashboard")
@security.login_required
def dashboard() -> Any:
    user = signed_in_user()
    return jsonify(media_service.counts(security.web_config().settings, user.user_id))


@blueprint.post("/uploads")
@security.login_required
def create_upload() -> Any:
    body = _body()
    size, file_name, content_type = (body.get(k) for k in ("size", "file_name", "content_type"))
    if not is_whole_number(size):
        abort(400, description="size must be a whole number of bytes (a JSON integer, like 52431)")
    if not isinstance(file_name, str) or not isinstance(content_type, str):
        abort(400, description="file_name and content_type must be text")
    try:
        ticket = media_service.start_upload(
            security.web_config().settings,
            signed_in_user().user_id,
            file_name=file_name,
            content_type=content_type,
            size=size,
        )
    except UploadRefused as error:
        abort(422, description=str(error))
    return jsonify(ticket), 201


@blueprint.get("/media")
@security.login_required
def list_media() -> Any:
    args = library_arguments()
    cards, cursor = library_service.library(
        security.web_config().settings,
        signed_in_user().user_id,
        cursors=cursors(),
        cursor=cursor_argument(),
        kind=args["kind"],
        status=args["status"],
        tag=args["tag"],
        text=args["q"],
        sort=args["sort"] or library_service.NEWEST,
        limit=limit_argument(24),
    )
    return jsonify({"items": cards, "cursor": cursor})


@blueprint.post("/media/bulk")
@security.login_required
def bulk() -> Any:
    """One action on several of the caller's media: ``delete``, ``tag`` or ``untag``."""
    body = _body()
    action, media_ids, tag = body.get("action"), body.get("media_ids"), body.get("tag")
    if not isinstance(action, str) or not isinstance(media_ids, list):
        abort(400, description="action must be text and media_ids a list of media ids")
    if not all(isinstance(m, str) for m in media_ids) or not isinstance(tag, str | None):
        abort(400, description="media_ids must be media ids and tag text")
    try:
        outcome = bulk_actions.apply(
            security.web_config().settings, signed_in_user().user_id, action, media_ids, tag
        )
    except (bulk_actions.BadSelection, media_service.BadTag) as error:
        abort(422, description=str(error))
    return jsonify(asdict(outcome))


@blueprint.get("/media/status")
@security.login_required
def media_status() -> Any:
    ids = [i for i in request.args.get("ids", "").split(",") if i][:50]
    found = media_service.statuses(security.web_config().settings, signed_in_user().user_id, ids)
    return jsonify(found)


@blueprint.get("/media/<media_id:media_id>")
@security.login_required
def get_media(media_id: str) -> Any:
    return jsonify(media_service.detail(security.web_config().settings, visible_media(media_id)))


@blueprint.patch("/media/<media_id:media_id>")
@security.login_required
def edit_media(media_id: str) -> Any:
    """Rename the media and/or set its description (the owner only); the media as it stands."""
    body, found = _body(), owned_media(media_id)
    title, description = body.get("title"), body.get("description")
    if title is None and description is None:
        abort(400, description="send a title, a description or both")
    if not isinstance(title, str | None) or not isinstance(description, str | None):
        abort(400, description="title and description must be text")
    settings = security.web_config().settings
    try:
        edited = media_service.edit_details(
            settings, found, owner_id=signed_in_user().user_id, title=title, description=description
        )
    except media_details.BadDetails as error:
        abort(422, description=str(error))
    except media_service.MediaNotFound:
        abort(404, description="no such media")
    return jsonify(media_service.detail(settings, edited))


@blueprint.get("/media/<media_id:media_id>/download")
@security.login_required
def download(media_id: str) -> Any:
    """A link to the original file, valid for a few minutes (owner and admins)."""
    found = live_media(media_id)
    url = media_service.original_url(security.web_config().settings, found)
    if url is None:
        abort(404, description="this media has no original file to download")
    body = {"url": url, "file_name": found.file_name, "expires_in": media_service.LINK_SECONDS}
    return jsonify(body), 200, {"Cache-Control": "no-store"}


@blueprint.delete("/media/<media_id:media_id>")
@security.login_required
def delete_media(media_id: str) -> Any:
    """Marks the media deleting (gone from every list at once) and starts the deletion: 202."""
    user, found = signed_in_user(), visible_media(media_id)
    try:
        media_service.remove(security.web_config().settings, found, requester_id=user.user_id)
    except DeletionNotStarted:
        abort(
            503, description="the deletion could not start; the media is marked for it: try again"
        )
    return jsonify({"media_id": found.media_id, "status": Status.DELETING.value}), 202


@blueprint.get("/media/<media_id:media_id>/playback")
@security.login_required
def playback(media_id: str) -> Any:
    user, found = signed_in_user(), live_media(media_id)
    try:
        if security.web_config().local_media and found.kind == "video":
            return jsonify(local_playback(found))
        signed = media_service.playback(
            security.web_config().settings, found, viewer_id=user.user_id, admin=user.is_admin
        )
    except PlaybackDenied:
        abort(404, description="no such media")
    except NotPlayable as error:
        abort(409, description=str(error))
    return jsonify(signed)


@blueprint.post("/media/<media_id:media_id>/tags")
@security.login_required
def add_tag(media_id: str) -> Any:
    found, text = owned_media(media_id), _body().get("tag")
    if not isinstance(text, str):
        abort(400, description="tag must be text")
    try:
        name = media_service.add_tag(
            security.web_config().settings, found, text, owner_id=signed_in_user().user_id
        )
    except media_service.BadTag as error:
        abort(422, description=str(error))
    return jsonify({"tag": name}), 201


@blueprint.delete("/media/<media_id:media_id>/tags/<tag>")
@security.login_required
def remove_tag(media_id: str, tag: str) -> Any:
    found = owned_media(media_id)
    removed = media_service.remove_tag(
        security.web_config().settings, found, tag, owner_id=signed_in_user().user_id
    )
    if not removed:
        abort(404, description="the media has no such tag")
    return "", 204


@blueprint.get("/tags/suggest")
@security.login_required
def suggest() -> Any:
    prefix = request.args.get("prefix", "")
    found = media_service.suggestions(
        security.web_config().settings, signed_in_user().user_id, prefix
    )
    return jsonify({"tags": found})


@blueprint.get("/notifications")
@security.login_required
def notifications() -> Any:
    user = signed_in_user()
    page = inbox.notifications_page(
        security.table(), user.user_id, cursors=cursors(), cursor=cursor_argument()
    )
    unread = inbox.unread_count(security.table(), user.user_id)
    return jsonify({"items": page.items, "cursor": page.cursor, "unread": unread})


@blueprint.post("/notifications/read")
@security.login_required
def mark_read() -> Any:
    inbox.mark_all_read(security.table(), signed_in_user().user_id)
    return "", 204


@blueprint.delete("/notifications")
@security.login_required
def clear_notifications() -> Any:
    return jsonify({"deleted": inbox.clear_all(security.table(), signed_in_user().user_id)})


@blueprint.put("/notifications/email")
@security.login_required
def email_notifications() -> Any:
    enabled = _body().get("enabled")
    if not isinstance(enabled, bool):
        abort(400, description="enabled must be true or false")
    user = signed_in_user()
    if enabled:
        topic = security.web_config().settings.notifications_topic_arn
        inbox.subscribe_email(security.table(), user, topic)
    else:
        inbox.unsubscribe_email(security.table(), user)
    return jsonify({"enabled": enabled})


@blueprint.get("/admin/users")
@security.admin_required
def admin_users() -> Any:
    page = accounts.users_page(
        security.web_config().settings.table_name, cursors=cursors(), cursor=cursor_argument()
    )
    return jsonify({"items": page.items, "cursor": page.cursor})


@blueprint.get("/admin/uploads")
@security.admin_required
def admin_uploads() -> Any:
    month, rows, cursor = uploads_listing(request.args.get("status") or None)
    return jsonify({"month": month, "items": rows, "cursor": cursor})
