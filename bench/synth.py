"""Synthesizing every SnapStream environment vs a one-bucket reference app.

Both apps run as fresh processes (as `cdk synth` runs them) with the same cdk.json context.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

from bench.common import REPO, interleaved, median

TARGET_RATIO = 3.0


def _context() -> str:
    context = json.loads((REPO / "cdk.json").read_text())["context"]
    context["aws:cdk:enable-path-metadata"] = True
    return json.dumps(context)


def _synth_seconds(script: str, context: str, **extra: str) -> float:
    with tempfile.TemporaryDirectory() as outdir:
        env = {
            **os.environ,
            "CDK_OUTDIR": outdir,
            "CDK_CONTEXT_JSON": context,
            "PYTHONPATH": str(REPO),
            **extra,
        }
        started = time.perf_counter()
        subprocess.run([sys.executable, script], cwd=REPO, env=env, check=True, capture_output=True)
        return time.perf_counter() - started


def section(runs: int) -> list[str]:
    context = _context()
    _synth_seconds("bench/reference_app.py", context)  # warm the file cache
    samples = interleaved(
        {
            "SnapStream, every environment": lambda: _synth_seconds("app.py", context),
            "reference: one bucket, no packs": lambda: _synth_seconds(
                "bench/reference_app.py", context
            ),
        },
        runs,
    )
    ours, ref = (median(s) for s in samples.values())
    ratio = ours / ref
    verdict = "met" if ratio < TARGET_RATIO else "NOT met"
    return [
        "## Synthesis",
        "",
        "Each run is a fresh process, as under `cdk synth`: Python start, jsii/Node start,",
        "the construct tree and the three cdk-nag packs. The reference is a default CDK app",
        "(with CDK's built-in template validation); SnapStream turns that validation off because",
        "cfn-lint checks every template afterwards (`make synth`, tests), not timed here.",
        "SnapStream builds 3 environments x 4 stacks (Data, Pipeline, Web, Operations) through",
        "a few thousand Python -> Node.js (jsii) calls, then the packs check every resource.",
        "",
        "| app | runs | median (s) | min (s) | max (s) |",
        "|---|---|---|---|---|",
        *(
            f"| {name} | {len(s)} | {median(s):.2f} | {min(s):.2f} | {max(s):.2f} |"
            for name, s in samples.items()
        ),
        "",
        f"Ratio: **{ratio:.2f}x** the reference (target under {TARGET_RATIO:.0f}x: {verdict}).",
        "",
    ]


def growth_section(runs: int, counts: tuple[int, ...] = (1, 3, 6)) -> list[str]:
    """How synthesis time grows with the number of environments (fresh processes, interleaved)."""
    context = _context()

    def timed(count: int) -> Callable[[], float]:
        return lambda: _synth_seconds(
            "bench/environments_app.py", context, BENCH_ENVIRONMENTS=str(count)
        )

    samples = interleaved(
        {f"{n} environment{'s' if n > 1 else ''}": timed(n) for n in counts}, runs
    )
    medians = [median(s) for s in samples.values()]
    first = medians[0]
    return [
        "### Synthesis as environments grow",
        "",
        "Environments beyond the three are copies of dev/staging/prod under other names (each a",
        "full Stage: Data, Pipeline, Web and Operations stacks, all packs).",
        "",
        "| environments | runs | median (s) | vs 1 environment |",
        "|---|---|---|---|",
        *(
            f"| {name} | {len(s)} | {m:.2f} | {m / first:.2f}x |"
            for (name, s), m in zip(samples.items(), medians, strict=True)
        ),
        "",
    ]
