"""The reference point for synthesis time: a one-bucket CDK app with no compliance packs."""

from __future__ import annotations

from stacks.node_runtime import prefer_bundled_node

prefer_bundled_node()

import aws_cdk as cdk  # noqa: E402
from aws_cdk import aws_s3 as s3  # noqa: E402

app = cdk.App()
s3.Bucket(cdk.Stack(app, "Reference"), "Bucket")
app.synth()
