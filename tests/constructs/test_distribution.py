"""The package a team installs: ``make dist``'s wheel and sdist carry complete metadata, and the
wheel alone, installed into a clean virtual environment, synthesizes an example app there.

The dependencies come from PyPI once (into ``build/wheelhouse``, at the versions this repository
pins), then from that folder; nothing is skipped: without the network on a first run, this fails.
"""

from __future__ import annotations

import email
import os
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import pytest

from stacks.node_runtime import bundled_node
from tools.assembly import open_violations, stacks, stale_acknowledgments
from tools.cfn_lint_gate import lint

REPO = Path(__file__).resolve().parents[2]
WHEELHOUSE = REPO / "build" / "wheelhouse"
#: The example synthesized in the clean environment.
EXAMPLE = REPO / "examples" / "ingest_spine"


def _run(*command: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(c) for c in command], capture_output=True, text=True, cwd=cwd, env=env, check=False
    )
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What ``make dist`` builds (``python -m build``: the sdist, then the wheel from it)."""
    outdir = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "build", "--outdir", outdir, REPO / "constructs")
    return outdir


def _version() -> str:
    import tomllib

    return str(
        tomllib.loads((REPO / "constructs" / "pyproject.toml").read_text())["project"]["version"]
    )


def test_wheel_metadata_is_complete(dist: Path) -> None:
    [wheel] = dist.glob("*.whl")
    assert wheel.name == f"snapstream_constructs-{_version()}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        info = f"snapstream_constructs-{_version()}.dist-info"
        metadata = email.message_from_bytes(archive.read(f"{info}/METADATA"))
    assert "snapstream_constructs/py.typed" in names
    assert f"{info}/licenses/LICENSE" in names
    assert not [n for n in names if n.startswith(("tests/", "examples/", "stacks/"))]
    assert metadata["Name"] == "snapstream-constructs"
    assert metadata["License-Expression"] == "Apache-2.0"
    assert metadata["Requires-Python"] == ">=3.11"
    assert sorted(metadata.get_all("Requires-Dist") or []) == [
        "aws-cdk-lib<3,>=2.257",
        "cdk-nag<4,>=3.0",
        "constructs<11,>=10",
    ]
    assert metadata["Description-Content-Type"] == "text/markdown"
    assert "## Constructs" in str(metadata.get_payload())  # the readme: constructs/README.md


def test_sdist_carries_readme_changelog_and_license(dist: Path) -> None:
    [sdist] = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    assert {"README.md", "CHANGELOG.md", "LICENSE", "pyproject.toml"} <= names
    assert "src/snapstream_constructs/py.typed" in names


def test_changelog_names_the_current_version() -> None:
    changelog = (REPO / "constructs" / "CHANGELOG.md").read_text()
    assert f"\n## {_version()}\n" in changelog


def _constraints(tmp: Path) -> Path:
    """This repository's pinned versions (its .venv), as pip constraints."""
    frozen = _run(sys.executable, "-m", "pip", "freeze", "--exclude-editable")
    path = tmp / "constraints.txt"
    path.write_text(
        "\n".join(line for line in frozen.splitlines() if "==" in line and " @ " not in line)
    )
    return path


def _install(wheel: Path, venv: Path, constraints: Path) -> None:
    """The wheel and its dependencies, from the wheelhouse (filled from PyPI when it lacks one)."""
    pip = [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python")]
    # No byte-compiling: aws-cdk-lib has hundreds of large modules an app never imports.
    offline = [*pip, "install", "--quiet", "--no-compile", "--no-index", "--find-links"]
    offline.append(str(WHEELHOUSE))
    attempt = subprocess.run(
        [*offline, "-c", str(constraints), str(wheel)], capture_output=True, text=True, check=False
    )
    if attempt.returncode != 0:
        WHEELHOUSE.mkdir(parents=True, exist_ok=True)
        _run(
            sys.executable, "-m", "pip", "download", "--quiet", "--dest", WHEELHOUSE,
            "--only-binary=:all:", "-c", constraints, wheel,
        )  # fmt: skip
        for own in WHEELHOUSE.glob("snapstream_constructs-*"):
            own.unlink()  # the wheel under test always comes from the build
        _run(*offline, "-c", constraints, wheel)


def test_a_clean_environment_installs_the_wheel_and_synthesizes_an_example(
    dist: Path, tmp_path: Path
) -> None:
    started = time.monotonic()
    [wheel] = dist.glob("*.whl")
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    _install(wheel, venv, _constraints(tmp_path))
    installed_after = time.monotonic() - started
    python = venv / "bin" / "python"
    where = _run(python, "-I", "-c", "import snapstream_constructs as s; print(s.__file__)")
    assert Path(where.strip()).is_relative_to(venv), "imported from outside the clean venv"
    installed = _run(
        python, "-I", "-c", "from importlib.metadata import version; print(version("
        "'snapstream-constructs'))"
    )  # fmt: skip
    assert installed.strip() == _version()

    # As a team runs it: the CDK CLI reads the example's cdk.json (its feature flags) and runs
    # `python3 app.py`, which is the clean environment's python (first on PATH).
    app = tmp_path / "app"
    shutil.copytree(EXAMPLE, app, ignore=shutil.ignore_patterns("__pycache__"))
    outdir = tmp_path / "cdk.out"
    node = bundled_node()
    path = [str(venv / "bin"), *([str(node.parent)] if node else []), os.defpath]
    env = {
        "PATH": os.pathsep.join(path),
        # jsii's package cache (~/.cache/aws/jsii) spares unpacking aws-cdk-lib again.
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "CDK_DISABLE_CLI_TELEMETRY": "true",
        # The CLI sets CDK_DEFAULT_REGION from these; no credentials and no instance metadata
        # lookups (the account stays unknown).
        "AWS_REGION": "eu-west-1",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    cli = REPO / "node_modules" / ".bin" / "cdk"
    _run(cli, "synth", "--quiet", "--no-notices", "--output", outdir, cwd=app, env=env)
    [stack] = stacks(outdir)
    assert (stack.stack_name, stack.region) == ("TeamApp", "eu-west-1")
    assert open_violations(outdir) == []
    assert stale_acknowledgments(outdir) == []
    assert lint(outdir) == []
    print(
        f"clean venv: installed in {installed_after:.0f} s, "
        f"synthesized and checked in {time.monotonic() - started - installed_after:.0f} s"
    )
