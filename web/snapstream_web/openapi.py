"""The OpenAPI 3.1 description of the JSON API (served at ``/api/openapi.json``).

Every operation lists the errors it can answer, each with the one error body the site sends
(``{"error": "<words for people>", "status": <code>}``), and its success body's schema; the
test suite fuzzes the API against this document (tests/web/test_api_fuzzing.py).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from snapstream_runtime.library import SORTS
from snapstream_runtime.media_details import MAX_DESCRIPTION, MAX_TITLE
from snapstream_web.bulk_actions import ACTIONS, MAX_SELECTED
from snapstream_web.media_service import KINDS, MAX_TAG_INPUT, STATUSES
from snapstream_web.openapi_parts import (
    ALL,
    CURSOR,
    ERRORS,
    ID,
    NULLABLE_TEXT,
    list_of,
    obj,
    op,
    ref,
)


def _schemas() -> dict[str, Any]:
    text = {"type": "string"}
    return {
        "Error": obj(
            ["error", "status"],
            error={"type": "string", "description": "what went wrong, in words for people"},
            status={"type": "integer", "minimum": 400, "maximum": 599},
        ),
        "User": obj(
            ["user_id", "email", "username", "role", "created_at"],
            user_id=text,
            email=text,
            username=text,
            role={"enum": ["user", "admin"]},
            created_at=text,
            email_notifications={"type": "boolean"},
        ),
        "Card": obj(
            ["media_id", "title", "kind", "status", "created_at", "size", "thumbnail_url", "tags"],
            media_id=text,
            title=text,
            kind=text,
            status=text,
            created_at=text,
            size={"type": "string", "description": "for people, e.g. 1.2 MB"},
            thumbnail_url=NULLABLE_TEXT,
            tags={"type": "array", "items": text},
            downloadable={
                "type": "boolean",
                "description": "its original can be downloaded (`/api/media/{media_id}/download`)",
            },
        ),
        "Notification": obj(
            ["notification_id", "event", "message", "created_at", "unread"],
            notification_id=text,
            media_id=NULLABLE_TEXT,
            event=text,
            message=text,
            created_at=text,
            unread={"type": "boolean"},
        ),
    }


def _paths() -> dict[str, Any]:
    upload = {
        "required": ["file_name", "content_type", "size"],
        "properties": {
            "file_name": {"type": "string"},
            "content_type": {"type": "string", "examples": ["image/jpeg", "video/mp4"]},
            "size": {
                "type": "integer",
                "minimum": 1,
                "description": "bytes, a JSON integer up to the site's upload limit (422 above)",
            },
        },
    }
    ticket = obj(
        ["media_id", "key", "url", "fields", "expires_at", "content_type", "size"],
        media_id={"type": "string"},
        key={"type": "string"},
        url={"type": "string"},
        fields={"type": "object", "additionalProperties": {"type": "string"}},
        expires_at={"type": "string"},
        content_type={"type": "string"},
        size={"type": "integer"},
    )
    statuses = ["", *STATUSES]
    filters = [
        CURSOR,
        {"name": "kind", "in": "query", "schema": {"enum": ["", *KINDS]}, "description": ALL},
        {"name": "status", "in": "query", "schema": {"enum": statuses}, "description": ALL},
        {"name": "tag", "in": "query", "schema": {"type": "string"}},
        {
            "name": "q",
            "in": "query",
            "schema": {"type": "string"},
            "description": "title words, each matching the start of a word (not with `tag`)",
        },
        {
            "name": "sort",
            "in": "query",
            "schema": {"enum": ["", *SORTS]},
            "description": "newest first when empty or absent; `name` lists the whole library "
            "only (no filter or search: 400)",
        },
        {
            "name": "limit",
            "in": "query",
            "schema": {"type": "integer", "minimum": 1, "maximum": 100},
        },
    ]
    session = obj(["csrf_token", "user"], csrf_token={"type": "string"})
    session["properties"]["user"] = {"oneOf": [ref("User"), {"type": "null"}]}
    media_detail = obj(
        ["media_id", "title", "kind", "status", "created_at", "owner_id"],
        media_id={"type": "string"},
        status={"type": "string"},
        description={"type": "string", "description": "plain text; empty when there is none"},
    )
    id_list = {"type": "array", "items": {"type": "string"}}
    bulk_body = {
        "required": ["action", "media_ids"],
        "properties": {
            "action": {"enum": list(ACTIONS)},
            "media_ids": {**id_list, "minItems": 1, "maxItems": MAX_SELECTED},
            "tag": {
                "type": "string",
                "maxLength": MAX_TAG_INPUT,
                "description": "for tag and untag",
            },
        },
    }
    return {
        "/api/openapi.json": {"get": op("This document", public=True, response={"type": "object"})},
        "/api/session": {
            "get": op(
                "CSRF token of this session and the user, if logged in",
                public=True,
                response=session,
            ),
            "post": op(
                "Log in (throttled per account and per client address, with growing delays); "
                "`code` too for an account with two-factor on",
                body={
                    "required": ["email", "password"],
                    "properties": {
                        "email": {"type": "string"},
                        "password": {"type": "string"},
                        "code": {"type": "string"},
                    },
                },
                state_changing=True,
                public=True,
                errors=("401", "429"),
            ),
            "delete": op("Log out", ok="204", state_changing=True, public=True),
        },
        "/api/me": {"get": op("The logged-in user", response=ref("User"))},
        "/api/dashboard": {
            "get": op(
                "Counters: uploads, processing, completed, failed, unread",
                response={"type": "object", "additionalProperties": {"type": "integer"}},
            )
        },
        "/api/uploads": {
            "post": op(
                "Create a media record and a presigned S3 POST for exactly this file "
                "(type and size checked here and again from the bytes)",
                body=upload,
                ok="201",
                response=ticket,
                state_changing=True,
                errors=("422",),
            )
        },
        "/api/media": {
            "get": op(
                "The user's media, newest or oldest first or by name, of one type and/or status "
                "(each page one read of exactly that list), or found by title words or a tag",
                params=filters,
                response=list_of(ref("Card")),
                errors=("400",),
            )
        },
        "/api/media/bulk": {
            "post": op(
                "One action on several of the user's media: `delete` (each marked and handed "
                "to the deletion function, as DELETE /api/media/{media_id}), `tag` or `untag`; "
                "which were done, not found (not yours, or gone) or failed (repeat)",
                body=bulk_body,
                response=obj(
                    ["done", "not_found", "failed"],
                    **dict.fromkeys(("done", "not_found", "failed"), id_list),
                ),
                state_changing=True,
                errors=("422",),
            )
        },
        "/api/media/status": {
            "get": op(
                "Status of some of the user's media (for live badges); others' are left out",
                params=[
                    {
                        "name": "ids",
                        "in": "query",
                        "schema": {"type": "string"},
                        "description": "comma-separated media ids (50 at most are looked at)",
                    }
                ],
                response={
                    "type": "object",
                    "additionalProperties": obj(
                        ["status", "thumbnail_url"],
                        status={"type": "string"},
                        thumbnail_url=NULLABLE_TEXT,
                    ),
                },
            )
        },
        "/api/media/{media_id}": {
            "get": op(
                "One media with its analysis",
                params=[ID],
                response=media_detail,
                errors=("404",),
            ),
            "patch": op(
                "Rename the media and/or set its description (plain text; empty removes it); "
                "the owner only",
                params=[ID],
                body={
                    "minProperties": 1,
                    "properties": {
                        "title": {"type": "string", "minLength": 1, "maxLength": MAX_TITLE},
                        "description": {"type": "string", "maxLength": MAX_DESCRIPTION},
                    },
                },
                response=media_detail,
                state_changing=True,
                errors=("404", "422"),
            ),
            "delete": op(
                "Delete the media: marked `deleting` at once (off every list, files refused), "
                "its files, streaming asset and records removed by the deletion function, the "
                "owner notified when it is gone. 503 if the deletion could not be started: the "
                "mark stands, repeat the request",
                params=[ID],
                ok="202",
                response=obj(["media_id", "status"], media_id={"type": "string"}),
                state_changing=True,
                errors=("404", "503"),
            ),
        },
        "/api/media/{media_id}/download": {
            "get": op(
                "A presigned link to the original file, valid for `expires_in` seconds, that "
                "downloads it under its file name (owner and administrators; 404 when there is "
                "no original: not arrived yet, rejected or being deleted)",
                params=[ID],
                response=obj(
                    ["url", "file_name", "expires_in"],
                    url={"type": "string"},
                    file_name={"type": "string"},
                    expires_in={"type": "integer"},
                ),
                errors=("404",),
            )
        },
        "/api/media/{media_id}/playback": {
            "get": op(
                "Short-lived signed CloudFront URLs for a ready video (owner only)",
                params=[ID],
                response={"type": "object"},
                errors=("404", "409"),
            )
        },
        "/api/media/{media_id}/tags": {
            "post": op(
                "Add a custom tag",
                params=[ID],
                ok="201",
                state_changing=True,
                body={
                    "required": ["tag"],
                    "properties": {"tag": {"type": "string", "maxLength": 100}},
                },
                response=obj(["tag"], tag={"type": "string"}),
                errors=("404", "422"),
            )
        },
        "/api/media/{media_id}/tags/{tag}": {
            "delete": op(
                "Remove a tag",
                ok="204",
                state_changing=True,
                params=[
                    ID,
                    {"name": "tag", "in": "path", "required": True, "schema": {"type": "string"}},
                ],
                errors=("404",),
            )
        },
        "/api/tags/suggest": {
            "get": op(
                "The user's tags starting with a prefix",
                params=[{"name": "prefix", "in": "query", "schema": {"type": "string"}}],
                response=obj(["tags"], tags={"type": "array", "items": {"type": "string"}}),
            )
        },
        "/api/notifications": {
            "get": op(
                "Notifications, newest first, and the unread count",
                params=[CURSOR],
                response=list_of(ref("Notification"), unread={"type": "integer"}),
                errors=("400",),
            ),
            "delete": op(
                "Clear all notifications",
                state_changing=True,
                response=obj(["deleted"], deleted={"type": "integer"}),
            ),
        },
        "/api/notifications/read": {
            "post": op("Mark all notifications read", ok="204", state_changing=True)
        },
        "/api/notifications/email": {
            "put": op(
                "Opt in or out of e-mail notifications (an SNS subscription filtered to the user)",
                body={"required": ["enabled"], "properties": {"enabled": {"type": "boolean"}}},
                state_changing=True,
                response=obj(["enabled"], enabled={"type": "boolean"}),
            )
        },
        "/api/admin/users": {
            "get": op(
                "Administrators: every account (no password hashes)",
                params=[CURSOR],
                response=list_of(ref("User")),
                admin=True,
                errors=("400",),
            )
        },
        "/api/admin/uploads": {
            "get": op(
                "Administrators: every upload of a month, optionally by status",
                params=[
                    CURSOR,
                    {
                        "name": "month",
                        "in": "query",
                        "schema": {"type": "string", "pattern": "^([0-9]{4}-(0[1-9]|1[0-2]))?$"},
                        "description": "this month when empty or absent",
                    },
                    {
                        "name": "status",
                        "in": "query",
                        "schema": {"enum": statuses},
                        "description": ALL,
                    },
                ],
                response=list_of(ref("Card"), month={"type": "string"}),
                admin=True,
                errors=("400",),
            )
        },
    }


@cache
def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "SnapStream API",
            "version": "1.0.0",
            "description": "Upload, find and watch media. Authenticate with the session cookie "
            "(POST /api/session); send the session's CSRF token as X-CSRF-Token on every "
            "state-changing request. Every error answers with a JSON body "
            '`{"error": "…", "status": <code>}` whose message is written for people; a method '
            "a path does not have answers 405 with an `Allow` header.",
        },
        "components": {
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "snapstream_session"}
            },
            "parameters": {
                "Csrf": {
                    "name": "X-CSRF-Token",
                    "in": "header",
                    "required": True,
                    "schema": {"type": "string"},
                }
            },
            "schemas": _schemas(),
            "responses": {
                f"Error{code}": {
                    "description": description,
                    "content": {"application/json": {"schema": ref("Error")}},
                }
                for code, description in ERRORS.items()
            },
        },
        "security": [{"session": []}],
        "paths": _paths(),
    }
