"""Amazon Rekognition: what it sees in an image (stored in S3, or passed as the bytes of a JPEG
made for it), and video analysis jobs (started here, each reporting to an SNS topic; their
results read page by page once it has)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from snapstream_runtime.adapters.clients import client

#: the largest result page the Get* video APIs return
_RESULTS_PER_PAGE = 1000


@dataclass(frozen=True)
class StoredFile:
    """One object version in S3, as Rekognition reads it."""

    bucket: str
    key: str
    version_id: str | None = None

    def location(self) -> dict[str, Any]:
        found = {"Bucket": self.bucket, "Name": self.key}
        return {"S3Object": {**found, **({"Version": self.version_id} if self.version_id else {})}}


@dataclass(frozen=True)
class ImageBytes:
    """An image sent with the request (a JPEG or PNG of at most 5 MB): read with no S3 access."""

    data: bytes

    def location(self) -> dict[str, Any]:
        return {"Bytes": self.data}


#: what the image operations read
RekognitionImage = StoredFile | ImageBytes


@dataclass(frozen=True)
class Completion:
    """Where a video job reports its end: an SNS topic, published to with a role Rekognition
    is passed."""

    topic_arn: str
    role_arn: str


# -- images --------------------------------------------------------------------------------------


def image_labels(image: RekognitionImage, *, max_labels: int, min_confidence: float) -> list[Any]:
    """``Labels`` (with ``Parents`` and ``Instances``' bounding boxes)."""
    response = client("rekognition").detect_labels(
        Image=image.location(), MaxLabels=max_labels, MinConfidence=min_confidence
    )
    return list(response.get("Labels", []))


def image_text(image: RekognitionImage) -> list[Any]:
    """``TextDetections``: lines, and the words in them."""
    response = client("rekognition").detect_text(Image=image.location())
    return list(response.get("TextDetections", []))


def image_moderation_labels(image: RekognitionImage, *, min_confidence: float) -> list[Any]:
    response = client("rekognition").detect_moderation_labels(
        Image=image.location(), MinConfidence=min_confidence
    )
    return list(response.get("ModerationLabels", []))


def celebrities_in_image(image: RekognitionImage) -> list[Any]:
    """``CelebrityFaces``."""
    response = client("rekognition").recognize_celebrities(Image=image.location())
    return list(response.get("CelebrityFaces", []))


# -- videos --------------------------------------------------------------------------------------


def _start(operation: str, video: StoredFile, done: Completion, **request: Any) -> str:
    """Start one job (``ClientRequestToken`` in ``request`` makes a repeat return the first
    job); its id."""
    response = getattr(client("rekognition"), operation)(
        Video=video.location(),
        NotificationChannel={"SNSTopicArn": done.topic_arn, "RoleArn": done.role_arn},
        **request,
    )
    return str(response["JobId"])


def start_label_detection(
    video: StoredFile, done: Completion, *, job_tag: str, token: str, min_confidence: float
) -> str:
    return _start(
        "start_label_detection",
        video,
        done,
        JobTag=job_tag,
        ClientRequestToken=token,
        MinConfidence=min_confidence,
    )


def start_text_detection(video: StoredFile, done: Completion, *, job_tag: str, token: str) -> str:
    return _start("start_text_detection", video, done, JobTag=job_tag, ClientRequestToken=token)


def start_segment_detection(
    video: StoredFile, done: Completion, *, job_tag: str, token: str, segment_types: list[str]
) -> str:
    return _start(
        "start_segment_detection",
        video,
        done,
        JobTag=job_tag,
        ClientRequestToken=token,
        SegmentTypes=segment_types,
    )


def _pages(operation: str, request: dict[str, Any], entries: str) -> Iterator[list[Any]]:
    """``entries`` of every page of a Get* result (NextToken until there is none)."""
    call = getattr(client("rekognition"), operation)
    while True:
        page: dict[str, Any] = call(**request)
        yield list(page.get(entries, []))
        if not page.get("NextToken"):
            return
        request = {**request, "NextToken": page["NextToken"]}


def label_pages(job_id: str) -> Iterator[list[Any]]:
    """A label job's ``Labels`` (each with its ``Timestamp``), in time order, one list per page."""
    request = {"JobId": job_id, "SortBy": "TIMESTAMP", "MaxResults": _RESULTS_PER_PAGE}
    return _pages("get_label_detection", request, "Labels")


def text_pages(job_id: str) -> Iterator[list[Any]]:
    """A text job's ``TextDetections`` (each with its ``Timestamp``), one list per page."""
    request = {"JobId": job_id, "MaxResults": _RESULTS_PER_PAGE}
    return _pages("get_text_detection", request, "TextDetections")


def segment_pages(job_id: str) -> Iterator[list[Any]]:
    """A segment job's ``Segments``, one list per page."""
    request = {"JobId": job_id, "MaxResults": _RESULTS_PER_PAGE}
    return _pages("get_segment_detection", request, "Segments")
