"""Summarize `make synth` and fail on any open gate: nag findings, stale acks, cfn-lint."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from tools.assembly import (
    AWS_SOLUTIONS_PER_100_RESOURCES,
    StackArtifact,
    acknowledgment_density,
    open_violations,
    stacks,
    stale_acknowledgments,
    validation_report,
)
from tools.cfn_lint_gate import lint

REPO = Path(__file__).resolve().parent.parent


def alarm_destinations(stage_stacks: list[StackArtifact]) -> list[str]:
    """Where one environment's alarms go, read from its templates: the operations topic's e-mail
    subscriptions, further SNS topics the alarms publish to, a Chatbot channel that reads the
    operations topic (Data stack output ``OperationsTopicArn``)."""
    found: list[str] = []
    for stack in stage_stacks:
        template = stack.template
        if stack.stack_name.endswith("-Data"):
            for resource in template.get("Resources", {}).values():
                props = resource.get("Properties", {})
                topic = json.dumps(props.get("TopicArn"))
                if (
                    resource["Type"] == "AWS::SNS::Subscription"
                    and props.get("Protocol") == "email"
                    and '"OperationsTopic' in topic
                ):
                    found.append(f"e-mail {props['Endpoint']}")
            output: dict[str, Any] = template.get("Outputs", {}).get("OperationsTopicArn", {})
            if "Chatbot channel" in output.get("Description", ""):
                channel = output["Description"].rsplit(" ", 1)[-1]
                found.append(f"Chatbot channel {channel} (once it lists the operations topic)")
        if stack.stack_name.endswith("-Operations"):
            for resource in template.get("Resources", {}).values():
                if resource["Type"] == "AWS::CloudWatch::Alarm":
                    for action in resource["Properties"].get("AlarmActions", []):
                        if isinstance(action, str) and f"SNS topic {action}" not in found:
                            found.append(f"SNS topic {action}")
    return found


def alarm_lines(all_stacks: list[StackArtifact]) -> list[str]:
    """Per environment where its alarms go, and a warning where that is nowhere."""
    lines = []
    for stage in sorted({s.stage for s in all_stacks if s.stage}):
        destinations = alarm_destinations([s for s in all_stacks if s.stage == stage])
        lines.append(f"{stage} alarms go to: " + (" and ".join(destinations) or "nowhere"))
        if not destinations:
            lines.append(
                f"WARNING: {stage}'s alarms reach nobody: set alarm_email or alarm_topic_arn "
                'for it (README "Configuration")'
            )
    return lines


def density_lines(all_stacks: list[StackArtifact]) -> list[tuple[str, list[str]]]:
    """Per environment, its acknowledgments per 100 resources for each pack (one per
    acknowledged finding, as the templates' ``Metadata.cdk_nag`` lists them); with the
    environments whose AwsSolutions figure is over the bound."""
    lines = []
    for density in acknowledgment_density(all_stacks):
        packs = ", ".join(
            f"{pack} {count} ({density.per_100(pack):.1f} per 100 resources)"
            for pack, count in density.by_pack.items()
        )
        # the bound is per environment (a stage), not for the optional delivery pipeline stack
        over = bool(density.stage) and (
            density.per_100("AwsSolutions") > AWS_SOLUTIONS_PER_100_RESOURCES
        )
        lines.append(
            (
                f"{density.stage or 'app'}: {density.resources} resources; nag acknowledgments "
                f"in its templates: {packs or 'none'}",
                [density.stage] if over else [],
            )
        )
    return lines


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
    dense = []
    for line, over in density_lines(all_stacks):
        print(f"  {line}")
        dense += over

    for line in alarm_lines(all_stacks):
        print(f"  {line}")

    open_ = open_violations(outdir)
    for pack, rule, path in open_:
        print(f"  OPEN nag finding {pack} {rule} at {path}")
    stale = stale_acknowledgments(outdir)
    for path, ack_id in stale:
        print(
            f"  STALE acknowledgment {ack_id} at {path} matches no finding of that resource: "
            "remove it, or acknowledge only the resource that raises the finding"
        )
    matches = lint(outdir)
    for match in matches:
        rule, where = match["Rule"]["Id"], match["Filename"]
        print(f"  cfn-lint {match['Level']} {rule} {where}: {match['Message']}")
    for stage in dense:
        print(
            f"  TOO MANY AwsSolutions acknowledgments in {stage}: more than "
            f"{AWS_SOLUTIONS_PER_100_RESOURCES} per 100 resources (fix the resources instead)"
        )
    failures = len(open_) + len(stale) + len(matches) + len(dense)
    print(
        f"  gates: {len(open_)} open nag findings, {len(stale)} stale acknowledgments, "
        f"{len(dense)} environments over {AWS_SOLUTIONS_PER_100_RESOURCES} AwsSolutions "
        f"acknowledgments per 100 resources, {len(matches)} cfn-lint findings "
        f"-> {'FAIL' if failures else 'PASS'}\n"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
