"""Lambda handlers: cold import time against the floor, code size, AWS calls per upload."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from functools import partial
from io import BytesIO
from pathlib import Path

from bench.common import REPO, interleaved, median

TARGET_RATIO = 1.3
FLOOR = (
    "import boto3\n"
    "from aws_lambda_powertools import Logger, Metrics, Tracer\n"
    "Logger(); Metrics(namespace='SnapStream'); Tracer()\n"
)
HANDLERS = {
    name: f"import snapstream_runtime.handlers.{name}\n"
    for name in (
        "ingest",
        "transcode_submit",
        "transcode_state",
        "package",
        "analysis",
        "transcription_state",
        "video_labels",
    )
}


def _import_seconds(code: str) -> float:
    """Import time in a fresh interpreter (start-up excluded), as in a Lambda cold start."""
    timed = f"import time\n_t = time.perf_counter()\n{code}print(time.perf_counter() - _t)\n"
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO / "runtime"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_SERVICE_NAME": "bench",
    }
    result = subprocess.run(
        [sys.executable, "-c", timed], env=env, check=True, capture_output=True, text=True
    )
    return float(result.stdout.strip().splitlines()[-1])


def _zipped_size(root: Path) -> int:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, path.relative_to(root))
    return len(buffer.getvalue())


def section(runs: int) -> list[str]:
    measures: dict[str, Callable[[], float]] = {"floor": partial(_import_seconds, FLOOR)}
    measures |= {name: partial(_import_seconds, code) for name, code in HANDLERS.items()}
    samples = interleaved(measures, runs)
    floor = median(samples["floor"])
    lines = [
        "## Lambda handlers",
        "",
        "Cold import: each run imports in a fresh interpreter (bytecode cache off), floor =",
        "`import boto3` + Powertools Logger/Metrics/Tracer, measured in the same rounds.",
        "",
        "| import | runs | median (ms) | ratio to floor | target |",
        "|---|---|---|---|---|",
        f"| floor | {runs} | {floor * 1000:.0f} | 1.00 | |",
    ]
    for name in HANDLERS:
        value = median(samples[name])
        ratio = value / floor
        verdict = "met" if ratio <= TARGET_RATIO else "NOT met"
        lines.append(
            f"| {name} handler | {runs} | {value * 1000:.0f} | {ratio:.2f} | "
            f"<= {TARGET_RATIO} ({verdict}) |"
        )
    code_kib = _zipped_size(REPO / "runtime") / 1024
    layer = REPO / "build" / "lambda-layer"
    layer_kib = _zipped_size(layer) / 1024 if layer.is_dir() else float("nan")
    lines += [
        "",
        f"Code asset (`runtime/`, zipped): **{code_kib:.0f} KiB**; dependencies layer (Powertools, "
        f"X-Ray SDK, cryptography, Pillow; arm64, zipped): **{layer_kib / 1024:.1f} MiB**.",
        "",
    ]
    lines += _calls_section()
    return lines


def _calls_section() -> list[str]:
    from bench.pipeline_calls import calls_per_upload

    rows = calls_per_upload()
    video = sum(
        len(small)
        for name, (small, _) in rows.items()
        if "video" in name and "progress" not in name
    )
    return [
        "AWS calls per pipeline step (moto, MediaConvert and MediaPackage VOD via Stubber; counted",
        "at botocore), with an empty table and with 1,000 other media records already stored.",
        f"A video costs **{video} calls** from upload to ready (plus 2 per progress event).",
        "",
        "| step | calls (empty table) | calls (1,000 records) | operations |",
        "|---|---|---|---|",
        *(
            f"| {name} | {len(small)} | {len(large)} | {', '.join(small)} |"
            for name, (small, large) in rows.items()
        ),
        "",
    ]
