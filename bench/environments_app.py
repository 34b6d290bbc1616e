"""A SnapStream app with N environments (BENCH_ENVIRONMENTS): dev, staging, prod, then copies of
them under other names. Used by bench/synth.py to show how synthesis grows with environments."""

from __future__ import annotations

import dataclasses
import os

from stacks.node_runtime import prefer_bundled_node

prefer_bundled_node()

import aws_cdk as cdk  # noqa: E402

from stacks.application import build_app  # noqa: E402
from stacks.config import ENVIRONMENTS  # noqa: E402


def main() -> None:
    count = int(os.environ["BENCH_ENVIRONMENTS"])
    bases = list(ENVIRONMENTS.values())
    configs = [
        base if index < len(bases) else dataclasses.replace(base, name=f"{base.name}{index}")
        for index, base in ((i, bases[i % len(bases)]) for i in range(count))
    ]
    configs = [dataclasses.replace(c, region=c.region or "us-east-1") for c in configs]
    app = cdk.App(builtin_cloud_formation_validation=False)
    build_app(app, configs)
    app.synth()


if __name__ == "__main__":
    main()
