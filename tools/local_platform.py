"""SnapStream on one machine, on loopback (``make dev``): a moto server as the AWS, resources
created from the synthesized templates, the Flask site, and a worker that hands S3's notifications
to the real ingest handler (and the deletion queue to the real deletion handler) the way Lambda's
SQS poller does, then runs the pipeline's rules with local stand-ins for the services only AWS
has (:mod:`tools.local_pipeline`).

The browser tests and the local-platform test start it exactly this way.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import secrets
import socket
import threading
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

import boto3
import requests
from moto.server import ThreadedMotoServer
from werkzeug.serving import BaseWSGIServer, make_server

from snapstream_runtime.adapters import clients
from snapstream_runtime.contract import ENV_UPLOADS_BUCKET
from snapstream_runtime.settings import Settings, current_settings
from tools.local_aws import LocalResources, function_environment, provision

REGION = "us-east-1"
LOCAL_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_DEFAULT_REGION": REGION,
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_NAMESPACE": "SnapStream",
    "POWERTOOLS_SERVICE_NAME": "local",
}
log = logging.getLogger("snapstream.local")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def moto_server(port: int = 0) -> Iterator[str]:
    """A moto server on loopback; yields its endpoint. Its state is per process: reset around."""
    port = port or free_port()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per emulated AWS call
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    requests.post(f"{endpoint}/moto-api/reset", timeout=10)
    try:
        yield endpoint
    finally:
        requests.post(f"{endpoint}/moto-api/reset", timeout=10)
        server.stop()


def point_boto3_at(endpoint: str, environ: dict[str, str] | os._Environ[str] = os.environ) -> None:
    environ.update({**LOCAL_CREDENTIALS, "AWS_ENDPOINT_URL": endpoint})
    environ.pop("AWS_PROFILE", None)
    environ.pop("AWS_SESSION_TOKEN", None)
    clients.reset()
    current_settings.cache_clear()


@contextmanager
def moto_server_process(port: int = 0) -> Iterator[str]:
    """A moto server in its own process (benchmarks: it must not share a GIL with the load)."""
    import subprocess
    import sys
    import time

    port = port or free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.post(f"{endpoint}/moto-api/reset", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=30)


class _Context:
    """The bits of a Lambda context Powertools reads."""

    function_name = "local-ingest"
    memory_limit_in_mb = 256
    invoked_function_arn = f"arn:aws:lambda:{REGION}:123456789012:function:local-ingest"
    aws_request_id = "local"


def sqs_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    """The event Lambda's SQS poller passes for these received messages."""
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": {},
                "md5OfBody": m["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": REGION,
            }
            for m in messages
        ]
    }


def deliver_queue(
    url: str,
    arn: str,
    handler: Callable[[dict[str, Any]], Any],
    *,
    retry_after: int | None = None,
) -> list[dict[str, Any]]:
    """Hand a queue's messages to ``handler`` in batches as Lambda's SQS poller does, until it
    is empty; delete what it processed. Failed records stay for redelivery (partial batch
    responses), visible again after ``retry_after`` seconds (else the queue's own timeout)."""
    sqs = boto3.client("sqs")
    results: list[dict[str, Any]] = []
    while True:
        messages = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"]
        ).get("Messages", [])
        if not messages:
            return results
        result = handler(sqs_event(messages, arn))
        results.append(result)
        failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
        for message in messages:
            if message["MessageId"] not in failed:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            elif retry_after is not None:
                sqs.change_message_visibility(
                    QueueUrl=url,
                    ReceiptHandle=message["ReceiptHandle"],
                    VisibilityTimeout=retry_after,
                )


def deliver_ingest(resources: LocalResources) -> list[dict[str, Any]]:
    """Hand what S3 sent to the ingest queue to the ingest handler."""
    from snapstream_runtime.handlers import ingest as ingest_handler

    logical_id = resources.find("IngestQueue")
    return deliver_queue(
        resources.refs[logical_id],
        resources.arns[logical_id],
        lambda event: ingest_handler.handler(event, _Context()),
    )


def provision_pipeline_queues(template: Mapping[str, Any], resources: LocalResources) -> None:
    """The Pipeline stack's queues (the deletion queue and its dead-letter queue among them),
    as synthesized, added to ``resources``."""
    pipeline = provision(template, region=REGION)
    for logical_id, name in pipeline.names.items():
        resources.record(
            logical_id, name=name, arn=pipeline.arns[logical_id], ref=pipeline.refs[logical_id]
        )


class Worker(threading.Thread):
    """Delivers events to the handlers every ``interval`` seconds until stopped: S3's
    notifications to ingest and, with a pipeline, bus events and transcoder reports."""

    def __init__(
        self, resources: LocalResources, pipeline: Any = None, interval: float = 0.5
    ) -> None:
        super().__init__(name="snapstream-local-worker", daemon=True)
        self.resources, self.pipeline, self.interval = resources, pipeline, interval
        self.stopped = threading.Event()

    def run(self) -> None:
        with self.pipeline.stand_ins() if self.pipeline else nullcontext():
            while not self.stopped.wait(self.interval):
                try:
                    deliver_ingest(self.resources)
                    if self.pipeline:
                        self.pipeline.step()
                except Exception:  # keep going: one bad event must not stop the platform
                    log.exception("local worker: delivery failed")

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=10)


@dataclass
class LocalPlatform:
    endpoint: str
    resources: LocalResources
    settings: Settings
    site_url: str


def local_settings(
    templates: Mapping[tuple[str, str], Mapping[str, Any]], resources: LocalResources, env: str
) -> tuple[dict[str, str], Settings]:
    """The ingest function's environment as synthesized, and the site's settings from it."""
    environment = function_environment(templates[env, "Pipeline"], "IngestFunction", resources)
    uploads = resources.names[resources.find("UploadsBucket")]
    settings = Settings.from_environment({**environment, ENV_UPLOADS_BUCKET: uploads})
    media = resources.names[resources.find("MediaBucket")]
    deletions = resources.refs[resources.find("DeletionQueue")]
    return environment, dataclasses.replace(
        settings, media_bucket=media, deletion_queue_url=deletions
    )


@contextmanager
def serve(app: Any, port: int) -> Iterator[BaseWSGIServer]:
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="snapstream-site", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        thread.join(timeout=10)


@contextmanager
def running_platform(
    templates: Mapping[tuple[str, str], Mapping[str, Any]],
    *,
    env: str = "dev",
    site_port: int = 0,
    moto_port: int = 0,
    pipeline: bool = True,
) -> Iterator[LocalPlatform]:
    """Everything up (moto, resources, worker, site); torn down on exit. With ``pipeline``,
    videos are transcoded with ffmpeg and files get local analysis (``make dev``)."""
    from snapstream_web import create_app
    from snapstream_web.config import WebConfig

    with moto_server(moto_port) as endpoint:
        point_boto3_at(endpoint)
        resources = provision(templates[env, "Data"], region=REGION)
        provision_pipeline_queues(templates[env, "Pipeline"], resources)
        environment, settings = local_settings(templates, resources, env)
        os.environ.update(environment)
        current_settings.cache_clear()
        config = WebConfig(
            settings=settings,
            secret_key=secrets.token_urlsafe(32),
            secure_cookies=False,  # plain HTTP on loopback
            local_media=True,
            local_mail=True,  # no SES here: the site's e-mail waits at /dev/outbox, unsent
        )
        app = create_app(config)
        app.config["AWS_BROWSER_ORIGIN"] = endpoint
        local_pipeline = None
        if pipeline:
            from tools.local_pipeline import LocalPipeline

            local_pipeline = LocalPipeline(templates, resources, settings, env=env, region=REGION)
        worker = Worker(resources, local_pipeline)
        worker.start()
        port = site_port or free_port()
        try:
            with serve(app, port):
                yield LocalPlatform(endpoint, resources, settings, f"http://127.0.0.1:{port}")
        finally:
            worker.stop()


def _synthesized_templates() -> dict[tuple[str, str], dict[str, Any]]:
    import tempfile
    from pathlib import Path

    from tools.assembly import stacks
    from tools.synthesis import synthesize_all

    outdir = synthesize_all(Path(tempfile.mkdtemp(prefix="snapstream-local-")))
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for stack in stacks(outdir):
        _, env, name = stack.stack_name.split("-", 2)
        found[env, name] = stack.template
    return found


def main() -> None:
    """``make dev``: SnapStream on http://127.0.0.1:8080 against local AWS, until Ctrl-C."""
    import time

    from snapstream_runtime.adapters.table import Table
    from snapstream_web import accounts

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("snapstream").setLevel(logging.INFO)
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    print("synthesizing the app (the local resources are made from its templates)…", flush=True)
    templates = _synthesized_templates()
    with running_platform(templates, site_port=8080) as platform:
        password = secrets.token_urlsafe(12)
        table = Table(platform.settings.table_name)
        accounts.register(table, email="demo@example.com", username="demo", password=password)
        accounts.set_role(table, "demo@example.com", "admin")
        print(
            f"\nSnapStream is running at {platform.site_url}\n"
            f"  demo account (admin): demo@example.com / {password}\n"
            f"  local AWS (moto server): {platform.endpoint}\n"
            f"  e-mail is not sent: the site's messages wait at {platform.site_url}/dev/outbox\n"
            "  videos are transcoded by ffmpeg from the MediaConvert job template; images, audio\n"
            "  and video get local technical analysis (labels and transcripts run on AWS only)\n"
            "  everything is in memory: stopping forgets all accounts and media\n"
            "  Ctrl-C stops everything.\n",
            flush=True,
        )
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print("stopping…", flush=True)


if __name__ == "__main__":
    main()
