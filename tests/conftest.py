"""Session fixtures: the whole SnapStream app is synthesized once per test session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cdk_support import new_app
from tools.assembly import StackArtifact, stacks


@pytest.fixture(scope="session")
def cloud_assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``cdk.out`` of every environment, synthesized with the nag packs (a failing gate raises)."""
    from stacks.application import build_app
    from stacks.config import resolve_environments

    outdir = tmp_path_factory.mktemp("cdk.out")
    app = new_app(outdir)
    build_app(app, resolve_environments(overrides={}, default_account=None, default_region=None))
    app.synth()
    return outdir


@pytest.fixture(scope="session")
def stack_artifacts(cloud_assembly: Path) -> list[StackArtifact]:
    return stacks(cloud_assembly)


@pytest.fixture(scope="session")
def templates(stack_artifacts: list[StackArtifact]) -> dict[tuple[str, str], dict[str, Any]]:
    """(environment, stack id) -> template, e.g. ``templates["prod", "Data"]``."""
    return {
        (s.stage.removeprefix("SnapStream-"), s.stack_name.rsplit("-", 1)[-1]): s.template
        for s in stack_artifacts
    }
