"""The OpenAPI 3.1 description of the JSON API (served at ``/api/openapi.json``)."""

from __future__ import annotations

from functools import cache
from typing import Any

_ID = {
    "name": "media_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
}
_CURSOR = {
    "name": "cursor",
    "in": "query",
    "schema": {"type": "string"},
    "description": "from the previous page",
}
_ERROR = {"$ref": "#/components/responses/Error"}


def _op(
    summary: str,
    *,
    body: dict[str, Any] | None = None,
    params: list[dict[str, Any]] | None = None,
    ok: str = "200",
    state_changing: bool = False,
    public: bool = False,
) -> dict[str, Any]:
    operation: dict[str, Any] = {"summary": summary, "responses": {ok: {"description": "success"}}}
    if body:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object", **body}}},
        }
    if params:
        operation["parameters"] = params
    for code in ["400", "404", "409", "422", "429"] + ([] if public else ["401"]):
        operation["responses"].setdefault(code, _ERROR)
    if state_changing:
        operation.setdefault("parameters", []).append({"$ref": "#/components/parameters/Csrf"})
    if public:
        operation["security"] = []
    return operation


def _paths() -> dict[str, Any]:
    upload = {
        "required": ["file_name", "content_type", "size"],
        "properties": {
            "file_name": {"type": "string"},
            "content_type": {"type": "string", "examples": ["image/jpeg", "video/mp4"]},
            "size": {"type": "integer", "minimum": 1},
        },
    }
    filters = [
        _CURSOR,
        {"name": "kind", "in": "query", "schema": {"enum": ["image", "video", "audio"]}},
        {"name": "status", "in": "query", "schema": {"type": "string"}},
        {"name": "tag", "in": "query", "schema": {"type": "string"}},
        {
            "name": "limit",
            "in": "query",
            "schema": {"type": "integer", "minimum": 1, "maximum": 100},
        },
    ]
    return {
        "/api/openapi.json": {"get": _op("This document", public=True)},
        "/api/session": {
            "get": _op("CSRF token of this session and the user, if logged in", public=True),
            "post": _op(
                "Log in (throttled: too many failures lock the address for a while)",
                body={
                    "required": ["email", "password"],
                    "properties": {"email": {"type": "string"}, "password": {"type": "string"}},
                },
                state_changing=True,
                public=True,
            ),
            "delete": _op("Log out", ok="204", state_changing=True, public=True),
        },
        "/api/me": {"get": _op("The logged-in user")},
        "/api/dashboard": {"get": _op("Counters: uploads, processing, completed, failed, unread")},
        "/api/uploads": {
            "post": _op(
                "Create a media record and a presigned S3 POST for exactly this file "
                "(type and size checked here and again from the bytes)",
                body=upload,
                ok="201",
                state_changing=True,
            )
        },
        "/api/media": {
            "get": _op("The user's media, newest first, or those with a tag", params=filters)
        },
        "/api/media/status": {
            "get": _op(
                "Status of some of the user's media (for live badges)",
                params=[
                    {
                        "name": "ids",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "string"},
                        "description": "comma-separated media ids",
                    }
                ],
            )
        },
        "/api/media/{media_id}": {
            "get": _op("One media with its analysis", params=[_ID]),
            "delete": _op(
                "Delete the media: marked `deleting` at once (off every list, files refused), "
                "its files, streaming asset and records removed by the deletion function, the "
                "owner notified when it is gone. 503 if the deletion could not be started: the "
                "mark stands, repeat the request",
                params=[_ID],
                ok="202",
                state_changing=True,
            ),
        },
        "/api/media/{media_id}/playback": {
            "get": _op(
                "Short-lived signed CloudFront URLs for a ready video (owner only)", params=[_ID]
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
            )
        },
        "/api/tags/suggest": {
            "get": _op(
                "The user's tags starting with a prefix",
                params=[
                    {
                        "name": "prefix",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "string"},
                    }
                ],
            )
        },
        "/api/notifications": {
            "get": _op("Notifications, newest first, and the unread count", params=[_CURSOR]),
            "delete": _op("Clear all notifications", state_changing=True),
        },
        "/api/notifications/read": {
            "post": _op("Mark all notifications read", ok="204", state_changing=True)
        },
        "/api/notifications/email": {
            "put": _op(
                "Opt in or out of e-mail notifications (an SNS subscription filtered to the user)",
                body={"required": ["enabled"], "properties": {"enabled": {"type": "boolean"}}},
                state_changing=True,
            )
        },
        "/api/admin/users": {
            "get": _op("Administrators: every account (no password hashes)", params=[_CURSOR])
        },
        "/api/admin/uploads": {
            "get": _op(
                "Administrators: every upload of a month, optionally by status",
                params=[
                    _CURSOR,
                    {
                        "name": "month",
                        "in": "query",
                        "schema": {"type": "string", "pattern": "^\\d{4}-\\d{2}$"},
                    },
                    {"name": "status", "in": "query", "schema": {"type": "string"}},
                ],
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
            "state-changing request.",
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
            "responses": {
                "Error": {
                    "description": "an error, explained",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "error": {"type": "string"},
                                    "status": {"type": "integer"},
                                },
                            }
                        }
                    },
                }
            },
        },
        "security": [{"session": []}],
        "paths": _paths(),
    }
