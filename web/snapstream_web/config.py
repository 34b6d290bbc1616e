"""The site's configuration: the runtime settings plus what only the web tier needs."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from snapstream_runtime import contract
from snapstream_runtime.adapters.secrets import secret_string
from snapstream_runtime.settings import Settings
from snapstream_web.throttle import ACCOUNT_THROTTLE, ADDRESS_THROTTLE, Throttle


@dataclass(frozen=True, kw_only=True)
class WebConfig:
    settings: Settings
    #: signs the session cookie; from Secrets Manager when deployed.
    secret_key: str
    #: the site is served over HTTPS (deployed: through CloudFront): Secure cookies, HSTS,
    #: https URLs. Off only on the loopback of ``make dev``.
    secure_cookies: bool = True
    #: proxies whose X-Forwarded-For entries are trusted (deployed: CloudFront and the ALB).
    proxy_count: int = 0
    #: a login session ends after this long without a request, and this long after the login
    #: at the latest (per environment: stacks/config.py).
    session_idle_seconds: int = 3600
    session_absolute_seconds: int = 12 * 3600
    #: administrators must turn on two-factor authentication before anything else.
    require_admin_two_factor: bool = False
    #: growing delays after failed logins, per account and per client address (login_guard.py).
    account_throttle: Throttle = ACCOUNT_THROTTLE
    address_throttle: Throttle = ADDRESS_THROTTLE
    page_size: int = 24
    #: the local platform (make dev): media files are served by the site, not CloudFront.
    local_media: bool = False
    #: e-mail (mail.py): the sender and the SES configuration set; how long a verification and
    #: a password-reset link work. ``local_mail`` (make dev only): nothing is sent, the site's
    #: messages wait on the local outbox page (views/outbox.py).
    mail_from: str = ""
    mail_configuration_set: str = ""
    email_verification_seconds: int = 48 * 3600
    password_reset_seconds: int = 3600
    local_mail: bool = False

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> WebConfig:
        secret_arn = environ.get(contract.ENV_WEB_SECRET_KEY, "")
        if not secret_arn:
            raise RuntimeError(f"{contract.ENV_WEB_SECRET_KEY} is not set")
        return cls(
            settings=Settings.from_environment(environ),
            secret_key=secret_string(secret_arn),
            secure_cookies=environ.get(contract.ENV_WEB_SECURE_COOKIES, "true") != "false",
            proxy_count=int(environ.get(contract.ENV_WEB_PROXY_COUNT, "0")),
            session_idle_seconds=int(environ.get(contract.ENV_WEB_SESSION_IDLE, "3600")),
            session_absolute_seconds=int(environ.get(contract.ENV_WEB_SESSION_ABSOLUTE, "43200")),
            require_admin_two_factor=environ.get(contract.ENV_WEB_ADMIN_TWO_FACTOR) == "true",
            local_media=environ.get("SNAPSTREAM_LOCAL_MEDIA") == "true",
            mail_from=environ.get(contract.ENV_MAIL_FROM, ""),
            mail_configuration_set=environ.get(contract.ENV_MAIL_CONFIGURATION_SET, ""),
            email_verification_seconds=int(
                environ.get(contract.ENV_EMAIL_VERIFICATION_TTL, str(48 * 3600))
            ),
            password_reset_seconds=int(environ.get(contract.ENV_PASSWORD_RESET_TTL, "3600")),
        )
