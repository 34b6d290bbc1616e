"""Register, log in, log out, and the profile (username, password, e-mail, account deletion)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from snapstream_runtime.deletion_requests import DeletionNotStarted
from snapstream_web import accounts, security
from snapstream_web.account_closing import close_account
from snapstream_web.accounts import AccountBeingDeleted, AccountError, LoginFailed, LoginLocked
from snapstream_web.views.guards import signed_in_user

blueprint = Blueprint("accounts", __name__)


@blueprint.route("/register", methods=["GET", "POST"])
def register() -> Any:
    if request.method == "POST":
        form = request.form
        try:
            if form.get("password", "") != form.get("confirm", ""):
                raise AccountError("the two passwords differ")
            user = accounts.register(
                security.table(),
                email=form.get("email", ""),
                username=form.get("username", ""),
                password=form.get("password", ""),
            )
        except AccountError as error:
            flash(str(error), "error")
            return render_template("auth/register.html", form=form), 400
        security.log_in(user)
        flash(f"Welcome to SnapStream, {user.username}.", "success")
        return redirect(url_for("pages.dashboard"))
    return render_template("auth/register.html", form={})


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if request.method == "POST":
        config = security.web_config()
        try:
            user = accounts.authenticate(
                security.table(),
                email=request.form.get("email", ""),
                password=request.form.get("password", ""),
                max_failures=config.max_failed_logins,
                lockout_seconds=config.lockout_seconds,
            )
        except LoginLocked as error:
            flash(str(error), "error")
            page = render_template("auth/login.html", email=request.form.get("email", ""))
            return page, 429, {"Retry-After": str(error.retry_after)}
        except AccountBeingDeleted as deleting:
            if resume_deletion(deleting.user_id):
                flash("This account is being deleted.", "error")
            return render_template("auth/login.html", email=request.form.get("email", "")), 401
        except LoginFailed as error:
            flash(str(error), "error")
            return render_template("auth/login.html", email=request.form.get("email", "")), 401
        security.log_in(user)
        return redirect(security.safe_next(request.args.get("next")))
    return render_template("auth/login.html", email="")


@blueprint.post("/logout")
def logout() -> Any:
    security.log_out()
    flash("You are logged out.", "success")
    return redirect(url_for("accounts.login"))


@blueprint.get("/profile")
@security.login_required
def profile() -> Any:
    return render_template("profile.html")


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
        if request.form.get("new", "") != request.form.get("confirm", ""):
            raise AccountError("the two new passwords differ")
        changed = accounts.change_password(
            security.table(),
            user,
            current=request.form.get("current", ""),
            new=request.form.get("new", ""),
        )
        security.refresh_login(changed)
        flash("Password changed; your other sessions are logged out.", "success")
    except AccountError as error:
        flash(str(error), "error")
    return redirect(url_for("accounts.profile"))


@blueprint.post("/profile/delete")
@security.login_required
def delete_account() -> Any:
    user = signed_in_user()
    try:
        accounts.authenticate(
            security.table(), email=user.email, password=request.form.get("password", "")
        )
    except (LoginFailed, LoginLocked):
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
