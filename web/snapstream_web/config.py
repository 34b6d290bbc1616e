"""The site's configuration: the runtime settings plus what only the web tier needs."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from snapstream_runtime import contract
from snapstream_runtime.adapters.secrets import secret_string
from snapstream_runtime.settings import Settings


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
    #: failed logins before an e-mail address is locked, and for how long.
    max_failed_logins: int = 5
    lockout_seconds: int = 900
    page_size: int = 24
    #: the local platform (make dev): media files are served by the site, not CloudFront.
    local_media: bool = False

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
            local_media=environ.get("SNAPSTREAM_LOCAL_MEDIA") == "true",
        )
