"""The local AWS endpoint: a moto server on loopback, and boto3 pointed at it.

A thread in this process for ``make dev`` and the tests; its own process for the benchmarks,
which must not share a GIL with the load they measure.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager

import requests
from moto.server import ThreadedMotoServer

from snapstream_runtime.adapters import clients
from snapstream_runtime.settings import current_settings
from tools.local.aws import REGION

LOCAL_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_DEFAULT_REGION": REGION,
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_NAMESPACE": "SnapStream",
    "POWERTOOLS_SERVICE_NAME": "local",
}


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
