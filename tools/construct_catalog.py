"""One usage example per exported construct, runnable: the source of each is the "Usage" section
of the construct's page (``docs/constructs/<Construct>.md``), and :func:`build_in` instantiates
it in a stack, as the page generator and the region tests do.

An example is a function ``(scope, *, <inputs>) -> construct``. Each keyword parameter names an
input a team already has (a key, a log bucket, a function, ...), built by the input builder of
the same name below (:data:`INPUTS`), under a ``Support`` construct, before the example runs. An
input builder takes inputs in the same way. A few constructs need something *after* them to be
realistic (an access-log bucket that nothing logs into is an error): :data:`COMPANIONS` adds it
under a ``Companion`` construct, and the page generator counts neither.
"""

from __future__ import annotations

import inspect
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import aws_cdk as cdk
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_events as events
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_assets as s3_assets
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from snapstream_constructs import (
    AccessLogBucket,
    AgedQueue,
    AlarmThresholds,
    DataKey,
    DeliveryRule,
    FunctionTracing,
    MediaConvertTranscoding,
    MediaDistribution,
    MediaEventBus,
    MediaTable,
    OperationsMonitoring,
    Pack,
    PipelineFunction,
    PipelineMetrics,
    PlaybackSigningKey,
    QueueWithDeadLetters,
    SecureBucket,
    SecureTopic,
    SiteDistribution,
    SiteWebAcl,
    VodPackaging,
    WebAclScope,
    WebHosting,
    WebTier,
    acknowledge,
    dead_letter_queue,
    resource_finding,
)

Example = Callable[..., Construct]
SUPPORT = "Support"
COMPANION = "Companion"

#: Construct class name -> its usage example.
EXAMPLES: dict[str, Example] = {}
#: Input name -> the builder of what a team would already have under that name.
INPUTS: dict[str, Callable[..., Any]] = {}
#: Construct class name -> what is added after it (not counted on its page).
COMPANIONS: dict[str, Callable[[Construct, Any, Mapping[str, Any]], None]] = {}


F = TypeVar("F", bound=Callable[..., Construct])


def example(construct: type[Construct]) -> Callable[[F], F]:
    def register(function: F) -> F:
        EXAMPLES[construct.__name__] = function
        return function

    return register


def _input(function: Callable[..., Any]) -> Callable[..., Any]:
    INPUTS[function.__name__] = function
    return function


# -- the examples (each one is shown on its construct's page) --------------------------------


@example(DataKey)
def data_key(scope: Construct) -> DataKey:
    key = DataKey(
        scope,
        "DataKey",
        description="Encrypts the team's media, tables, queues and logs",
        removal_policy=cdk.RemovalPolicy.RETAIN,
    )
    key.allow_cloudwatch_logs()  # log groups encrypted with it
    key.allow_service("s3.amazonaws.com")  # S3 event notifications into encrypted queues
    return key


@example(AccessLogBucket)
def access_log_bucket(scope: Construct) -> AccessLogBucket:
    return AccessLogBucket(
        scope,
        "AccessLogs",
        retention=cdk.Duration.days(90),
        removal_policy=cdk.RemovalPolicy.RETAIN,
    )


@example(SecureBucket)
def secure_bucket(scope: Construct, *, key: kms.IKey, access_logs: s3.IBucket) -> SecureBucket:
    return SecureBucket(
        scope,
        "Media",
        encryption_key=key,
        access_logs=access_logs,
        access_log_prefix="media/",
        removal_policy=cdk.RemovalPolicy.RETAIN,
        noncurrent_version_expiration=cdk.Duration.days(30),
        infrequent_access_after=cdk.Duration.days(60),
    )


@example(SecureTopic)
def secure_topic(scope: Construct, *, key: kms.IKey) -> SecureTopic:
    return SecureTopic(scope, "Notifications", encryption_key=key, display_name="Media events")


@example(QueueWithDeadLetters)
def queue_with_dead_letters(scope: Construct, *, key: kms.IKey) -> QueueWithDeadLetters:
    return QueueWithDeadLetters(
        scope,
        "Work",
        encryption_key=key,
        visibility_timeout=cdk.Duration.minutes(3),  # six times the consumer's timeout
        max_receive_count=3,
    )


@example(MediaTable)
def media_table(scope: Construct, *, key: kms.IKey) -> MediaTable:
    return MediaTable(
        scope,
        "Table",
        encryption_key=key,
        removal_policy=cdk.RemovalPolicy.RETAIN,
        deletion_protection=True,
    )


@example(FunctionTracing)
def function_tracing(scope: Construct) -> FunctionTracing:
    # Every PipelineFunction of a stack attaches its stack's one, created with the first.
    return FunctionTracing.of_stack(scope)


@example(PipelineFunction)
def pipeline_function(
    scope: Construct, *, key: kms.IKey, code: lambda_.Code, work_queue: sqs.IQueue
) -> PipelineFunction:
    worker = PipelineFunction(
        scope,
        "Worker",
        description="Processes the team's work queue",
        handler="worker.handler",
        code=code,
        layers=[],
        environment={"POWERTOOLS_SERVICE_NAME": "worker"},
        encryption_key=key,
        log_retention=logs.RetentionDays.ONE_MONTH,
        reserved_concurrency=2,
        timeout=cdk.Duration.seconds(30),
        invoked_by="its SQS event source mapping",
    )
    worker.consume(work_queue, batch_size=5)  # partial batch failures reported
    return worker


@example(MediaEventBus)
def media_event_bus(scope: Construct, *, handler: lambda_.IFunction) -> MediaEventBus:
    bus = MediaEventBus(
        scope,
        "Events",
        sources=["team.media"],
        archive_retention=cdk.Duration.days(30),
    )
    bus.route(
        "Uploaded",
        event_pattern=events.EventPattern(source=["team.media"], detail_type=["MediaUploaded"]),
        function=handler,
        description="Every uploaded media to the team's handler",
    )
    return bus


@example(MediaConvertTranscoding)
def media_convert_transcoding(
    scope: Construct, *, key: kms.IKey, media_bucket: s3.IBucket
) -> MediaConvertTranscoding:
    sources, outputs = media_bucket.arn_for_objects("in/*"), media_bucket.arn_for_objects("out/*")
    transcoding = MediaConvertTranscoding(
        scope,
        "Transcoding",
        read_objects_arn=sources,
        write_objects_arn=outputs,
        encryption_key=key,
        job_template_settings={"OutputGroups": []},  # your recipe: see examples/
        accelerated=False,
    )
    # The object ARNs end in a wildcard: say why, once, where the policy is.
    acknowledge(
        transcoding.policy,
        pack=Pack.AWS_SOLUTIONS,
        rule="IAM5",
        findings=[resource_finding(scope, sources), resource_finding(scope, outputs)],
        reason="Jobs read any upload under in/ and write their outputs under out/, one "
        "generated folder per video.",
    )
    return transcoding


@example(VodPackaging)
def vod_packaging(scope: Construct, *, key: kms.IKey, media_bucket: s3.IBucket) -> VodPackaging:
    return VodPackaging(
        scope,
        "Packaging",
        source_bucket=media_bucket,
        source_prefix="out/",
        encryption_key=key,
        log_retention=logs.RetentionDays.ONE_MONTH,
        removal_policy=cdk.RemovalPolicy.DESTROY,
    )


@example(PlaybackSigningKey)
def playback_signing_key(
    scope: Construct, *, key: kms.IKey, key_generator: PipelineFunction
) -> PlaybackSigningKey:
    return PlaybackSigningKey(
        scope,
        "PlaybackKey",
        generator=key_generator.function,
        generator_policy=key_generator.policy,
        encryption_key=key,
        generation=1,  # raise to rotate the key pair
        removal_policy=cdk.RemovalPolicy.DESTROY,
    )


@example(MediaDistribution)
def media_distribution(
    scope: Construct,
    *,
    packaging: VodPackaging,
    media_bucket: s3.IBucket,
    playback_key: PlaybackSigningKey,
    access_logs: s3.IBucket,
) -> MediaDistribution:
    return MediaDistribution(
        scope,
        "Cdn",
        packaging=packaging,
        media_bucket=media_bucket,
        key_group=playback_key.key_group,
        access_logs=access_logs,
        price_class=cloudfront.PriceClass.PRICE_CLASS_100,
        log_retention=cdk.Duration.days(90),
        removal_policy=cdk.RemovalPolicy.DESTROY,
        site_origins=["https://media.example.com"],
    )


@example(SiteWebAcl)
def site_web_acl(scope: Construct, *, key: kms.IKey) -> SiteWebAcl:
    # CLOUDFRONT scope: the stack must be in us-east-1, whatever Region the site runs in.
    return SiteWebAcl(
        scope,
        "WebAcl",
        web_acl_scope=WebAclScope.CLOUDFRONT,
        rate_limit_per_5min=1000,
        log_encryption_key=key,
        log_retention=logs.RetentionDays.ONE_MONTH,
    )


@example(WebHosting)
def web_hosting(
    scope: Construct, *, key: kms.IKey, access_logs: s3.IBucket, site_bundle: s3_assets.Asset
) -> WebHosting:
    return WebHosting(
        scope,
        "Site",
        site_bundle=site_bundle,  # a zip asset holding the app and deploy/install.sh
        settings={"SITE_MODE": "production"},
        app_port=8000,
        health_check_path="/healthz",
        wsgi_app="site.wsgi:app",
        access_logs=access_logs,
        access_log_prefix="alb",
        log_encryption_key=key,
        log_retention=logs.RetentionDays.ONE_MONTH,
        instance_type=ec2.InstanceType("t4g.small"),
        min_capacity=1,
        max_capacity=2,
        nat_gateways=1,  # or vpc=<an existing ec2.IVpc> instead
        deletion_protection=False,
    )


@example(SiteDistribution)
def site_distribution(
    scope: Construct,
    *,
    site: WebHosting,
    web_acl_arn: str,
    access_logs: s3.IBucket,
    vpc_origin_group_id: str,
) -> SiteDistribution:
    # The load balancer admits no one until told: CloudFront's VPC-origin security group
    # (CloudFront-VPCOrigins-Service-SG, in the site's VPC once a VPC origin exists there).
    site.admit_origin("CloudFrontOrigin", source_security_group_id=vpc_origin_group_id)
    return SiteDistribution(
        scope,
        "Edge",
        load_balancer=site.load_balancer,
        web_acl_arn=web_acl_arn,  # a CLOUDFRONT-scope SiteWebAcl's arn (made in us-east-1)
        access_logs=access_logs,
        log_retention=cdk.Duration.days(90),
        removal_policy=cdk.RemovalPolicy.DESTROY,
    )


@example(OperationsMonitoring)
def operations_monitoring(scope: Construct, *, alarm_topic: sns.ITopic) -> OperationsMonitoring:
    return OperationsMonitoring(
        scope,
        "Operations",
        name_prefix="team-media",
        alarm_topic=alarm_topic,
        thresholds=AlarmThresholds(function_errors=2),
        pipeline=PipelineMetrics(
            namespace="TeamMedia",
            dimensions={"environment": "prod"},
            steps={"ingest": "Ingest", "transcode-state": "TranscodeState"},
            failed_outcome="failed",
            transcode_state_service="transcode-state",
            ingest_service="ingest",
            upload_outcomes=("accepted", "rejected"),
        ),
        functions={"Ingest": "team-media-ingest"},
        dead_letter_queues={"IngestFailures": "team-media-ingest-dlq"},
        work_queues={"Ingest": "team-media-ingest"},
        tables={"Media": "team-media-table"},
        instances={},
        transcode_queue_name="team-media-transcoding",
        web=WebTier(
            load_balancer_full_name="app/team-media/0123456789abcdef",
            target_group_full_name="targetgroup/team-media/0123456789abcdef",
        ),
        distributions={"CloudFront": "E2EXAMPLE"},
        alarm_on_distribution=False,  # True only in a us-east-1 stack (CloudFront metrics)
        aged_queues={"Ingest": AgedQueue(queue_name="team-media-ingest", max_age_seconds=600)},
        rules={"Uploaded": DeliveryRule(rule_name="team-media-uploaded", event_bus_name="media")},
    )


# -- what a team already has: the examples' inputs -------------------------------------------


@_input
def key(scope: Construct) -> kms.IKey:
    data = DataKey(scope, "Key", description="inputs", removal_policy=cdk.RemovalPolicy.DESTROY)
    data.allow_cloudwatch_logs()
    data.allow_service("events.amazonaws.com")
    return data.key


@_input
def access_logs(scope: Construct) -> s3.IBucket:
    return access_log_bucket(scope).bucket


@_input
def media_bucket(scope: Construct, *, key: kms.IKey, access_logs: s3.IBucket) -> s3.IBucket:
    return secure_bucket(scope, key=key, access_logs=access_logs).bucket


@_input
def code(scope: Construct) -> lambda_.Code:
    return lambda_.Code.from_inline("def handler(event, context):\n    return event\n")


@_input
def work_queue(scope: Construct, *, key: kms.IKey) -> sqs.IQueue:
    return queue_with_dead_letters(scope, key=key).queue


def _asynchronous_function(
    scope: Construct, construct_id: str, *, description: str, key: kms.IKey, code: lambda_.Code
) -> PipelineFunction:
    """A function invoked asynchronously, its failures kept in ``<construct_id>Failures``."""
    return PipelineFunction(
        scope,
        construct_id,
        description=description,
        handler="index.handler",
        code=code,
        layers=[],
        environment={},
        encryption_key=key,
        log_retention=logs.RetentionDays.ONE_WEEK,
        reserved_concurrency=1,
        async_dead_letter_queue=dead_letter_queue(
            scope, f"{construct_id}Failures", encryption_key=key
        ),
    )


@_input
def handler(scope: Construct, *, key: kms.IKey, code: lambda_.Code) -> lambda_.IFunction:
    return _asynchronous_function(
        scope, "Handler", description="an event handler", key=key, code=code
    ).function


@_input
def key_generator(scope: Construct, *, key: kms.IKey, code: lambda_.Code) -> PipelineFunction:
    return _asynchronous_function(
        scope,
        "KeyGenerator",
        description="generates the playback key pair at deploy time",
        key=key,
        code=code,
    )


@_input
def packaging(scope: Construct, *, key: kms.IKey, media_bucket: s3.IBucket) -> VodPackaging:
    return vod_packaging(scope, key=key, media_bucket=media_bucket)


@_input
def playback_key(
    scope: Construct, *, key: kms.IKey, key_generator: PipelineFunction
) -> PlaybackSigningKey:
    return playback_signing_key(scope, key=key, key_generator=key_generator)


@_input
def site_bundle(scope: Construct) -> s3_assets.Asset:
    folder = Path(tempfile.mkdtemp(prefix="site-bundle-"))
    (folder / "deploy").mkdir()
    (folder / "deploy" / "install.sh").write_text("#!/bin/bash\nexit 0\n")
    return s3_assets.Asset(scope, "SiteBundle", path=str(folder))


@_input
def site(
    scope: Construct, *, key: kms.IKey, access_logs: s3.IBucket, site_bundle: s3_assets.Asset
) -> WebHosting:
    return web_hosting(scope, key=key, access_logs=access_logs, site_bundle=site_bundle)


#: A CLOUDFRONT-scope web ACL a team made in us-east-1 (by ARN, from another stack or app).
EXISTING_WEB_ACL_ARN = (
    "arn:aws:wafv2:us-east-1:123456789012:global/webacl/team-site/"
    "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"
)


@_input
def web_acl_arn(scope: Construct, *, key: kms.IKey) -> str:
    """A SiteWebAcl of this stack where one can be made (us-east-1, or a stack whose Region is
    decided at deployment), else an existing one's ARN."""
    region = cdk.Stack.of(scope).region
    if cdk.Token.is_unresolved(region) or region == "us-east-1":
        return site_web_acl(scope, key=key).arn
    return EXISTING_WEB_ACL_ARN


@_input
def vpc_origin_group_id(scope: Construct) -> str:
    return "sg-0123456789abcdef0"


@_input
def alarm_topic(scope: Construct, *, key: kms.IKey) -> sns.ITopic:
    return secure_topic(scope, key=key).topic


def _logged_into(scope: Construct, subject: Any, inputs: Mapping[str, Any]) -> None:
    """cdk-nag takes a bucket for an access-log destination when some bucket logs into it."""
    secure_bucket(scope, key=key(scope), access_logs=subject.bucket)


def _behind_site_distribution(scope: Construct, subject: Any, inputs: Mapping[str, Any]) -> None:
    """The site's load balancer is meant to be reached only through a SiteDistribution (which
    carries the WAF), and cdk-nag needs a bucket that logs into the access-log bucket."""
    secure_bucket(scope, key=inputs["key"], access_logs=inputs["access_logs"])
    site_distribution(
        scope,
        site=subject,
        web_acl_arn=web_acl_arn(scope, key=inputs["key"]),
        access_logs=inputs["access_logs"],
        vpc_origin_group_id=vpc_origin_group_id(scope),
    )


COMPANIONS["AccessLogBucket"] = _logged_into
COMPANIONS["WebHosting"] = _behind_site_distribution


# -- building -------------------------------------------------------------------------------


@dataclass
class Built:
    """An example built in a stack: the construct, the inputs it was given, and what existed
    before it (construct paths of CloudFormation resources; acknowledgments by path)."""

    name: str
    stack: cdk.Stack
    construct: Construct
    inputs: dict[str, Any]
    resources_before: set[str] = field(default_factory=set)
    #: (construct path, acknowledgment id) of those the example made (not its inputs or companion)
    acknowledgments_made: set[tuple[str, str]] = field(default_factory=set)


def example_inputs(name: str) -> list[str]:
    """The keyword parameters of ``name``'s example: the inputs it needs."""
    parameters = inspect.signature(EXAMPLES[name]).parameters.values()
    return [p.name for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY]


def resolve_inputs(scope: Construct, names: Iterable[str]) -> dict[str, Any]:
    """The inputs ``names`` (and those they need), built under ``scope``."""
    built: dict[str, Any] = {}
    for name in names:
        _resolve(scope, name, built)
    return built


def _resolve(scope: Construct, name: str, built: dict[str, Any]) -> Any:
    if name not in built:
        builder = INPUTS[name]
        parameters = inspect.signature(builder).parameters.values()
        kwargs = {
            p.name: _resolve(scope, p.name, built)
            for p in parameters
            if p.kind is inspect.Parameter.KEYWORD_ONLY
        }
        built[name] = builder(scope, **kwargs)
    return built[name]


def build_in(stack: cdk.Stack, name: str) -> Built:
    """Build ``name``'s inputs under ``Support`` in ``stack``, then its example, then its
    companion; record what existed before the example."""
    support = Construct(stack, SUPPORT)
    inputs = resolve_inputs(support, example_inputs(name))
    before = [c for c in stack.node.find_all() if isinstance(c, cdk.CfnResource)]
    acknowledged = _acknowledgments(stack)
    construct = EXAMPLES[name](stack, **{n: inputs[n] for n in example_inputs(name)})
    made = _acknowledgments(stack) - acknowledged
    companion = COMPANIONS.get(name)
    if companion is not None:
        companion(Construct(stack, COMPANION), construct, inputs)
    return Built(
        name=name,
        stack=stack,
        construct=construct,
        inputs=inputs,
        resources_before={c.node.path for c in before},
        acknowledgments_made=made,
    )


def _acknowledgments(scope: Construct) -> set[tuple[str, str]]:
    """(construct path, acknowledgment id) of every acknowledgment made at or below ``scope``."""
    return {
        (c.node.path, ack_id)
        for c in scope.node.find_all()
        for entry in c.node.metadata
        if entry.type == "aws:cdk:acknowledged-rules"
        for ack_id in entry.data
    }


def example_source(name: str) -> str:
    """The example's source, as the page shows it."""
    return inspect.getsource(EXAMPLES[name])


def is_exported_construct(value: object) -> bool:
    return isinstance(value, type) and issubclass(value, Construct)
