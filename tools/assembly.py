"""Read a synthesized cloud assembly (``cdk.out``): templates, nag report and acknowledgments."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ACKNOWLEDGED_RULES = "aws:cdk:acknowledged-rules"
#: Acknowledgments CDK's own constructs make for CDK's built-in CloudFormation validation, e.g.
#: W3010 on a whole stack whenever it reads its Availability Zones (every ``ec2.Vpc`` does), or
#: F3002/F3003 on a flow log. That validation is switched off (app.py; cfn-lint is the template
#: gate), so they can never match a finding; they are not SnapStream's and are left out of every
#: count and check here. (They still appear in templates' ``Metadata.cdk_nag``.)
CDK_BUILTIN_VALIDATION = "CloudFormation-Validate::"


@dataclass(frozen=True)
class StackArtifact:
    """One synthesized stack: where its template is and what it holds."""

    stage: str
    stack_name: str
    region: str
    template_path: Path
    metadata_path: Path | None

    @property
    def template(self) -> dict[str, Any]:
        template: dict[str, Any] = _load(self.template_path)
        return template

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return dict(self.template.get("Resources", {}))

    def acknowledgments(self) -> Iterator[tuple[str, str, str]]:
        """(construct path, acknowledgment id, reason) of every acknowledgment made in the stack."""
        if self.metadata_path is None or not self.metadata_path.exists():
            return
        for path, entries in _load(self.metadata_path).items():
            for entry in entries:
                if entry.get("type") == ACKNOWLEDGED_RULES:
                    for ack_id, reason in entry["data"].items():
                        if not ack_id.startswith(CDK_BUILTIN_VALIDATION):
                            yield path.lstrip("/"), ack_id, reason


@dataclass(frozen=True)
class Acknowledgment:
    """One acknowledged nag finding as written into a resource's ``Metadata.cdk_nag``.

    ``finding`` is the granular part (``Resource::*``, ``Action::s3:Get*``), None for a whole
    rule.
    """

    pack: str
    rule: str
    finding: str | None
    reason: str


def parse_acknowledgment(
    ack_id: str, reason: str, applies_to: list[Any] | None = None
) -> list[Acknowledgment]:
    """``Pack::Rule[finding]`` (cdk-nag 3) or ``Rule`` + ``applies_to`` (cdk-nag 2), parsed."""
    head, _, finding = ack_id.partition("[")
    pack, _, rule = head.rpartition("::")
    findings: list[str | None] = [finding.removesuffix("]")] if finding else []
    findings += [a if isinstance(a, str) else str(a.get("regex", a)) for a in applies_to or []]
    return [Acknowledgment(pack, rule, f, reason) for f in findings or [None]]


def resource_acknowledgments(resource: dict[str, Any]) -> list[Acknowledgment]:
    """Acknowledgments written into one template resource (CDK's built-in validation left out)."""
    entries = resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
    return [
        ack
        for entry in entries
        if not entry["id"].startswith(CDK_BUILTIN_VALIDATION)
        for ack in parse_acknowledgment(
            entry["id"], entry.get("reason", ""), entry.get("applies_to") or entry.get("appliesTo")
        )
    ]


def construct_path(resource: dict[str, Any]) -> str:
    """The resource's construct path (``aws:cdk:path`` metadata), or "" without path metadata."""
    return str(resource.get("Metadata", {}).get("aws:cdk:path", ""))


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def stacks(outdir: Path) -> list[StackArtifact]:
    """Every stack in every nested (stage) assembly of ``outdir``, in a stable order."""
    found: list[StackArtifact] = []
    for assembly_dir in _assembly_dirs(outdir):
        manifest = _load(assembly_dir / "manifest.json")
        for artifact in manifest.get("artifacts", {}).values():
            if artifact.get("type") != "aws:cloudformation:stack":
                continue
            props = artifact["properties"]
            metadata_file = artifact.get("additionalMetadataFile")
            found.append(
                StackArtifact(
                    stage=assembly_dir.name.removeprefix("assembly-")
                    if assembly_dir != outdir
                    else "",
                    stack_name=props.get("stackName") or artifact.get("displayName", ""),
                    region=artifact["environment"].rsplit("/", 1)[-1],
                    template_path=assembly_dir / props["templateFile"],
                    metadata_path=assembly_dir / metadata_file if metadata_file else None,
                )
            )
    return sorted(found, key=lambda s: (s.stage, s.stack_name))


def _assembly_dirs(outdir: Path) -> list[Path]:
    nested = sorted(p for p in outdir.glob("assembly-*") if p.is_dir())
    return [outdir, *nested]


def validation_report(outdir: Path) -> dict[str, Any]:
    path = outdir / "validation-report.json"
    return _load(path) if path.exists() else {"pluginReports": []}


def suppressed_violations(outdir: Path) -> set[tuple[str, str]]:
    """(acknowledged-at construct path, acknowledgment id) of every acknowledgment that matched."""
    matched = set()
    for plugin in validation_report(outdir)["pluginReports"]:
        for violation in plugin.get("suppressedViolations", []):
            matched.add((violation["acknowledgedAt"], violation["acknowledgedId"]))
    return matched


def open_violations(outdir: Path) -> list[tuple[str, str, str]]:
    """(pack, rule, construct path) of every finding nobody acknowledged."""
    open_ = []
    for plugin in validation_report(outdir)["pluginReports"]:
        for violation in plugin.get("violations", []):
            for construct in violation.get("violatingConstructs", []):
                open_.append(
                    (plugin["pluginName"], violation["ruleName"], construct["constructPath"])
                )
    return open_


def reported_findings(outdir: Path) -> set[tuple[str, str]]:
    """(rule with its granular finding, construct path of the resource) of every finding a pack
    raised and an acknowledgment matched, e.g. ``("AwsSolutions-IAM5[Resource::*]", ".../Policy/
    Resource")``."""
    found = set()
    for plugin in validation_report(outdir)["pluginReports"]:
        for violation in plugin.get("suppressedViolations", []):
            for construct in violation.get("violatingConstructs", []):
                found.add((violation["ruleName"], construct["constructPath"]))
    return found


def stale_acknowledgments(outdir: Path) -> list[tuple[str, str]]:
    """(path, acknowledgment id) of every acknowledgment that is not where its finding is.

    Stale is an acknowledgment that matches no finding at all (cdk-nag ignores it silently), and
    one that covers a resource on which its rule raised no finding: CDK applies an acknowledgment
    to every resource below the construct that carries it and writes it into each one's template
    ``Metadata``, so one made on a whole construct (a queue, a subnet) also sits on resources its
    rule never checks (the queue policy; the subnet's route table, EIP, NAT gateway). Such a
    cascade is reported at the resource's path.
    """
    matched = suppressed_violations(outdir)
    reported = reported_findings(outdir)
    stale: set[tuple[str, str]] = set()
    for stack in stacks(outdir):
        resource_paths = [construct_path(r) for r in stack.resources.values()]
        for path, ack_id, _ in stack.acknowledgments():
            if (path, ack_id) not in matched:
                stale.add((path, ack_id))
                continue
            rule = ack_id.partition("::")[2]
            covered = [p for p in resource_paths if p == path or p.startswith(f"{path}/")]
            stale.update((p, ack_id) for p in covered if (rule, p) not in reported)
    return sorted(stale)


#: The most AwsSolutions acknowledgments an environment may carry per 100 resources (the test
#: suite's bound; ``make synth`` prints every pack's figure).
AWS_SOLUTIONS_PER_100_RESOURCES = 15


@dataclass(frozen=True)
class AcknowledgmentDensity:
    """One environment's template resources and the acknowledgments written into them, by pack
    (one per acknowledged finding, as ``Metadata.cdk_nag`` lists them)."""

    stage: str
    resources: int
    by_pack: dict[str, int]

    def per_100(self, pack: str) -> float:
        return 100 * self.by_pack.get(pack, 0) / self.resources if self.resources else 0.0


def acknowledgment_density(all_stacks: list[StackArtifact]) -> list[AcknowledgmentDensity]:
    """Per stage (environment), in order: its resources and acknowledgments by pack."""
    found = []
    for stage in sorted({s.stage for s in all_stacks}):
        resources = [r for s in all_stacks if s.stage == stage for r in s.resources.values()]
        by_pack: dict[str, int] = {}
        for resource in resources:
            for ack in resource_acknowledgments(resource):
                by_pack[ack.pack] = by_pack.get(ack.pack, 0) + 1
        found.append(AcknowledgmentDensity(stage, len(resources), dict(sorted(by_pack.items()))))
    return found
