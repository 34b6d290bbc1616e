"""The construct pages (constructs/README.md, docs/constructs/) are what the code generates, and
every constructor prop has its meaning in a docstring."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tools.construct_catalog import EXAMPLES
from tools.construct_docs import (
    REGENERATE,
    exported_constructs,
    out_of_date,
    render_all,
    split_docstring,
    undocumented_props,
)


def test_every_exported_construct_has_a_usage_example() -> None:
    assert sorted(EXAMPLES) == sorted(exported_constructs())


def test_every_prop_is_described_in_an_args_section() -> None:
    assert undocumented_props() == [], (
        "describe each prop in the class docstring's Args: section (Google style)"
    )


def test_pages_are_up_to_date(construct_catalog: tuple[Path, dict[str, Any]]) -> None:
    _, documented = construct_catalog
    stale = out_of_date(render_all(documented))
    assert stale == [], f"out of date with the code: {stale}; run `{REGENERATE}`"


def test_docstring_args_are_parsed() -> None:
    description, args = split_docstring(
        "Purpose.\n\nMore.\n\nArgs:\n    one: First\n        continued.\n    two (int): Second.\n"
        "\nReturns:\n    nothing\n"
    )
    assert description == "Purpose.\n\nMore."
    assert args == {"one": "First continued.", "two": "Second."}


def test_pages_list_what_each_construct_creates(
    construct_catalog: tuple[Path, dict[str, Any]],
) -> None:
    from tools.construct_docs import carried_acknowledgments, created_resources

    _, documented = construct_catalog
    bucket = documented["SecureBucket"]
    types = sorted(r.type for r in created_resources(bucket))
    assert types == ["AWS::S3::Bucket", "AWS::S3::BucketPolicy"]
    rules = {(a.pack, a.rule) for a in carried_acknowledgments(bucket)}
    assert rules == {("NIST.800.53.R5", "S3BucketReplicationEnabled")}
    # A per-stack singleton a construct brings is its own (FunctionTracing with a function).
    function = {r.path for r in created_resources(documented["PipelineFunction"])}
    assert "FunctionTracing/Policy" in function
