"""Where each cdk-nag rule reports its findings: the table acknowledge() places acknowledgments
by, generated from the installed cdk-nag."""

from __future__ import annotations

from snapstream_constructs.compliance import Pack
from snapstream_constructs.nag_rule_types import REPORTED_ON


def test_the_table_of_where_rules_report_matches_the_installed_cdk_nag() -> None:
    from tools.nag_rule_types import TABLE, render, reported_types

    assert TABLE.read_text(encoding="utf-8") == render(reported_types()), (
        "cdk-nag changed: run `python -m tools.nag_rule_types`"
    )


def test_every_rule_is_a_packs_and_reports_on_cloudformation_types() -> None:
    packs = {pack.value for pack in Pack}
    for rule, types in REPORTED_ON.items():
        pack, _, name = rule.rpartition("-")
        assert pack in packs and name, rule
        assert types and all(t.startswith("AWS::") and t.count("::") == 2 for t in types), rule
        assert len(set(types)) == len(types), rule
    assert {rule.rpartition("-")[0] for rule in REPORTED_ON} == packs
