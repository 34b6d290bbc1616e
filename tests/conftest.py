"""Session fixtures: the whole SnapStream app is synthesized once per test session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tools.assembly import StackArtifact, stacks
from tools.synthesis import synthesize_all


@pytest.fixture(scope="session")
def cloud_assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``cdk.out`` of every environment, synthesized with the nag packs (a failing gate raises)."""
    return synthesize_all(tmp_path_factory.mktemp("cdk.out"))


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
