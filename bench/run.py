"""`make bench`: measure, print and rewrite docs/performance.md. Never part of the test suite."""

from __future__ import annotations

import os

from bench import lambda_runtime, scaling, synth, web_load
from bench.common import REPO, header


def main() -> None:
    runs = int(os.environ.get("BENCH_RUNS", "7"))
    sizes = tuple(
        int(n) for n in os.environ.get("BENCH_SCALING_SIZES", "1000,10000,100000").split(",")
    )
    lines = (
        header()
        + synth.section(runs)
        + lambda_runtime.section(runs)
        + scaling.section(sizes)
        + web_load.section()
    )
    report = "\n".join(lines)
    (REPO / "docs").mkdir(exist_ok=True)
    (REPO / "docs" / "performance.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
