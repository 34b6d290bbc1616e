"""The processing pipeline on one machine (``make dev``), wired from the synthesized template.

Routes are the Pipeline stack's own EventBridge rules (:mod:`tools.local.eventbridge`): their
event patterns and their targets (function -> its ``Handler`` and ``Environment`` as
synthesized). Events the handlers put on the local bus reach a tap queue and are dispatched to
every rule whose pattern matches, to the same handler code Lambda would run, with that function's
environment. What AWS alone provides is stood in for, visibly: MediaConvert by
:mod:`tools.local.transcoder` (ffmpeg, same job), MediaPackage VOD by
:mod:`tools.local.mediapackage` (an asset is its HLS output, served by the site), and the
analysis services by :mod:`tools.local.analysis` (local facts only, labelled as such). The
deletion queue goes to the real deletion handler, as Lambda's SQS poller would. A scheduled rule
(the stuck-media sweeper's) invokes its function at the template's own rate with the event
EventBridge sends (``Scheduled Event``), counted from the platform's start.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import queue
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import boto3

from snapstream_runtime import video
from snapstream_runtime.contract import ENV_UPLOADS_BUCKET
from snapstream_runtime.settings import Settings, current_settings
from tools.local.analysis import analyse_locally
from tools.local.aws import ACCOUNT, REGION, LocalResources, function_environment
from tools.local.eventbridge import matches, resolve_deep, routes, scheduled_event, schedules
from tools.local.lambdas import LambdaContext, deliver_queue
from tools.local.mediapackage import LocalMediaPackage, installed
from tools.local.transcoder import LocalTranscoder

log = logging.getLogger("snapstream.local")
MAX_ATTEMPTS = 3
#: Resource types moto does not provide: their names and ARNs are local placeholders.
STAND_IN_TYPES = frozenset(
    {
        "AWS::MediaConvert::Queue",
        "AWS::MediaConvert::JobTemplate",
        "AWS::IAM::Role",
        "AWS::SNS::Topic",
        "AWS::SQS::Queue",
        "AWS::Lambda::Function",
    }
)


def add_stand_ins(template: Mapping[str, Any], resources: LocalResources, region: str) -> None:
    """Placeholders for the template's resources that are not created locally."""
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] in STAND_IN_TYPES and logical_id not in resources.arns:
            service = resource["Type"].split("::")[1].lower()
            arn = f"arn:aws:{service}:{region}:{ACCOUNT}:local/{logical_id}"
            resources.record(logical_id, name=f"local-{logical_id}", arn=arn, ref=arn)


class LocalPipeline:
    """Dispatches bus events and transcoder reports; call :meth:`step` from one worker thread."""

    def __init__(
        self,
        templates: Mapping[tuple[str, str], Mapping[str, Any]],
        resources: LocalResources,
        settings: Settings,
        *,
        env: str = "dev",
        region: str = REGION,
    ) -> None:
        self.template = templates[env, "Pipeline"]
        self.resources, self.settings = resources, settings
        add_stand_ins(self.template, resources, region)
        self.routes = routes(self.template, resources)
        self.base_environment = dict(os.environ)
        self.reports: queue.Queue[dict[str, Any]] = queue.Queue()
        transcode_queue = resolve_deep(
            function_environment(self.template, "TranscodeSubmitFunction", resources), resources
        )
        self.transcoder = LocalTranscoder(
            self.reports.put, queue_arn=transcode_queue.get("MEDIACONVERT_QUEUE_ARN", "")
        )
        self.tap_url = self._tap(resources)
        self.attempts: dict[str, int] = {}
        self.mediapackage = LocalMediaPackage(
            self._environment("PackageFunction").get("PACKAGING_CONFIGURATIONS", "{}")
        )
        self.deletion = self._consumer("DeletionFunction")
        self.schedules = schedules(self.template)
        started = time.time()
        self.due = {s.rule: started + s.every_seconds for s in self.schedules}

    def _tap(self, resources: LocalResources) -> str:
        """A queue receiving every SnapStream event on the local bus."""
        sqs, events = boto3.client("sqs"), boto3.client("events")
        url = sqs.create_queue(QueueName="local-bus-tap")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        bus = resources.names[resources.find("EventBus")]
        events.put_rule(
            Name="local-bus-tap",
            EventBusName=bus,
            EventPattern=json.dumps({"source": ["snapstream.media"]}),
        )
        events.put_targets(
            Rule="local-bus-tap",
            EventBusName=bus,
            Targets=[{"Id": "tap", "Arn": arn["Attributes"]["QueueArn"]}],
        )
        return str(url)

    def _consumer(self, function_prefix: str) -> tuple[str, str, str]:
        """(function logical id, queue URL, queue ARN) of the queue ``function_prefix`` reads."""
        for mapping in self.template["Resources"].values():
            if mapping["Type"] != "AWS::Lambda::EventSourceMapping":
                continue
            function = mapping["Properties"]["FunctionName"]["Ref"]
            if function.startswith(function_prefix):
                [queue, _] = mapping["Properties"]["EventSourceArn"]["Fn::GetAtt"]
                return function, self.resources.refs[queue], self.resources.arns[queue]
        raise LookupError(f"no queue feeds {function_prefix}")

    @contextmanager
    def stand_ins(self) -> Iterator[None]:
        """Swap the adapters for services that exist only on AWS, for the block."""
        namespace = vars(video)  # the name submit_transcode calls
        saved = namespace["create_transcode_job"]
        namespace["create_transcode_job"] = self.transcoder.create_transcode_job
        try:
            with installed(self.mediapackage):
                yield
        finally:
            namespace["create_transcode_job"] = saved

    def _environment(self, function_prefix: str) -> dict[str, str]:
        environment = function_environment(self.template, function_prefix, self.resources)
        return {**environment, ENV_UPLOADS_BUCKET: self.settings.uploads_bucket}

    def _invoke(self, function: str, event: dict[str, Any]) -> Any:
        resource = self.template["Resources"][function]
        handler_path = resource["Properties"]["Handler"]
        module_name, _, attribute = handler_path.rpartition(".")
        handler: Callable[..., Any] = getattr(importlib.import_module(module_name), attribute)
        os.environ.clear()
        os.environ.update({**self.base_environment, **self._environment(function)})
        current_settings.cache_clear()
        try:
            return handler(event, LambdaContext(function))
        finally:
            current_settings.cache_clear()

    def dispatch(self, event: dict[str, Any]) -> int:
        """Deliver one EventBridge event to every matching rule's target; returns how many."""
        delivered = 0
        for route in self.routes:
            if not matches(route.pattern, event):
                continue
            delivered += 1
            if route.through_queue:
                # The analysis queue's consumer calls AWS analysis services: stood in locally.
                analyse_locally(event.get("detail") or {}, self.settings)
            else:
                self._invoke(route.function, event)
        return delivered

    def _deliver(self, message: dict[str, Any]) -> bool:
        """Dispatch one tapped event; True once it is done with (handled or given up on).

        A failing event is retried on later steps, like a Lambda retry; after
        :data:`MAX_ATTEMPTS` it is dropped with its error logged, as a dead-letter queue would.
        """
        try:
            self.dispatch(json.loads(message["Body"]))
        except Exception:
            attempts = self.attempts.get(message["MessageId"], 0) + 1
            self.attempts[message["MessageId"]] = attempts
            log.exception("event failed (attempt %d of %d)", attempts, MAX_ATTEMPTS)
            return attempts >= MAX_ATTEMPTS
        return True

    def deliver_deletions(self) -> list[dict[str, Any]]:
        """Hand the deletion queue to the deletion handler (a failed message comes back after
        a moment, and after the queue's limit moves to its dead-letter queue)."""
        function, url, arn = self.deletion
        return deliver_queue(url, arn, lambda event: self._invoke(function, event), retry_after=2)

    def run_schedules(self, now: float | None = None) -> int:
        """Invoke each scheduled rule's function whose time has come (``now``: epoch seconds);
        returns how many ran. A failing run is logged; the next comes at the rule's rate."""
        moment = time.time() if now is None else now
        ran = 0
        for schedule in self.schedules:
            if moment < self.due[schedule.rule]:
                continue
            self.due[schedule.rule] = moment + schedule.every_seconds
            ran += 1
            try:
                self._invoke(schedule.function, scheduled_event(schedule.rule, moment))
            except Exception:
                log.exception("scheduled %s failed", schedule.rule)
        return ran

    def step(self) -> int:
        """Drain the bus tap, the transcoder's reports and the deletion queue once; returns
        events handled."""
        handled = 0
        sqs = boto3.client("sqs")
        while messages := sqs.receive_message(QueueUrl=self.tap_url, MaxNumberOfMessages=10).get(
            "Messages", []
        ):
            for message in messages:
                if self._deliver(message):
                    sqs.delete_message(
                        QueueUrl=self.tap_url, ReceiptHandle=message["ReceiptHandle"]
                    )
                handled += 1
        while not self.reports.empty():
            report = self.reports.get()
            detail = self.transcoder.run(report["job_id"], report["job"])
            self.dispatch(
                {
                    "source": "aws.mediaconvert",
                    "detail-type": "MediaConvert Job State Change",
                    "account": ACCOUNT,
                    "region": REGION,
                    "detail": detail,
                }
            )
            handled += 1
        handled += len(self.deliver_deletions())
        return handled + self.run_schedules()
