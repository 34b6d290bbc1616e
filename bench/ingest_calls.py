"""AWS calls the ingest Lambda makes per upload, whatever the size of the table."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import boto3
from moto import mock_aws

from tools.assembly import stacks
from tools.aws_calls import recorded_calls
from tools.local_aws import function_environment, provision
from tools.synthesis import synthesize_all

OWNER = "b" * 32


def _templates() -> tuple[dict[str, object], dict[str, object]]:
    outdir = synthesize_all(Path(tempfile.mkdtemp(prefix="bench-cdk-")))
    by_name = {s.stack_name: s.template for s in stacks(outdir)}
    return by_name["SnapStream-dev-Data"], by_name["SnapStream-dev-Pipeline"]


def calls_per_upload() -> dict[str, tuple[list[str], list[str]]]:
    """Operations for an accepted and a rejected upload, with 0 and 1,000 other records."""
    from snapstream_runtime.adapters import clients
    from snapstream_runtime.contract import ENV_UPLOADS_BUCKET
    from snapstream_runtime.ingest import ObjectCreated, ingest
    from snapstream_runtime.settings import Settings
    from snapstream_runtime.uploads import create_upload

    for name, value in {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        os.environ.setdefault(name, value)
    data, pipeline = _templates()
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    results: dict[str, tuple[list[str], list[str]]] = {}
    for label, name, content_type in (
        ("accepted image", "a.png", "image/png"),
        ("rejected (PNG declared as MP4)", "a.mp4", "video/mp4"),
    ):
        runs = []
        for others in (0, 1000):
            with mock_aws():
                clients.reset()
                resources = provision(data)
                environment = function_environment(pipeline, "IngestFunction", resources)
                uploads = resources.names[resources.find("UploadsBucket")]
                settings = Settings.from_environment({**environment, ENV_UPLOADS_BUCKET: uploads})
                for _ in range(others):
                    create_upload(
                        settings, user_id=OWNER, file_name="x.png", content_type="image/png", size=9
                    )
                ticket = create_upload(
                    settings,
                    user_id=OWNER,
                    file_name=name,
                    content_type=content_type,
                    size=len(png),
                )
                version = boto3.client("s3").put_object(Bucket=uploads, Key=ticket.key, Body=png)
                clients.reset()
                with recorded_calls() as calls:
                    ingest(ObjectCreated(uploads, ticket.key, version.get("VersionId")), settings)
                runs.append(list(calls))
        results[label] = (runs[0], runs[1])
    return results
