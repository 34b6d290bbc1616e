"""The user's pages: dashboard, upload, library, media, notifications."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from snapstream_runtime import media_details
from snapstream_runtime.deletion_requests import DeletionNotStarted
from snapstream_web import bulk_actions, inbox, library_service, media_service, security
from snapstream_web.views.arguments import (
    cursor_argument,
    cursors,
    library_arguments,
    library_back,
)
from snapstream_web.views.guards import live_media, owned_media, signed_in_user, visible_media

blueprint = Blueprint("pages", __name__)


@blueprint.get("/")
def home() -> Any:
    """Signed in: the dashboard; signed out: what SnapStream does, with log in and register."""
    if security.current_user():
        return redirect(url_for("pages.dashboard"))
    return render_template("landing.html")


@blueprint.get("/dashboard")
@security.login_required
def dashboard() -> Any:
    user, settings = signed_in_user(), security.web_config().settings
    recent, _ = library_service.library(settings, user.user_id, cursors=cursors(), limit=6)
    notices = inbox.notifications_page(security.table(), user.user_id, cursors=cursors(), limit=5)
    return render_template(
        "dashboard.html",
        counts=media_service.counts(settings, user.user_id),
        recent=recent,
        notifications=notices.items,
    )


@blueprint.get("/upload")
@security.login_required
def upload() -> Any:
    settings = security.web_config().settings
    return render_template("upload.html", max_bytes=settings.max_upload_bytes)


@blueprint.get("/library")
@security.login_required
def library() -> Any:
    """The library, filtered, searched and sorted; a list that cannot be made says why."""
    user, settings = signed_in_user(), security.web_config().settings
    filters = library_arguments()
    try:
        cards, cursor = library_service.library(
            settings,
            user.user_id,
            cursors=cursors(),
            cursor=cursor_argument(),
            limit=security.web_config().page_size,
            kind=filters["kind"],
            status=filters["status"],
            tag=filters["tag"],
            text=filters["q"],
            sort=filters["sort"] or library_service.NEWEST,
        )
        problem = None
    except media_service.BadFilter as error:
        cards, cursor, problem = [], None, str(error)
    page = render_template(
        "library.html",
        cards=cards,
        cursor=cursor,
        filters=filters,
        problem=problem,
        kinds=media_service.KINDS,
        statuses=media_service.STATUSES,
        sorts=library_service.SORTS,
        actions=bulk_actions,
    )
    return page, 400 if problem else 200


@blueprint.post("/library/selected")
@security.login_required
def bulk() -> Any:
    """Delete, tag or untag the media selected on a library page, then back to that page."""
    user, settings, form = signed_in_user(), security.web_config().settings, request.form
    listed: dict[str, Any] = library_back()
    back = url_for("pages.library", **listed)
    try:
        outcome = bulk_actions.apply(
            settings,
            user.user_id,
            form.get("action", ""),
            form.getlist("media_id"),
            form.get("tag"),
        )
    except (bulk_actions.BadSelection, media_service.BadTag) as error:
        flash(str(error), "error")
        return redirect(back)
    for message, category in bulk_actions.summary(outcome, form.get("action", "")):
        flash(message, category)
    return redirect(back)


@blueprint.get("/media/<media_id:media_id>")
@security.login_required
def media(media_id: str) -> Any:
    found = visible_media(media_id)
    details = media_service.detail(security.web_config().settings, found)
    return render_template(
        "media.html",
        media=details,
        mine=found.owner_id == signed_in_user().user_id,
        limits=media_details,  # MAX_TITLE, MAX_DESCRIPTION
    )


@blueprint.post("/media/<media_id:media_id>/details")
@security.login_required
def details(media_id: str) -> Any:
    """Rename the media and set its description (the owner only)."""
    user, settings, form = signed_in_user(), security.web_config().settings, request.form
    found = owned_media(media_id)
    try:
        media_service.edit_details(
            settings,
            found,
            owner_id=user.user_id,
            title=form.get("title", ""),
            description=form.get("description", ""),
        )
        flash("Saved.", "success")
    except media_details.BadDetails as error:
        flash(str(error), "error")
    except media_service.MediaNotFound:
        abort(404, description="no such media")
    return redirect(url_for("pages.media", media_id=media_id))


@blueprint.get("/media/<media_id:media_id>/download")
@security.login_required
def download(media_id: str) -> Any:
    """The original file, through a presigned link valid for a few minutes (owner, admins)."""
    url = media_service.original_url(security.web_config().settings, live_media(media_id))
    if url is None:
        abort(404, description="this media has no original file to download")
    response = redirect(url)
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.post("/media/<media_id:media_id>/tags")
@security.login_required
def add_tag(media_id: str) -> Any:
    user, settings = signed_in_user(), security.web_config().settings
    found = owned_media(media_id)
    try:
        name = media_service.add_tag(
            settings, found, request.form.get("tag", ""), owner_id=user.user_id
        )
        flash(f"Tagged “{name}”.", "success")
    except media_service.BadTag as error:
        flash(str(error), "error")
    return redirect(url_for("pages.media", media_id=media_id))


@blueprint.post("/media/<media_id:media_id>/tags/remove")
@security.login_required
def remove_tag(media_id: str) -> Any:
    user, settings = signed_in_user(), security.web_config().settings
    found = owned_media(media_id)
    media_service.remove_tag(settings, found, request.form.get("tag", ""), owner_id=user.user_id)
    return redirect(url_for("pages.media", media_id=media_id))


@blueprint.post("/media/<media_id:media_id>/delete")
@security.login_required
def delete(media_id: str) -> Any:
    user, settings = signed_in_user(), security.web_config().settings
    found = visible_media(media_id)
    try:
        media_service.remove(settings, found, requester_id=user.user_id)
    except DeletionNotStarted:
        flash(f"“{found.title}” is marked for deletion but it did not start: try again.", "error")
        return redirect(url_for("pages.media", media_id=media_id))
    flash(
        f"“{found.title}” is being deleted. You will get a notification when it is gone.",
        "success",
    )
    return redirect(url_for("pages.library"))


@blueprint.get("/notifications")
@security.login_required
def notifications() -> Any:
    page = inbox.notifications_page(
        security.table(), signed_in_user().user_id, cursors=cursors(), cursor=cursor_argument()
    )
    return render_template("notifications.html", notifications=page.items, cursor=page.cursor)


@blueprint.post("/notifications/read")
@security.login_required
def mark_read() -> Any:
    inbox.mark_all_read(security.table(), signed_in_user().user_id)
    return redirect(url_for("pages.notifications"))


@blueprint.post("/notifications/clear")
@security.login_required
def clear() -> Any:
    count = inbox.clear_all(security.table(), signed_in_user().user_id)
    flash(f"{count} notifications cleared.", "success")
    return redirect(url_for("pages.notifications"))


@blueprint.post("/notifications/email")
@security.login_required
def email_notifications() -> Any:
    user, settings = signed_in_user(), security.web_config().settings
    if request.form.get("enabled") == "on":
        inbox.subscribe_email(security.table(), user, settings.notifications_topic_arn)
        if security.web_config().local_mail:  # make dev: moto keeps the subscription, no mail
            flash(
                "E-mail notifications are on, locally only: the subscription exists in the local "
                f"AWS emulator, which sends no e-mail (nothing was sent to {user.email}).",
                "success",
            )
        else:
            flash(
                f"Check {user.email} for a message from AWS to confirm e-mail notifications.",
                "success",
            )
    else:
        inbox.unsubscribe_email(security.table(), user)
        flash("E-mail notifications are off.", "success")
    return redirect(url_for("pages.notifications"))
