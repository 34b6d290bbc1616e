"""checkov over every template (its own virtual environment), failures matched to justified skips.

Skips live in ``checkov_skips.toml`` beside this file: check id -> logical-id pattern -> reason.
"""

from __future__ import annotations

import json
import os
import subprocess
import tomllib
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from tools.audit.loading import Environment

REPO = Path(__file__).resolve().parents[2]
SKIPS = Path(__file__).with_name("checkov_skips.toml")
CHECKOV = REPO / ".venv-checkov" / "bin" / "checkov"


@dataclass(frozen=True)
class Check:
    check_id: str
    name: str
    stack: str
    logical_id: str
    resource_type: str
    guideline: str
    justification: str | None = None


@dataclass
class Results:
    """One environment's checkov results; ``failed`` holds justified and unjustified failures."""

    passed: int = 0
    failed: list[Check] | None = None
    skipped_by_checkov: int = 0

    @property
    def justified(self) -> list[Check]:
        return [c for c in self.failed or [] if c.justification]

    @property
    def unjustified(self) -> list[Check]:
        return [c for c in self.failed or [] if not c.justification]


def load_skips(path: Path = SKIPS) -> dict[str, dict[str, str]]:
    with path.open("rb") as file:
        return {check: dict(patterns) for check, patterns in tomllib.load(file).items()}


def run_checkov(templates: list[Path], checkov: Path = CHECKOV) -> dict[str, Any]:
    """One checkov run over ``templates`` (cloudformation framework), its JSON report."""
    if not checkov.exists():
        raise RuntimeError(f"{checkov} is missing: run `make setup` (it builds .venv-checkov)")
    command = [str(checkov), "--framework", "cloudformation", "--output", "json", "--compact"]
    for template in templates:
        command += ["--file", str(template)]
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE"},
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError as error:
        raise RuntimeError(f"checkov failed to run: {result.stderr.strip()[-2000:]}") from error
    reports: list[dict[str, Any]] = report if isinstance(report, list) else [report]
    merged: dict[str, list[dict[str, Any]]] = {"passed_checks": [], "failed_checks": []}
    merged["skipped_checks"] = []
    for part in reports:
        for key in merged:
            merged[key] += part.get("results", {}).get(key, [])
    return merged


def justification(skips: dict[str, dict[str, str]], check_id: str, logical_id: str) -> str | None:
    for pattern, reason in skips.get(check_id, {}).items():
        if fnmatchcase(logical_id, pattern):
            return reason
    return None


def results_by_environment(
    envs: list[Environment], report: dict[str, Any], skips: dict[str, dict[str, str]]
) -> dict[str, Results]:
    """Split one checkov report by environment, each failure with its justification (if any)."""
    owner = {
        stack.artifact.template_path.resolve(): (env.name, stack.name)
        for env in envs
        for stack in env.stacks
    }
    found = {env.name: Results(failed=[]) for env in envs}

    def where(entry: dict[str, Any]) -> tuple[str, str] | None:
        return owner.get(Path(entry.get("file_abs_path", "")).resolve())

    for entry in report["passed_checks"]:
        if (place := where(entry)) is not None:
            found[place[0]].passed += 1
    for entry in report["skipped_checks"]:
        if (place := where(entry)) is not None:
            found[place[0]].skipped_by_checkov += 1
    for entry in report["failed_checks"]:
        if (place := where(entry)) is None:
            continue
        resource_type, _, logical_id = str(entry["resource"]).partition(".")
        failed = found[place[0]].failed
        assert failed is not None
        failed.append(
            Check(
                check_id=entry["check_id"],
                name=entry["check_name"],
                stack=place[1],
                logical_id=logical_id,
                resource_type=resource_type,
                guideline=str(entry.get("guideline") or ""),
                justification=justification(skips, entry["check_id"], logical_id),
            )
        )
    return found


def stale_skips(
    results: dict[str, Results], skips: dict[str, dict[str, str]]
) -> list[tuple[str, str]]:
    """(check id, pattern) of every skip that matches no failure in any environment."""
    failures = [c for r in results.values() for c in r.failed or []]
    return [
        (check_id, pattern)
        for check_id, patterns in skips.items()
        for pattern in patterns
        if not any(c.check_id == check_id and fnmatchcase(c.logical_id, pattern) for c in failures)
    ]
