"""Each reusable construct alone in a bare Stack, all in one app synthesized once per session.

The bare stacks run under the same nag packs as SnapStream itself, so a construct that needs its
caller to acknowledge something fails here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cdk_support import new_app
from tools.assembly import stale_acknowledgments


def _synthesized_templates(app: Any, outdir: Path) -> dict[str, dict[str, Any]]:
    """Synthesize (a failing nag gate raises) and return the templates by stack name."""
    app.synth()
    assert stale_acknowledgments(outdir) == [], (
        "a construct acknowledges a finding it no longer has"
    )
    return {
        path.name.removesuffix(".template.json"): json.loads(path.read_text())
        for path in Path(outdir).glob("*.template.json")
    }


@pytest.fixture(scope="session")
def bare_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    import aws_cdk as cdk

    from snapstream_constructs import (
        AccessLogBucket,
        AgedQueue,
        AlarmThresholds,
        DataKey,
        DeliveryRule,
        IdempotencyTable,
        MediaTable,
        OperationsMonitoring,
        PipelineMetrics,
        SecureBucket,
        SecureTopic,
        WebTier,
        register_compliance_packs,
    )

    thresholds = AlarmThresholds(**MONITORING_THRESHOLDS_VALUES)
    outdir = tmp_path_factory.mktemp("bare")
    app = new_app(outdir)
    register_compliance_packs(app)
    destroy = cdk.RemovalPolicy.DESTROY

    DataKey(cdk.Stack(app, "KeyAlone"), "Key", description="alone", removal_policy=destroy)

    # An access-log bucket only makes sense with a bucket logging into it (nag checks that too).
    bucket_stack = cdk.Stack(app, "BucketAlone")
    key = DataKey(bucket_stack, "Key", description="k", removal_policy=destroy).key
    logs = AccessLogBucket(
        bucket_stack, "Logs", retention=cdk.Duration.days(5), removal_policy=destroy
    ).bucket
    SecureBucket(
        bucket_stack,
        "Secure",
        encryption_key=key,
        access_logs=logs,
        access_log_prefix="secure/",
        removal_policy=destroy,
        noncurrent_version_expiration=cdk.Duration.days(3),
        infrequent_access_after=cdk.Duration.days(45),
        cors_allowed_origins=["https://media.example.com"],
    )

    table_stack = cdk.Stack(app, "TablesAlone")
    table_key = DataKey(table_stack, "Key", description="k", removal_policy=destroy).key
    MediaTable(
        table_stack,
        "Media",
        encryption_key=table_key,
        removal_policy=destroy,
        deletion_protection=True,
    )
    IdempotencyTable(table_stack, "Idempotency", encryption_key=table_key, removal_policy=destroy)

    topic_stack = cdk.Stack(app, "TopicAlone")
    topic_key = DataKey(topic_stack, "Key", description="k", removal_policy=destroy).key
    SecureTopic(topic_stack, "Topic", encryption_key=topic_key, display_name="alone")

    monitoring_stack = cdk.Stack(app, "MonitoringAlone")
    monitoring_key = DataKey(monitoring_stack, "Key", description="k", removal_policy=destroy)
    OperationsMonitoring(
        monitoring_stack,
        "Monitoring",
        name_prefix="alone",
        alarm_topic=SecureTopic(
            monitoring_stack, "Alarms", encryption_key=monitoring_key.key, display_name="ops"
        ).topic,
        thresholds=thresholds,
        pipeline=PipelineMetrics(
            namespace="Test",
            dimensions={"environment": "alone"},
            steps={"intake": "Intake", "convert-state": "ConvertState"},
            failed_outcome="failed",
            transcode_state_service="convert-state",
            ingest_service="intake",
            upload_outcomes=("accepted", "rejected"),
        ),
        functions={"Worker": "worker-function", "Helper": "helper-function"},
        dead_letter_queues={"Failures": "failures-queue"},
        work_queues={"Work": "work-queue"},
        tables={"Media": "media-table"},
        instances={"Nat": "i-0123456789abcdef0"},
        transcode_queue_name="convert-queue",
        web=WebTier(
            load_balancer_full_name="app/site/123", target_group_full_name="targetgroup/site/456"
        ),
        distributions={"CloudFront": "E2EXAMPLE"},
        alarm_on_distribution=True,
        aged_queues={"Work": AgedQueue(queue_name="work-queue", max_age_seconds=420)},
        rules={
            "Route": DeliveryRule(
                rule_name="route",
                event_bus_name="media-bus",
            ),
            "JobState": DeliveryRule(
                rule_name="job-state",
                event_bus_name=None,
            ),
        },
    )

    return _synthesized_templates(app, outdir)


#: Distinct values, so a test can tell which threshold reached which alarm.
MONITORING_THRESHOLDS_VALUES: dict[str, Any] = {
    "function_errors": 3,
    "function_throttles": 4,
    "dead_letter_messages": 1,
    "transcode_errors": 2,
    "load_balancer_5xx": 25,
    "unhealthy_hosts": 1,
    "instance_status_checks": 1,
    "cdn_5xx_rate_percent": 7.5,
    "table_throttles": 6,
    "ingest_queue_age_seconds": 300,
    "analysis_queue_age_seconds": 900,
    "rule_failed_invocations": 5,
    "rule_dead_letter_failures": 8,
    "evaluation_periods": 2,
}


@pytest.fixture(scope="session")
def pipeline_bare_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Queue, notification, event bus with a route and a function, each in a bare stack."""
    import aws_cdk as cdk
    from aws_cdk import aws_events as events
    from aws_cdk import aws_lambda as lambda_

    from snapstream_constructs import (
        AccessLogBucket,
        DataKey,
        MediaConvertTranscoding,
        MediaDistribution,
        MediaEventBus,
        Pack,
        PipelineFunction,
        PlaybackSigningKey,
        QueueWithDeadLetters,
        SecureBucket,
        VodPackaging,
        acknowledge,
        dead_letter_queue,
        notify_queue_of_object_created,
        register_compliance_packs,
        resource_finding,
    )
    from snapstream_constructs.storage import account_bucket_name

    outdir = tmp_path_factory.mktemp("bare-pipeline")
    app = new_app(outdir)
    register_compliance_packs(app)
    destroy = cdk.RemovalPolicy.DESTROY
    code = lambda_.Code.from_inline("def handler(event, context):\n    return event\n")

    queue_stack = cdk.Stack(app, "QueueAlone")
    key = DataKey(queue_stack, "Key", description="k", removal_policy=destroy)
    key.allow_service("s3.amazonaws.com")
    logs = AccessLogBucket(
        queue_stack, "Logs", retention=cdk.Duration.days(5), removal_policy=destroy
    ).bucket
    bucket = SecureBucket(
        queue_stack,
        "Uploads",
        encryption_key=key.key,
        access_logs=logs,
        access_log_prefix="u/",
        bucket_name=account_bucket_name("alone", "uploads"),
        removal_policy=destroy,
        noncurrent_version_expiration=cdk.Duration.days(3),
    ).bucket
    queue = QueueWithDeadLetters(
        queue_stack,
        "Ingest",
        encryption_key=key.key,
        visibility_timeout=cdk.Duration.seconds(60),
        max_receive_count=3,
    )
    notify_queue_of_object_created(bucket, queue.queue, key_prefix="in/")

    bus_stack = cdk.Stack(app, "BusAlone")
    bus_key = DataKey(bus_stack, "Key", description="k", removal_policy=destroy)
    bus_key.allow_cloudwatch_logs()
    bus_key.allow_service("events.amazonaws.com")  # the route's DLQ is the function's
    bus = MediaEventBus(
        bus_stack,
        "Bus",
        sources=["test.source"],
        archive_retention=cdk.Duration.days(7),
    )
    failures = dead_letter_queue(bus_stack, "FunctionFailures", encryption_key=bus_key.key)
    function = PipelineFunction(
        bus_stack,
        "Worker",
        description="test worker",
        handler="index.handler",
        code=code,
        layers=[],
        environment={"MODE": "test"},
        encryption_key=bus_key.key,
        log_retention=cdk.aws_logs.RetentionDays.ONE_WEEK,
        reserved_concurrency=2,
        async_dead_letter_queue=failures,
    )
    bus.route(
        "Uploaded",
        event_pattern=events.EventPattern(source=["test.source"], detail_type=["Uploaded"]),
        function=function.function,
        description="test route",
    )

    function_stack = cdk.Stack(app, "FunctionAlone")
    function_key = DataKey(function_stack, "Key", description="k", removal_policy=destroy)
    function_key.allow_cloudwatch_logs()
    consumer_queue = QueueWithDeadLetters(
        function_stack,
        "Work",
        encryption_key=function_key.key,
        visibility_timeout=cdk.Duration.seconds(180),
    )
    consumer = PipelineFunction(
        function_stack,
        "Consumer",
        description="test consumer",
        handler="index.handler",
        code=code,
        layers=[],
        environment={},
        encryption_key=function_key.key,
        log_retention=cdk.aws_logs.RetentionDays.ONE_WEEK,
        reserved_concurrency=1,
    )
    consumer.consume(consumer_queue.queue, batch_size=5)

    video_stack = cdk.Stack(app, "VideoAlone")
    video_key = DataKey(video_stack, "Key", description="k", removal_policy=destroy)
    video_key.allow_cloudwatch_logs()
    video_logs = AccessLogBucket(
        video_stack, "Logs", retention=cdk.Duration.days(5), removal_policy=destroy
    ).bucket
    media = SecureBucket(
        video_stack,
        "Media",
        encryption_key=video_key.key,
        access_logs=video_logs,
        access_log_prefix="m/",
        removal_policy=destroy,
        noncurrent_version_expiration=cdk.Duration.days(3),
    ).bucket
    transcoding = MediaConvertTranscoding(
        video_stack,
        "Transcoding",
        read_objects_arn=media.arn_for_objects("in/*"),
        write_objects_arn=media.arn_for_objects("out/*"),
        encryption_key=video_key.key,
        job_template_settings={"OutputGroups": []},
        accelerated=True,
    )
    acknowledge(
        transcoding.policy,
        pack=Pack.AWS_SOLUTIONS,
        rule="IAM5",
        findings=[
            resource_finding(video_stack, media.arn_for_objects("in/*")),
            resource_finding(video_stack, media.arn_for_objects("out/*")),
        ],
        reason="Test stack: objects under the in/ and out/ prefixes of the test bucket.",
    )
    packaging = VodPackaging(
        video_stack,
        "Packaging",
        source_bucket=media,
        source_prefix="out/",
        encryption_key=video_key.key,
        log_retention=cdk.aws_logs.RetentionDays.ONE_WEEK,
        removal_policy=destroy,
    )
    generator = PipelineFunction(
        video_stack,
        "Generator",
        description="test key generator",
        handler="index.handler",
        code=code,
        layers=[],
        environment={},
        encryption_key=video_key.key,
        log_retention=cdk.aws_logs.RetentionDays.ONE_WEEK,
        reserved_concurrency=1,
        invoked_by="CloudFormation",
    )
    signing = PlaybackSigningKey(
        video_stack,
        "Signing",
        generator=generator.function,
        generator_policy=generator.policy,
        encryption_key=video_key.key,
        generation=2,
        removal_policy=destroy,
    )
    MediaDistribution(
        video_stack,
        "Cdn",
        packaging=packaging,
        media_bucket=media,
        key_group=signing.key_group,
        access_logs=video_logs,
        site_origins=["https://media.example.com"],
        price_class=cdk.aws_cloudfront.PriceClass.PRICE_CLASS_100,
        log_retention=cdk.Duration.days(5),
        removal_policy=destroy,
        domain_name="cdn.example.com",
        certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/abc",
    )

    return _synthesized_templates(app, outdir)


def _web_hosting_props(tmp_path: Path) -> dict[str, Any]:
    """A fake site bundle: WebHosting only needs the installer's path inside it."""
    (tmp_path / "deploy").mkdir(parents=True, exist_ok=True)
    (tmp_path / "deploy" / "install.sh").write_text("#!/bin/bash\nexit 0\n")
    return {
        "settings": {"MODE": "test", "LIMIT": "10"},
        "app_port": 8080,
        "health_check_path": "/ping",
        "wsgi_app": "site.wsgi:app",
        "access_log_prefix": "lb/",
        "min_capacity": 2,
        "max_capacity": 2,
        "nat_gateways": 2,
    }


@pytest.fixture(scope="session")
def web_bare_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """WebHosting with a customer-managed volume key, a fixed worker count and one admitted
    origin group, behind a SiteDistribution with its SiteWebAcl (CLOUDFRONT scope: us-east-1)."""
    import aws_cdk as cdk
    from aws_cdk import aws_ec2 as ec2
    from aws_cdk import aws_kms as kms
    from aws_cdk import aws_s3_assets as s3_assets

    from snapstream_constructs import (
        AccessLogBucket,
        DataKey,
        SecureBucket,
        WebHosting,
        register_compliance_packs,
    )
    from snapstream_constructs.site_distribution import SiteDistribution
    from snapstream_constructs.site_web_acl import SiteWebAcl, WebAclScope

    outdir = tmp_path_factory.mktemp("bare-web")
    site = tmp_path_factory.mktemp("site")
    app = new_app(outdir)
    register_compliance_packs(app)
    # ELB access logging needs a concrete Region (its log-delivery principal is per Region).
    stack = cdk.Stack(app, "WebAlone", env=cdk.Environment(region="us-east-1"))
    key = DataKey(stack, "Key", description="k", removal_policy=cdk.RemovalPolicy.DESTROY)
    key.allow_cloudwatch_logs()
    logs = AccessLogBucket(
        stack, "Logs", retention=cdk.Duration.days(5), removal_policy=cdk.RemovalPolicy.DESTROY
    ).bucket
    # cdk-nag recognises a log destination by a bucket that logs into it.
    SecureBucket(
        stack,
        "Data",
        encryption_key=key.key,
        access_logs=logs,
        access_log_prefix="data/",
        removal_policy=cdk.RemovalPolicy.DESTROY,
        noncurrent_version_expiration=cdk.Duration.days(3),
    )
    volume_key = kms.Key(stack, "VolumeKey", enable_key_rotation=True)
    hosting = WebHosting(
        stack,
        "Site",
        site_bundle=s3_assets.Asset(stack, "Bundle", path=str(site)),
        **_web_hosting_props(site),
        access_logs=logs,
        log_encryption_key=key.key,
        log_retention=cdk.aws_logs.RetentionDays.ONE_WEEK,
        instance_type=ec2.InstanceType("m7g.large"),
        deletion_protection=True,
        workers=3,
        volume_size_gib=30,
        volume_encryption_key=volume_key,
    )
    hosting.admit_origin("Origin", source_security_group_id="sg-0123456789abcdef0")
    web_acl = SiteWebAcl(
        stack,
        "WebAcl",
        web_acl_scope=WebAclScope.CLOUDFRONT,
        rate_limit_per_5min=500,
        log_encryption_key=key.key,
        log_retention=cdk.aws_logs.RetentionDays.ONE_WEEK,
    )
    SiteDistribution(
        stack,
        "Edge",
        load_balancer=hosting.load_balancer,
        web_acl_arn=web_acl.arn,
        access_logs=logs,
        log_retention=cdk.Duration.days(5),
        removal_policy=cdk.RemovalPolicy.DESTROY,
    )
    return _synthesized_templates(app, outdir)


@pytest.fixture(scope="session")
def construct_catalog(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """Every exported construct's usage example (tools/construct_catalog.py) alone in a bare
    us-east-1 stack, an eu-west-1 one and an environment-agnostic one, synthesized once with the
    nag packs: (cdk.out, :class:`tools.construct_docs.Documented` by construct name). The pages
    in docs/constructs/ are generated from it."""
    from tools.construct_docs import synthesize_catalog

    outdir = tmp_path_factory.mktemp("catalog")
    return outdir, synthesize_catalog(outdir)
