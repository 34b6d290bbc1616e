"""Build one environment's Report (the document model) from the analyses."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from tools.audit.authority import authority_section
from tools.audit.checkov import Results
from tools.audit.data_stores import data_stores
from tools.audit.endpoints import endpoints, ingress_rules
from tools.audit.findings import nag_acknowledgments
from tools.audit.iam import Role, Statement, resource_policies, roles, unjustified
from tools.audit.loading import Environment
from tools.audit.model import Cell, Diagram, Report, Section, Style, Table, Text, cell, code


@dataclass(frozen=True)
class Outcome:
    """What the audit concluded for one environment (the exit code depends on it)."""

    report: Report
    unjustified_wildcards: int
    unjustified_checkov: int
    checkov: Results


def _inventory(env: Environment) -> Section:
    section = Section("1. Resource inventory")
    for stack in env.stacks:
        counts = Counter(r.get("Type", "") for r in stack.resources.values())
        sub = Section(f"{stack.name} ({sum(counts.values())} resources)")
        sub.blocks.append(
            Table(
                ["CloudFormation type", "count"],
                [[cell(code(t)), cell(str(n))] for t, n in sorted(counts.items())],
            )
        )
        sub.blocks.append(
            Table(
                ["logical id", "type", "name (construct path)"],
                [
                    [cell(code(lid)), cell(code(r.get("Type", ""))), cell(stack.readable_name(lid))]
                    for lid, r in stack.resources.items()
                ],
            )
        )
        section.subsections.append(sub)
    return section


def _values(values: list[str], wildcards: dict[str, str | None]) -> Cell:
    lines: Cell = []
    for value in values:
        if value in wildcards:
            style: Style = "wildcard" if wildcards[value] else "unjustified"
            runs = [Text(value, style)]
            if style == "unjustified":
                runs.append(Text(" UNJUSTIFIED wildcard", "unjustified"))
            lines.append(runs)
        else:
            lines.append([code(value)])
    return lines


def _statement_rows(statement: Statement) -> list[Cell]:
    actions = {w.value: w.justification for w in statement.wildcards if w.kind == "Action"}
    resources = {w.value: w.justification for w in statement.wildcards if w.kind == "Resource"}
    why: Cell = [
        [
            Text(f"{w.kind} {w.value}: ", "code"),
            Text(
                w.justification or "NO ACKNOWLEDGMENT",
                "plain" if w.justification else "unjustified",
            ),
        ]
        for w in statement.wildcards
    ]
    return [
        cell(statement.effect),
        _values(statement.actions, actions),
        _values(statement.resources, resources),
        cell(*statement.conditions) if statement.conditions else cell("-"),
        why or cell("-"),
    ]


def _role_section(role: Role) -> Section:
    section = Section(f"{role.name} ({role.stack})")
    trust = [
        f"{', '.join(s.principals)} may {', '.join(s.actions)}"
        + (f" if {'; '.join(s.conditions)}" if s.conditions else "")
        for s in role.trust
    ]
    section.paragraph("Assumed by: ", *[code(t) for t in trust])
    if role.managed_policy_arns:
        section.paragraph(
            "AWS managed policies: ", *[code(a + " ") for a in role.managed_policy_arns]
        )
    for policy in role.policies:
        section.paragraph(Text(f"{policy.source} policy: "), code(policy.name))
        section.blocks.append(
            Table(
                [
                    "effect",
                    "actions",
                    "resources",
                    "conditions",
                    "wildcard justification (cdk-nag acknowledgment)",
                ],
                [_statement_rows(s) for s in policy.statements],
            )
        )
    return section


def _iam(env: Environment, found: list[Role]) -> Section:
    section = Section("2. IAM matrix")
    bad = unjustified(found)
    total = sum(len(r.wildcards) for r in found)
    section.paragraph(
        f"{len(found)} roles; {total} wildcard actions/resources, each matched to the "
        "AwsSolutions-IAM5 "
        "acknowledgment on its policy. ",
        Text(f"{len(bad)} UNJUSTIFIED", "unjustified") if bad else Text("0 unjustified", "ok"),
    )
    section.blocks.append(
        Table(
            ["role", "stack", "assumed by", "policies", "wildcards"],
            [
                [
                    cell(code(r.logical_id), r.name),
                    cell(r.stack),
                    cell(*[", ".join(s.principals) for s in r.trust]),
                    cell(*[p.name for p in r.policies], *r.managed_policy_arns),
                    cell(str(len(r.wildcards))),
                ]
                for r in found
            ],
        )
    )
    section.subsections += [_role_section(r) for r in found]
    policies = Section("Resource policies (keys, buckets, queues, topics)")
    for policy in resource_policies(env):
        sub = Section(f"{policy.kind} {policy.name} ({policy.stack})")
        sub.paragraph("Applies to: ", code(policy.applies_to))
        if policy.note:
            sub.paragraph(Text(policy.note, "note"))
        sub.blocks.append(
            Table(
                ["effect", "principals", "actions", "resources", "conditions"],
                [
                    [
                        cell(s.effect),
                        cell(*[code(p) for p in s.principals]),
                        _values(s.actions, {a: "resource policy" for a in s.actions if "*" in a}),
                        _values(s.resources, {}),
                        cell(*s.conditions) if s.conditions else cell("-"),
                    ]
                    for s in policy.statements
                ],
            )
        )
        policies.subsections.append(sub)
    section.subsections.append(policies)
    return section


def _data(env: Environment) -> Section:
    section = Section("3. Data stores")
    rows = [
        [
            cell(d.kind),
            cell(code(d.logical_id), d.name),
            cell(d.stack),
            cell(d.encryption),
            cell(d.versioning),
            cell(d.retention),
            cell(d.protection),
        ]
        for d in data_stores(env)
    ]
    section.blocks.append(
        Table(
            [
                "kind",
                "resource",
                "stack",
                "encryption",
                "versioning / PITR / DLQ",
                "retention / lifecycle",
                "deletion protection",
            ],
            rows,
        )
    )
    return section


def _endpoints(env: Environment) -> Section:
    section = Section("4. Internet-facing endpoints and ingress rules")
    section.blocks.append(
        Table(
            ["endpoint", "kind", "stack", "exposure", "details"],
            [
                [
                    cell(code(e.logical_id), e.name),
                    cell(e.kind),
                    cell(e.stack),
                    cell(code(e.exposure)),
                    cell(*e.details) or cell("-"),
                ]
                for e in endpoints(env)
            ],
        )
    )
    section.paragraph("Security group ingress rules (inline and AWS::EC2::SecurityGroupIngress):")
    section.blocks.append(
        Table(
            ["security group", "stack", "source", "protocol", "ports", "description", "defined by"],
            [
                [
                    cell(r.group),
                    cell(r.stack),
                    cell(
                        Text(r.source + " (internet)", "wildcard")
                        if r.open_to_internet
                        else code(r.source)
                    ),
                    cell(r.protocol),
                    cell(r.ports),
                    cell(r.description),
                    cell(code(r.defined_by)),
                ]
                for r in ingress_rules(env)
            ],
        )
    )
    return section


def _acknowledgments(env: Environment) -> Section:
    section = Section("5. cdk-nag acknowledgments")
    acks = nag_acknowledgments(env)
    section.paragraph(
        f"{len(acks)} acknowledged findings, each with the reason written into the template."
    )
    section.blocks.append(
        Table(
            ["stack", "resource", "rule", "applies to", "reason"],
            [
                [
                    cell(a.stack),
                    cell(code(a.logical_id), a.name),
                    cell(code(f"{a.pack}::{a.rule}")),
                    cell(code(a.applies_to)) if a.applies_to else cell("-"),
                    cell(a.reason),
                ]
                for a in acks
            ],
        )
    )
    return section


def _cfn_lint(matches: list[dict[str, Any]]) -> Section:
    section = Section("6. cfn-lint")
    section.paragraph(f"{len(matches)} findings (errors, warnings, informational).")
    section.blocks.append(
        Table(
            ["level", "rule", "file", "message"],
            [
                [
                    cell(m["Level"]),
                    cell(code(m["Rule"]["Id"])),
                    cell(m["Filename"]),
                    cell(m["Message"]),
                ]
                for m in matches
            ],
        )
    )
    return section


def _checkov(results: Results) -> Section:
    section = Section("7. checkov")
    section.paragraph(
        f"{results.passed} passed, {len(results.unjustified)} failed, "
        f"{len(results.justified)} skipped "
        "with a justification (tools/audit/checkov_skips.toml), "
        f"{results.skipped_by_checkov} skipped by checkov itself.",
    )
    section.blocks.append(
        Table(
            ["check", "resource", "stack", "status", "justification"],
            [
                [
                    cell(code(c.check_id), c.name),
                    cell(code(c.logical_id), c.resource_type),
                    cell(c.stack),
                    cell(
                        Text("skipped (justified)", "ok")
                        if c.justification
                        else Text("FAILED", "unjustified")
                    ),
                    cell(c.justification or c.guideline),
                ]
                for c in results.failed or []
            ],
        )
    )
    return section


def build_report(
    env: Environment, svg: str, lint_matches: list[dict[str, Any]], checkov: Results
) -> Outcome:
    found = roles(env)
    bad = unjustified(found)
    diagram = Section("8. Architecture diagram")
    diagram.paragraph(
        "Generated from the synthesized templates (Graphviz): one cluster per stack; solid "
        "edges are event flows, dashed ones dead-letter queues, dotted ones references."
    )
    diagram.blocks.append(Diagram(svg=svg, file="architecture.svg"))
    sections = [
        _inventory(env),
        _iam(env, found),
        _data(env),
        _endpoints(env),
        _acknowledgments(env),
        _cfn_lint(lint_matches),
        _checkov(checkov),
        diagram,
        authority_section(env),
    ]
    summary = [
        f"{sum(len(s.resources) for s in env.stacks)} resources in {len(env.stacks)} stacks",
        f"{len(found)} IAM roles, {sum(len(r.wildcards) for r in found)} wildcards, "
        f"{len(bad)} unjustified",
        f"{len(nag_acknowledgments(env))} cdk-nag acknowledgments; "
        f"{len(lint_matches)} cfn-lint findings",
        f"checkov: {checkov.passed} passed, {len(checkov.unjustified)} failed, "
        f"{len(checkov.justified)} skipped with a justification",
    ]
    report = Report(title=f"SnapStream audit: {env.stage}", summary=summary, sections=sections)
    return Outcome(report, len(bad), len(checkov.unjustified), checkov)
