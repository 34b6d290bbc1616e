"""Run cfn-lint over every synthesized template, each in its own Region; any finding fails.

Checks that are switched off are listed, each with its reason, in ``.cfnlintrc.yaml``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from tools.assembly import stacks

REPO = Path(__file__).resolve().parent.parent


def _cfn_lint_command() -> list[str]:
    beside_python = Path(sys.executable).with_name("cfn-lint")
    found = str(beside_python) if beside_python.exists() else shutil.which("cfn-lint")
    if found is None:
        raise RuntimeError("cfn-lint is not installed (run `make setup`)")
    return [found]


def lint(outdir: Path) -> list[dict[str, Any]]:
    """All cfn-lint matches (errors, warnings and informational) over ``outdir``'s templates."""
    by_region: dict[str, list[str]] = defaultdict(list)
    for stack in stacks(outdir):
        region = stack.region if stack.region != "unknown-region" else "us-east-1"
        by_region[region].append(str(stack.template_path))
    matches: list[dict[str, Any]] = []
    for region, templates in sorted(by_region.items()):
        result = subprocess.run(
            [*_cfn_lint_command(), "--format", "json", "--regions", region, "--", *templates],
            capture_output=True,
            text=True,
            cwd=REPO,  # picks up .cfnlintrc.yaml
            check=False,
        )
        try:
            matches.extend(json.loads(result.stdout or "[]"))
        except json.JSONDecodeError as error:
            raise RuntimeError(f"cfn-lint failed to run: {result.stderr.strip()}") from error
        if result.returncode and not matches:
            raise RuntimeError(f"cfn-lint exited {result.returncode}: {result.stderr.strip()}")
    return matches


def main() -> int:
    outdir = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "cdk.out"
    matches = lint(outdir)
    for match in matches:
        rule = match["Rule"]["Id"]
        where = f"{match['Filename']}:{match['Location']['Start']['LineNumber']}"
        print(f"cfn-lint {match['Level']} {rule} {where}: {match['Message']}")
    print(f"cfn-lint: {len(matches)} finding(s) in {len(stacks(outdir))} template(s)")
    return 1 if matches else 0


if __name__ == "__main__":
    sys.exit(main())
