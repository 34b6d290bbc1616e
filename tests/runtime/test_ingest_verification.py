"""Ingest verifies the stored object, not the POST policy's promise.

moto enforces no presigned-POST policy, so each attack below lands in the bucket exactly as it did
in the local run of issue #17 (5,000 bytes under a declared 10, a file stored as text/html, a
POST to another user's waiting key, stray keys). The real handler must refuse every one. The
policy itself is proven by decoding it: every condition S3 would enforce is asserted.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
import requests

from snapstream_runtime import contract
from snapstream_runtime.handlers import ingest as handler_module
from snapstream_runtime.ingest import ObjectCreated, Outcome, ingest
from snapstream_runtime.lifecycle import Status
from snapstream_runtime.settings import Settings
from snapstream_runtime.uploads import UploadTicket
from tests.runtime.conftest import Observed
from tests.runtime.image_bombs import BOMBS, EXTENSIONS, jpeg_bomb
from tests.runtime.samples import png_bytes
from tests.runtime.test_ingest import _Context, _media
from tests.runtime.uploads_helpers import OWNER, put_object, s3_notification, sqs_event, ticket_for
from tools.authority.proof import Authority, describe
from tools.authority.recorder import SITE, Call

INTRUDER = "a" * 32


def _policy(ticket: UploadTicket) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(base64.b64decode(ticket.fields["policy"]))
    return document


def _post(
    settings: Settings,
    ticket: UploadTicket,
    body: bytes,
    *,
    key: str | None = None,
    fields: dict[str, str] | None = None,
) -> str | None:
    """POST ``body`` with the ticket's form as a browser does (``key`` and ``fields`` forged);
    moto stores it whatever the policy says. The new version id."""
    form = {**ticket.fields, **(fields or {}), "key": key or ticket.key}
    posted = requests.post(
        ticket.url, data=form, files={"file": ("f", body, ticket.content_type)}, timeout=10
    )
    assert posted.status_code in (200, 201, 204), posted.text
    head = boto3.client("s3").head_object(Bucket=settings.uploads_bucket, Key=form["key"])
    version: str | None = head.get("VersionId")
    return version


@pytest.fixture
def deliver(
    settings: Settings, ingest_environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> Callable[[str, str | None], None]:
    """Hand one S3 notification to the real ingest handler (every record must succeed)."""
    for name, value in ingest_environment.items():
        monkeypatch.setenv(name, value)

    def deliver(key: str, version_id: str | None) -> None:
        event = sqs_event(s3_notification(settings.uploads_bucket, key, version_id))
        assert handler_module.handler(event, _Context()) == {"batchItemFailures": []}

    return deliver


def _versions(settings: Settings, key: str) -> list[str]:
    listing = boto3.client("s3").list_object_versions(Bucket=settings.uploads_bucket, Prefix=key)
    entries = [*listing.get("Versions", []), *listing.get("DeleteMarkers", [])]
    return [v["VersionId"] for v in entries if v["Key"] == key]


# -- the policy: every condition S3 enforces, decoded -----------------------------------------


def test_the_post_policy_pins_every_condition(
    settings: Settings, pipeline_environment: Callable[[str], dict[str, str]]
) -> None:
    data_key = pipeline_environment("AnalysisFunction")[contract.ENV_UPLOADS_KEY]
    signing = dataclasses.replace(settings, uploads_kms_key_arn=data_key)
    before = datetime.now(UTC).replace(microsecond=0)
    # ${filename} would make botocore write a starts-with key condition: safe names drop it.
    ticket = ticket_for(signing, "Hafen ${filename}.png", "image/png", 12_345)
    after = datetime.now(UTC)
    assert ticket.key == f"uploads/{OWNER}/{ticket.media_id}/Hafen_filename_.png"
    policy = _policy(ticket)

    expiration = datetime.strptime(policy["expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    expiry = timedelta(seconds=settings.presign_expiry_seconds)
    assert before + expiry <= expiration <= after + expiry

    conditions = policy["conditions"]
    # SigV4: S3 refuses SigV2 for KMS-encrypted objects; the signature covers this document.
    signature = {"x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-security-token"}
    signed = [c for c in conditions if isinstance(c, dict) and set(c) <= signature]
    assert {next(iter(c)) for c in signed} == signature
    assert {"x-amz-algorithm": "AWS4-HMAC-SHA256"} in signed
    assert ticket.fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256"
    pinned = [c for c in conditions if c not in signed]
    assert sorted(pinned, key=json.dumps) == sorted(
        [
            {"bucket": settings.uploads_bucket},
            {"key": ticket.key},
            {"Content-Type": "image/png"},
            ["content-length-range", 12_345, 12_345],
            {"x-amz-server-side-encryption": "aws:kms"},
            {"x-amz-server-side-encryption-aws-kms-key-id": data_key},
            {"x-amz-meta-owner": OWNER},
            {"x-amz-meta-media-id": ticket.media_id},
        ],
        key=json.dumps,
    )
    # The exact key, never a prefix: no starts-with condition of any kind.
    assert not [c for c in conditions if isinstance(c, list) and c[0] == "starts-with"]
    # Every form field the browser sends is one the policy names (S3 refuses others).
    named = {name.lower() for c in pinned if isinstance(c, dict) for name in c}
    sent = set(ticket.fields) - {"policy", "x-amz-signature"} - {next(iter(c)) for c in signed}
    assert {name.lower() for name in sent} <= named


def test_the_site_cannot_sign_a_post_outside_uploads(
    settings: Settings, dev_authority: Authority
) -> None:
    """public/evil.html cannot come from a presigned POST: the policy pins the exact key, and the
    site's role (which signs it) may write only uploads/*."""

    def post(key: str) -> list[str]:
        call = Call(
            "s3",
            "presigned:PostObject",
            {"Bucket": settings.uploads_bucket, "Key": key},
            SITE,
            "us-east-1",
        )
        verdicts, problems = dev_authority.judge([call])
        assert not problems
        return [
            describe(v)
            for v in verdicts
            if v.request.action == "s3:PutObject" and not v.decision.allowed
        ]

    assert post(f"uploads/{OWNER}/{'e' * 32}/a.png") == []
    assert post("public/evil.html")
    assert post("evil.html")


# -- the attacks, through the real handler -----------------------------------------------------


def test_more_bytes_than_declared_are_rejected_and_removed(
    settings: Settings, observed: Observed, deliver: Callable[[str, str | None], None]
) -> None:
    ticket = ticket_for(settings, "tiny.png", "image/png", 10)
    version = _post(settings, ticket, png_bytes() + b"\x00" * (5_000 - len(png_bytes())))
    deliver(ticket.key, version)
    media = _media(settings, ticket.media_id)
    assert media.status is Status.REJECTED
    assert media.status_reason == "the file is 5,000 bytes, but 10 bytes were declared"
    assert _versions(settings, ticket.key) == []
    assert observed.events() == []


def test_fewer_bytes_than_declared_are_rejected_too(
    settings: Settings, deliver: Callable[[str, str | None], None]
) -> None:
    ticket = ticket_for(settings, "short.png", "image/png", len(png_bytes()) + 1)
    deliver(ticket.key, _post(settings, ticket, png_bytes()))
    reason = _media(settings, ticket.media_id).status_reason
    assert (
        reason
        == f"the file is {len(png_bytes())} bytes, but {len(png_bytes()) + 1} bytes were declared"
    )


def test_a_file_stored_as_html_is_rejected_and_removed(
    settings: Settings, observed: Observed, deliver: Callable[[str, str | None], None]
) -> None:
    body = png_bytes()  # the magic bytes even say PNG: the stored type is what S3 would serve
    ticket = ticket_for(settings, "page.png", "image/png", len(body))
    version = _post(settings, ticket, body, fields={"Content-Type": "text/html"})
    assert (
        boto3.client("s3").head_object(Bucket=settings.uploads_bucket, Key=ticket.key)[
            "ContentType"
        ]
        == "text/html"
    )
    deliver(ticket.key, version)
    media = _media(settings, ticket.media_id)
    assert media.status is Status.REJECTED
    assert (
        media.status_reason == "the file was stored as text/html, but it was declared as image/png"
    )
    assert _versions(settings, ticket.key) == []
    assert observed.events() == []


def test_a_post_to_another_users_waiting_key_is_removed_and_their_upload_still_lands(
    settings: Settings, observed: Observed, deliver: Callable[[str, str | None], None]
) -> None:
    victim = ticket_for(settings, "harbour.png", "image/png", len(png_bytes(4, 4)))
    intruder = ticket_for(settings, "mine.png", "image/png", len(png_bytes(4, 4)), owner=INTRUDER)
    # The intruder's own signed form, aimed at the victim's key (real S3: the signature breaks).
    forged = _post(settings, intruder, png_bytes(4, 4), key=victim.key)
    deliver(victim.key, forged)
    assert _media(settings, victim.media_id).status is Status.AWAITING_UPLOAD
    assert _media(settings, intruder.media_id).status is Status.AWAITING_UPLOAD
    assert _versions(settings, victim.key) == []
    assert observed.events() == [] and observed.notifications() == []

    genuine = _post(settings, victim, png_bytes(4, 4))
    deliver(victim.key, genuine)
    media = _media(settings, victim.media_id)
    assert media.status is Status.UPLOADED and media.version_id == genuine
    assert _versions(settings, victim.key) == [genuine]


@pytest.mark.parametrize(
    "metadata",
    [{}, {"owner": OWNER}, {"owner": OWNER, "media-id": "b" * 32}, {"owner": INTRUDER}],
)
def test_an_object_without_its_uploads_metadata_is_not_that_upload(
    settings: Settings, metadata: dict[str, str]
) -> None:
    ticket = ticket_for(settings, "a.png", "image/png", len(png_bytes()))
    version = boto3.client("s3").put_object(
        Bucket=settings.uploads_bucket,
        Key=ticket.key,
        Body=png_bytes(),
        ContentType="image/png",
        Metadata=metadata,
    )["VersionId"]
    created = ObjectCreated(settings.uploads_bucket, ticket.key, version)
    assert ingest(created, settings) is Outcome.FOREIGN_OBJECT
    assert _media(settings, ticket.media_id).status is Status.AWAITING_UPLOAD
    assert _versions(settings, ticket.key) == []


@pytest.mark.parametrize(
    "key",
    [
        "uploads/evil.html",
        f"uploads/{OWNER}/{'e' * 32}/evil.html",  # a media id no record has
        f"uploads/{OWNER}/evil.html",
    ],
)
def test_a_stray_key_under_uploads_loses_every_version(
    settings: Settings, deliver: Callable[[str, str | None], None], key: str
) -> None:
    s3 = boto3.client("s3")
    first = s3.put_object(Bucket=settings.uploads_bucket, Key=key, Body=b"<script>1</script>")
    s3.put_object(Bucket=settings.uploads_bucket, Key=key, Body=b"<script>2</script>")
    s3.delete_object(Bucket=settings.uploads_bucket, Key=key)  # a delete marker on top
    # a neighbour whose name starts with the same key is not touched
    s3.put_object(Bucket=settings.uploads_bucket, Key=key + ".keep", Body=b"x")
    assert len(_versions(settings, key)) == 3
    deliver(key, first["VersionId"])
    assert _versions(settings, key) == []
    assert len(_versions(settings, key + ".keep")) == 1


def test_a_key_outside_uploads_is_never_touched(
    settings: Settings, deliver: Callable[[str, str | None], None]
) -> None:
    """The bucket notification covers uploads/ only (tests/infra/test_ingest_wiring.py), and the
    ingest role may delete nothing else: were such a key delivered, ingest leaves it alone."""
    created = boto3.client("s3").put_object(
        Bucket=settings.uploads_bucket,
        Key="public/evil.html",
        Body=b"<html>",
        ContentType="text/html",
    )
    assert (
        ingest(
            ObjectCreated(settings.uploads_bucket, "public/evil.html", created["VersionId"]),
            settings,
        )
        is Outcome.IGNORED
    )
    deliver("public/evil.html", created["VersionId"])


def test_a_rejected_upload_loses_every_version_of_its_key(
    settings: Settings, deliver: Callable[[str, str | None], None]
) -> None:
    ticket = ticket_for(settings, "a.png", "image/png", 10)
    earlier = put_object(settings, ticket.key, b"x" * 3)  # never delivered (a lost event)
    later = put_object(settings, ticket.key, b"y" * 20)
    assert earlier and later
    deliver(ticket.key, later)
    assert _media(settings, ticket.media_id).status is Status.REJECTED
    assert _versions(settings, ticket.key) == []


# -- images beyond the pixel limit, from their header, before any decode ------------------------


@pytest.mark.parametrize("content_type", sorted(BOMBS))
def test_a_decompression_bomb_is_rejected_from_its_header(
    settings: Settings,
    observed: Observed,
    deliver: Callable[[str, str | None], None],
    content_type: str,
) -> None:
    bomb = BOMBS[content_type]()
    ticket = ticket_for(settings, f"bomb.{EXTENSIONS[content_type]}", content_type, len(bomb))
    deliver(ticket.key, _post(settings, ticket, bomb))
    media = _media(settings, ticket.media_id)
    assert media.status is Status.REJECTED
    assert media.status_reason == (
        "the image is 20,000 × 20,000 pixels (400 megapixels), "  # noqa: RUF001
        "more than the 100-megapixel limit"
    )
    assert _versions(settings, ticket.key) == []
    assert observed.events() == []
    [note] = observed.notifications()
    assert "20,000 × 20,000" in note["Body"]  # noqa: RUF001


def test_the_pixel_limit_is_the_environments(
    settings: Settings, ingest_environment: dict[str, str]
) -> None:
    assert settings.max_image_pixels == int(ingest_environment[contract.ENV_MAX_IMAGE_PIXELS])
    strict = dataclasses.replace(settings, max_image_pixels=15)
    outcomes = []
    for width, height in ((5, 3), (4, 4)):  # 15 pixels, then 16
        body = png_bytes(width, height)
        ticket = ticket_for(settings, f"{width}x{height}.png", "image/png", len(body))
        version = put_object(settings, ticket.key, body)
        outcomes.append(ingest(ObjectCreated(settings.uploads_bucket, ticket.key, version), strict))
    assert outcomes == [Outcome.ACCEPTED, Outcome.REJECTED]


def test_an_image_header_beyond_what_ingest_reads_is_left_to_analysis(
    settings: Settings, deliver: Callable[[str, str | None], None]
) -> None:
    """Ingest reads the first 256 KB of an image; a JPEG whose frame header lies further in is
    accepted, and analysis applies the same limit before decoding (test_analysis_limits.py)."""
    bomb = jpeg_bomb(padding=300_000)
    ticket = ticket_for(settings, "deep.jpg", "image/jpeg", len(bomb))
    deliver(ticket.key, _post(settings, ticket, bomb))
    assert _media(settings, ticket.media_id).status is Status.UPLOADED
