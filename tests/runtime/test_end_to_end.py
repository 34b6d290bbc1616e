"""From a browser-style presigned POST to an ``uploaded`` record, through the real S3 -> SQS
notification of a moto server provisioned from the synthesized template."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import requests

from snapstream_runtime import lifecycle
from snapstream_runtime.adapters import clients
from snapstream_runtime.adapters.table import Table
from snapstream_runtime.contract import ENV_UPLOADS_BUCKET
from snapstream_runtime.lifecycle import Status
from snapstream_runtime.settings import Settings
from snapstream_runtime.uploads import UploadTicket, create_upload
from tests.runtime.samples import png_bytes
from tools.local.aws import LocalResources, function_environment, provision
from tools.local.lambdas import deliver_ingest
from tools.local.moto_server import moto_server

OWNER = "9" * 32


@pytest.fixture
def moto_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with moto_server() as endpoint:
        monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
        clients.reset()
        yield endpoint


@pytest.fixture
def platform(
    moto_endpoint: str,
    templates: dict[tuple[str, str], dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[LocalResources, Settings]:
    resources = provision(templates["dev", "Data"])
    environment = function_environment(templates["dev", "Pipeline"], "IngestFunction", resources)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    uploads = resources.names[resources.find("UploadsBucket")]
    return resources, Settings.from_environment({**environment, ENV_UPLOADS_BUCKET: uploads})


def _post(ticket: UploadTicket, body: bytes, file_name: str) -> requests.Response:
    return requests.post(
        ticket.url,
        data=ticket.fields,
        files={"file": (file_name, body, ticket.content_type)},
        timeout=10,
    )


def test_presigned_post_to_uploaded_record_exactly_once(
    platform: tuple[LocalResources, Settings],
) -> None:
    resources, settings = platform
    body = png_bytes(8, 8)
    name = "Mayor\u2019s speech + Q&A.png"
    ticket = create_upload(
        settings, user_id=OWNER, file_name=name, content_type="image/png", size=len(body)
    )
    response = _post(ticket, body, name)
    assert response.status_code in (200, 201, 204), response.text

    results = deliver_ingest(resources)
    assert results and all(r == {"batchItemFailures": []} for r in results)
    media = lifecycle.load(Table(settings.table_name), ticket.media_id)
    assert media is not None
    assert media.status is Status.UPLOADED
    assert media.item["detected_type"] == "image/png"

    # S3 delivers again (at-least-once): nothing changes.
    sqs = boto3.client("sqs")
    url = resources.refs[resources.find("IngestQueue")]
    sqs.send_message(
        QueueUrl=url,
        MessageBody=json.dumps(
            {
                "Records": [
                    {
                        "eventName": "ObjectCreated:Post",
                        "s3": {
                            "bucket": {"name": settings.uploads_bucket},
                            "object": {
                                "key": ticket.key.replace(" ", "+"),
                                "versionId": media.version_id,
                            },
                        },
                    }
                ]
            }
        ),
    )
    deliver_ingest(resources)
    again = lifecycle.load(Table(settings.table_name), ticket.media_id)
    assert again is not None and again.item == media.item


def test_a_renamed_png_posted_as_video_ends_rejected(
    platform: tuple[LocalResources, Settings],
) -> None:
    resources, settings = platform
    body = png_bytes()
    ticket = create_upload(
        settings, user_id=OWNER, file_name="clip.mp4", content_type="video/mp4", size=len(body)
    )
    assert _post(ticket, body, "clip.mp4").status_code in (200, 201, 204)
    deliver_ingest(resources)
    media = lifecycle.load(Table(settings.table_name), ticket.media_id)
    assert media is not None and media.status is Status.REJECTED
    versions = boto3.client("s3").list_object_versions(
        Bucket=settings.uploads_bucket, Prefix=ticket.key
    )
    assert versions.get("Versions", []) == []
