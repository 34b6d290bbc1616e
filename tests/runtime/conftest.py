"""Runtime tests run the real handlers against moto, provisioned from the synthesized templates."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto import mock_aws

from snapstream_runtime import settings as settings_module
from snapstream_runtime.adapters import clients
from snapstream_runtime.contract import ENV_UPLOADS_BUCKET
from snapstream_runtime.settings import Settings
from tests.runtime.custom_resources import cloudformation  # noqa: F401 (a shared fixture)
from tools.authority.proof import Authority
from tools.local.aws import LocalResources, function_environment, provision

REGION = "us-east-1"


@pytest.fixture(autouse=True)
def _isolated_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "POWERTOOLS_METRICS_NAMESPACE": "SnapStream",
        "POWERTOOLS_SERVICE_NAME": "test",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    clients.reset()
    settings_module.current_settings.cache_clear()
    yield
    clients.reset()
    settings_module.current_settings.cache_clear()


@pytest.fixture
def local_aws(templates: dict[tuple[str, str], dict[str, Any]]) -> Iterator[LocalResources]:
    with mock_aws():
        yield provision(templates["dev", "Data"], region=REGION)


@pytest.fixture
def ingest_environment(
    templates: dict[tuple[str, str], dict[str, Any]], local_aws: LocalResources
) -> dict[str, str]:
    """The ingest function's environment exactly as synthesized, resolved locally."""
    return function_environment(templates["dev", "Pipeline"], "IngestFunction", local_aws)


@pytest.fixture
def pipeline_environment(
    templates: dict[tuple[str, str], dict[str, Any]],
    local_aws: LocalResources,
    dev_authority: Authority,
) -> Callable[[str], dict[str, str]]:
    """A Pipeline function's environment as synthesized: moto's resources where moto has them,
    else the names the IAM evaluator gives (MediaConvert, MediaPackage, Pipeline-stack roles)."""

    def environment(function_prefix: str) -> dict[str, str]:
        return function_environment(
            templates["dev", "Pipeline"],
            function_prefix,
            local_aws,
            fallback=lambda value: dev_authority.env.resolve(value, "Pipeline"),
        )

    return environment


@pytest.fixture
def settings(ingest_environment: dict[str, str], local_aws: LocalResources) -> Settings:
    uploads = local_aws.names[local_aws.find("UploadsBucket")]
    return Settings.from_environment({**ingest_environment, ENV_UPLOADS_BUCKET: uploads})


@dataclass
class Observed:
    """Captures what reached the event bus and the notifications topic (via SQS queues)."""

    events_queue: str
    notifications_queue: str

    def _drain(self, url: str) -> list[dict[str, Any]]:
        sqs = boto3.client("sqs", region_name=REGION)
        messages: list[dict[str, Any]] = []
        while True:
            batch = sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
            ).get("Messages", [])
            if not batch:
                return messages
            for message in batch:
                messages.append(message)
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(m["Body"]) for m in self._drain(self.events_queue)]

    def notifications(self) -> list[dict[str, Any]]:
        return self._drain(self.notifications_queue)


@pytest.fixture
def observed(settings: Settings) -> Observed:
    sqs = boto3.client("sqs", region_name=REGION)
    events = boto3.client("events", region_name=REGION)
    sns = boto3.client("sns", region_name=REGION)

    def queue(name: str) -> tuple[str, str]:
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        return url, arn["Attributes"]["QueueArn"]

    events_url, events_arn = queue("observe-events")
    events.put_rule(
        Name="observe-all",
        EventBusName=settings.event_bus_name,
        EventPattern=json.dumps({"source": ["snapstream.media"]}),
    )
    events.put_targets(
        Rule="observe-all",
        EventBusName=settings.event_bus_name,
        Targets=[{"Id": "queue", "Arn": events_arn}],
    )
    notes_url, notes_arn = queue("observe-notifications")
    sns.subscribe(
        TopicArn=settings.notifications_topic_arn,
        Protocol="sqs",
        Endpoint=notes_arn,
        Attributes={"RawMessageDelivery": "true"},
    )
    return Observed(events_url, notes_url)
