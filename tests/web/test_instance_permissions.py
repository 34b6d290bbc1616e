"""The site's whole journey, as one user and one admin: every AWS call it makes is judged against
the instance role's synthesized policies by the session's recorder (tests/conftest.py), which
fails this test on any call AWS would refuse. Here: the journey reaches the calls that matter."""

from __future__ import annotations

import boto3
from flask import Flask

from snapstream_runtime import contract
from snapstream_runtime.adapters import secrets
from snapstream_runtime.settings import Settings
from snapstream_web.config import WebConfig
from tests.web.browser import PASSWORD, BrowserFactory
from tests.web.media_helpers import upload
from tools.authority.proof import Authority
from tools.authority.recorder import Recording


def test_the_site_calls_only_what_its_role_allows(
    app: Flask,
    make_browser: BrowserFactory,
    web_settings: Settings,
    _proven_authority: Recording,
) -> None:
    alice, admin = make_browser(), make_browser()
    alice.register("alice")
    admin.register("root")
    app.test_cli_runner().invoke(args=["promote", "root@example.com"])
    kept = upload(alice, web_settings, name="kept.png")
    doomed = upload(alice, web_settings, name="doomed.png")

    alice.get("/dashboard")
    alice.get("/library")
    alice.api("GET", f"/api/media/status?ids={kept},{doomed}")
    alice.api(
        "POST", "/api/uploads", {"file_name": "a.mp4", "content_type": "video/mp4", "size": 9}
    )
    alice.form(f"/media/{kept}/tags", {"tag": "harbour"})
    alice.get("/library?tag=harbour")
    alice.api("GET", "/api/tags/suggest?prefix=ha")
    alice.get(f"/media/{kept}")
    alice.api("GET", f"/api/media/{kept}/playback")
    alice.form(f"/media/{kept}/tags/remove", {"tag": "harbour"})
    alice.form(f"/media/{doomed}/delete", {})
    alice.get("/notifications")
    alice.form("/notifications/read", {})
    alice.api("PUT", "/api/notifications/email", {"enabled": True})
    alice.api("PUT", "/api/notifications/email", {"enabled": False})
    alice.form("/notifications/clear", {})
    admin.get("/admin/users")
    admin.get("/admin/uploads")
    admin.get("/admin/failures")
    alice.form("/profile/password", {"current": PASSWORD, "new": "y" * 12, "confirm": "y" * 12})
    alice.form("/profile/delete", {"password": "y" * 12})

    made = {(c.service, c.operation) for c in _proven_authority.calls if c.actor == "site"}
    assert {
        ("dynamodb", "TransactWriteItems"),
        ("dynamodb", "Query"),
        ("sns", "Subscribe"),
        ("sns", "Unsubscribe"),
        ("s3", "presigned:PostObject"),
        ("s3", "presigned:GetObject"),
    } <= made, sorted(made)
    # least privilege: the internet-facing site deletes no file and no VOD asset itself
    assert not {op for op in made if op[0] in {"s3", "mediapackage-vod"} and "Delete" in op[1]}


def test_the_site_reads_its_session_key_from_its_secret(
    ingest_environment: dict[str, str], dev_authority: Authority, _proven_authority: Recording
) -> None:
    """On the instance, the Flask secret key comes from the synthesized session-key secret."""
    [secret] = [
        logical_id
        for logical_id, resource in dev_authority.index.templates["Web"]["Resources"].items()
        if resource["Type"] == "AWS::SecretsManager::Secret"
    ]
    name = dev_authority.env.name("Web", secret)
    arn = boto3.client("secretsmanager").create_secret(Name=name, SecretString="k" * 64)["ARN"]
    secrets.forget()
    environ = {**ingest_environment, contract.ENV_WEB_SECRET_KEY: arn}
    assert WebConfig.from_environment(environ).secret_key == "k" * 64
    # the environment's session timeouts and two-factor rule come from the same env file
    assert not WebConfig.from_environment(environ).require_admin_two_factor
    environ |= {
        contract.ENV_WEB_SESSION_IDLE: "1800",
        contract.ENV_WEB_SESSION_ABSOLUTE: "28800",
        contract.ENV_WEB_ADMIN_TWO_FACTOR: "true",
    }
    config = WebConfig.from_environment(environ)
    assert (config.session_idle_seconds, config.session_absolute_seconds) == (1800, 28800)
    assert config.require_admin_two_factor
    assert ("secretsmanager", "GetSecretValue", "site") in {
        (c.service, c.operation, c.actor) for c in _proven_authority.calls
    }
