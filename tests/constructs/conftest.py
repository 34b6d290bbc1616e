"""Each reusable construct alone in a bare Stack, all in one app synthesized once per session.

The bare stacks run under the same nag packs as SnapStream itself, so a construct that needs its
caller to acknowledge something fails here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cdk_support import new_app


@pytest.fixture(scope="session")
def bare_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    import aws_cdk as cdk

    from snapstream_constructs import (
        AccessLogBucket,
        DataKey,
        IdempotencyTable,
        MediaTable,
        SecureBucket,
        SecureTopic,
        register_compliance_packs,
    )

    outdir = tmp_path_factory.mktemp("bare")
    app = new_app(outdir)
    register_compliance_packs(app)
    destroy = cdk.RemovalPolicy.DESTROY

    DataKey(cdk.Stack(app, "KeyAlone"), "Key", description="alone", removal_policy=destroy)

    # An access-log bucket only makes sense with a bucket logging into it (nag checks that too).
    bucket_stack = cdk.Stack(app, "BucketAlone")
    key = DataKey(bucket_stack, "Key", description="k", removal_policy=destroy).key
    logs = AccessLogBucket(
        bucket_stack, "Logs", retention=cdk.Duration.days(5), removal_policy=destroy
    ).bucket
    SecureBucket(
        bucket_stack,
        "Secure",
        encryption_key=key,
        access_logs=logs,
        access_log_prefix="secure/",
        removal_policy=destroy,
        noncurrent_version_expiration=cdk.Duration.days(3),
        infrequent_access_after=cdk.Duration.days(45),
        cors_allowed_origins=["https://media.example.com"],
    )

    table_stack = cdk.Stack(app, "TablesAlone")
    table_key = DataKey(table_stack, "Key", description="k", removal_policy=destroy).key
    MediaTable(
        table_stack,
        "Media",
        encryption_key=table_key,
        removal_policy=destroy,
        deletion_protection=True,
    )
    IdempotencyTable(table_stack, "Idempotency", encryption_key=table_key, removal_policy=destroy)

    topic_stack = cdk.Stack(app, "TopicAlone")
    topic_key = DataKey(topic_stack, "Key", description="k", removal_policy=destroy).key
    SecureTopic(topic_stack, "Topic", encryption_key=topic_key, display_name="alone")

    app.synth()
    return {
        path.name.removesuffix(".template.json"): json.loads(path.read_text())
        for path in Path(outdir).glob("*.template.json")
    }
