"""Wall time of the whole test suite after setup, as `make test` runs it."""

from __future__ import annotations

import subprocess
import sys
import time

from bench.common import REPO

TARGET_SECONDS = 300


def section() -> list[str]:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    summary = (result.stdout.strip().splitlines() or ["(no output)"])[-1]
    verdict = "met" if elapsed < TARGET_SECONDS and result.returncode == 0 else "NOT met"
    return [
        "## Test suite",
        "",
        "`python -m pytest` as `make test` runs it, after setup (one run):",
        "",
        f"- wall time **{elapsed:.0f} s** (target under {TARGET_SECONDS // 60} minutes: {verdict})",
        f"- result: `{summary.strip('= ')}`",
        "",
    ]
