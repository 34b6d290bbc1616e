"""The application factory: configuration, security hooks, blueprints, error pages."""

from __future__ import annotations

import logging
from typing import Any

import click
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from snapstream_runtime.adapters.table import Table
from snapstream_runtime.contract import WEB_HEALTH_PATH
from snapstream_runtime.sizes import human_size
from snapstream_web import accounts, errors, security, static_files, upload_formats
from snapstream_web.config import WebConfig

MAX_REQUEST_BYTES = 64 * 1024  # forms and JSON only: files go straight to S3


def create_app(config: WebConfig | None = None) -> Flask:
    config = config or WebConfig.from_environment()
    app = Flask(__name__)
    errors.install(app, max_request_bytes=MAX_REQUEST_BYTES)  # before the blueprints
    app.config.update(
        SECRET_KEY=config.secret_key,
        SESSION_COOKIE_NAME="snapstream_session",
        SESSION_COOKIE_SECURE=config.secure_cookies,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # the cookie lasts as long as a session can (the record decides: security.py)
        PERMANENT_SESSION_LIFETIME=config.session_absolute_seconds,
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        JSON_SORT_KEYS=False,
        DEBUG=False,
    )
    app.extensions["snapstream"] = config
    if config.proxy_count:
        n = config.proxy_count
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n)  # type: ignore[method-assign]
    if config.secure_cookies:
        app.config["PREFERRED_URL_SCHEME"] = "https"
        app.wsgi_app = _served_over_https(app.wsgi_app)  # type: ignore[method-assign]
    security.install(app)
    static_files.install(app)
    # the upload page's formats come from the accepted types; templates say when mail is local
    app.jinja_env.globals.update(upload_formats=upload_formats, local_mail=config.local_mail)
    app.jinja_env.filters["human_size"] = human_size

    from snapstream_web.views import (
        accounts_views,
        admin_views,
        api,
        email_views,
        local_media,
        outbox,
        pages,
        two_factor_views,
    )

    app.register_blueprint(accounts_views.blueprint)
    app.register_blueprint(two_factor_views.blueprint)
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(admin_views.blueprint)
    app.register_blueprint(api.blueprint)
    app.register_blueprint(email_views.blueprint)
    if config.local_media:
        app.register_blueprint(local_media.blueprint)
    if config.local_mail:  # make dev: the site's e-mail waits on a local page, nothing is sent
        outbox.install(app)

    @app.get(WEB_HEALTH_PATH)
    def healthz() -> tuple[str, int]:
        """Load balancer health check: the process answers (no AWS call, no session)."""
        return "ok", 200

    @app.cli.command("promote")
    @click.argument("email")
    @click.option("--role", type=click.Choice(accounts.ROLES), default="admin")
    def promote(email: str, role: str) -> None:
        """Give the account with EMAIL a role (admin by default): run on an instance via SSM."""
        try:
            user = accounts.set_role(Table(config.settings.table_name), email, role)
        except accounts.AccountError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"{user.email} is now {user.role}")

    logging.getLogger("snapstream_web").setLevel(logging.INFO)
    return app


def _served_over_https(wsgi_app: Any) -> Any:
    """Deployed, the site is reachable only through CloudFront, which redirects HTTP to HTTPS;
    the hop from CloudFront to the internal load balancer is HTTP inside the VPC, so no
    forwarded-protocol header tells the truth. Every request came over HTTPS."""

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        environ["wsgi.url_scheme"] = "https"
        return wsgi_app(environ, start_response)

    return app
