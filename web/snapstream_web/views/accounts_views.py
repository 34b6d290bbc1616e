"""Register, log in, log out, and the profile (username, password, sessions, account deletion)."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from snapstream_runtime.deletion_requests import DeletionNotStarted
from snapstream_runtime.session_records import revoke_all
from snapstream_web import (
    accounts,
    login_guard,
    mail,
    security,
    security_notices,
    sessions,
    two_factor,
    verification,
)
from snapstream_web.account_closing import close_account
from snapstream_web.accounts import AccountBeingDeleted, AccountError, LoginFailed, LoginLocked
from snapstream_web.views import email_views
from snapstream_web.views.guards import signed_in_user
from snapstream_web.views.login_flow import after_password

blueprint = Blueprint("accounts", __name__)
_SESSION_HANDLE = re.compile(r"^[0-9a-f]{64}$")


@blueprint.route("/register", methods=["GET", "POST"])
def register() -> Any:
    """The same answer ("check your inbox") whether or not the address has an account: a new
    account gets a verification link, an existing one's owner a notice (verification.py)."""
    if request.method == "POST":
        form = request.form
        try:
            if form.get("password", "") != form.get("confirm", ""):
                raise AccountError("the two passwords differ")
            email = accounts.normalize_email(form.get("email", ""))
            mail_work = verification.register(
                security.table(),
                email=email,
                username=form.get("username", ""),
                password=form.get("password", ""),
                valid_seconds=security.web_config().email_verification_seconds,
                mailer=mail.mailer(),
                links=email_views.links(),
            )
        except AccountError as error:
            flash(str(error), "error")
            return render_template("auth/register.html", form=form), 400
        mail.after_response(mail_work)
        return email_views.check_inbox(email, "register")
    return render_template("auth/register.html", form={})


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if request.method == "POST":
        email = request.form.get("email", "")
        try:
            user = login_guard.check_password(email, request.form.get("password", ""))
        except LoginLocked as error:
            flash(str(error), "error")
            page = render_template("auth/login.html", email=email)
            return page, 429, {"Retry-After": str(error.retry_after)}
        except AccountBeingDeleted as deleting:
            if resume_deletion(deleting.user_id):
                flash("This account is being deleted.", "error")
            return render_template("auth/login.html", email=email), 401
        except LoginFailed as error:
            flash(str(error), "error")
            return render_template("auth/login.html", email=email), 401
        return after_password(user, request.args.get("next"))
    return render_template("auth/login.html", email="")


@blueprint.post("/logout")
def logout() -> Any:
    security.log_out()
    flash("You are logged out.", "success")
    return redirect(url_for("accounts.login"))


@blueprint.get("/profile")
@security.login_required
def profile() -> Any:
    user, table = signed_in_user(), security.table()
    this = security.current_session()
    listed = sessions.listing(table, user.user_id, security.timeouts())
    if this is not None and all(s.handle != this.handle for s in listed):
        listed.insert(0, this)  # the index may not show a brand-new session yet
    return render_template(
        "profile.html",
        sessions=listed,
        this_session=this.handle if this else None,
        recovery_codes_left=two_factor.recovery_codes_left(table, user) if user.two_factor else 0,
        new_secret_needed=two_factor.needs_new_secret(
            table, user, security.web_config().secret_key
        ),
    )


@blueprint.post("/profile/sessions/end")
@security.login_required
def end_session() -> Any:
    """End one of this user's sessions (this one too: that is logging out)."""
    user, handle = signed_in_user(), request.form.get("session", "")
    if not _SESSION_HANDLE.match(handle):
        abort(400, description="no such session")
    this = security.current_session()
    if this is not None and handle == this.handle:
        security.log_out()
        flash("You are logged out.", "success")
        return redirect(url_for("accounts.login"))
    if sessions.end_own(security.table(), user.user_id, handle):
        flash("That session is logged out.", "success")
    else:
        flash("That session had ended already.", "error")
    return redirect(url_for("accounts.profile"))


@blueprint.post("/profile/sessions/end-others")
@security.login_required
def end_other_sessions() -> Any:
    user, this = signed_in_user(), security.current_session()
    ended = revoke_all(security.table(), user.user_id, keep=this.handle if this else None)
    flash(f"Logged out everywhere else ({ended} session{'s' if ended != 1 else ''}).", "success")
    return redirect(url_for("accounts.profile"))


@blueprint.post("/profile/username")
@security.login_required
def change_username() -> Any:
    user = signed_in_user()
    try:
        accounts.change_username(security.table(), user, request.form.get("username", ""))
        flash("Username changed.", "success")
    except AccountError as error:
        flash(str(error), "error")
    return redirect(url_for("accounts.profile"))


@blueprint.post("/profile/password")
@security.login_required
def change_password() -> Any:
    user = signed_in_user()
    try:
        # Counted and throttled like a login: a stolen session must not guess the password.
        if not login_guard.check_current_password(user, request.form.get("current", "")):
            raise AccountError("the current password is not right")
        if request.form.get("new", "") != request.form.get("confirm", ""):
            raise AccountError("the two new passwords differ")
        changed = accounts.change_password(
            security.table(),
            user,
            current=request.form.get("current", ""),
            new=request.form.get("new", ""),
        )
        security.keep_only_this_session(changed)
        email_views.tell_owner(changed, security_notices.PASSWORD_CHANGED)
        flash("Password changed; your other sessions are logged out.", "success")
    except (AccountError, LoginLocked) as error:
        flash(str(error), "error")
    return redirect(url_for("accounts.profile"))


@blueprint.post("/profile/delete")
@security.login_required
def delete_account() -> Any:
    user = signed_in_user()
    try:
        confirmed = login_guard.check_current_password(user, request.form.get("password", ""))
    except LoginLocked as error:
        flash(f"{error}; the account was not deleted.", "error")
        return redirect(url_for("accounts.profile"))
    if not confirmed:
        flash("The password is not right; the account was not deleted.", "error")
        return redirect(url_for("accounts.profile"))
    started = resume_deletion(user.user_id)
    security.log_out()
    if started:
        flash(
            "Your account is being deleted with all its media. You can register with this "
            "e-mail address again once it is done, in a few minutes.",
            "success",
        )
    return redirect(url_for("accounts.login"))


def resume_deletion(user_id: str) -> bool:
    """Start (or restart) an account's deletion; False, with a message, if it did not start."""
    try:
        close_account(security.web_config().settings, user_id)
    except DeletionNotStarted:
        flash(
            "Your account is marked for deletion, but the deletion did not start. "
            "Log in again to retry it.",
            "error",
        )
        return False
    return True
