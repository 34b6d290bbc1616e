"""Website tests: the Flask app against moto, provisioned from the synthesized templates."""

from __future__ import annotations

import dataclasses

import pytest
from flask import Flask

from snapstream_runtime.settings import Settings
from snapstream_web import create_app
from snapstream_web.config import WebConfig
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
from tools.local_aws import LocalResources

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
def web_config(web_settings: Settings) -> WebConfig:
    return WebConfig(settings=web_settings, secret_key="test-only-session-key", max_failed_logins=3)


@pytest.fixture
def app(web_config: WebConfig) -> Flask:
    return create_app(web_config)


@pytest.fixture
def browser(app: Flask) -> Browser:
    return Browser(app)


@pytest.fixture
def make_browser(app: Flask) -> BrowserFactory:
    return lambda: Browser(app)
