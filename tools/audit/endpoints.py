"""What the internet can reach: load balancers, distributions, URLs, and every ingress rule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tools.audit.iam import environment_outputs
from tools.audit.intrinsics import Outputs, references, render
from tools.audit.loading import Environment

OPEN_TO_ALL = {"0.0.0.0/0", "::/0"}


@dataclass(frozen=True)
class Endpoint:
    stack: str
    logical_id: str
    name: str
    kind: str
    exposure: str
    details: list[str]


@dataclass(frozen=True)
class IngressRule:
    stack: str
    group: str
    source: str
    ports: str
    protocol: str
    description: str
    defined_by: str

    @property
    def open_to_internet(self) -> bool:
        return self.source in OPEN_TO_ALL


def _listeners(env: Environment, balancer_id: str, outputs: Outputs) -> list[str]:
    found = []
    for _, _, listener in env.resources("AWS::ElasticLoadBalancingV2::Listener"):
        props = listener.get("Properties", {})
        if balancer_id not in references(props.get("LoadBalancerArn")):
            continue
        actions = [
            action.get("Type", "")
            + (
                f" to {render(action['RedirectConfig'], outputs)}"
                if "RedirectConfig" in action
                else ""
            )
            for action in props.get("DefaultActions", [])
        ]
        tls = f", TLS policy {props['SslPolicy']}" if "SslPolicy" in props else ""
        found.append(
            f"listener {props.get('Protocol')} :{props.get('Port')} -> {', '.join(actions)}{tls}"
        )
    return found


def _distribution(config: dict[str, Any], outputs: Outputs) -> list[str]:
    viewer = config.get("ViewerCertificate", {})
    details = [
        f"aliases: {', '.join(config.get('Aliases', [])) or 'none (*.cloudfront.net)'}",
        "certificate: "
        + (
            f"ACM, minimum {viewer.get('MinimumProtocolVersion')}"
            if "AcmCertificateArn" in viewer
            else "default *.cloudfront.net"
        ),
        f"web ACL: {render(config['WebACLId'], outputs) if 'WebACLId' in config else 'none'}",
    ]
    behaviours = [config.get("DefaultCacheBehavior", {}), *config.get("CacheBehaviors", [])]
    for behaviour in behaviours:
        signed = "signed URLs/cookies" if behaviour.get("TrustedKeyGroups") else "unsigned allowed"
        details.append(
            f"behaviour {behaviour.get('PathPattern', '*')}: "
            f"{behaviour.get('ViewerProtocolPolicy')}, {signed}, "
            f"origin {behaviour.get('TargetOriginId')}"
        )
    details += [
        f"origin {o.get('Id')}: {render(o.get('DomainName'), outputs)}"
        for o in config.get("Origins", [])
    ]
    return details


def endpoints(env: Environment) -> list[Endpoint]:
    outputs = environment_outputs(env)
    found = []
    for stack, logical_id, resource in env.resources(
        "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::CloudFront::Distribution"
    ):
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::CloudFront::Distribution":
            config = props.get("DistributionConfig", {})
            kind, exposure = "CloudFront distribution", "internet (CloudFront edge)"
            details = _distribution(config, outputs)
        else:
            kind = f"{props.get('Type', 'application')} load balancer"
            exposure = str(props.get("Scheme", "internet-facing"))
            details = _listeners(env, logical_id, outputs)
        found.append(
            Endpoint(
                stack.name, logical_id, stack.readable_name(logical_id), kind, exposure, details
            )
        )
    for stack in env.stacks:
        for name, output in stack.template.get("Outputs", {}).items():
            value = render(output.get("Value"), outputs)
            if name.startswith("PublishOutput"):  # CDK's weak cross-stack references
                continue
            if any(word in name.lower() for word in ("url", "dnsname", "domain")):
                found.append(Endpoint(stack.name, name, name, "stack output", value, []))
    return found


def _ports(rule: dict[str, Any]) -> str:
    low, high = rule.get("FromPort"), rule.get("ToPort")
    if str(rule.get("IpProtocol")) == "-1" or low is None:
        return "all"
    return str(low) if low == high else f"{low}-{high}"


def _source(rule: dict[str, Any], outputs: Outputs) -> str:
    for key in ("CidrIp", "CidrIpv6", "SourceSecurityGroupId", "SourcePrefixListId"):
        if key in rule:
            return render(rule[key], outputs)
    return "?"


def ingress_rules(env: Environment) -> list[IngressRule]:
    """Every ingress rule, inline in a security group or a separate SecurityGroupIngress."""
    outputs = environment_outputs(env)
    found = []
    for stack, logical_id, resource in env.resources(
        "AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress"
    ):
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::EC2::SecurityGroup":
            group, rules = stack.readable_name(logical_id), props.get("SecurityGroupIngress", [])
        else:
            targets = sorted(references(props.get("GroupId")))
            group = stack.readable_name(targets[0]) if targets else render(props.get("GroupId"))
            rules = [props]
        found += [
            IngressRule(
                stack=stack.name,
                group=group,
                source=_source(rule, outputs),
                ports=_ports(rule),
                protocol=str(rule.get("IpProtocol")),
                description=str(rule.get("Description", "")),
                defined_by=logical_id,
            )
            for rule in rules
        ]
    return found
