"""`make bench`: measure, print and rewrite docs/performance.md. Never part of the test suite."""

from __future__ import annotations

import os

from bench import lambda_runtime, local_latency, scaling, suite, synth, web_load
from bench.common import REPO, header


def main() -> None:
    runs = int(os.environ.get("BENCH_RUNS", "7"))
    sizes = tuple(
        int(n) for n in os.environ.get("BENCH_SCALING_SIZES", "1000,10000").split(",")
    )
    lines = (
        header()
        + synth.section(runs)
        + synth.growth_section(max(3, runs // 2))
        + suite.section()
        + lambda_runtime.section(runs)
        + scaling.section(sizes)
        + web_load.section()
        + local_latency.section()
    )
    report = "\n".join(lines)
    (REPO / "docs").mkdir(exist_ok=True)
    (REPO / "docs" / "performance.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
