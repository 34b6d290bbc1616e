"""Marginal cost of uploads by media mix: what 1,000 more uploads cost in one environment.

Quantities come from three places, each named in the report: the environment's templates
(function memory and architecture, tracing, the MediaConvert job template and its acceleration,
which analyses are switched on, the table's indexes), the AWS calls per pipeline step measured
in docs/performance.md, and the runtime code (which Rekognition Image APIs run per image). What
none of them says is an assumption, stated in :data:`ASSUMPTIONS` and next to the figure.
"""

from __future__ import annotations

import ast
import math
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from snapstream_runtime import contract
from snapstream_runtime.speech import CHUNK_BYTES
from tools.cost.idle import CostLine
from tools.cost.inventory import Environment
from tools.cost.prices import Price, price

REPO = Path(__file__).resolve().parents[2]
PERFORMANCE_DOC = REPO / "docs" / "performance.md"
IMAGE_ANALYSIS = REPO / "runtime" / "snapstream_runtime" / "image_analysis.py"
UPLOADS = 1000
MB = 1e6
GB = 1e9


@dataclass(frozen=True)
class MediaProfile:
    kind: str
    megabytes: float
    seconds: float
    description: str


PROFILES: Mapping[str, MediaProfile] = MappingProxyType(
    {
        "image": MediaProfile("image", 3.0, 0, "3 MB JPEG photo"),
        "audio": MediaProfile("audio", 1.0, 60, "60-second recording (128 kbit/s, 1 MB)"),
        "video": MediaProfile("video", 180.0, 180, "3-minute 1080p video (8 Mbit/s, 180 MB)"),
    }
)
#: Share of each kind in 1,000 uploads.
MIXES: Mapping[str, Mapping[str, float]] = MappingProxyType(
    {
        "image-heavy": {"image": 0.90, "audio": 0.05, "video": 0.05},
        "balanced": {"image": 0.60, "audio": 0.20, "video": 0.20},
        "video-heavy": {"image": 0.20, "audio": 0.10, "video": 0.70},
    }
)

# -- assumptions (each is printed in docs/cost.md) ----------------------------------------------
SPEECH_CHARACTERS_PER_MINUTE = 900  # ~150 spoken words of ~6 characters
TRANSACTION_ITEMS = 2  # items per TransactWriteItems (2 write units each)
BATCH_WRITE_ITEMS = 10  # items per BatchWriteItem (tags, analysis results)
SQS_REQUESTS_PER_MESSAGE = 3  # send, receive, delete (batching ignored)
LOG_BYTES_PER_INVOCATION = 2000
THUMBNAIL_MB = 0.03
TRANSCRIPT_MB_PER_MINUTE = 0.1
FRAME_MB = 0.1
TRANSCODE_SPEED = 1.0  # MediaConvert job seconds per second of video (progress events)
#: Lambda duration per invocation, by handler module, in milliseconds.
DURATION_MS: Mapping[str, int] = MappingProxyType(
    {
        "ingest": 400,
        "analysis": 300,  # starting speech/video jobs
        "analysis:image": 2500,  # three Rekognition calls, Pillow thumbnail and EXIF
        "transcription_state": 1500,
        "transcode_submit": 300,
        "transcode_state": 200,
        "package": 600,
        "video_labels": 1500,
    }
)
#: Not measured in docs/performance.md: a video label/text/segment job's completion (reading the
#: results, storing them, tags), assumed like the image analysis' table work.
VIDEO_JOB_DONE_OPERATIONS = (
    "DynamoDB.GetItem",
    "DynamoDB.PutItem",
    "DynamoDB.BatchWriteItem",
    "DynamoDB.GetItem",
    "DynamoDB.TransactWriteItems",
    "DynamoDB.UpdateItem",
)
ASSUMPTIONS = (
    "Media: " + "; ".join(f"{p.kind} = {p.description}" for p in PROFILES.values()) + ".",
    "Storage is one month of the originals and everything derived from them (S3 Standard; "
    "versioning and Standard-IA transitions ignored).",
    f"DynamoDB: on-demand; an item read is 1 read unit, a write 1 write unit (items under 1 KB); "
    f"TransactWriteItems writes {TRANSACTION_ITEMS} items at 2 units each, BatchWriteItem "
    f"{BATCH_WRITE_ITEMS} items; every write also updates one global secondary index "
    "when the table has any.",
    "Lambda durations per invocation (ms): "
    + ", ".join(f"{name} {ms}" for name, ms in DURATION_MS.items())
    + "; memory and architecture are the templates'.",
    f"SQS: {SQS_REQUESTS_PER_MESSAGE} requests per message (send, receive, delete), no batching.",
    f"Logs: {LOG_BYTES_PER_INVOCATION} bytes per invocation; X-Ray: one trace per invocation "
    "where tracing is active.",
    f"Speech: {SPEECH_CHARACTERS_PER_MINUTE} characters of transcript a minute; Comprehend "
    f"analyses it in chunks of {CHUNK_BYTES} bytes (3-unit minimum per request).",
    f"Video: MediaConvert runs at {TRANSCODE_SPEED:g}x real time (progress events), every "
    "output is billed for the video's full length, frame-capture outputs at the SD rate, "
    "QVBR outputs sized at their maximum bitrate (an upper bound); with acceleration "
    "PREFERRED every job is priced at the professional tier (an upper bound). Automated ABR "
    "(the HLS group) is priced as its most: MaxRenditions renditions, each HD at MaxAbrBitrate, "
    "at the professional tier's per-minute rate (AWS bills Automated ABR at the professional "
    "tier; its multi-pass rate may differ from the rate in the price table: check "
    "https://aws.amazon.com/mediaconvert/pricing/ before relying on this line).",
    "MediaPackage VOD bills the GB it packages for viewers; as a proxy every video's HLS "
    "ladder is packaged once (viewing itself, CloudFront and data transfer out, is not an "
    "upload cost and is left out).",
    "Video label, text and segment job completions: "
    + ", ".join(VIDEO_JOB_DONE_OPERATIONS)
    + " (not measured).",
    "Uploads go browser -> S3 directly and the instances reach S3 and DynamoDB through gateway "
    "endpoints, so uploads add no NAT or load balancer traffic worth counting; KMS requests "
    "are negligible (S3 Bucket Keys).",
    "Free tiers and volume discounts are ignored.",
)


@dataclass(frozen=True)
class Function:
    memory_mb: int
    price_name: str
    traced: bool
    variables: Mapping[str, Any]


@dataclass(frozen=True)
class Step:
    """One handler invocation: its measured AWS calls (a docs/performance.md row), or assumed."""

    function: str
    performance_row: str | None = None
    operations: tuple[str, ...] = ()
    duration: str | None = None
    sqs_messages: int = 0
    times: float = 1


# -- reading the sources -------------------------------------------------------------------------


def measured_operations(doc: Path = PERFORMANCE_DOC) -> dict[str, list[str]]:
    """The AWS calls per pipeline step from docs/performance.md's table (step -> operations)."""
    rows: dict[str, list[str]] = {}
    in_table = False
    for line in doc.read_text(encoding="utf-8").splitlines():
        if line.startswith("| step | calls"):
            in_table = True
            continue
        if in_table and not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        if in_table and len(cells) == 4 and not set(cells[0]) <= {"-"}:
            rows[cells[0]] = [op.strip() for op in cells[3].split(",")]
    if not rows:
        raise ValueError(f"{doc} has no table of AWS calls per pipeline step")
    return rows


def rekognition_image_apis(source: Path = IMAGE_ANALYSIS) -> dict[str, str | None]:
    """Rekognition calls in ``recognize``: API -> the flag guarding it (None: always)."""
    tree = ast.parse(source.read_text(encoding="utf-8"))
    [function] = [
        n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "recognize"
    ]
    apis: dict[str, str | None] = {}

    def visit(node: ast.AST, guard: str | None) -> None:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name):
            for child in node.body:
                visit(child, node.test.id)
            for child in node.orelse:
                visit(child, guard)
            return
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "rekognition"
        ):
            apis[node.func.attr] = guard
        for inner in ast.iter_child_nodes(node):
            visit(inner, guard)

    visit(function, None)
    return apis


def _functions(env: Environment) -> dict[str, Function]:
    """SnapStream's functions by handler module (``ingest``, ``analysis``, ...)."""
    found: dict[str, Function] = {}
    for _, resource in env.resources("AWS::Lambda::Function"):
        props = resource["Properties"]
        handler = str(props.get("Handler", ""))
        match = re.fullmatch(r"snapstream_runtime\.handlers\.(\w+)\.handler", handler)
        if not match:
            continue
        architecture = (props.get("Architectures") or ["x86_64"])[0]
        found[match.group(1)] = Function(
            memory_mb=int(props.get("MemorySize", 128)),
            price_name=f"lambda_gb_second_{architecture}",
            traced=props.get("TracingConfig", {}).get("Mode") == "Active",
            variables=props.get("Environment", {}).get("Variables", {}),
        )
    return found


def _flag(function: Function, name: str) -> bool:
    return str(function.variables.get(name, "false")).lower() == "true"


@dataclass(frozen=True)
class _Output:
    tier: str  # sd, hd, uhd
    frame_capture: bool
    bits_per_second: int
    hls: bool
    frames_per_second: float
    max_frames: int
    #: a rendition Automated ABR may make: billed at the professional tier whatever the queue
    automated: bool = False


@dataclass(frozen=True)
class _Transcoding:
    outputs: tuple[_Output, ...]
    accelerated: bool
    segment_seconds: float
    status_interval_seconds: int


def _transcoding(env: Environment) -> _Transcoding:
    [(_, resource)] = list(env.resources("AWS::MediaConvert::JobTemplate"))
    props = resource["Properties"]
    outputs = []
    segment_seconds = 6.0
    for group in props["SettingsJson"]["OutputGroups"]:
        settings = group["OutputGroupSettings"]
        hls = settings["Type"] == "HLS_GROUP_SETTINGS"
        if hls:
            segment_seconds = float(settings["HlsGroupSettings"]["SegmentLength"])
        abr = group.get("AutomatedEncodingSettings", {}).get("AbrSettings")
        for output in group["Outputs"]:
            if abr is not None:  # priced as the most it may make: every rendition HD, at most
                outputs.extend(_automated_renditions(abr, output, hls=hls))
                continue
            video = output.get("VideoDescription", {})
            codec = video.get("CodecSettings", {})
            height = int(video.get("Height", 0))
            capture = codec.get("FrameCaptureSettings", {})
            audio = _audio_bits(output)
            video_bits = int(codec.get("H264Settings", {}).get("MaxBitrate", 0))
            outputs.append(
                _Output(
                    tier="sd" if height < 720 else "hd" if height <= 1080 else "uhd",
                    frame_capture=codec.get("Codec") == "FRAME_CAPTURE",
                    bits_per_second=video_bits + audio,
                    hls=hls,
                    frames_per_second=capture.get("FramerateNumerator", 0)
                    / capture.get("FramerateDenominator", 1),
                    max_frames=int(capture.get("MaxCaptures", 0)),
                )
            )
    mode = props.get("AccelerationSettings", {}).get("Mode", "DISABLED")
    interval = str(props.get("StatusUpdateInterval", "SECONDS_60"))
    return _Transcoding(
        outputs=tuple(outputs),
        accelerated=mode in {"ENABLED", "PREFERRED"},
        segment_seconds=segment_seconds,
        status_interval_seconds=int(interval.removeprefix("SECONDS_")),
    )


def _audio_bits(output: dict[str, Any]) -> int:
    return sum(
        int(a["CodecSettings"].get("AacSettings", {}).get("Bitrate", 0))
        for a in output.get("AudioDescriptions", [])
    )


def _automated_renditions(
    abr: dict[str, Any], output: dict[str, Any], *, hls: bool
) -> list[_Output]:
    """Automated ABR's renditions, as an upper bound: ``MaxRenditions`` of them (MediaConvert's
    default 15 when unset), each HD at ``MaxAbrBitrate`` (8 Mbit/s by default) plus its audio."""
    bits = int(abr.get("MaxAbrBitrate", 8_000_000)) + _audio_bits(output)
    rendition = _Output(
        tier="hd",
        frame_capture=False,
        bits_per_second=bits,
        hls=hls,
        frames_per_second=0,
        max_frames=0,
        automated=True,
    )
    return [rendition] * int(abr.get("MaxRenditions", 15))


def _table_has_indexes(env: Environment) -> bool:
    return any(
        r["Properties"].get("GlobalSecondaryIndexes")
        for _, r in env.resources("AWS::DynamoDB::Table")
    )


# -- the model ----------------------------------------------------------------------------------


class _Bill:
    """Per-upload quantities by (item, price), summed as steps add to them."""

    def __init__(self) -> None:
        self.quantities: dict[tuple[str, str], float] = defaultdict(float)
        self.prices: dict[str, Price] = {}

    def add(self, item: str, price_name: str, quantity: float) -> None:
        self.quantities[item, price_name] += quantity
        self.prices[price_name] = price(price_name)

    def lines(self) -> list[CostLine]:
        return [
            CostLine(item, quantity, self.prices[price_name], "per upload")
            for (item, price_name), quantity in self.quantities.items()
            if quantity
        ]


class _Model:
    def __init__(self, env: Environment) -> None:
        self.functions = _functions(env)
        self.transcoding = _transcoding(env)
        self.index_writes = 1 if _table_has_indexes(env) else 0
        self.measured = measured_operations()
        self.image_apis = rekognition_image_apis()

    def steps(self, profile: MediaProfile) -> Iterator[Step]:
        if profile.kind == "image":
            yield Step("ingest", "ingest: accepted image", sqs_messages=1)
            yield Step("analysis", "analysis: image", duration="analysis:image", sqs_messages=1)
            return
        yield Step("ingest", "ingest: accepted video", sqs_messages=1)
        yield Step("analysis", "analysis: start audio transcription", sqs_messages=1)
        yield Step("transcription_state", "analysis: transcript")
        if profile.kind != "video":
            return
        transcoding = self.transcoding
        job_seconds = profile.seconds * TRANSCODE_SPEED
        yield Step("transcode_submit", "video: submit")
        yield Step(
            "transcode_state",
            "video: progress event",
            times=1 + job_seconds // transcoding.status_interval_seconds,
        )
        yield Step("transcode_state", "video: transcode complete")
        yield Step("package", "video: package")
        jobs = self.video_jobs()
        # starting each Rekognition Video job records its step (one UpdateItem each)
        yield Step("analysis", operations=("DynamoDB.UpdateItem",), duration="", times=jobs)
        yield Step("video_labels", operations=VIDEO_JOB_DONE_OPERATIONS, times=jobs)

    def video_jobs(self) -> int:
        extra = _flag(self.functions["analysis"], contract.ENV_VIDEO_TEXT_SEGMENTS)
        return 3 if extra else 1

    def per_upload(self, profile: MediaProfile) -> list[CostLine]:
        bill = _Bill()
        bill.add("S3 PUT requests", "s3_put", 1)  # the browser's presigned POST
        for step in self.steps(profile):
            self._step(bill, step, profile)
        self._storage(bill, profile)
        if profile.kind == "image":
            analysis = self.functions["analysis"]
            calls = sum(
                1
                for guard in self.image_apis.values()
                if guard is None or _flag(analysis, contract.ENV_CELEBRITIES)
            )
            bill.add("Rekognition Image API calls", "rekognition_image", calls)
        else:
            self._speech(bill, profile)
        if profile.kind == "video":
            self._video(bill, profile)
        return bill.lines()

    def _step(self, bill: _Bill, step: Step, profile: MediaProfile) -> None:
        function = self.functions[step.function]
        if step.performance_row is not None:
            operations = self._row(step.performance_row)
        else:
            operations = list(step.operations)
        for operation in operations:
            self._operation(bill, operation, profile, step.times)
        if step.duration == "":  # calls made inside another step's invocation
            return
        milliseconds = DURATION_MS[step.duration or step.function]
        bill.add("Lambda requests", "lambda_request", step.times)
        bill.add(
            "Lambda compute (GB-seconds)",
            function.price_name,
            step.times * function.memory_mb / 1024 * milliseconds / 1000,
        )
        bill.add(
            "CloudWatch Logs ingestion (GB)",
            "logs_ingest_gb",
            step.times * LOG_BYTES_PER_INVOCATION / GB,
        )
        if function.traced:
            bill.add("X-Ray traces", "xray_trace", step.times)
        bill.add("SQS requests", "sqs_request", step.sqs_messages * SQS_REQUESTS_PER_MESSAGE)

    def _row(self, prefix: str) -> list[str]:
        matches = [ops for step, ops in self.measured.items() if step.startswith(prefix)]
        if len(matches) != 1:
            raise ValueError(f"docs/performance.md: expected one step {prefix!r}, {len(matches)}")
        return matches[0]

    def _operation(self, bill: _Bill, operation: str, profile: MediaProfile, times: float) -> None:
        service, _, action = operation.partition(".")
        writes = {"PutItem": 1, "UpdateItem": 1, "DeleteItem": 1}
        writes |= {"TransactWriteItems": 2 * TRANSACTION_ITEMS, "BatchWriteItem": BATCH_WRITE_ITEMS}
        if service == "DynamoDB" and action in writes:
            units = writes[action] * (1 + self.index_writes)
            bill.add("DynamoDB write units", "dynamodb_write_unit", times * units)
        elif service == "DynamoDB" and action in {"GetItem", "Query", "BatchGetItem"}:
            bill.add("DynamoDB read units", "dynamodb_read_unit", times)
        elif service == "S3" and action in {"GetObject", "HeadObject"}:
            bill.add("S3 GET requests", "s3_get", times)
        elif service == "S3" and action in {"PutObject", "CopyObject"}:
            bill.add("S3 PUT requests", "s3_put", times)
        elif service == "SNS" and action == "Publish":
            bill.add("SNS publishes", "sns_publish", times)
        elif service == "EventBridge" and action == "PutEvents":
            bill.add("EventBridge custom events", "eventbridge_event", times)
        elif service == "Comprehend":
            self._comprehend(bill, action, profile, times)
        elif operation == "S3.DeleteObject" or service in _PRICED_BY_QUANTITY:
            return  # free, or priced by minutes/images below
        else:
            raise ValueError(f"the cost model has no price for {operation} (tools/cost/uploads.py)")

    def _comprehend(self, bill: _Bill, action: str, profile: MediaProfile, times: float) -> None:
        characters = profile.seconds / 60 * SPEECH_CHARACTERS_PER_MINUTE
        chunks = max(1, math.ceil(characters / CHUNK_BYTES))
        per_chunk = characters / chunks
        calls = 1 if action == "DetectDominantLanguage" else chunks
        units = calls * max(3, math.ceil(per_chunk / 100))
        bill.add("Comprehend units", "comprehend_unit", times * units)

    def _speech(self, bill: _Bill, profile: MediaProfile) -> None:
        minutes = max(profile.seconds, 15) / 60  # billed per second, 15-second minimum
        bill.add("Transcribe minutes", "transcribe_minute", minutes)
        bill.add("S3 GET requests", "s3_get", 1)  # Transcribe reads the upload

    def _video(self, bill: _Bill, profile: MediaProfile) -> None:
        minutes = profile.seconds / 60
        analysis = self.functions["analysis"]
        extra = _flag(analysis, contract.ENV_VIDEO_TEXT_SEGMENTS)
        bill.add(
            "Rekognition Video minutes", "rekognition_video_minute", minutes * (2 if extra else 1)
        )
        if extra:
            bill.add("Rekognition segment minutes", "rekognition_segment_minute", minutes * 2)
        jobs = self.video_jobs()
        bill.add("SNS publishes", "sns_publish", jobs)  # Rekognition's completion notices
        bill.add("S3 GET requests", "s3_get", jobs + 1)  # Rekognition and MediaConvert read
        transcoding = self.transcoding
        segments = math.ceil(profile.seconds / transcoding.segment_seconds)
        for output in transcoding.outputs:
            rate = "sd" if output.frame_capture else output.tier
            professional = transcoding.accelerated or output.automated
            tier, label = ("_professional", "professional") if professional else ("", "basic")
            bill.add(
                f"MediaConvert {rate.upper()} output minutes ({label} tier)",
                f"mediaconvert_{rate}_minute{tier}",
                minutes,
            )
            if output.frame_capture:
                frames = min(output.max_frames, 1 + profile.seconds * output.frames_per_second)
                bill.add("S3 PUT requests", "s3_put", frames)
            elif output.hls:
                bill.add("S3 PUT requests", "s3_put", segments + 1)
                bill.add("S3 GET requests", "s3_get", segments + 1)  # MediaPackage ingest
            else:
                bill.add("S3 PUT requests", "s3_put", 1)
        bill.add("S3 PUT requests", "s3_put", 1)  # the HLS main manifest
        bill.add(
            "MediaPackage VOD packaging (GB)", "mediapackage_vod_gb", self._hls_bytes(profile) / GB
        )

    def _hls_bytes(self, profile: MediaProfile) -> float:
        return sum(
            o.bits_per_second / 8 * profile.seconds for o in self.transcoding.outputs if o.hls
        )

    def _storage(self, bill: _Bill, profile: MediaProfile) -> None:
        megabytes = profile.megabytes
        if profile.kind == "image":
            megabytes += THUMBNAIL_MB
        else:
            megabytes += TRANSCRIPT_MB_PER_MINUTE * profile.seconds / 60
        if profile.kind == "video":
            for output in self.transcoding.outputs:
                if output.frame_capture:
                    frames = min(output.max_frames, 1 + profile.seconds * output.frames_per_second)
                    megabytes += frames * FRAME_MB
                else:
                    megabytes += output.bits_per_second / 8 * profile.seconds / MB
        bill.add("S3 storage, first month (GB-month)", "s3_gb_month", megabytes / 1000)


#: Calls whose cost is counted by minutes or images, not per call.
_PRICED_BY_QUANTITY = {"Rekognition", "Transcribe", "MediaConvert", "MediaPackage Vod"}


def per_upload_lines(env: Environment) -> dict[str, list[CostLine]]:
    """Cost lines of one upload of each kind in ``env``."""
    model = _Model(env)
    return {kind: model.per_upload(profile) for kind, profile in PROFILES.items()}


def mix_cost(per_kind: Mapping[str, list[CostLine]], shares: Mapping[str, float]) -> float:
    """Cost of :data:`UPLOADS` uploads with the given shares of each kind."""
    return UPLOADS * math.fsum(
        share * line.usd for kind, share in shares.items() for line in per_kind[kind]
    )
