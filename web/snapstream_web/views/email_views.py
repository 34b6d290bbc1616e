"""The e-mail links: confirm an address, forgot password, reset password (verification.py).

A link's token travels in its fragment, which browsers never send: the pages are the same for
everyone, and ``static/js/link_token.js`` puts the token into the page's form (a visitor
without JavaScript pastes it). Using a link is a POST with the token and the session's CSRF
token, so a mail scanner that opens links (a GET) uses nothing up, and no token reaches an
access log. The answers are never cached (``Cache-Control: no-store``).
"""

from __future__ import annotations

import functools
from typing import Any

from flask import (
    Blueprint,
    Response,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)

from snapstream_web import accounts, login_guard, mail, security, security_notices, verification
from snapstream_web.accounts import AccountError
from snapstream_web.verification import RESET_PATH, VERIFY_PATH, Links

blueprint = Blueprint("email", __name__)


def links() -> Links:
    """Where the mails point: the site's configured domain when deployed (never the request's
    Host header, which a visitor chooses), this server's address locally."""
    domain = security.web_config().settings.site_domain
    return Links(f"https://{domain}" if domain else request.host_url.rstrip("/"))


def tell_owner(user: accounts.User, subject: str) -> None:
    """After the response, mail ``user`` a notice that the account's protection changed
    (``security_notices.py``)."""
    send = security_notices.send
    table, mailer, email = security.table(), mail.mailer(), user.email
    mail.after_response(functools.partial(send, table, mailer, links(), email, subject))


def _private(page: str, status: int = 200) -> Response:
    response = make_response(page, status)
    response.headers["Cache-Control"] = "no-store"
    return response


def check_inbox(email: str, purpose: str) -> str:
    """The one answer to registration and "forgot password", whatever the address."""
    days = verification.UNCONFIRMED_SECONDS // 86400
    return render_template(
        "auth/check_inbox.html", email=email, purpose=purpose, unconfirmed_days=days
    )


def _token() -> str:
    """The form's token; a visitor without JavaScript may paste the whole link."""
    return request.form.get("token", "").strip().rsplit("#", 1)[-1]


@blueprint.route(VERIFY_PATH, methods=["GET", "POST"])
def verify_email() -> Any:
    if request.method == "POST":
        if verification.confirm_email(security.table(), _token(), verification.now()):
            flash("Your e-mail address is confirmed: log in.", "success")
            return redirect(url_for("accounts.login"))
        return _private(render_template("auth/link_expired.html", purpose="verify"), 410)
    return _private(render_template("auth/verify_email.html"))


@blueprint.route("/forgot-password", methods=["GET", "POST"])
def forgot_password() -> Any:
    if request.method == "POST":
        given = request.form.get("email", "")
        try:
            email = accounts.normalize_email(given)
        except AccountError as error:
            flash(str(error), "error")
            return render_template("auth/forgot_password.html", email=given), 400
        config = security.web_config()
        mail.after_response(
            functools.partial(
                verification.send_reset,
                security.table(),
                mail.mailer(),
                links(),
                email,
                config.password_reset_seconds,
            )
        )
        return check_inbox(email, "reset")
    return render_template("auth/forgot_password.html", email="")


@blueprint.route(RESET_PATH, methods=["GET", "POST"])
def reset_password() -> Any:
    table = security.table()
    if request.method == "POST":
        form, token = request.form, _token()
        if not verification.reset_link_works(table, token, verification.now()):
            return _private(render_template("auth/link_expired.html", purpose="reset"), 410)
        try:
            if form.get("password", "") != form.get("confirm", ""):
                raise AccountError("the two passwords differ")
            user_id = verification.reset_password(
                table, token, form.get("password", ""), verification.now()
            )
        except AccountError as error:
            flash(str(error), "error")
            page = render_template("auth/reset_password.html", token=token)
            return _private(page, 400)
        if user_id is None:
            return _private(render_template("auth/link_expired.html", purpose="reset"), 410)
        flash(
            "Your password is changed and every session of your account is logged out: log in "
            "with the new password.",
            "success",
        )
        response = redirect(url_for("accounts.login"))
        # Whoever holds the mailbox is the owner: their waits end, and this browser is known
        # (a stranger's failures must not keep them out of a new browser after a reset).
        user = accounts.load_user(table, user_id)
        return login_guard.logged_in(response, user) if user else response
    return _private(render_template("auth/reset_password.html", token=""))
