"""The OpenAPI 3.1 description of the JSON API (served at ``/api/openapi.json``).

Every operation lists the errors it can answer, each with the one error body the site sends
(``{"error": "<words for people>", "status": <code>}``), and its success body's schema; the
test suite fuzzes the API against this document (tests/web/test_api_fuzzing.py).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from snapstream_web.media_service import KINDS, STATUSES

_ID = {
    "name": "media_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
}
_CURSOR = {
    "name": "cursor",
    "in": "query",
    "schema": {"type": "string", "maxLength": 2048},
    "description": "the `cursor` of the previous page, unchanged; any other value is a 400",
}
_NULLABLE_TEXT = {"type": ["string", "null"]}
_ALL = "empty or absent: all"
_ERRORS = {
    "400": "the request is malformed or a value is out of range (the message says which); "
    "also a missing or wrong CSRF token",
    "401": "not logged in (or the login failed)",
    "403": "not allowed: administrators only, or an administrator must turn on two-factor",
    "404": "no such media, or not yours",
    "409": "the media is not in a state that allows this",
    "413": "the request body is larger than 64 KB",
    "422": "well-formed, but refused (the message says why)",
    "429": "too many attempts: wait for Retry-After seconds",
    "503": "could not be started; repeat the request",
}


def _object(required: list[str], **properties: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": properties}


def _list_of(item: dict[str, Any], **more: Any) -> dict[str, Any]:
    return _object(
        ["items", "cursor", *more],
        items={"type": "array", "items": item},
        cursor={**_NULLABLE_TEXT, "description": "pass back for the next page; null at the end"},
        **more,
    )


def _op(
    summary: str,
    *,
    body: dict[str, Any] | None = None,
    params: list[dict[str, Any]] | None = None,
    ok: str = "200",
    response: dict[str, Any] | None = None,
    errors: tuple[str, ...] = (),
    state_changing: bool = False,
    public: bool = False,
    admin: bool = False,
) -> dict[str, Any]:
    """One operation; 401 and 403 unless ``public``, 400 and 413 for anything that sends a
    body or a CSRF token, plus ``errors``."""
    success: dict[str, Any] = {"description": "success"}
    if response is not None:
        success["content"] = {"application/json": {"schema": response}}
    operation: dict[str, Any] = {"summary": summary, "responses": {ok: success}}
    if body:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object", **body}}},
        }
    if params:
        operation["parameters"] = list(params)
    codes = set(errors)
    if not public:
        codes |= {"401", "403"}
    if state_changing or body:
        codes |= {"400", "413"}
    if admin:
        codes.add("403")
    for code in sorted(codes):
        operation["responses"][code] = {"$ref": f"#/components/responses/Error{code}"}
    if state_changing:
        operation.setdefault("parameters", []).append({"$ref": "#/components/parameters/Csrf"})
    if public:
        operation["security"] = []
    return operation


def _schemas() -> dict[str, Any]:
    text = {"type": "string"}
    return {
        "Error": _object(
            ["error", "status"],
            error={"type": "string", "description": "what went wrong, in words for people"},
            status={"type": "integer", "minimum": 400, "maximum": 599},
        ),
        "User": _object(
            ["user_id", "email", "username", "role", "created_at"],
            user_id=text,
            email=text,
            username=text,
            role={"enum": ["user", "admin"]},
            created_at=text,
            email_notifications={"type": "boolean"},
        ),
        "Card": _object(
            ["media_id", "title", "kind", "status", "created_at", "size", "thumbnail_url", "tags"],
            media_id=text,
            title=text,
            kind=text,
            status=text,
            created_at=text,
            size={"type": "string", "description": "for people, e.g. 1.2 MB"},
            thumbnail_url=_NULLABLE_TEXT,
            tags={"type": "array", "items": text},
        ),
        "Notification": _object(
            ["notification_id", "event", "message", "created_at", "unread"],
            notification_id=text,
            media_id=_NULLABLE_TEXT,
            event=text,
            message=text,
            created_at=text,
            unread={"type": "boolean"},
        ),
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


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
    ticket = _object(
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
        _CURSOR,
        {"name": "kind", "in": "query", "schema": {"enum": ["", *KINDS]}, "description": _ALL},
        {"name": "status", "in": "query", "schema": {"enum": statuses}, "description": _ALL},
        {"name": "tag", "in": "query", "schema": {"type": "string"}},
        {
            "name": "limit",
            "in": "query",
            "schema": {"type": "integer", "minimum": 1, "maximum": 100},
        },
    ]
    session = _object(["csrf_token", "user"], csrf_token={"type": "string"})
    session["properties"]["user"] = {"oneOf": [_ref("User"), {"type": "null"}]}
    media_detail = _object(
        ["media_id", "title", "kind", "status", "created_at", "owner_id"],
        media_id={"type": "string"},
        status={"type": "string"},
    )
    return {
        "/api/openapi.json": {
            "get": _op("This document", public=True, response={"type": "object"})
        },
        "/api/session": {
            "get": _op(
                "CSRF token of this session and the user, if logged in",
                public=True,
                response=session,
            ),
            "post": _op(
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
            "delete": _op("Log out", ok="204", state_changing=True, public=True),
        },
        "/api/me": {"get": _op("The logged-in user", response=_ref("User"))},
        "/api/dashboard": {
            "get": _op(
                "Counters: uploads, processing, completed, failed, unread",
                response={"type": "object", "additionalProperties": {"type": "integer"}},
            )
        },
        "/api/uploads": {
            "post": _op(
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
            "get": _op(
                "The user's media, newest first, or those with a tag",
                params=filters,
                response=_list_of(_ref("Card")),
                errors=("400",),
            )
        },
        "/api/media/status": {
            "get": _op(
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
                    "additionalProperties": _object(
                        ["status", "thumbnail_url"],
                        status={"type": "string"},
                        thumbnail_url=_NULLABLE_TEXT,
                    ),
                },
            )
        },
        "/api/media/{media_id}": {
            "get": _op(
                "One media with its analysis",
                params=[_ID],
                response=media_detail,
                errors=("404",),
            ),
            "delete": _op(
                "Delete the media: marked `deleting` at once (off every list, files refused), "
                "its files, streaming asset and records removed by the deletion function, the "
                "owner notified when it is gone. 503 if the deletion could not be started: the "
                "mark stands, repeat the request",
                params=[_ID],
                ok="202",
                response=_object(["media_id", "status"], media_id={"type": "string"}),
                state_changing=True,
                errors=("404", "503"),
            ),
        },
        "/api/media/{media_id}/playback": {
            "get": _op(
                "Short-lived signed CloudFront URLs for a ready video (owner only)",
                params=[_ID],
                response={"type": "object"},
                errors=("404", "409"),
            )
        },
        "/api/media/{media_id}/tags": {
            "post": _op(
                "Add a custom tag",
                params=[_ID],
                ok="201",
                state_changing=True,
                body={
                    "required": ["tag"],
                    "properties": {"tag": {"type": "string", "maxLength": 100}},
                },
                response=_object(["tag"], tag={"type": "string"}),
                errors=("404", "422"),
            )
        },
        "/api/media/{media_id}/tags/{tag}": {
            "delete": _op(
                "Remove a tag",
                ok="204",
                state_changing=True,
                params=[
                    _ID,
                    {"name": "tag", "in": "path", "required": True, "schema": {"type": "string"}},
                ],
                errors=("404",),
            )
        },
        "/api/tags/suggest": {
            "get": _op(
                "The user's tags starting with a prefix",
                params=[{"name": "prefix", "in": "query", "schema": {"type": "string"}}],
                response=_object(["tags"], tags={"type": "array", "items": {"type": "string"}}),
            )
        },
        "/api/notifications": {
            "get": _op(
                "Notifications, newest first, and the unread count",
                params=[_CURSOR],
                response=_list_of(_ref("Notification"), unread={"type": "integer"}),
                errors=("400",),
            ),
            "delete": _op(
                "Clear all notifications",
                state_changing=True,
                response=_object(["deleted"], deleted={"type": "integer"}),
            ),
        },
        "/api/notifications/read": {
            "post": _op("Mark all notifications read", ok="204", state_changing=True)
        },
        "/api/notifications/email": {
            "put": _op(
                "Opt in or out of e-mail notifications (an SNS subscription filtered to the user)",
                body={"required": ["enabled"], "properties": {"enabled": {"type": "boolean"}}},
                state_changing=True,
                response=_object(["enabled"], enabled={"type": "boolean"}),
            )
        },
        "/api/admin/users": {
            "get": _op(
                "Administrators: every account (no password hashes)",
                params=[_CURSOR],
                response=_list_of(_ref("User")),
                admin=True,
                errors=("400",),
            )
        },
        "/api/admin/uploads": {
            "get": _op(
                "Administrators: every upload of a month, optionally by status",
                params=[
                    _CURSOR,
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
                        "description": _ALL,
                    },
                ],
                response=_list_of(_ref("Card"), month={"type": "string"}),
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
                    "content": {"application/json": {"schema": _ref("Error")}},
                }
                for code, description in _ERRORS.items()
            },
        },
        "security": [{"session": []}],
        "paths": _paths(),
    }
