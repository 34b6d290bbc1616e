"""The website under a bounded load on loopback: gunicorn (workers as deployed) against a moto
server whose table holds 10,000 media of the user being served.

Each round sends the same number of requests to each endpoint from the same number of clients,
the endpoints interleaved round by round; the report gives the median over rounds of requests per
second and of p50/p99 latency, and the errors (any non-2xx/3xx answer).
"""

from __future__ import annotations

import os
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import requests

from bench.common import REPO
from bench.pipeline_calls import _templates
from bench.scaling import _fill
from snapstream_runtime import contract
from tools.local.aws import provision
from tools.local.moto_server import free_port, moto_server_process, point_boto3_at
from tools.local.platform import local_settings

MEDIA = 10_000
CLIENTS = 4
REQUESTS_PER_ROUND = 24
ROUNDS = 3


def workers() -> int:
    """As deployed (web/deploy): two per vCPU plus one."""
    return 2 * (os.cpu_count() or 1) + 1


def _start_site(environment: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    gunicorn = str(REPO / ".venv" / "bin" / "gunicorn")
    process = subprocess.Popen(
        [
            gunicorn,
            "--workers",
            str(workers()),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            # moto's Query walks the whole table (10,000+ items) per call: seconds, not the 30 s
            # deployed default's concern here
            "--timeout",
            "300",
            contract.WEB_WSGI_APP,
        ],
        env={**os.environ, **environment, "PYTHONPATH": f"{REPO / 'runtime'}:{REPO / 'web'}"},
        cwd=REPO,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}{contract.WEB_HEALTH_PATH}", timeout=5).ok:
                return process
        except requests.RequestException:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not answer its health check")


def _client(site: str, email: str, password: str) -> tuple[requests.Session, str]:
    session = requests.Session()
    token = session.get(f"{site}/api/session", timeout=10).json()["csrf_token"]
    answer = session.post(
        f"{site}/api/session",
        json={"email": email, "password": password},
        headers={"X-CSRF-Token": token},
        timeout=10,
    )
    answer.raise_for_status()
    return session, answer.json()["csrf_token"]


def _run(
    call: Callable[[requests.Session, str], requests.Response],
    clients: list[tuple[requests.Session, str]],
) -> dict[str, float]:
    per_client = REQUESTS_PER_ROUND // len(clients)

    def drive(client: tuple[requests.Session, str]) -> list[tuple[float, bool]]:
        results = []
        for _ in range(per_client):
            started = time.perf_counter()
            response = call(*client)
            results.append((time.perf_counter() - started, response.status_code < 400))
        return results

    started = time.perf_counter()
    with ThreadPoolExecutor(len(clients)) as pool:
        outcomes = [r for batch in pool.map(drive, clients) for r in batch]
    elapsed = time.perf_counter() - started
    latencies = sorted(t for t, _ in outcomes)
    return {
        "rps": len(outcomes) / elapsed,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        "errors": float(sum(1 for _, ok in outcomes if not ok)),
    }


def measure() -> dict[str, dict[str, float]]:
    from snapstream_runtime.adapters.table import Table
    from snapstream_runtime.library import library_page
    from snapstream_runtime.pagination import Cursors
    from snapstream_web import accounts

    cursors = Cursors.from_secret(secrets.token_urlsafe(32))
    data, pipeline = _templates()
    templates = {("dev", "Data"): data, ("dev", "Pipeline"): pipeline}
    with moto_server_process() as endpoint:
        point_boto3_at(endpoint)
        resources = provision(data)
        environment, settings = local_settings(templates, resources, "dev")
        password = secrets.token_urlsafe(16)
        user = accounts.register(
            Table(settings.table_name), email="load@example.com", username="load", password=password
        )
        started = time.perf_counter()
        _fill(settings.table_name, MEDIA, owners=[user.user_id])
        print(f"  filled {MEDIA} media in {time.perf_counter() - started:.0f} s", flush=True)
        query_seconds = []
        for _ in range(3):  # the library's one Query, timed alone: moto's own cost
            began = time.perf_counter()
            library_page(settings.table_name, user.user_id, cursors=cursors, limit=24)
            query_seconds.append(time.perf_counter() - began)
        secret = boto3.client("secretsmanager").create_secret(
            Name="bench-web-secret", SecretString=secrets.token_urlsafe(48)
        )["ARN"]
        site_environment = {
            **environment,
            contract.ENV_UPLOADS_BUCKET: settings.uploads_bucket,
            contract.ENV_MEDIA_BUCKET: settings.media_bucket,
            contract.ENV_WEB_SECRET_KEY: secret,
            contract.ENV_WEB_SECURE_COOKIES: "false",
            "AWS_ENDPOINT_URL": endpoint,
        }
        port = free_port()
        site = f"http://127.0.0.1:{port}"
        process = _start_site(site_environment, port)
        try:
            clients = [_client(site, "load@example.com", password) for _ in range(CLIENTS)]
            media_id = f"{0:032x}"
            upload: dict[str, Any] = {
                "file_name": "clip.mp4",
                "content_type": "video/mp4",
                "size": 1_000_000,
            }
            endpoints: dict[str, Callable[[requests.Session, str], requests.Response]] = {
                "GET /library (24 of 10,000)": lambda s, t: s.get(f"{site}/library", timeout=120),
                "GET /media/<id>": lambda s, t: s.get(f"{site}/media/{media_id}", timeout=120),
                "POST /api/uploads (presign)": lambda s, t: s.post(
                    f"{site}/api/uploads", json=upload, headers={"X-CSRF-Token": t}, timeout=120
                ),
            }
            rounds: dict[str, list[dict[str, float]]] = {name: [] for name in endpoints}
            for _ in range(ROUNDS):
                for name, call in endpoints.items():
                    rounds[name].append(_run(call, clients))
        finally:
            process.terminate()
            process.wait(timeout=120)
    results: dict[str, dict[str, float]] = {
        "moto: the library Query alone": {"query_s": statistics.median(query_seconds)}
    }
    return results | {
        name: {
            key: statistics.median(r[key] for r in results)
            if key != "errors"
            else sum(r[key] for r in results)
            for key in results[0]
        }
        for name, results in rounds.items()
    }


def section() -> list[str]:
    results = measure()
    lines = [
        "## Website under load (loopback)",
        "",
        f"gunicorn with {workers()} sync workers (as deployed: 2 per vCPU + 1) serving the site",
        f"against a moto server whose table holds {MEDIA:,} media of the logged-in user;",
        f"{CLIENTS} concurrent clients, {REQUESTS_PER_ROUND} requests per endpoint per round,",
        f"{ROUNDS} rounds interleaved; medians over rounds. Latency includes moto's own time",
        "(an in-memory DynamoDB/S3 emulator in Python on the same 2 cores), so absolute figures",
        "are a floor for this machine, not AWS figures.",
        "",
        "| endpoint | requests/s | p50 ms | p99 ms | errors |",
        "|---|---|---|---|---|",
    ]
    query = results.pop("moto: the library Query alone")["query_s"]
    for name, figures in results.items():
        lines.append(
            f"| {name} | {figures['rps']:.0f} | {figures['p50_ms']:.1f} | "
            f"{figures['p99_ms']:.1f} | {figures['errors']:.0f} |"
        )
    lines += [
        "",
        "The library page is one DynamoDB Query for 24 items (see the scaling table), but moto",
        "answers a Query by walking the whole table: that Query alone, with no load, took",
        f"**{query:.2f} s** in moto at {MEDIA:,} media, so the library row measures the emulator.",
        "The media page also runs a Query (its analysis items), so it too waits on moto; the",
        "presign call (one PutItem, a locally computed signature) shows the site's own overhead.",
    ]
    return [*lines, ""]


if __name__ == "__main__":
    sys.stdout.write("\n".join(section()) + "\n")
