"""Summarize `make synth` and fail on any open gate: nag findings, stale acks, cfn-lint."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from tools.assembly import open_violations, stacks, stale_acknowledgments, validation_report
from tools.cfn_lint_gate import lint

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    outdir = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "cdk.out"
    all_stacks = stacks(outdir)
    shown = outdir.relative_to(REPO) if outdir.is_relative_to(REPO) else outdir
    print(f"\nSnapStream synthesized into {shown}")
    stage_width = max((len(s.stage) for s in all_stacks), default=0)
    name_width = max((len(s.stack_name) for s in all_stacks), default=0)
    for stack in all_stacks:
        kinds = Counter(r["Type"] for r in stack.resources.values())
        acks = sum(1 for _ in stack.acknowledgments())
        print(
            f"  {stack.stage:<{stage_width}} {stack.stack_name:<{name_width}} {stack.region:<12} "
            f"{sum(kinds.values()):>4} resources  {acks:>3} nag acknowledgments"
        )
    suppressed: Counter[str] = Counter()
    for plugin in validation_report(outdir)["pluginReports"]:
        suppressed[plugin["pluginName"]] += sum(
            len(v["violatingConstructs"]) for v in plugin.get("suppressedViolations", [])
        )
    print(
        "  acknowledged findings by pack: "
        + (", ".join(f"{k} {v}" for k, v in sorted(suppressed.items())) or "none")
    )

    failures = 0
    open_ = open_violations(outdir)
    for pack, rule, path in open_:
        print(f"  OPEN nag finding {pack} {rule} at {path}")
    stale = stale_acknowledgments(outdir)
    for path, ack_id in stale:
        print(f"  STALE acknowledgment {ack_id} at {path} matches no finding: remove it")
    matches = lint(outdir)
    for match in matches:
        rule, where = match["Rule"]["Id"], match["Filename"]
        print(f"  cfn-lint {match['Level']} {rule} {where}: {match['Message']}")
    failures = len(open_) + len(stale) + len(matches)
    print(
        f"  gates: {len(open_)} open nag findings, {len(stale)} stale acknowledgments, "
        f"{len(matches)} cfn-lint findings -> {'FAIL' if failures else 'PASS'}\n"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
