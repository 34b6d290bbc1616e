"""The construct library's pages, generated from the code: ``constructs/README.md`` (the index)
and ``docs/constructs/<Construct>.md`` per exported construct, plus ``reference.md`` for the
other exports.

Each page takes its purpose and props from the class's docstring (``Args:`` describes every
prop) and signature, and what the construct creates, the nag acknowledgments it carries and its
security defaults from its usage example (:mod:`tools.construct_catalog`) synthesized alone in a
bare stack with the three nag packs. The same build synthesizes every example in a stack outside
us-east-1 and in an environment-agnostic one (the "Regions and accounts" section).

``python -m tools.construct_docs`` (``make docs``) writes the pages; ``--check`` lists the pages
that differ from what the code generates (the test suite runs the same comparison).
"""

from __future__ import annotations

import ast
import inspect
import re
import sys
import textwrap
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from tools.assembly import StackArtifact, parse_acknowledgment, stacks

REPO = Path(__file__).resolve().parent.parent
INDEX = REPO / "constructs" / "README.md"
PAGES = REPO / "docs" / "constructs"
REGENERATE = "make docs"
#: Where each example is synthesized: (stack suffix, label on the page, environment).
DOCUMENTED_REGION = "us-east-1"
EU_ACCOUNT = "123456789012"
EU_REGION = "eu-west-1"
VARIANTS: tuple[tuple[str, str], ...] = (
    ("", f"{DOCUMENTED_REGION}, account decided at deployment (the page above)"),
    ("InEu", f"{EU_REGION}, account {EU_ACCOUNT}"),
    ("Agnostic", "environment-agnostic (Region and account decided at deployment)"),
)
NOT_A_RESOURCE = {"AWS::CDK::Metadata"}


# -- building and synthesizing the catalog -------------------------------------------------------


@dataclass
class Documented:
    """One construct: its class, its example built in the documented stack, and per variant
    either None (it synthesized) or the message it was refused with."""

    name: str
    cls: type
    construct_id: str
    resources_before: set[str]
    acknowledgments_made: set[tuple[str, str]]
    attributes: dict[str, str]
    refusals: dict[str, str | None] = field(default_factory=dict)
    stack: StackArtifact | None = None


def exported_constructs() -> dict[str, type]:
    import snapstream_constructs
    from tools.construct_catalog import is_exported_construct

    return {
        name: getattr(snapstream_constructs, name)
        for name in sorted(snapstream_constructs.__all__)
        if is_exported_construct(getattr(snapstream_constructs, name))
    }


def synthesize_catalog(outdir: Path) -> dict[str, Documented]:
    """Every exported construct's example in its documented stack and in each other variant,
    one app, synthesized once with the nag packs (a failing gate raises)."""
    import aws_cdk as cdk

    from snapstream_constructs import register_compliance_packs
    from tools.construct_catalog import EXAMPLES, build_in
    from tools.synthesis import new_app

    app = new_app(outdir)
    register_compliance_packs(app)
    environments = {
        "": cdk.Environment(region=DOCUMENTED_REGION),
        "InEu": cdk.Environment(account=EU_ACCOUNT, region=EU_REGION),
        "Agnostic": None,
    }
    documented: dict[str, Documented] = {}
    for name, cls in exported_constructs().items():
        if name not in EXAMPLES:
            raise LookupError(f"{name} has no usage example in tools/construct_catalog.py")
        refusals: dict[str, str | None] = {}
        for suffix, env in environments.items():
            stack = cdk.Stack(app, f"{name}{suffix}", env=env)
            try:
                built = build_in(stack, name)
            except ValueError as refusal:
                if not suffix:
                    raise
                app.node.try_remove_child(stack.node.id)
                refusals[suffix] = str(refusal)
                continue
            refusals[suffix] = None
            if not suffix:
                documented[name] = Documented(
                    name=name,
                    cls=cls,
                    construct_id=built.construct.node.id,
                    resources_before=built.resources_before,
                    acknowledgments_made=built.acknowledgments_made,
                    attributes=_attribute_types(built.construct),
                )
        documented[name].refusals = refusals
    app.synth()
    by_name = {artifact.stack_name: artifact for artifact in stacks(outdir)}
    for entry in documented.values():
        entry.stack = by_name[entry.name]
    return documented


def _attribute_types(construct: Any) -> dict[str, str]:
    """Public attributes the construct sets, with the type of the value the example got."""
    names = _assigned_attributes(type(construct))
    return {
        name: _type_name(getattr(construct, name)) for name in names if hasattr(construct, name)
    }


def _assigned_attributes(cls: type) -> list[str]:
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    found: list[str] = []
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id == "self"
                and not target.attr.startswith("_")
                and target.attr not in found
            ):
                found.append(target.attr)
    return found


def _type_name(value: Any) -> str:
    if isinstance(value, list):
        inner = {_type_name(v) for v in value}
        return f"list[{inner.pop()}]" if len(inner) == 1 else "list"
    if isinstance(value, dict):
        inner = {_type_name(v) for v in value.values()}
        return f"dict[str, {inner.pop()}]" if len(inner) == 1 else "dict"
    cls = type(value)
    module = cls.__module__
    name = cls.__name__
    if name.startswith("_") and name.endswith("Proxy"):  # jsii's proxy of an interface
        name = name.removeprefix("_").removesuffix("Proxy")
    if module == "builtins":
        return name
    if module.startswith("aws_cdk.aws_"):
        return f"{module.removeprefix('aws_cdk.')}.{name}"
    if module.startswith("aws_cdk"):
        return f"cdk.{name}"
    if module.startswith("snapstream_constructs"):
        return name
    return f"{module}.{name}"


# -- reading docstrings and signatures ---------------------------------------------------------

_ROLE = re.compile(r":(?:class|meth|func|mod|attr|data|obj):`~?([^`]+)`")
_ARGS_HEADER = re.compile(r"^(Args|Arguments|Props):\s*$")


@dataclass(frozen=True)
class Prop:
    name: str
    annotation: str
    default: str | None
    meaning: str


def split_docstring(doc: str) -> tuple[str, dict[str, str]]:
    """(description, {prop: meaning}) of a docstring with a Google-style ``Args:`` section."""
    lines = doc.splitlines()
    for index, line in enumerate(lines):
        if _ARGS_HEADER.match(line):
            return "\n".join(lines[:index]).rstrip(), _args(lines[index + 1 :])
    return doc.rstrip(), {}


def _args(lines: list[str]) -> dict[str, str]:
    args: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines:
        if not line.strip():
            continue
        if not line.startswith(" "):
            break  # the next section
        entry = re.match(r"^ {4}(\w+)(?: \([^)]*\))?:\s*(.*)$", line)
        if entry:
            current = args.setdefault(entry.group(1), [])
            current.append(entry.group(2))
        elif current is not None:
            current.append(line.strip())
    return {name: " ".join(words).strip() for name, words in args.items()}


def constructor_props(cls: type) -> list[Prop]:
    """Keyword-only constructor props with their annotation, default (as written) and meaning."""
    init = cls.__dict__["__init__"]
    _, from_class = split_docstring(inspect.getdoc(cls) or "")
    _, from_init = split_docstring(inspect.getdoc(init) or "")
    meanings = {**from_class, **from_init}
    defaults = _default_sources(init)
    props = []
    for parameter in inspect.signature(init).parameters.values():
        if parameter.kind is not inspect.Parameter.KEYWORD_ONLY:
            continue
        annotation = parameter.annotation
        props.append(
            Prop(
                name=parameter.name,
                annotation=annotation if isinstance(annotation, str) else str(annotation),
                default=defaults.get(parameter.name),
                meaning=meanings.get(parameter.name, ""),
            )
        )
    return props


def _default_sources(function: Callable[..., Any]) -> dict[str, str]:
    source = textwrap.dedent(inspect.getsource(function))
    tree = ast.parse(source)
    definition = tree.body[0]
    assert isinstance(definition, ast.FunctionDef)
    arguments = definition.args
    found = {}
    for argument, default in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True):
        if default is not None:
            found[argument.arg] = ast.get_source_segment(source, default) or ""
    return found


def undocumented_props() -> list[str]:
    """``Construct.prop`` of every constructor prop the docstrings leave undescribed, and of
    every ``Args:`` entry that names no prop."""
    problems = []
    for name, cls in exported_constructs().items():
        props = constructor_props(cls)
        problems += [f"{name}.{p.name}: undocumented" for p in props if not p.meaning]
        _, described = split_docstring(inspect.getdoc(cls) or "")
        _, described_init = split_docstring(inspect.getdoc(cls.__dict__["__init__"]) or "")
        names = {p.name for p in props}
        problems += [
            f"{name}.{arg}: described, but no such prop"
            for arg in {*described, *described_init}
            if arg not in names
        ]
    return sorted(problems)


def markdown(text: str, *, link: Callable[[str], str | None]) -> str:
    """reST roles and double backquotes as Markdown; exported constructs linked."""

    def role(match: re.Match[str]) -> str:
        target = match.group(1)
        label_target = re.match(r"^(.*?)\s*<(.+)>$", target)
        if label_target:
            return f"`{label_target.group(1)}`"
        parts = target.split(".")
        # ``Class.member`` keeps its class; a module path is dropped.
        owner = len(parts) > 1 and parts[-2][:1].isupper()
        short = ".".join(parts[-2:]) if owner else parts[-1]
        href = link(parts[-2] if owner else parts[-1])
        return f"[`{short}`]({href})" if href else f"`{short}`"

    text = _ROLE.sub(role, text)
    return text.replace("``", "`")


def paragraphs_to_markdown(text: str, *, link: Callable[[str], str | None]) -> str:
    """Docstring paragraphs (and ``-`` bullets) joined into Markdown lines."""
    blocks: list[str] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.splitlines()
        if all(
            not line.strip() or line.lstrip().startswith("- ") or line.startswith("  ")
            for line in lines
        ) and lines[0].lstrip().startswith("- "):
            items: list[str] = []
            for line in lines:
                if line.lstrip().startswith("- "):
                    items.append(line.strip())
                else:
                    items[-1] += " " + line.strip()
            blocks.append("\n".join(markdown(item, link=link) for item in items))
        else:
            blocks.append(markdown(" ".join(line.strip() for line in lines), link=link))
    return "\n\n".join(blocks)


# -- what the synthesized example shows -------------------------------------------------------


@dataclass(frozen=True)
class CreatedResource:
    logical_id: str
    type: str
    path: str  # relative to the stack
    properties: dict[str, Any]
    where: str  # "construct", "stack" (a per-stack singleton) or "input"


def created_resources(entry: Documented) -> list[CreatedResource]:
    """The resources that adding the construct put in its stack: its own, the per-stack
    singletons it brought, and those it added to the inputs it was given."""
    assert entry.stack is not None
    stack_name = entry.name
    found = []
    for logical_id, resource in entry.stack.resources.items():
        if resource["Type"] in NOT_A_RESOURCE:
            continue
        path = str(resource.get("Metadata", {}).get("aws:cdk:path", ""))
        if path in entry.resources_before or path.startswith(f"{stack_name}/Companion/"):
            continue
        relative = path.removeprefix(f"{stack_name}/")
        if relative.startswith(f"{entry.construct_id}/"):
            where = "construct"
        elif relative.startswith("Support/"):
            where = "input"
        else:
            where = "stack"
        found.append(
            CreatedResource(
                logical_id=logical_id,
                type=resource["Type"],
                path=_short_path(relative),
                properties=dict(resource.get("Properties", {})),
                where=where,
            )
        )
    return found


def _short_path(path: str) -> str:
    return path.removesuffix("/Resource").removesuffix("/Default").removeprefix("Support/")


@dataclass(frozen=True)
class CarriedAcknowledgment:
    pack: str
    rule: str
    finding: str | None
    on: str
    reason: str
    on_input: bool


def carried_acknowledgments(entry: Documented) -> list[CarriedAcknowledgment]:
    assert entry.stack is not None
    stack_name = entry.name
    found = set()
    for path, ack_id, reason in entry.stack.acknowledgments():
        if (path, ack_id) not in entry.acknowledgments_made:
            continue
        relative = path.removeprefix(f"{stack_name}/")
        for ack in parse_acknowledgment(ack_id, reason):
            found.add(
                CarriedAcknowledgment(
                    pack=ack.pack,
                    rule=ack.rule.removeprefix(f"{ack.pack}-"),
                    finding=ack.finding,
                    on=_short_path(relative),
                    reason=ack.reason,
                    on_input=relative.startswith("Support/"),
                )
            )
    return sorted(found, key=lambda a: (a.on_input, a.on, a.pack, a.rule, a.finding or ""))


# -- security defaults, read from the template --------------------------------------------------


def _is_deny_insecure_transport(statement: Mapping[str, Any]) -> bool:
    condition = statement.get("Condition", {}).get("Bool", {})
    return statement.get("Effect") == "Deny" and condition.get("aws:SecureTransport") == "false"


def _statements(document: Any) -> list[dict[str, Any]]:
    if not isinstance(document, dict):
        return []
    statements = document.get("Statement", [])
    return [s for s in statements if isinstance(s, dict)]


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _bucket(p: Mapping[str, Any]) -> list[str]:
    facts = []
    for rule in p.get("BucketEncryption", {}).get("ServerSideEncryptionConfiguration", []):
        sse = rule.get("ServerSideEncryptionByDefault", {}).get("SSEAlgorithm")
        facts.append(
            {"aws:kms": "SSE-KMS with the given key", "AES256": "SSE-S3"}.get(sse, str(sse))
            + (" and an S3 bucket key" if rule.get("BucketKeyEnabled") else "")
        )
    if p.get("VersioningConfiguration", {}).get("Status") == "Enabled":
        facts.append("versioned")
    block = p.get("PublicAccessBlockConfiguration", {})
    if block and all(
        block.get(k)
        for k in (
            "BlockPublicAcls",
            "BlockPublicPolicy",
            "IgnorePublicAcls",
            "RestrictPublicBuckets",
        )
    ):
        facts.append("all public access blocked")
    for rule in p.get("OwnershipControls", {}).get("Rules", []):
        facts.append(f"object ownership {rule.get('ObjectOwnership')}")
    if "LoggingConfiguration" in p:
        facts.append("server access logs to the given bucket")
    rules = p.get("LifecycleConfiguration", {}).get("Rules", [])
    if rules:
        facts.append("lifecycle: " + ", ".join(str(r.get("Id", "rule")) for r in rules))
    if "CorsConfiguration" in p:
        origins = [
            o
            for r in p["CorsConfiguration"].get("CorsRules", [])
            for o in r.get("AllowedOrigins", [])
        ]
        facts.append(f"CORS for {', '.join(origins)} only")
    return facts


def _policy_denies_insecure(p: Mapping[str, Any]) -> list[str]:
    document = p.get("PolicyDocument", {})
    return (
        ["denies every request not made over TLS"]
        if any(_is_deny_insecure_transport(s) for s in _statements(document))
        else []
    )


def _queue(p: Mapping[str, Any]) -> list[str]:
    facts = []
    if "KmsMasterKeyId" in p:
        facts.append("SSE-KMS with the given key")
    elif p.get("SqsManagedSseEnabled"):
        facts.append("SSE-SQS")
    redrive = p.get("RedrivePolicy")
    if isinstance(redrive, dict) and "maxReceiveCount" in redrive:
        facts.append(f"dead-letter queue after {redrive['maxReceiveCount']} receives")
    if "MessageRetentionPeriod" in p:
        facts.append(f"messages kept {int(p['MessageRetentionPeriod']) // 86400} days")
    return facts


def _topic(p: Mapping[str, Any]) -> list[str]:
    return ["SSE-KMS with the given key"] if "KmsMasterKeyId" in p else []


def _table(p: Mapping[str, Any]) -> list[str]:
    facts = []
    if p.get("SSESpecification", {}).get("SSEEnabled"):
        facts.append(f"encrypted with {p['SSESpecification'].get('SSEType', 'KMS')} (given key)")
    if p.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled"):
        facts.append("point-in-time recovery")
    if p.get("DeletionProtectionEnabled"):
        facts.append("deletion protection (as the example asks)")
    if p.get("BillingMode") == "PAY_PER_REQUEST":
        facts.append("on-demand capacity")
    return facts


def _function(p: Mapping[str, Any]) -> list[str]:
    facts = [f"{p.get('Runtime')} on {', '.join(p.get('Architectures', ['x86_64']))}"]
    if p.get("TracingConfig", {}).get("Mode") == "Active":
        facts.append("X-Ray active tracing")
    if "ReservedConcurrentExecutions" in p:
        facts.append(f"reserved concurrency {p['ReservedConcurrentExecutions']}")
    if "DeadLetterConfig" in p:
        facts.append("asynchronous failures to a dead-letter queue")
    if p.get("LoggingConfig", {}).get("LogFormat") == "JSON":
        facts.append("JSON logs into its own log group")
    if "VpcConfig" not in p:
        facts.append("outside a VPC (AWS APIs only)")
    return facts


def _log_group(p: Mapping[str, Any]) -> list[str]:
    facts = []
    if "KmsKeyId" in p:
        facts.append("encrypted with the given key")
    if "RetentionInDays" in p:
        facts.append(f"kept {p['RetentionInDays']} days")
    return facts


def _role(p: Mapping[str, Any]) -> list[str]:
    facts = []
    for statement in _statements(p.get("AssumeRolePolicyDocument")):
        principal = statement.get("Principal", {})
        services = _listed(principal.get("Service", [])) if isinstance(principal, dict) else []
        source = statement.get("Condition", {}).get("StringEquals", {}).get("aws:SourceAccount")
        facts.append(
            "assumable only by "
            + ", ".join(str(s) for s in services)
            + (" for this account (aws:SourceAccount)" if source else "")
        )
    facts.append("inline policies: none" if not p.get("Policies") else "has inline policies")
    return facts


def _managed_policy(p: Mapping[str, Any]) -> list[str]:
    statements = _statements(p.get("PolicyDocument"))
    unscoped = sorted(
        {
            str(action)
            for s in statements
            if "*" in _listed(s.get("Resource", []))
            for action in _listed(s.get("Action", []))
        }
    )
    facts = [f"{len(statements)} statement(s), each naming its actions"]
    if unscoped:
        facts.append("on `*` only: " + ", ".join(f"`{a}`" for a in unscoped))
    return facts


def _key(p: Mapping[str, Any]) -> list[str]:
    facts = []
    if p.get("EnableKeyRotation"):
        facts.append("automatic yearly rotation")
    if "PendingWindowInDays" in p:
        facts.append(f"{p['PendingWindowInDays']}-day deletion window")
    services = sorted(
        {
            str(service)
            for s in _statements(p.get("KeyPolicy"))
            if isinstance(s.get("Principal"), dict)
            for service in _listed(s["Principal"].get("Service", []))
        }
    )
    if services:
        facts.append("services admitted by the key policy: " + ", ".join(services))
    return facts


def _secret(p: Mapping[str, Any]) -> list[str]:
    return ["encrypted with the given key"] if "KmsKeyId" in p else []


def _distribution(p: Mapping[str, Any]) -> list[str]:
    config = p.get("DistributionConfig", {})
    behaviors = [config.get("DefaultCacheBehavior", {}), *config.get("CacheBehaviors", [])]
    policies = sorted({str(b.get("ViewerProtocolPolicy")) for b in behaviors})
    facts = [f"viewers: {', '.join(policies)}"]
    if all(b.get("TrustedKeyGroups") for b in behaviors):
        facts.append("every behaviour requires a signed URL or cookie (trusted key group)")
    certificate = config.get("ViewerCertificate", {})
    if certificate.get("MinimumProtocolVersion"):
        facts.append(f"minimum TLS {certificate['MinimumProtocolVersion']}")
    if "Logging" in config:
        facts.append("standard logs to its own bucket")
    if "WebACLId" in config:
        facts.append("WAF web ACL attached")
    origins = config.get("Origins", [])
    if any("OriginAccessControlId" in o for o in origins):
        facts.append("S3 origin through Origin Access Control")
    if any("VpcOriginConfig" in o for o in origins):
        facts.append("the load balancer is a VPC origin (never public)")
    if any(h.get("HeaderName") for o in origins for h in o.get("OriginCustomHeaders", [])):
        facts.append("the CDN identifier header is a Secrets Manager dynamic reference")
    if config.get("HttpVersion"):
        facts.append(str(config["HttpVersion"]))
    return facts


def _headers(p: Mapping[str, Any]) -> list[str]:
    security = p.get("ResponseHeadersPolicyConfig", {}).get("SecurityHeadersConfig", {})
    names = {
        "StrictTransportSecurity": "HSTS",
        "ContentTypeOptions": "nosniff",
        "FrameOptions": "frame DENY",
        "ReferrerPolicy": "referrer policy",
        "XSSProtection": "XSS protection",
    }
    present = [label for key, label in names.items() if key in security]
    return [", ".join(present)] if present else []


def _launch_template(p: Mapping[str, Any]) -> list[str]:
    data = p.get("LaunchTemplateData", {})
    facts = []
    if data.get("MetadataOptions", {}).get("HttpTokens") == "required":
        facts.append("IMDSv2 only")
    if all(m.get("Ebs", {}).get("Encrypted") for m in data.get("BlockDeviceMappings", [])) and (
        data.get("BlockDeviceMappings")
    ):
        facts.append("encrypted EBS volumes")
    if "KeyName" not in data:
        facts.append("no key pair (Session Manager)")
    if data.get("Monitoring", {}).get("Enabled"):
        facts.append("detailed monitoring")
    return facts


def _load_balancer(p: Mapping[str, Any]) -> list[str]:
    attributes = {a["Key"]: a["Value"] for a in p.get("LoadBalancerAttributes", [])}
    facts = [f"scheme {p.get('Scheme', 'internet-facing')}"]
    if attributes.get("routing.http.drop_invalid_header_fields.enabled") == "true":
        facts.append("invalid header fields dropped")
    if attributes.get("access_logs.s3.enabled") == "true":
        facts.append("access logs to the given bucket")
    if "routing.http.desync_mitigation_mode" in attributes:
        facts.append(f"desync mitigation {attributes['routing.http.desync_mitigation_mode']}")
    return facts


def _security_group(p: Mapping[str, Any]) -> list[str]:
    ingress = p.get("SecurityGroupIngress", [])
    egress = p.get("SecurityGroupEgress", [])
    open_ingress = [r for r in ingress if r.get("CidrIp") == "0.0.0.0/0"]
    facts = ["no ingress from 0.0.0.0/0" if not open_ingress else "ingress from anywhere"]
    if egress and not any(r.get("IpProtocol") == "-1" for r in egress):
        facts.append("egress limited to named ports")
    return facts


def _web_acl(p: Mapping[str, Any]) -> list[str]:
    rules = [str(r.get("Name")) for r in p.get("Rules", [])]
    return [f"scope {p.get('Scope')}", "rules: " + ", ".join(rules)]


def _waf_logging(p: Mapping[str, Any]) -> list[str]:
    redacted = [str(f.get("SingleHeader", {}).get("Name")) for f in p.get("RedactedFields", [])]
    return ["logs every request" + (f", redacting {', '.join(redacted)}" if redacted else "")]


def _packaging_group(p: Mapping[str, Any]) -> list[str]:
    facts = []
    if "Authorization" in p:
        facts.append("CDN authorization: only requests with the secret's header are served")
    if "EgressAccessLogs" in p:
        facts.append("egress access logs")
    return facts


def _rule(p: Mapping[str, Any]) -> list[str]:
    targets = p.get("Targets", [])
    if targets and all("DeadLetterConfig" in t for t in targets):
        return ["every target has a dead-letter queue and a retry policy"]
    return []


def _alarm(p: Mapping[str, Any]) -> list[str]:
    return ["notifies on ALARM and on OK"] if p.get("OKActions") and p.get("AlarmActions") else []


def _event_source_mapping(p: Mapping[str, Any]) -> list[str]:
    return (
        ["partial batch failures: only failed records are retried"]
        if "ReportBatchItemFailures" in p.get("FunctionResponseTypes", [])
        else []
    )


def _auto_scaling_group(p: Mapping[str, Any]) -> list[str]:
    facts = []
    if p.get("HealthCheckType") == "ELB":
        facts.append("load balancer health checks")
    return facts


def _flow_log(p: Mapping[str, Any]) -> list[str]:
    return [f"{p.get('TrafficType', 'ALL')} traffic logged"]


def _archive(p: Mapping[str, Any]) -> list[str]:
    return [f"events kept {p.get('RetentionDays')} days for replay"] if "RetentionDays" in p else []


SECURITY_FACTS: dict[str, Callable[[Mapping[str, Any]], list[str]]] = {
    "AWS::S3::Bucket": _bucket,
    "AWS::S3::BucketPolicy": _policy_denies_insecure,
    "AWS::SQS::Queue": _queue,
    "AWS::SQS::QueuePolicy": _policy_denies_insecure,
    "AWS::SNS::Topic": _topic,
    "AWS::SNS::TopicPolicy": _policy_denies_insecure,
    "AWS::DynamoDB::Table": _table,
    "AWS::Lambda::Function": _function,
    "AWS::Logs::LogGroup": _log_group,
    "AWS::IAM::Role": _role,
    "AWS::IAM::ManagedPolicy": _managed_policy,
    "AWS::KMS::Key": _key,
    "AWS::SecretsManager::Secret": _secret,
    "AWS::CloudFront::Distribution": _distribution,
    "AWS::CloudFront::ResponseHeadersPolicy": _headers,
    "AWS::EC2::LaunchTemplate": _launch_template,
    "AWS::ElasticLoadBalancingV2::LoadBalancer": _load_balancer,
    "AWS::EC2::SecurityGroup": _security_group,
    "AWS::WAFv2::WebACL": _web_acl,
    "AWS::WAFv2::LoggingConfiguration": _waf_logging,
    "AWS::MediaPackage::PackagingGroup": _packaging_group,
    "AWS::Events::Rule": _rule,
    "AWS::CloudWatch::Alarm": _alarm,
    "AWS::Lambda::EventSourceMapping": _event_source_mapping,
    "AWS::AutoScaling::AutoScalingGroup": _auto_scaling_group,
    "AWS::EC2::FlowLog": _flow_log,
    "AWS::Events::Archive": _archive,
}


def security_defaults(resources: Iterable[CreatedResource]) -> list[tuple[str, str]]:
    """(resources, what holds) read from the template; identical facts are grouped."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for resource in resources:
        extract = SECURITY_FACTS.get(resource.type)
        if extract is None:
            continue
        facts = extract(resource.properties)
        if facts:
            grouped.setdefault((resource.type, "; ".join(facts)), []).append(resource.path)
    return [
        (f"{resource_type} " + ", ".join(f"`{p}`" for p in sorted(paths)), facts)
        for (resource_type, facts), paths in sorted(grouped.items())
    ]


# -- rendering ---------------------------------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _page_link_from_pages(name: str) -> str | None:
    return f"{name}.md" if name in exported_constructs() else None


def render_page(entry: Documented) -> str:
    cls = entry.cls
    description, _ = split_docstring(inspect.getdoc(cls) or "")
    link = _page_link_from_pages
    module = cls.__module__
    lines = [
        f"# `{entry.name}`",
        "",
        f"<!-- Generated by `{REGENERATE}` from {module} and tools/construct_catalog.py. "
        "Do not edit. -->",
        "",
        f"`from snapstream_constructs import {entry.name}` (defined in `{module}`)",
        "",
        "## Purpose",
        "",
        paragraphs_to_markdown(description, link=link),
        "",
        "## Props",
        "",
        f"`{entry.name}(scope, construct_id, *, ...)`: every prop is keyword-only.",
        "",
        "| name | type | default | meaning |",
        "|---|---|---|---|",
    ]
    for prop in constructor_props(cls):
        default = "required" if prop.default is None else f"`{_cell(prop.default)}`"
        lines.append(
            f"| `{prop.name}` | `{_cell(prop.annotation)}` | {default} | "
            f"{_cell(markdown(prop.meaning, link=link))} |"
        )
    lines += _attributes_section(entry)
    lines += _methods_section(cls, link)
    resources = created_resources(entry)
    lines += _resources_section(resources)
    lines += _acknowledgments_section(carried_acknowledgments(entry))
    lines += _security_section(resources)
    lines += _regions_section(entry)
    lines += [
        "## Usage",
        "",
        "The example below is the one synthesized for this page (in a bare stack with the three "
        "nag packs); its keyword parameters are what a team already has "
        "(tools/construct_catalog.py builds them).",
        "",
        "```python",
        _example_source(entry.name).rstrip(),
        "```",
        "",
    ]
    return "\n".join(lines)


def _example_source(name: str) -> str:
    from tools.construct_catalog import example_source

    source = example_source(name)
    return "\n".join(line for line in source.splitlines() if not line.startswith("@example("))


def _attributes_section(entry: Documented) -> list[str]:
    if not entry.attributes:
        return []
    lines = ["", "## Attributes", "", "| attribute | type (in the example) |", "|---|---|"]
    lines += [f"| `{name}` | `{_cell(kind)}` |" for name, kind in entry.attributes.items()]
    properties = [
        (name, value)
        for name, value in vars(entry.cls).items()
        if isinstance(value, property) and not name.startswith("_")
    ]
    lines += [
        f"| `{name}` | property: {_cell(_first_paragraph(inspect.getdoc(value) or ''))} |"
        for name, value in properties
    ]
    return lines


def _first_paragraph(doc: str) -> str:
    return " ".join(doc.strip().split("\n\n")[0].split())


def _methods_section(cls: type, link: Callable[[str], str | None]) -> list[str]:
    methods = [
        (name, value)
        for name, value in vars(cls).items()
        if not name.startswith("_")
        and (inspect.isfunction(value) or isinstance(value, classmethod))
    ]
    if not methods:
        return []
    lines = ["", "## Methods", ""]
    for name, value in methods:
        function = value.__func__ if isinstance(value, classmethod) else value
        signature = str(inspect.signature(function)).replace("'", "")
        doc = paragraphs_to_markdown(inspect.getdoc(function) or "", link=link)
        lines += [f"- `{name}{signature}`: {doc}".rstrip(": ")]
    return lines


def _resources_section(resources: list[CreatedResource]) -> list[str]:
    lines = [
        "",
        "## Resources it creates",
        "",
        "Read from the synthesized example (counts depend on the props: see Purpose).",
        "",
        "| CloudFormation type | count | construct paths |",
        "|---|---|---|",
    ]
    own = [r for r in resources if r.where != "input"]
    counts = Counter(r.type for r in own)
    for resource_type in sorted(counts):
        paths = ", ".join(
            f"`{r.path}`" for r in sorted(own, key=lambda r: r.path) if r.type == resource_type
        )
        lines.append(f"| `{resource_type}` | {counts[resource_type]} | {paths} |")
    lines.append(f"| **total** | **{len(own)}** | |")
    added = [r for r in resources if r.where == "input"]
    if added:
        lines += ["", "Added beside the inputs it is given:", ""]
        lines += [f"- `{r.type}` at `{r.path}`" for r in sorted(added, key=lambda r: r.path)]
    singletons = [r for r in own if r.where == "stack"]
    if singletons:
        lines += [
            "",
            "Created once per stack and shared by every instance: "
            + ", ".join(f"`{r.path}`" for r in sorted(singletons, key=lambda r: r.path))
            + ".",
        ]
    return lines


def _acknowledgments_section(acknowledgments: list[CarriedAcknowledgment]) -> list[str]:
    lines = ["", "## Nag acknowledgments it carries", ""]
    if not acknowledgments:
        return [*lines, "None: every finding of the three packs is resolved, not acknowledged."]
    lines += [
        "Each is written, with its reason, into the resource's `Metadata.cdk_nag` in the "
        "template. Those of the example's configuration (some depend on the props):",
        "",
        "| pack | rule | finding | on | reason |",
        "|---|---|---|---|---|",
    ]
    rows: dict[tuple[str, str, str, str], list[str]] = {}
    for ack in acknowledgments:
        on = f"`{ack.on}`" + (" (an input)" if ack.on_input else "")
        findings = rows.setdefault((ack.pack, ack.rule, on, ack.reason), [])
        if ack.finding:
            findings.append(f"`{_cell(ack.finding)}`")
    for (pack, rule, on, reason), findings in rows.items():
        lines.append(f"| {pack} | {rule} | {'<br>'.join(findings)} | {on} | {_cell(reason)} |")
    return lines


def _security_section(resources: list[CreatedResource]) -> list[str]:
    defaults = security_defaults(r for r in resources if r.where != "input")
    lines = [
        "",
        "## Security defaults",
        "",
        "What a team gets without asking, read from the synthesized template:",
        "",
    ]
    if not defaults:
        return [*lines, "- nothing security-relevant beyond the resources above"]
    return [*lines, *(f"- {where}: {facts}" for where, facts in defaults)]


def _regions_section(entry: Documented) -> list[str]:
    lines = [
        "",
        "## Regions and accounts",
        "",
        "The example synthesized (with the nag packs) in each kind of stack:",
        "",
        "| stack | result |",
        "|---|---|",
    ]
    for suffix, label in VARIANTS:
        refusal = entry.refusals.get(suffix)
        result = "synthesizes" if refusal is None else f"refused: {_cell(refusal)}"
        lines.append(f"| {label} | {result} |")
    return [*lines, ""]


# -- index and reference -----------------------------------------------------------------------


def render_index(documented: Mapping[str, Documented]) -> str:
    import snapstream_constructs

    version = _package_version()
    lines = [
        "# snapstream-constructs",
        "",
        f"<!-- Generated by `{REGENERATE}` (tools/construct_docs.py). Do not edit. -->",
        "",
        f"Version {version}. "
        + _first_paragraph(inspect.getdoc(snapstream_constructs) or "")
        + " For teams that run their own CDK apps (Python): typed, keyword-only props; every "
        "construct synthesizes alone in a bare stack with the cdk-nag packs AwsSolutions, "
        "NIST 800-53 R5 and Serverless and passes cfn-lint; every finding it does not resolve "
        "is acknowledged with a reason written into the template.",
        "",
        "## Install",
        "",
        "```sh",
        "make dist                                   # in the SnapStream repository: dist/*.whl",
        "pip install dist/snapstream_constructs-"
        f"{version}-py3-none-any.whl   # in your app's environment",
        "```",
        "",
        "It needs Python 3.11+, `aws-cdk-lib` 2.257 or later (2.x), `cdk-nag` 3.x and "
        "Node.js (for jsii; 20 works, 22+ is quieter). Turn the compliance gate on in your app:",
        "",
        "```python",
        "import aws_cdk as cdk",
        "from snapstream_constructs import register_compliance_packs",
        "",
        "app = cdk.App()",
        "register_compliance_packs(app)  # any unacknowledged finding fails the synth",
        "```",
        "",
        "Versions follow semantic versioning ([CHANGELOG.md](CHANGELOG.md)): a removed or renamed "
        "export, prop or attribute, or a new required prop, is a major release (a minor one "
        "while the version is 0.x); a test pins the public API "
        "(`tests/constructs/public_api.json`).",
        "",
        "## Constructs",
        "",
        "| construct | what it is |",
        "|---|---|",
    ]
    for name, entry in documented.items():
        description, _ = split_docstring(inspect.getdoc(entry.cls) or "")
        summary = markdown(_first_paragraph(description), link=lambda _: None)
        lines.append(f"| [`{name}`](../docs/constructs/{name}.md) | {_cell(summary)} |")
    lines += [
        "",
        "Functions and value types (acknowledging findings, dead-letter queues, S3 "
        "notifications, alarm thresholds): [reference](../docs/constructs/reference.md).",
        "",
        "## Examples",
        "",
        "Small CDK apps a team would write, each synthesized, nag-gated and cfn-linted by the "
        "test suite ([examples/](../examples/README.md)):",
        "",
        "- [`examples/transcoding`](../examples/transcoding/app.py): a secure, versioned "
        "media bucket pair feeding `MediaConvertTranscoding` in the team's own account;",
        "- [`examples/vod_delivery`](../examples/vod_delivery/app.py): `VodPackaging` + "
        "`MediaDistribution` (CDN authorization, signed playback) in front of outputs the team "
        "already has;",
        "- [`examples/ingest_spine`](../examples/ingest_spine/app.py): bucket → queue → "
        "function with a dead-letter queue and alarms, dropped into an existing app.",
        "",
        "## Bring your own",
        "",
        "Every construct takes existing resources through interfaces where a team has them: "
        "a key (`kms.IKey`, e.g. `kms.Key.from_key_arn`), buckets (`s3.IBucket`), certificates "
        "(`certificate_arn`, in us-east-1 for CloudFront), an alarm topic (`sns.ITopic`, plus "
        "`also_notify` ARNs) and, for `WebHosting`, a VPC (`vpc: ec2.IVpc`). Tested in "
        "`tests/constructs/test_bring_your_own.py`.",
        "",
        "## Regenerating these pages",
        "",
        f"`{REGENERATE}` rewrites this index, every page under `docs/constructs/` and the public "
        "API snapshot from the code; the test suite fails while any of them is out of date.",
        "",
    ]
    return "\n".join(lines)


def _package_version() -> str:
    import tomllib

    pyproject = tomllib.loads((REPO / "constructs" / "pyproject.toml").read_text())
    return str(pyproject["project"]["version"])


def render_reference() -> str:
    import snapstream_constructs

    link = _page_link_from_pages
    lines = [
        "# snapstream_constructs: functions and value types",
        "",
        f"<!-- Generated by `{REGENERATE}` (tools/construct_docs.py). Do not edit. -->",
        "",
        "The exports that are not constructs. Constructs have a page each: "
        "[index](../../constructs/README.md).",
    ]
    for name in sorted(snapstream_constructs.__all__):
        value = getattr(snapstream_constructs, name)
        if isinstance(value, type) and name in exported_constructs():
            continue
        lines += ["", f"## `{name}`", ""]
        if isinstance(value, type) and issubclass(value, Enum):
            lines.append(paragraphs_to_markdown(inspect.getdoc(value) or "", link=link))
            lines += ["", "Members: " + ", ".join(f"`{m.name}` (`{m.value}`)" for m in value)]
        elif isinstance(value, type) and is_dataclass(value):
            lines.append(paragraphs_to_markdown(inspect.getdoc(value) or "", link=link))
            lines += ["", "| field | type | default | meaning |", "|---|---|---|---|"]
            comments = _field_comments(value)
            for item in fields(value):
                default = _field_default(value, item.name)
                lines.append(
                    f"| `{item.name}` | `{_cell(str(item.type))}` | {default} | "
                    f"{_cell(markdown(comments.get(item.name, ''), link=link))} |"
                )
        elif callable(value):
            signature = str(inspect.signature(value)).replace("'", "")
            lines += [f"`{name}{signature}`", ""]
            lines.append(paragraphs_to_markdown(inspect.getdoc(value) or "", link=link))
    return "\n".join(lines) + "\n"


def _field_comments(cls: type) -> dict[str, str]:
    """``#:`` comments above each field of a dataclass."""
    source = textwrap.dedent(inspect.getsource(cls)).splitlines()
    comments: dict[str, str] = {}
    pending: list[str] = []
    for line in source:
        stripped = line.strip()
        if stripped.startswith("#:"):
            pending.append(stripped.removeprefix("#:").strip())
            continue
        match = re.match(r"^(\w+):", stripped)
        if match and pending:
            comments[match.group(1)] = " ".join(pending)
        pending = [] if not stripped.startswith("#") else pending
    return comments


def _field_default(cls: type, name: str) -> str:
    source = textwrap.dedent(inspect.getsource(cls))
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and node.target.id == name
        ):
            return (
                "required"
                if node.value is None
                else f"`{ast.get_source_segment(source, node.value)}`"
            )
    return "required"


# -- writing and checking ----------------------------------------------------------------------


def render_all(documented: Mapping[str, Documented]) -> dict[Path, str]:
    """Every generated file (path -> content) from a synthesized catalog."""
    files = {INDEX: render_index(documented), PAGES / "reference.md": render_reference()}
    for name, entry in documented.items():
        files[PAGES / f"{name}.md"] = render_page(entry)
    return files


def generate(outdir: Path) -> dict[Path, str]:
    """Every generated file from one synthesis into ``outdir``."""
    return render_all(synthesize_catalog(outdir))


def out_of_date(files: Mapping[Path, str]) -> list[str]:
    """Generated files whose content on disk differs, and stale pages on disk."""
    stale = [
        str(path.relative_to(REPO))
        for path, content in files.items()
        if not path.exists() or path.read_text(encoding="utf-8") != content
    ]
    stale += [
        str(page.relative_to(REPO)) for page in sorted(PAGES.glob("*.md")) if page not in files
    ]
    return sorted(stale)


def write(files: Mapping[Path, str]) -> None:
    PAGES.mkdir(parents=True, exist_ok=True)
    for page in PAGES.glob("*.md"):
        if page not in files:
            page.unlink()
    for path, content in files.items():
        path.write_text(content, encoding="utf-8")


def main(argv: list[str]) -> int:
    import tempfile

    from stacks.node_runtime import prefer_bundled_node

    prefer_bundled_node()
    problems = undocumented_props()
    if problems:
        print("props without a description in an Args: section:", *problems, sep="\n  ")
        return 1
    with tempfile.TemporaryDirectory(prefix="construct-docs-") as outdir:
        files = generate(Path(outdir))
    if "--check" in argv:
        stale = out_of_date(files)
        for path in stale:
            print(f"out of date: {path}")
        return 1 if stale else 0
    write(files)
    print(f"wrote {len(files)} pages ({INDEX.relative_to(REPO)}, {PAGES.relative_to(REPO)}/)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
