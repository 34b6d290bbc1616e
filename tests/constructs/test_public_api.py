"""The public API of snapstream_constructs (exported names, constructor and function signatures,
public methods and attributes) is pinned: any change to it is made deliberately."""

from __future__ import annotations

import json
from typing import Any

from tools.public_api import HOW_TO_UPDATE, SNAPSHOT, changes, render, snapshot


def test_public_api_matches_the_snapshot() -> None:
    committed = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    current = snapshot()
    breaking, additive = changes(committed, current)
    report = [
        *(f"breaking: {line}" for line in breaking),
        *(f"additive: {line}" for line in additive),
        HOW_TO_UPDATE,
    ]
    assert render(current) == render(committed), "\n".join(report)


def _api(**exports: Any) -> dict[str, Any]:
    return {"package": "p", "exports": exports}


def test_changes_tell_breaking_from_additive() -> None:
    old = _api(
        Gone={"kind": "function", "parameters": {}},
        Bucket={
            "kind": "construct",
            "parameters": {"key": "* kms.IKey", "count": "* int", "name": "* str = <default>"},
            "members": {"grant": "method(self) -> None"},
            "attributes": ["bucket", "policy"],
        },
    )
    new = _api(
        Added={"kind": "function", "parameters": {}},
        Bucket={
            "kind": "construct",
            "parameters": {
                "key": "* kms.IKey",
                "count": "* int | None = <default>",
                "vpc": "* ec2.IVpc | None = <default>",
                "size": "* int",
            },
            "members": {"grant": "method(self, other: int) -> None"},
            "attributes": ["bucket", "logs"],
        },
    )
    breaking, additive = changes(old, new)
    assert breaking == [
        "Gone: no longer exported",
        "Bucket(name): parameter removed or renamed",
        "Bucket(size): required parameter added",
        "Bucket.grant: method(self) -> None -> method(self, other: int) -> None",
        "Bucket.policy: attribute removed",
    ]
    assert additive == [
        "Added: newly exported",
        "Bucket(vpc): optional parameter added",
        "Bucket(count): now optional (* int | None = <default>)",
        "Bucket.logs: attribute added",
    ]
