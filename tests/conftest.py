"""Session fixtures: the whole SnapStream app is synthesized once per test session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.authority.session import COMPLETE_RUN
from tools.assembly import StackArtifact, stacks
from tools.authority.proof import Authority, Ledger, describe, local_names
from tools.authority.recorder import Recording, recording
from tools.authority.recorder import install as install_call_recorder
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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``after_all`` run last (they read what the whole session recorded)."""
    last = [item for item in items if item.get_closest_marker("after_all")]
    items[:] = [item for item in items if not item.get_closest_marker("after_all")] + last
    config.stash[COMPLETE_RUN] = (
        not config.option.keyword
        and not config.option.markexpr
        and not config.getoption("deselect", None)
        and not config.getoption("ignore", None)
        and [Path(arg) for arg in config.args] in ([Path("tests")], [config.rootpath / "tests"])
    )


# -- proven authority: every AWS call the code makes in any test is judged against the policies --

install_call_recorder()  # before any client exists: every client of the session is seen


@pytest.fixture(scope="session")
def authority_ledger() -> Ledger:
    """The verdicts of the whole session (tests/authority checks every grant was used)."""
    return Ledger()


@pytest.fixture(scope="session")
def dev_authority(templates: dict[tuple[str, str], dict[str, Any]]) -> Authority:
    """dev's policies, named as the moto resources the tests provision (tools/local/aws)."""
    return Authority(
        {stack: t for (env, stack), t in templates.items() if env == "dev"},
        env_name="dev",
        physical_name=local_names,
    )


@pytest.fixture(autouse=True)
def _proven_authority(
    request: pytest.FixtureRequest, authority_ledger: Ledger
) -> Iterator[Recording]:
    """Record the product's AWS calls during the test; fail it if a policy would refuse one.

    Tests that make product calls provision moto from the templates, so the synthesized
    policies are at hand for exactly those tests."""
    authority: Authority | None = None
    if "templates" in request.fixturenames:
        authority = request.getfixturevalue("dev_authority")
    with recording() as recorded:
        yield recorded
    authority_ledger.unattributed.extend(recorded.unattributed)
    if not recorded.calls:
        return
    if authority is None:
        pytest.fail("this test made AWS calls without the templates to judge them by")
    verdicts, problems = authority.judge(recorded.calls)
    authority_ledger.add(verdicts)
    denied = [describe(v) for v in verdicts if not v.decision.allowed]
    if problems or denied:
        pytest.fail(
            "AWS would refuse (or we cannot judge) calls this test made:\n  "
            + "\n  ".join([*problems, *denied]),
            pytrace=False,
        )
