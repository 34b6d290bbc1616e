"""An architecture diagram from the templates: Graphviz DOT, rendered to SVG with ``dot``.

Nodes are the meaningful resources (one cluster per stack); edges come from event source
mappings, bucket notifications, rule targets, subscriptions, dead-letter queues, distribution
origins, and any other Ref/GetAtt/cross-stack reference between two nodes.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

from tools.audit.intrinsics import cross_stack_references, references
from tools.audit.loading import Environment, Resource, Stack

#: Resource type -> (label prefix, Graphviz shape).
NODE_TYPES = {
    "AWS::S3::Bucket": ("bucket", "cylinder"),
    "AWS::DynamoDB::Table": ("table", "cylinder"),
    "AWS::SQS::Queue": ("queue", "box3d"),
    "AWS::SNS::Topic": ("topic", "cds"),
    "AWS::Lambda::Function": ("function", "component"),
    "AWS::Events::Rule": ("rule", "hexagon"),
    "AWS::Events::EventBus": ("event bus", "hexagon"),
    "AWS::CloudFront::Distribution": ("CloudFront", "doubleoctagon"),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": ("load balancer", "doubleoctagon"),
    "AWS::AutoScaling::AutoScalingGroup": ("Auto Scaling group", "box"),
    "AWS::MediaConvert::Queue": ("MediaConvert queue", "box"),
    "AWS::MediaConvert::JobTemplate": ("MediaConvert template", "note"),
    "AWS::MediaPackage::PackagingGroup": ("MediaPackage group", "box"),
    "AWS::SecretsManager::Secret": ("secret", "note"),
    "AWS::WAFv2::WebACL": ("WAF", "octagon"),
    "AWS::KMS::Key": ("KMS key", "house"),
}
#: Connector resources: (type, source property, target property, edge label).
CONNECTORS = {
    "AWS::Lambda::EventSourceMapping": ("EventSourceArn", "FunctionName", "event source"),
    "AWS::SNS::Subscription": ("TopicArn", "Endpoint", "subscription"),
    "AWS::WAFv2::WebACLAssociation": ("WebACLArn", "ResourceArn", "protects"),
    "AWS::ElasticLoadBalancingV2::Listener": ("LoadBalancerArn", "DefaultActions", "listener"),
    "AWS::ElasticLoadBalancingV2::TargetGroup": ("", "", ""),
}
#: Resources whose references to nodes are not drawn (a key is referenced by nearly everything).
UNDRAWN_TARGETS = {"AWS::KMS::Key"}

Edge = tuple[str, str, str, str]  # from, to, label, style


def _node_id(stack: Stack, logical_id: str) -> str:
    return f"{stack.short_name}_{logical_id}"


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


class _Graph:
    def __init__(self, env: Environment) -> None:
        self.env = env
        self.nodes: dict[str, tuple[Stack, str, Resource]] = {}
        self.outputs: dict[tuple[str, str], str] = {}
        self.exports: dict[str, str] = {}
        for stack, logical_id, resource in env.resources(*NODE_TYPES):
            self.nodes[_node_id(stack, logical_id)] = (stack, logical_id, resource)
        for stack in env.stacks:
            for name, output in stack.template.get("Outputs", {}).items():
                targets = references(output.get("Value"))
                if len(targets) == 1:
                    node = _node_id(stack, next(iter(targets)))
                    self.outputs[(stack.name, name)] = node
                    export = output.get("Export", {}).get("Name")
                    if isinstance(export, str):
                        self.exports[export] = node

    def targets(self, stack: Stack, value: Any) -> set[str]:
        """Nodes that ``value`` refers to, in this stack or (cross-stack) in another."""
        found = {_node_id(stack, ref) for ref in references(value)}
        for producer, name in cross_stack_references(value):
            node = self.exports.get(name) if not producer else self.outputs.get((producer, name))
            if node:
                found.add(node)
        return {n for n in found if n in self.nodes}

    def edges(self) -> Iterator[Edge]:
        for stack, _, resource in self.env.resources():
            props = resource.get("Properties", {})
            kind = resource.get("Type", "")
            if kind in CONNECTORS and CONNECTORS[kind][0]:
                source_key, target_key, label = CONNECTORS[kind]
                for a in self.targets(stack, props.get(source_key)):
                    for b in self.targets(stack, props.get(target_key)):
                        yield a, b, label, "solid"
            if kind == "AWS::SNS::Subscription":
                for a in self.targets(stack, props.get("TopicArn")):
                    for b in self.targets(stack, props.get("RedrivePolicy")):
                        yield a, b, "DLQ", "dashed"
            elif kind == "AWS::ElasticLoadBalancingV2::Listener":
                yield from self._forwarding(stack, props)
            elif kind == "Custom::S3BucketNotifications":
                for a in self.targets(stack, props.get("BucketName")):
                    for b in self.targets(stack, props.get("NotificationConfiguration")):
                        yield a, b, "notification", "solid"
        for node, (stack, _, resource) in self.nodes.items():
            yield from self._node_edges(node, stack, resource)

    def _forwarding(self, stack: Stack, listener: dict[str, Any]) -> Iterator[Edge]:
        """Load balancer -> the Auto Scaling groups registered in the listener's target groups
        (target groups themselves are not drawn)."""
        groups = references(listener.get("DefaultActions"))
        for balancer in self.targets(stack, listener.get("LoadBalancerArn")):
            for node, (node_stack, _, resource) in self.nodes.items():
                registered = references(resource.get("Properties", {}).get("TargetGroupARNs"))
                if node_stack is stack and groups & registered:
                    yield balancer, node, "forwards", "solid"

    def _node_edges(self, node: str, stack: Stack, resource: Resource) -> Iterator[Edge]:
        props = dict(resource.get("Properties", {}))
        kind = resource["Type"]
        special: list[tuple[Any, str, str]] = []
        if kind == "AWS::Events::Rule":
            for target in props.pop("Targets", []):
                special.append((target.get("Arn"), "target", "solid"))
                special.append((target.get("DeadLetterConfig"), "DLQ", "dashed"))
            special.append((props.pop("EventBusName", None), "on bus", "dotted"))
        for key in ("RedrivePolicy", "DeadLetterConfig"):
            special.append((props.pop(key, None), "DLQ", "dashed"))
        if kind == "AWS::CloudFront::Distribution":
            origins = props.get("DistributionConfig", {}).pop("Origins", [])
            special.append((origins, "origin", "solid"))
        if kind == "AWS::S3::Bucket":
            special.append((props.pop("NotificationConfiguration", None), "notification", "solid"))
        for value, label, style in special:
            for target in self.targets(stack, value):
                yield (
                    (target, node, label, style)
                    if label == "on bus"
                    else (
                        node,
                        target,
                        label,
                        style,
                    )
                )
        for target in self.targets(stack, props):
            if target != node and self.nodes[target][2]["Type"] not in UNDRAWN_TARGETS:
                yield node, target, "", "dotted"


def to_dot(env: Environment) -> str:
    """The environment's architecture as Graphviz DOT."""
    graph = _Graph(env)
    lines = [
        f"digraph {_quote(env.stage)} {{",
        '  graph [rankdir=LR, fontname="Helvetica", fontsize=12, compound=true, nodesep=0.3];',
        '  node [fontname="Helvetica", fontsize=10, style=filled, fillcolor="#eef3fb"];',
        '  edge [fontname="Helvetica", fontsize=8, color="#555555"];',
    ]
    for stack in env.stacks:
        lines.append(f"  subgraph {_quote('cluster_' + stack.short_name)} {{")
        lines.append(f'    label={_quote(stack.name)}; style=rounded; color="#7a8ba6";')
        for node, (owner, logical_id, resource) in graph.nodes.items():
            if owner is stack:
                prefix, shape = NODE_TYPES[resource["Type"]]
                label = f"{prefix}\n{owner.readable_name(logical_id)}"
                lines.append(f"    {_quote(node)} [label={_quote(label)}, shape={shape}];")
        lines.append("  }")
    seen: set[tuple[str, str]] = set()
    for a, b, label, style in sorted(set(graph.edges()), key=lambda e: (e[3] == "dotted", e)):
        if (a, b) in seen or a == b:
            continue
        seen.add((a, b))
        lines.append(f"  {_quote(a)} -> {_quote(b)} [label={_quote(label)}, style={style}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_svg(dot: str) -> str:
    """``dot`` rendered to SVG by Graphviz (Debian's ``graphviz``; `make setup` installs it)."""
    executable = shutil.which("dot")
    if executable is None:
        raise RuntimeError("Graphviz `dot` is missing: run `make setup` (apt package graphviz)")
    result = subprocess.run(
        [executable, "-Tsvg"], input=dot, capture_output=True, text=True, check=True
    )
    svg = result.stdout
    return svg[svg.index("<svg") :]
