"""Every AWS call the site makes is allowed by the instance role's policies in the synthesized
Web template (and nothing the site needs is missing from it)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from snapstream_runtime.adapters import clients
from snapstream_runtime.settings import Settings
from tests.cdk_support import named_resource
from tests.web.browser import PASSWORD, BrowserFactory
from tests.web.media_helpers import upload
from tools.aws_calls import recorded_calls

SERVICE_PREFIX = {
    "DynamoDB": "dynamodb",
    "S3": "s3",
    "SNS": "sns",
    "Secrets Manager": "secretsmanager",
    "MediaPackage Vod": "mediapackage-vod",
}
#: operations authorized under another action name.
ACTION_FOR: dict[str, list[str]] = {
    # botocore's generate_presigned_post resolves the bucket URL with the CreateBucket model;
    # nothing is sent (the browser's POST is authorized by s3:PutObject).
    "s3:CreateBucket": [],
    "s3:ListObjectVersions": ["s3:ListBucketVersions"],
    "s3:ListObjectsV2": ["s3:ListBucket"],
    "s3:DeleteObjects": ["s3:DeleteObject", "s3:DeleteObjectVersion"],
    "s3:HeadObject": ["s3:GetObject"],
    # a transaction is authorized per item action (all of which the site holds)
    "dynamodb:TransactWriteItems": [
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:ConditionCheckItem",
    ],
}


def _granted(template: dict[str, Any]) -> set[str]:
    granted: set[str] = set()
    for policy_id in ("SitePolicy", "UploadIssuerPolicy"):
        _, policy = named_resource(template, "AWS::IAM::ManagedPolicy", policy_id)
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"]
            granted.update(actions if isinstance(actions, list) else [actions])
    return granted


def test_the_site_calls_only_what_its_role_allows(
    app: Flask,
    make_browser: BrowserFactory,
    web_settings: Settings,
    templates: dict[tuple[str, str], dict[str, Any]],
) -> None:
    alice, admin = make_browser(), make_browser()
    alice.register("alice")
    admin.register("root")
    app.test_cli_runner().invoke(args=["promote", "root@example.com"])
    kept = upload(alice, web_settings, name="kept.png")
    doomed = upload(alice, web_settings, name="doomed.png")

    with recorded_calls() as calls:
        clients.reset()  # only clients created inside the block are recorded
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

    used = set()
    for call in calls:
        service, operation = call.split(".", 1)
        used.add(f"{SERVICE_PREFIX[service]}:{operation}")
    assert {"dynamodb:TransactWriteItems", "s3:DeleteObjects", "sns:Subscribe"} <= used
    granted = _granted(templates["dev", "Web"])
    missing = {
        action
        for operation in used
        for action in ACTION_FOR.get(operation, [operation])
        if action not in granted
    }
    assert not missing, f"the site calls what its instance role may not: {sorted(missing)}"
