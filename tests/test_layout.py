"""Guards on the repository layout that, once broken, break everything."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_constructs_folder_is_a_distribution_not_a_package() -> None:
    # A constructs/__init__.py would shadow PyPI's `constructs` (jsii) and break `import aws_cdk`.
    assert not (REPO / "constructs" / "__init__.py").exists()
    assert (REPO / "constructs" / "pyproject.toml").exists()


def test_constructs_import_resolves_to_the_jsii_package() -> None:
    spec = importlib.util.find_spec("constructs")
    assert spec is not None and spec.origin is not None
    assert "site-packages" in spec.origin
    assert importlib.util.find_spec("constructs._jsii") is not None


def test_snapstream_constructs_is_installed_from_the_repository() -> None:
    spec = importlib.util.find_spec("snapstream_constructs")
    assert spec is not None and spec.origin is not None
    assert Path(spec.origin).is_relative_to(REPO / "constructs" / "src")


def test_constructs_never_read_environment_variables() -> None:
    sources = (REPO / "constructs" / "src" / "snapstream_constructs").rglob("*.py")
    offenders = [
        p.name for p in sources if "os.environ" in p.read_text() or "getenv" in p.read_text()
    ]
    assert offenders == []


#: deployed code (the CDK app, the construct library, the Lambda code, the site)
DEPLOYED = ("stacks", "constructs/src", "runtime", "web")
MAX_LINES = 450
#: deployed files allowed past MAX_LINES, each with its reason (none today)
LONGER_FOR_A_REASON: dict[str, str] = {}


def _tracked(*paths: str) -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "--", *paths], cwd=REPO, capture_output=True, text=True, check=True
    )
    return [path for path in listed.stdout.split() if (REPO / path).exists()]


def test_no_deployed_code_file_grows_past_the_limit() -> None:
    too_long = {
        path: lines
        for path in _tracked(*DEPLOYED)
        if path.endswith(".py")
        and (lines := len((REPO / path).read_text().splitlines())) > MAX_LINES
        and path not in LONGER_FOR_A_REASON
    }
    assert too_long == {}, f"split these by job (CONTRIBUTING.md): {too_long}"


def _repository_map() -> str:
    readme = (REPO / "README.md").read_text()
    return readme.split("## Repository map", 1)[1].split("\n## ", 1)[0]


def test_the_repository_map_names_every_folder_and_stack_module() -> None:
    """README's map names every tracked top-level folder, every folder of tests/ and tools/,
    and every module of stacks/ (packages included), so that a newcomer finds each place."""
    tracked = _tracked()
    top = {path.split("/", 1)[0] + "/" for path in tracked if "/" in path}
    second = {
        "/".join(path.split("/")[:2]) + "/"
        for path in tracked
        if path.startswith(("tests/", "tools/")) and path.count("/") >= 2
    }
    stack_modules = {
        path.rsplit("/", 1)[-1]
        for path in tracked
        if path.startswith("stacks/") and path.endswith(".py") and not path.endswith("__init__.py")
    }
    text = _repository_map()
    unnamed = sorted(name for name in top | second | stack_modules if f"`{name}`" not in text)
    assert unnamed == [], f"name these in README's repository map: {unnamed}"
