"""``python -m tools.audit [cdk.out] [build/audit]``: write every environment's audit report.

Exits 1 on an unjustified wildcard, an unjustified checkov failure, or a stale checkov skip.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tools.audit.checkov import load_skips, results_by_environment, run_checkov, stale_skips
from tools.audit.diagram import to_dot, to_svg
from tools.audit.findings import cfn_lint_by_environment
from tools.audit.loading import Environment, load_environments
from tools.audit.render_html import render_html
from tools.audit.render_markdown import render_markdown
from tools.audit.report import Outcome, build_report

REPO = Path(__file__).resolve().parents[2]


def audit(outdir: Path, destination: Path) -> tuple[list[Outcome], list[tuple[str, str]]]:
    """Write ``destination/<env>/report.{md,html}``, ``architecture.{dot,svg}`` and an index."""
    envs: list[Environment] = load_environments(outdir)
    skips = load_skips()
    report = run_checkov([s.artifact.template_path for env in envs for s in env.stacks])
    checkov = results_by_environment(envs, report, skips)
    lint = cfn_lint_by_environment(outdir, envs)
    outcomes = []
    for env in envs:
        folder = destination / env.name
        folder.mkdir(parents=True, exist_ok=True)
        dot = to_dot(env)
        svg = to_svg(dot)
        (folder / "architecture.dot").write_text(dot, encoding="utf-8")
        (folder / "architecture.svg").write_text(svg, encoding="utf-8")
        outcome = build_report(env, svg, lint[env.name], checkov[env.name])
        (folder / "report.md").write_text(render_markdown(outcome.report), encoding="utf-8")
        (folder / "report.html").write_text(render_html(outcome.report), encoding="utf-8")
        outcomes.append(outcome)
    index = ["# SnapStream audit", ""] + [
        f"- [{o.report.title}]({env.name}/report.md) ([HTML]({env.name}/report.html)): "
        + "; ".join(o.report.summary)
        for env, o in zip(envs, outcomes, strict=True)
    ]
    (destination / "index.md").write_text("\n".join(index) + "\n", encoding="utf-8")
    return outcomes, stale_skips(checkov, skips)


def main() -> int:
    outdir = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "cdk.out"
    destination = Path(sys.argv[2]) if len(sys.argv) > 2 else REPO / "build" / "audit"
    outcomes, stale = audit(outdir, destination)
    print(f"\nSnapStream audit written to {destination} (index.md; <env>/report.md, report.html)")
    for outcome in outcomes:
        print(f"  {outcome.report.title}")
        for line in outcome.report.summary:
            print(f"    {line}")
        for check in outcome.checkov.unjustified:
            print(f"    UNJUSTIFIED checkov {check.check_id} {check.stack} {check.logical_id}")
    for check_id, pattern in stale:
        print(f"  STALE checkov skip {check_id} {pattern!r} matches no failure: remove it")
    failures = sum(o.unjustified_wildcards + o.unjustified_checkov for o in outcomes) + len(stale)
    print(f"  audit: {'FAIL' if failures else 'PASS'}\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
