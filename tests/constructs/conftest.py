"""Session fixtures of the construct tests: the bare stacks the collected test modules registered,
synthesized once (:mod:`tests.constructs.bare_stacks`), and the construct catalog."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.constructs.bare_stacks import Templates, synthesize_registered


@pytest.fixture(scope="session")
def bare_templates(tmp_path_factory: pytest.TempPathFactory) -> Templates:
    """Stack name -> template of every registered bare stack: one App, one synthesis, with the
    nag packs (a finding nobody acknowledged, or an acknowledgment without its finding, fails)."""
    return synthesize_registered(tmp_path_factory.mktemp("bare"))


@pytest.fixture(scope="session")
def construct_catalog(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """Every exported construct's usage example (tools/construct_catalog.py) alone in a bare
    us-east-1 stack, an eu-west-1 one and an environment-agnostic one, synthesized once with the
    nag packs: (cdk.out, :class:`tools.construct_docs.Documented` by construct name). The pages
    in docs/constructs/ are generated from it."""
    from tools.construct_docs import synthesize_catalog

    outdir = tmp_path_factory.mktemp("catalog")
    return outdir, synthesize_catalog(outdir)
