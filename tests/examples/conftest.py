"""The apps in examples/, loaded from their files (as a team runs them) and synthesized together
once per session with the nag packs."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.cdk_support import new_app

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
NAMES = ("transcoding", "vod_delivery", "ingest_spine")
#: A team's own account, outside us-east-1.
ACCOUNT, REGION = "123456789012", "eu-west-1"


def load_example(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / name / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def examples_assembly(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """(cdk.out, stack by example name) of the three examples in one app (a finding raises)."""
    import aws_cdk as cdk

    from snapstream_constructs import register_compliance_packs

    outdir = tmp_path_factory.mktemp("examples")
    app = new_app(outdir)
    register_compliance_packs(app)
    env = cdk.Environment(account=ACCOUNT, region=REGION)
    stacks = {name: load_example(name).build(app, env=env) for name in NAMES}
    app.synth()
    return outdir, stacks
