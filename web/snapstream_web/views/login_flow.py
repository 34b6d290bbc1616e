"""Logging in, page and API alike: the password (throttled), then the second factor if the
account has one, then a new session (``security.log_in``) and a remembered browser."""

from __future__ import annotations

import contextlib
from typing import Any

from flask import abort, jsonify, redirect, url_for
from werkzeug.wrappers import Response

from snapstream_runtime.deletion_requests import DeletionNotStarted
from snapstream_web import login_guard, security, sessions, two_factor
from snapstream_web.account_closing import close_account
from snapstream_web.accounts import AccountBeingDeleted, LoginFailed, LoginLocked, User


def after_password(user: User, next_target: str | None) -> Any:
    """The page login's answer once the password was right: the code form for an account with
    two-factor on (a pending session that can do nothing else), else the page asked for."""
    if user.two_factor:
        security.log_in(user, stage=sessions.TWO_FACTOR)
        return redirect(url_for("two_factor.verify", next=next_target))
    return complete(user, redirect(security.safe_next(next_target)))


def complete(user: User, response: Response) -> Response:
    """Start ``user``'s session and answer with ``response``."""
    security.log_in(user)
    return login_guard.logged_in(response, user)


def too_many(error: LoginLocked) -> Response:
    response = jsonify({"error": str(error), "status": 429})
    response.status_code, response.headers["Retry-After"] = 429, str(error.retry_after)
    return response


def api_log_in(body: dict[str, Any]) -> Response:
    """``POST /api/session``: e-mail and password, and ``code`` (the authenticator app's code or
    a recovery code) for an account with two-factor on."""
    try:
        user = login_guard.check_password(str(body.get("email", "")), str(body.get("password", "")))
    except LoginLocked as error:
        return too_many(error)
    except AccountBeingDeleted as deleting:
        with contextlib.suppress(DeletionNotStarted):  # the login retries the hand-over
            close_account(security.web_config().settings, deleting.user_id)
        abort(401, description=str(deleting))
    except LoginFailed as error:
        abort(401, description=str(error))
    if user.two_factor:
        code = str(body.get("code") or "")
        if not code:
            response = jsonify(
                {
                    "error": "this account uses two-factor authentication: send the code from "
                    "the authenticator app (or a recovery code) as code",
                    "status": 401,
                    "two_factor": True,
                }
            )
            response.status_code = 401
            return response
        try:
            login_guard.check_code_allowed(user)
        except LoginLocked as error:
            return too_many(error)
        config = security.web_config()
        if not two_factor.verify(security.table(), user.user_id, code, config.secret_key):
            login_guard.count_wrong_code(user)
            abort(401, description="the two-factor code is not right")
    security.log_in(user)
    response = jsonify({"csrf_token": security.csrf_token(), "user": user.public()})
    return login_guard.logged_in(response, user)
