"""SnapStream on one machine, on loopback (``make dev``): a moto server as the AWS, resources
created from the synthesized templates, the Flask site, and a worker that hands S3's notifications
to the real ingest handler (and the deletion queue to the real deletion handler) the way Lambda's
SQS poller does, then runs the pipeline's rules with local stand-ins for the services only AWS
has (:mod:`tools.local.pipeline`).

The browser tests and the local-platform test start it exactly this way.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import secrets
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

from snapstream_runtime.contract import ENV_UPLOADS_BUCKET
from snapstream_runtime.settings import Settings, current_settings
from tools.local.aws import REGION, LocalResources, function_environment, provision
from tools.local.lambdas import deliver_ingest
from tools.local.moto_server import free_port, moto_server, point_boto3_at

log = logging.getLogger("snapstream.local")


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
            from tools.local.pipeline import LocalPipeline

            local_pipeline = LocalPipeline(templates, resources, settings, env=env, region=REGION)
        worker = Worker(resources, local_pipeline)
        worker.start()
        port = site_port or free_port()
        try:
            with serve(app, port):
                yield LocalPlatform(endpoint, resources, settings, f"http://127.0.0.1:{port}")
        finally:
            worker.stop()
