"""Guards on the repository layout that, once broken, break everything."""

from __future__ import annotations

import importlib.util
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
