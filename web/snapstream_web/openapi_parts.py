"""The building blocks of the API's OpenAPI document (:mod:`snapstream_web.openapi`): shared
parameters, the error answers and one operation's description."""

from __future__ import annotations

from typing import Any

ID = {
    "name": "media_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
}
CURSOR = {
    "name": "cursor",
    "in": "query",
    "schema": {"type": "string", "maxLength": 2048},
    "description": "the `cursor` of the previous page, unchanged; any other value is a 400",
}
NULLABLE_TEXT = {"type": ["string", "null"]}
ALL = "empty or absent: all"
ERRORS = {
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


def obj(required: list[str], **properties: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": properties}


def list_of(item: dict[str, Any], **more: Any) -> dict[str, Any]:
    return obj(
        ["items", "cursor", *more],
        items={"type": "array", "items": item},
        cursor={**NULLABLE_TEXT, "description": "pass back for the next page; null at the end"},
        **more,
    )


def op(
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


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}
