"""`make bench`: measure, print and rewrite docs/performance.md. Never part of the test suite."""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable

from bench import (
    lambda_runtime,
    local_latency,
    rendition_storage,
    scaling,
    suite,
    synth,
    web_load,
)
from bench.common import REPO, header


def main() -> None:
    runs = int(os.environ.get("BENCH_RUNS", "7"))
    sizes = tuple(
        int(n) for n in os.environ.get("BENCH_SCALING_SIZES", "1000,10000,100000").split(",")
    )
    sections: list[tuple[str, Callable[[], list[str]]]] = [
        ("synthesis", lambda: synth.section(runs)),
        ("synthesis growth", lambda: synth.growth_section(max(3, runs // 2))),
        ("test suite", suite.section),
        ("Lambda", lambda: lambda_runtime.section(runs)),
        ("request-path scaling", lambda: scaling.section(sizes)),
        ("website under load", web_load.section),
        ("local upload to ready", local_latency.section),
        ("storage per minute of video", rendition_storage.section),
    ]
    lines = header()
    for name, section in sections:
        print(f"measuring: {name}", flush=True)
        try:
            lines += section()
        except Exception as error:  # one broken measurement must not lose the others
            traceback.print_exc()
            lines += [f"## {name}", "", f"Not measured: {type(error).__name__}: {error}", ""]
    report = "\n".join(lines)
    (REPO / "docs").mkdir(exist_ok=True)
    (REPO / "docs" / "performance.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
