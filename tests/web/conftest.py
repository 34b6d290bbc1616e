"""Website tests: the Flask app against moto, provisioned from the synthesized templates."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from flask import Flask

from snapstream_runtime.settings import Settings
from snapstream_web import create_app
from snapstream_web.config import WebConfig
from snapstream_web.throttle import Throttle
from tests.runtime.conftest import (  # noqa: F401 (fixtures shared with the runtime tests)
    _isolated_aws,
    ingest_environment,
    local_aws,
    settings,
)
from tests.runtime.deletion_support import (  # noqa: F401 (fixtures shared with the runtime tests)
    DeletionQueue,
    as_deletion_function,
    deletion_queue,
)
from tests.web.browser import Browser, BrowserFactory
from tests.web.mailbox import SiteMail
from tests.web.session_support import clock  # noqa: F401 (the site's clocks, moved by tests)
from tools.local.aws import LocalResources, provision_mail

MIB = 1024**2


@pytest.fixture
def web_settings(
    settings: Settings,  # noqa: F811
    local_aws: LocalResources,  # noqa: F811
    deletion_queue: DeletionQueue,  # noqa: F811
) -> Settings:
    return dataclasses.replace(
        settings,
        media_bucket=local_aws.names[local_aws.find("MediaBucket")],
        max_upload_bytes=50 * MIB,
        deletion_queue_url=deletion_queue.url,
    )


@pytest.fixture
def site_mail(
    templates: dict[tuple[str, str], dict[str, Any]],
    local_aws: LocalResources,  # noqa: F811
) -> SiteMail:
    """The Web stack's SES identity and configuration set, created in moto from the template."""
    provision_mail(templates["dev", "Web"], local_aws)
    return SiteMail(
        sender=local_aws.names[local_aws.find("MailIdentity")],
        configuration_set=local_aws.names[local_aws.find("MailConfigurationSet")],
    )


@pytest.fixture
def web_config(web_settings: Settings, site_mail: SiteMail) -> WebConfig:
    return WebConfig(
        settings=web_settings,
        secret_key="test-only-session-key",
        mail_from=site_mail.sender,
        mail_configuration_set=site_mail.configuration_set,
        account_throttle=Throttle(free_failures=3, base_delay_seconds=30, max_delay_seconds=120),
        address_throttle=Throttle(free_failures=8, base_delay_seconds=30, max_delay_seconds=120),
    )


@pytest.fixture
def app(web_config: WebConfig) -> Flask:
    return create_app(web_config)


@pytest.fixture
def browser(app: Flask) -> Browser:
    return Browser(app)


@pytest.fixture
def make_browser(app: Flask) -> BrowserFactory:
    return lambda: Browser(app)
