"""Idle monthly cost: what an environment costs with zero traffic, counted from its templates."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from tools.cost.inventory import Environment, Resource
from tools.cost.prices import HOURS_PER_MONTH, SECONDS_PER_MONTH, Price, instance_hourly, price

#: An instance or launch template without block device mappings boots the image's own root
#: volume: 8 GiB for Amazon Linux 2023.
DEFAULT_ROOT_GIB = 8
#: CloudWatch metrics EC2 detailed monitoring publishes per instance (billed as custom metrics).
DETAILED_MONITORING_METRICS = 7
#: Assumed load balancer capacity units with no users: scanners and bots on a public ALB.
IDLE_LCU_PER_LOAD_BALANCER = 0.1
#: Assumed size of one VPC flow log record in CloudWatch Logs (default format).
FLOW_LOG_RECORD_BYTES = 130
#: Assumed empty receives of a Lambda SQS event source: 5 pollers, 20-second long polls.
SQS_POLLS_PER_MINUTE = 5 * 3


@dataclass(frozen=True)
class CostLine:
    """One priced line: ``quantity`` units of ``price`` a month (or per upload), and why."""

    item: str
    quantity: float
    price: Price
    basis: str

    @property
    def usd(self) -> float:
        return self.quantity * self.price.usd


@dataclass(frozen=True)
class _Machines:
    """Instances that run with no traffic: type counts, root volume GiB, public IPs."""

    by_type: Counter[tuple[str, str]]
    root_gib: int
    monitored: int
    public_ips: int


def idle_lines(env: Environment) -> list[CostLine]:
    """Every line of ``env`` that costs money with zero traffic, quantities from its templates."""
    machines = _machines(env)
    lines = [
        *_nat_gateways(env),
        *(
            CostLine(
                f"EC2 {role}: {instance_type}",
                count * HOURS_PER_MONTH,
                instance_hourly(instance_type),
                f"{count} x {HOURS_PER_MONTH} h",
            )
            for (role, instance_type), count in sorted(machines.by_type.items())
        ),
        CostLine(
            "EBS root volumes (gp3)",
            machines.root_gib,
            price("ebs_gp3_gb_month"),
            "GiB of the instances' launch templates (or the image's 8 GiB)",
        ),
        CostLine(
            "EC2 detailed monitoring",
            machines.monitored * DETAILED_MONITORING_METRICS,
            price("metric_month"),
            f"{machines.monitored} instances x {DETAILED_MONITORING_METRICS} metrics",
        ),
        *_public_ips(env, machines.public_ips),
        *_load_balancers(env),
        *_web_acls(env),
        *_interface_endpoints(env),
        _per_resource(env, "AWS::KMS::Key", "KMS customer managed keys", "kms_key_month"),
        _per_resource(
            env, "AWS::SecretsManager::Secret", "Secrets Manager secrets", "secret_month"
        ),
        *_alarms(env),
        _per_resource(
            env, "AWS::CloudWatch::Dashboard", "CloudWatch dashboards", "dashboard_month"
        ),
        *_provisioned_tables(env),
        *_flow_logs(env),
        *_sqs_polling(env),
    ]
    return [line for line in lines if line.quantity]


def _per_resource(env: Environment, resource_type: str, item: str, price_name: str) -> CostLine:
    count = env.count(resource_type)
    return CostLine(item, count, price(price_name), f"{count} {resource_type}")


def _nat_gateways(env: Environment) -> list[CostLine]:
    count = env.count("AWS::EC2::NatGateway")
    return [
        CostLine(
            "NAT gateways",
            count * HOURS_PER_MONTH,
            price("nat_gateway_hour"),
            f"{count} AWS::EC2::NatGateway x {HOURS_PER_MONTH} h (+ $0.045/GB processed: usage)",
        )
    ]


def _launch_template_data(env: Environment, stack: str, spec: dict[str, Any]) -> dict[str, Any]:
    template: Resource = env.referenced(stack, spec["LaunchTemplateId"])
    data: dict[str, Any] = template["Properties"]["LaunchTemplateData"]
    return data


def _root_gib(*mapping_lists: list[dict[str, Any]] | None) -> int:
    for mappings in mapping_lists:
        if mappings:
            return sum(int(m["Ebs"].get("VolumeSize", DEFAULT_ROOT_GIB)) for m in mappings)
    return DEFAULT_ROOT_GIB


def _machines(env: Environment) -> _Machines:
    by_type: Counter[tuple[str, str]] = Counter()
    root_gib = monitored = public_ips = 0
    for stack, resource in env.resources("AWS::AutoScaling::AutoScalingGroup"):
        group = resource["Properties"]
        data = _launch_template_data(env, stack, group["LaunchTemplate"])
        count = int(group["MinSize"])
        by_type["Auto Scaling group at MinSize", data["InstanceType"]] += count
        root_gib += count * _root_gib(data.get("BlockDeviceMappings"))
        monitored += count if data.get("Monitoring", {}).get("Enabled") else 0
    for stack, resource in env.resources("AWS::EC2::Instance"):
        instance = resource["Properties"]
        spec = instance.get("LaunchTemplate")
        data = _launch_template_data(env, stack, spec) if spec else {}
        role = "NAT instance" if instance.get("SourceDestCheck") is False else "instance"
        by_type[role, instance.get("InstanceType") or data["InstanceType"]] += 1
        root_gib += _root_gib(instance.get("BlockDeviceMappings"), data.get("BlockDeviceMappings"))
        monitored += 1 if instance.get("Monitoring") else 0
        interfaces = instance.get("NetworkInterfaces", [])
        public_ips += sum(1 for i in interfaces if i.get("AssociatePublicIpAddress") is True)
    return _Machines(by_type, root_gib, monitored, public_ips)


def _public_ips(env: Environment, instance_ips: int) -> list[CostLine]:
    eips = env.count("AWS::EC2::EIP")
    balancer_ips = sum(
        len(r["Properties"].get("Subnets", []))
        for _, r in env.resources("AWS::ElasticLoadBalancingV2::LoadBalancer")
        if r["Properties"].get("Scheme") == "internet-facing"
    )
    total = eips + instance_ips + balancer_ips
    return [
        CostLine(
            "Public IPv4 addresses",
            total * HOURS_PER_MONTH,
            price("public_ipv4_hour"),
            f"{eips} EIP (NAT gateways) + {instance_ips} NAT instance + {balancer_ips} ALB "
            f"(one per subnet) x {HOURS_PER_MONTH} h",
        )
    ]


def _load_balancers(env: Environment) -> list[CostLine]:
    count = env.count("AWS::ElasticLoadBalancingV2::LoadBalancer")
    return [
        CostLine(
            "Application Load Balancer",
            count * HOURS_PER_MONTH,
            price("alb_hour"),
            f"{count} AWS::ElasticLoadBalancingV2::LoadBalancer x {HOURS_PER_MONTH} h",
        ),
        CostLine(
            "ALB capacity units (no users)",
            count * IDLE_LCU_PER_LOAD_BALANCER * HOURS_PER_MONTH,
            price("alb_lcu_hour"),
            f"assumed {IDLE_LCU_PER_LOAD_BALANCER} LCU per ALB (scanners, bots)",
        ),
    ]


def _web_acls(env: Environment) -> list[CostLine]:
    acls = [r["Properties"] for _, r in env.resources("AWS::WAFv2::WebACL")]
    rules = sum(len(acl.get("Rules", [])) for acl in acls)
    return [
        CostLine("WAF web ACLs", len(acls), price("waf_web_acl_month"), f"{len(acls)} web ACL"),
        CostLine(
            "WAF rules",
            rules,
            price("waf_rule_month"),
            f"{rules} rules (AWS managed groups count as one rule each; $0.60/M requests: usage)",
        ),
    ]


def _interface_endpoints(env: Environment) -> list[CostLine]:
    azs = sum(
        len(r["Properties"].get("SubnetIds", []))
        for _, r in env.resources("AWS::EC2::VPCEndpoint")
        if r["Properties"].get("VpcEndpointType") == "Interface"
    )
    return [
        CostLine(
            "VPC interface endpoints",
            azs * HOURS_PER_MONTH,
            price("interface_endpoint_hour"),
            f"{azs} endpoint-AZs (gateway endpoints are free)",
        )
    ]


def _alarms(env: Environment) -> list[CostLine]:
    standard = high_resolution = 0
    for _, resource in env.resources("AWS::CloudWatch::Alarm"):
        alarm = resource["Properties"]
        metrics = [m for m in alarm.get("Metrics", []) if "MetricStat" in m] or [alarm]
        for metric in metrics:
            period = metric.get("MetricStat", {}).get("Period", metric.get("Period", 60))
            if int(period) < 60:
                high_resolution += 1
            else:
                standard += 1
    alarms = env.count("AWS::CloudWatch::Alarm")
    composite = env.count("AWS::CloudWatch::CompositeAlarm")
    return [
        CostLine(
            "CloudWatch alarms",
            standard,
            price("alarm_metric_month"),
            f"{alarms} AWS::CloudWatch::Alarm, {standard} metrics (metric math: each metric)",
        ),
        CostLine(
            "CloudWatch high-resolution alarms",
            high_resolution,
            price("alarm_high_resolution_metric_month"),
            f"{high_resolution} metrics with a period under 60 s",
        ),
        CostLine(
            "CloudWatch composite alarms",
            composite,
            price("composite_alarm_month"),
            f"{composite} AWS::CloudWatch::CompositeAlarm",
        ),
    ]


def _provisioned_tables(env: Environment) -> list[CostLine]:
    reads = writes = 0
    for _, resource in env.resources("AWS::DynamoDB::Table"):
        table = resource["Properties"]
        if table.get("BillingMode", "PROVISIONED") == "PROVISIONED":
            throughput = table.get("ProvisionedThroughput", {})
            reads += int(throughput.get("ReadCapacityUnits", 0))
            writes += int(throughput.get("WriteCapacityUnits", 0))
    return [
        CostLine(
            "DynamoDB provisioned reads",
            reads * HOURS_PER_MONTH,
            price("dynamodb_rcu_hour"),
            "RCU",
        ),
        CostLine(
            "DynamoDB provisioned writes",
            writes * HOURS_PER_MONTH,
            price("dynamodb_wcu_hour"),
            "WCU",
        ),
    ]


def _flow_logs(env: Environment) -> list[CostLine]:
    """Flow-log records of the load balancer's health checks: the VPC's only idle traffic."""
    if not env.count("AWS::EC2::FlowLog"):
        return []
    instances = sum(
        int(r["Properties"]["MinSize"])
        for _, r in env.resources("AWS::AutoScaling::AutoScalingGroup")
    )
    nodes = sum(
        len(r["Properties"].get("Subnets", []))
        for _, r in env.resources("AWS::ElasticLoadBalancingV2::LoadBalancer")
    )
    checks = sum(
        SECONDS_PER_MONTH / int(r["Properties"].get("HealthCheckIntervalSeconds", 30))
        for _, r in env.resources("AWS::ElasticLoadBalancingV2::TargetGroup")
    )
    # one connection per check, seen by the load balancer's and the instance's interface
    gigabytes = checks * nodes * instances * 2 * FLOW_LOG_RECORD_BYTES / 1e9
    return [
        CostLine(
            "VPC flow logs (health checks)",
            round(gigabytes, 3),
            price("logs_ingest_gb"),
            f"{nodes} ALB nodes x {instances} instances, 2 records x {FLOW_LOG_RECORD_BYTES} B "
            "per check (assumed record size)",
        )
    ]


def _sqs_polling(env: Environment) -> list[CostLine]:
    sources = sum(
        1
        for _, r in env.resources("AWS::Lambda::EventSourceMapping")
        if _is_sqs_source(r["Properties"].get("EventSourceArn"))
    )
    return [
        CostLine(
            "SQS empty receives (Lambda pollers)",
            sources * SQS_POLLS_PER_MINUTE * 60 * HOURS_PER_MONTH,
            price("sqs_request"),
            f"{sources} SQS event source mappings x assumed {SQS_POLLS_PER_MINUTE} long polls "
            "a minute",
        )
    ]


def _is_sqs_source(arn: Any) -> bool:
    """Event sources here are SQS queues (a queue ARN, a GetAtt of a queue or an imported one)."""
    text = str(arn)
    return "Queue" in text or ":sqs:" in text


def no_idle_cost(env: Environment) -> list[str]:
    """What the templates hold that costs nothing while nobody uses it (counts from templates)."""
    facts = [
        ("AWS::Lambda::Function", "Lambda functions", "per request and GB-second"),
        ("AWS::DynamoDB::Table", "DynamoDB tables (on-demand)", "per request, GB stored"),
        ("AWS::S3::Bucket", "S3 buckets", "per GB stored and per request"),
        ("AWS::CloudFront::Distribution", "CloudFront distributions", "per request and GB out"),
        ("AWS::MediaConvert::Queue", "MediaConvert queues (on-demand)", "per output minute"),
        ("AWS::MediaPackage::PackagingGroup", "MediaPackage VOD packaging groups", "per GB"),
        ("AWS::SQS::Queue", "SQS queues", "per request"),
        ("AWS::SNS::Topic", "SNS topics", "per publish and delivery"),
        ("AWS::Events::Rule", "EventBridge rules", "per custom event published"),
        ("AWS::Events::Archive", "EventBridge archives", "per GB archived and stored"),
        ("AWS::Logs::LogGroup", "CloudWatch log groups", "per GB ingested and stored"),
        ("AWS::CloudTrail::Trail", "CloudTrail trails", "first copy of management events free"),
        ("AWS::SES::EmailIdentity", "SES identities", "free; per e-mail sent (see E-mail)"),
        ("AWS::SES::ConfigurationSet", "SES configuration sets", "free; events per SNS publish"),
    ]
    notes = [
        f"{count} {label}: {basis}"
        for resource_type, label, basis in facts
        if (count := env.count(resource_type))
    ]
    metrics = custom_metrics(env)
    monthly = metrics * price("metric_month").usd
    return [
        *notes,
        f"{metrics} custom metrics the functions publish (EMF, namespace SnapStream: one count "
        f"per outcome and one duration per step): ${price('metric_month').usd:g} per "
        "metric-month, billed by the hour a metric is published, so nothing when idle and at "
        f"most ${monthly:,.2f} a month when every outcome of every step occurs every hour",
        "Rekognition, Transcribe, Comprehend: per call or minute analysed",
        "Auto Scaling, launch templates, gateway endpoints, IAM, ACM, CloudFront keys: free",
    ]


def custom_metrics(env: Environment) -> int:
    """Metrics the functions can publish: per service (``POWERTOOLS_SERVICE_NAME`` in the
    template), one count per outcome of its logic and one ``<Step>Duration``."""
    from snapstream_runtime.analysis_steps import AnalysisOutcome
    from snapstream_runtime.deletion import DeletionOutcome
    from snapstream_runtime.deletion_requests import Gone
    from snapstream_runtime.ingest import Outcome as IngestOutcome
    from snapstream_runtime.mail_events import MailEventOutcome
    from snapstream_runtime.stuck_media import SweepOutcome
    from snapstream_runtime.video import VideoOutcome

    # Video and analysis logic also ends "deleted" (Gone) for a media being deleted.
    video, analysis = len(VideoOutcome) + len(Gone) + 1, len(AnalysisOutcome) + len(Gone) + 1
    published = {
        "playback-keys": 0,  # a CloudFormation custom resource: logs only
        "bucket-cors": 0,  # a CloudFormation custom resource: logs only
        "vpc-origin-group": 0,  # a CloudFormation custom resource: logs only
        "ingest": len(IngestOutcome) + 1,
        "transcode-submit": video,
        "transcode-state": video,
        "package": video,
        "analysis": analysis,
        "transcription-state": analysis,
        "video-labels": analysis,
        "deletion": len(DeletionOutcome) + 1,
        # per sweep: each outcome, the failed count, StuckMedia itself and the duration
        "stuck-media": len(SweepOutcome) + 3,
        "mail-events": len(MailEventOutcome) + 1,
    }
    services = [
        variables["POWERTOOLS_SERVICE_NAME"]
        for _, function in env.resources("AWS::Lambda::Function")
        if "POWERTOOLS_SERVICE_NAME"
        in (variables := function["Properties"].get("Environment", {}).get("Variables", {}))
    ]
    return sum(published[service] for service in services)


def total(lines: list[CostLine]) -> float:
    return math.fsum(line.usd for line in lines)
