"""Who is asking, and may they: sessions, CSRF, security headers, login/admin guards.

- The session cookie (signed, Secure/HttpOnly/SameSite=Lax) holds only the id of a server-side
  session record (``sessions.py``) and the CSRF token (and, for one redirect, flash messages).
  Every request checks the record: unknown, ended, idle or too old, or made before the account's
  ``auth_version`` moved (password change, disabling, deletion) means logged out.
- Every state-changing request (POST/PUT/PATCH/DELETE, forms and the JSON API alike) must carry
  the session's CSRF token, as the ``csrf_token`` form field or the ``X-CSRF-Token`` header.
- Where administrators must use two-factor authentication, an administrator without it can do
  nothing but turn it on (or log out).
"""

from __future__ import annotations

import functools
import hmac
import os
import secrets
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, g, redirect, request, session, url_for

from snapstream_runtime.adapters.table import Table
from snapstream_runtime.session_records import revoke_all
from snapstream_web import sessions
from snapstream_web.accounts import User, load_user
from snapstream_web.config import WebConfig
from snapstream_web.sessions import SessionRecord, Timeouts

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
F = TypeVar("F", bound=Callable[..., Any])


def web_config() -> WebConfig:
    return cast("WebConfig", current_app.extensions["snapstream"])


def table() -> Table:
    return Table(web_config().settings.table_name)


def current_user() -> User | None:
    return cast("User | None", g.get("user"))


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return str(token)


def timeouts() -> Timeouts:
    config = web_config()
    return Timeouts(config.session_idle_seconds, config.session_absolute_seconds)


def current_session() -> SessionRecord | None:
    """This request's session record (logged in, or waiting for the second factor)."""
    return cast("SessionRecord | None", g.get("session_record"))


def log_in(user: User, *, stage: str = sessions.ACTIVE) -> None:
    """Start a new session for ``user`` (``stage`` two_factor: a login waiting for its code).
    The previous session of this browser, if any, ends: no session fixation."""
    _end_this_session()
    session.clear()  # a fresh cookie (and CSRF token) on every login
    session.permanent = True
    user_agent = request.user_agent.string or "unknown browser"
    session_id, record = sessions.start(
        table(), user, stage=stage, user_agent=user_agent, timeouts=timeouts()
    )
    session["sid"] = session_id
    g.session_record = record
    g.user = user if stage == sessions.ACTIVE else None
    csrf_token()


def log_out() -> None:
    _end_this_session()
    session.clear()
    g.user = g.session_record = None


def _end_this_session() -> None:
    record = current_session()
    if record is not None:
        sessions.end(table(), record.handle)


def keep_only_this_session(user: User) -> int:
    """After the account's ``auth_version`` moved here (a password change, two-factor turned
    on): this session stays valid, every other one ends. How many ended."""
    record = current_session()
    if record is not None:
        sessions.adopt_auth_version(table(), record.handle, user.auth_version)
    return revoke_all(table(), user.user_id, keep=record.handle if record else None)


#: set by a page's own polling: the request does not count as activity for the idle timeout
BACKGROUND_HEADER = "X-SnapStream-Background"


def _load_user() -> None:
    g.user = g.session_record = None
    session_id = session.get("sid")
    if not session_id or request.endpoint in {"static", "healthz"}:
        return
    record = sessions.load(table(), str(session_id), timeouts())
    if record is None:
        session.pop("sid", None)
        return
    if record.stage != sessions.ACTIVE:
        g.session_record = record  # only the second-factor form accepts it
        return
    user = load_user(table(), record.user_id)
    # A page's own polling (the unread badge) is not the user at work: it must not keep an
    # unattended session alive past its idle timeout.
    background = request.headers.get(BACKGROUND_HEADER) == "1"
    if (
        user is None
        or user.auth_version != record.auth_version
        or (not background and not sessions.touch(table(), record, timeouts()))
    ):
        sessions.end(table(), record.handle)
        session.pop("sid", None)
        return
    g.user, g.session_record = user, record


#: what an administrator who must turn two-factor on may still reach
_BEFORE_TWO_FACTOR = frozenset(
    {
        "static",
        "healthz",
        "accounts.logout",
        "api.log_out",
        "api.session_info",
        "two_factor.setup",
        "two_factor.start",
        "two_factor.confirm",
    }
)


def needs_two_factor(user: User | None) -> bool:
    return bool(
        user is not None
        and user.is_admin
        and not user.two_factor
        and web_config().require_admin_two_factor
    )


def _require_two_factor() -> Any:
    if not needs_two_factor(current_user()) or request.endpoint in _BEFORE_TWO_FACTOR:
        return None
    if request.path.startswith("/api/"):
        abort(403, description="administrators must turn on two-factor authentication first")
    return redirect(url_for("two_factor.setup"))


def _check_csrf() -> None:
    if request.method in SAFE_METHODS or request.endpoint == "healthz":
        return
    expected = session.get("csrf")
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token") or ""
    if not expected or not hmac.compare_digest(str(expected), sent):
        abort(400, description="the form has expired or the CSRF token is missing; reload the page")


def bucket_origins(buckets: Iterable[str], region: str) -> list[str]:
    """The https origins a browser reaches ``buckets`` at with presigned URLs and POSTs: the
    virtual-hosted name, global and Regional (boto3 signs for either, by Region and version)."""
    origins = []
    for bucket in buckets:
        if bucket:
            origins += [
                f"https://{bucket}.s3.amazonaws.com",
                f"https://{bucket}.s3.{region}.amazonaws.com",
            ]
    return origins


def _remote_sources() -> list[str]:
    """This environment's buckets and media distribution, and nothing else of AWS's."""
    settings = web_config().settings
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    sources = ["'self'", *bucket_origins((settings.uploads_bucket, settings.media_bucket), region)]
    if settings.cdn_domain:
        sources.append(f"https://{settings.cdn_domain}")
    endpoint = current_app.config.get("AWS_BROWSER_ORIGIN")
    if endpoint:
        sources.append(str(endpoint))
    return sources


def _content_security_policy() -> str:
    remote = " ".join(_remote_sources())
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src 'self' data: {remote}; media-src 'self' blob: {remote}; "
        f"connect-src {remote}; worker-src 'self' blob:; object-src 'none'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    )


def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", _content_security_policy())
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if web_config().secure_cookies:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if current_user() is not None or request.path.startswith("/api/"):
        response.headers["Cache-Control"] = "no-store"
    return response


def install(app: Flask) -> None:
    app.before_request(_load_user)
    app.before_request(_check_csrf)
    app.before_request(_require_two_factor)
    app.after_request(_headers)
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["current_user"] = current_user


def login_required(view: F) -> F:
    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            if request.path.startswith("/api/"):
                abort(401, description="log in first")
            return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return cast("F", guarded)


def admin_required(view: F) -> F:
    @functools.wraps(view)
    @login_required
    def guarded(*args: Any, **kwargs: Any) -> Any:
        user = current_user()
        if user is None or not user.is_admin:
            abort(403, description="administrators only")
        return view(*args, **kwargs)

    return cast("F", guarded)


def safe_next(target: str | None) -> str:
    """Only local paths after login: never an open redirect to another site."""
    if not target:
        return url_for("pages.dashboard")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("pages.dashboard")
    return target
