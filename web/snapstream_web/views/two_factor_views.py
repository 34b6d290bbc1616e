"""Two-factor authentication pages: the code after the password, and turning it on or off.

``/login/two-factor`` accepts only a login waiting for its code (a ``two_factor`` session: 5
minutes, 5 wrong codes). ``/profile/two-factor`` enrols: start (a new secret, shown as text, an
``otpauth://`` URI and a QR code drawn here, no third party), confirm with a code (recovery
codes shown once; other sessions end), or turn it off with the password and a code.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from snapstream_web import accounts, login_guard, security, security_notices, sessions, two_factor
from snapstream_web.accounts import LoginLocked, User
from snapstream_web.two_factor import TwoFactorError
from snapstream_web.views.email_views import tell_owner
from snapstream_web.views.guards import signed_in_user
from snapstream_web.views.login_flow import complete

blueprint = Blueprint("two_factor", __name__)


def _site_key() -> str:
    return security.web_config().secret_key


@blueprint.route("/login/two-factor", methods=["GET", "POST"])
def verify() -> Any:
    pending, next_target = security.current_session(), request.args.get("next")
    if pending is None or pending.stage != sessions.TWO_FACTOR:
        if security.current_user() is not None:
            return redirect(security.safe_next(next_target))
        flash("Log in first.", "error")
        return redirect(url_for("accounts.login", next=next_target))
    user = accounts.load_user(security.table(), pending.user_id)
    if user is None or user.auth_version != pending.auth_version:
        # gone, closed, or its password or two-factor changed since this login began
        security.log_out()
        return redirect(url_for("accounts.login"))
    if request.method == "GET":
        return render_template("auth/two_factor.html")
    try:
        login_guard.check_code_allowed(user)
    except LoginLocked as error:
        flash(str(error), "error")
        page = render_template("auth/two_factor.html")
        return page, 429, {"Retry-After": str(error.retry_after)}
    if two_factor.verify(security.table(), user.user_id, request.form.get("code", ""), _site_key()):
        return complete(user, redirect(security.safe_next(next_target)))
    login_guard.count_wrong_code(user)
    if sessions.count_wrong_code(security.table(), pending.handle) >= sessions.MAX_CODE_ATTEMPTS:
        security.log_out()
        flash("Too many wrong codes: log in again.", "error")
        return redirect(url_for("accounts.login", next=next_target))
    flash("That code is not right.", "error")
    return render_template("auth/two_factor.html"), 401


@blueprint.get("/profile/two-factor")
@security.login_required
def setup() -> Any:
    user = signed_in_user()
    if _enrolled(user):
        return redirect(url_for("accounts.profile"))
    secret = two_factor.pending_secret(security.table(), user, _site_key())
    uri = two_factor.enrolment_uri(secret, user.email) if secret else None
    return render_template(
        "auth/two_factor_setup.html",
        secret=secret,
        uri=uri,
        qr_code=two_factor.qr_code(uri) if uri else None,
        required=security.needs_two_factor(user),
    )


@blueprint.post("/profile/two-factor/start")
@security.login_required
def start() -> Any:
    user = signed_in_user()
    if not _enrolled(user):
        two_factor.begin(security.table(), user, _site_key())
    return redirect(url_for("two_factor.setup"))


def _enrolled(user: User) -> bool:
    """Two-factor is on with a secret this site can read (else it may be set up again)."""
    return user.two_factor and not two_factor.needs_new_secret(security.table(), user, _site_key())


@blueprint.post("/profile/two-factor/confirm")
@security.login_required
def confirm() -> Any:
    user, table = signed_in_user(), security.table()
    # A session alone must not turn two-factor on: a stolen cookie would lock the owner out.
    try:
        password_ok = login_guard.check_current_password(user, request.form.get("password", ""))
    except LoginLocked as error:
        flash(str(error), "error")
        return redirect(url_for("two_factor.setup"))
    if not password_ok:
        flash("The password is not right.", "error")
        return redirect(url_for("two_factor.setup"))
    try:
        codes = two_factor.confirm(table, user, request.form.get("code", ""), _site_key())
    except TwoFactorError as error:
        flash(str(error), "error")
        return redirect(url_for("two_factor.setup"))
    turned_on = accounts.load_user(table, user.user_id) or user
    security.keep_only_this_session(turned_on)
    tell_owner(turned_on, security_notices.TWO_FACTOR_ON)
    flash("Two-factor authentication is on; your other sessions are logged out.", "success")
    return render_template("auth/recovery_codes.html", codes=codes)


@blueprint.post("/profile/two-factor/disable")
@security.login_required
def disable() -> Any:
    user, table = signed_in_user(), security.table()
    if user.is_admin and security.web_config().require_admin_two_factor:
        flash("Administrators must keep two-factor authentication on here.", "error")
        return redirect(url_for("accounts.profile"))
    try:
        password_ok = login_guard.check_current_password(user, request.form.get("password", ""))
    except LoginLocked as error:
        flash(str(error), "error")
        return redirect(url_for("accounts.profile"))
    code_ok = password_ok and two_factor.verify(
        table, user.user_id, request.form.get("code", ""), _site_key()
    )
    if not code_ok:
        flash("The password or the code is not right; two-factor stays on.", "error")
        return redirect(url_for("accounts.profile"))
    two_factor.turn_off(table, user)
    turned_off = accounts.load_user(table, user.user_id) or user
    security.keep_only_this_session(turned_off)
    tell_owner(turned_off, security_notices.TWO_FACTOR_OFF)
    flash("Two-factor authentication is off; your other sessions are logged out.", "success")
    return redirect(url_for("accounts.profile"))
