"""Bare stacks: each construct test module registers the small stacks it asserts on, next to its
assertions; the ``bare_templates`` session fixture (conftest.py) builds every registered stack
into one App and synthesizes it once.

A test module registers a builder, which fills an empty ``cdk.Stack`` of the given name::

    @bare_stack("TopicAlone")
    def _topic_alone(stack: cdk.Stack) -> None:
        SecureTopic(stack, "Topic", ...)


    def test_topic(bare_templates: Templates) -> None:
        template = bare_templates["TopicAlone"]

Registration happens when pytest imports the module, so every stack of the collected modules is
known before the first test runs (run one module alone and only its stacks are built). The App
runs the nag packs SnapStream is held to: a finding nobody acknowledged fails the synthesis, so a
construct that needs its caller to acknowledge something fails here; so does an acknowledgment
that is not where its finding is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import aws_cdk as cdk

#: A site bundle for WebHosting: only the installer's path inside it matters.
SITE_BUNDLE = Path(__file__).parent / "site_bundle"

Template = dict[str, Any]
#: Stack name -> its synthesized template.
Templates = dict[str, Template]
Build = Callable[["cdk.Stack"], None]


@dataclass(frozen=True)
class _Registered:
    build: Build
    region: str | None
    account: str | None


_REGISTERED: dict[str, _Registered] = {}


def bare_stack(
    name: str, *, region: str | None = None, account: str | None = None
) -> Callable[[Build], Build]:
    """Register the decorated ``build(stack)`` to fill the bare stack ``name`` (in ``region`` and
    ``account`` when given, else environment-agnostic)."""

    def register(build: Build) -> Build:
        known = _REGISTERED.get(name)
        if known is not None and _where(known.build) != _where(build):
            raise ValueError(f"bare stack {name} is registered twice: {_where(known.build)}")
        _REGISTERED[name] = _Registered(build, region, account)
        return build

    return register


def _where(build: Build) -> str:
    return f"{build.__module__}.{build.__qualname__}"


def synthesize_registered(outdir: Path) -> Templates:
    """Every registered stack in one App with the nag packs, synthesized once into ``outdir``."""
    import aws_cdk as cdk

    from snapstream_constructs import register_compliance_packs
    from tests.cdk_support import new_app
    from tools.assembly import open_violations, stacks, stale_acknowledgments

    app = new_app(outdir)
    register_compliance_packs(app)
    for name, registered in _REGISTERED.items():
        env = (
            cdk.Environment(account=registered.account, region=registered.region)
            if registered.account or registered.region
            else None
        )
        registered.build(cdk.Stack(app, name, env=env))
    app.synth()  # a finding nobody acknowledged raises here
    assert open_violations(outdir) == []
    assert stale_acknowledgments(outdir) == [], (
        "a construct acknowledges a finding it no longer has"
    )
    return {artifact.stack_name: artifact.template for artifact in stacks(outdir)}
