"""Shared by the deletion tests (runtime, web): the deletion queue as synthesized, the deletion
function's environment, and running the real handler over the queue until it settles."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from snapstream_runtime import settings as settings_module
from snapstream_runtime.handlers import deletion as deletion_handler
from snapstream_runtime.settings import Settings
from tools.local.aws import LocalResources, function_environment
from tools.local.lambdas import LambdaContext as _Context
from tools.local.lambdas import deliver_queue
from tools.local.mediapackage import LocalMediaPackage, installed
from tools.local.platform import provision_pipeline_queues


@dataclasses.dataclass
class DeletionQueue:
    url: str
    arn: str
    dead_letters_url: str
    environment: dict[str, str]

    def bodies(self) -> list[dict[str, Any]]:
        """The messages waiting (left in the queue, visible again at once)."""
        sqs = boto3.client("sqs")
        found = sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10).get("Messages", [])
        for message in found:
            sqs.change_message_visibility(
                QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
            )
        return [json.loads(m["Body"]) for m in found]

    def dead_letters(self) -> list[dict[str, Any]]:
        sqs = boto3.client("sqs")
        found = sqs.receive_message(
            QueueUrl=self.dead_letters_url, MaxNumberOfMessages=10, AttributeNames=["All"]
        ).get("Messages", [])
        return list(found)


@pytest.fixture
def deletion_queue(
    templates: dict[tuple[str, str], dict[str, Any]], local_aws: LocalResources
) -> DeletionQueue:
    provision_pipeline_queues(templates["dev", "Pipeline"], local_aws)
    queue, dead = local_aws.find("DeletionQueue"), local_aws.find("DeletionQueueDeadLetters")
    environment = function_environment(templates["dev", "Pipeline"], "DeletionFunction", local_aws)
    return DeletionQueue(
        local_aws.refs[queue], local_aws.arns[queue], local_aws.refs[dead], environment
    )


@pytest.fixture
def deletion_settings(settings: Settings, deletion_queue: DeletionQueue) -> Settings:
    """The deletion function's settings as synthesized (buckets, table, topic, queue)."""
    synthesized = Settings.from_environment(deletion_queue.environment)
    return dataclasses.replace(settings, **_deletion_fields(synthesized))


def _deletion_fields(synthesized: Settings) -> dict[str, Any]:
    return {
        "uploads_bucket": synthesized.uploads_bucket,
        "media_bucket": synthesized.media_bucket,
        "notifications_topic_arn": synthesized.notifications_topic_arn,
        "deletion_queue_url": synthesized.deletion_queue_url,
    }


@pytest.fixture
def as_deletion_function(
    deletion_queue: DeletionQueue, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """The process environment of the deletion function (its handler reads it)."""
    for name, value in deletion_queue.environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "deletion")
    settings_module.current_settings.cache_clear()
    yield
    settings_module.current_settings.cache_clear()


def settle(
    queue: DeletionQueue, packager: LocalMediaPackage | None = None, rounds: int = 20
) -> list[dict[str, Any]]:
    """Run the deletion handler over the queue until nothing is left (needs
    ``as_deletion_function``); a failed message is retried at once. Returns the batch results."""
    results: list[dict[str, Any]] = []
    with installed(packager or LocalMediaPackage()):
        for _ in range(rounds):
            batch = deliver_queue(
                queue.url,
                queue.arn,
                lambda event: deletion_handler.handler(event, _Context()),
                retry_after=0,
            )
            if not batch:
                return results
            results.extend(batch)
    raise AssertionError(f"the deletion queue did not settle: {results[-3:]}")
