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


def stale_acknowledgments(outdir: Path) -> list[tuple[str, str]]:
    """Acknowledgments that no longer match any finding (cdk-nag ignores them silently)."""
    matched = suppressed_violations(outdir)
    return sorted(
        (path, ack_id)
        for stack in stacks(outdir)
        for path, ack_id, _ in stack.acknowledgments()
        if (path, ack_id) not in matched
    )
