"""Speech: Transcribe jobs, and Comprehend over the transcript, chunked to the API byte limits."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from snapstream_runtime.adapters import comprehend, transcribe
from snapstream_runtime.keys import parse_upload_key
from snapstream_runtime.media_types import ALLOWED

#: DetectSentiment/DetectEntities/DetectKeyPhrases accept at most 5,000 bytes of UTF-8 text.
COMPREHEND_MAX_BYTES = 5000
CHUNK_BYTES = 4500
#: Languages Comprehend's sentiment, entities and key phrases support.
COMPREHEND_LANGUAGES = {"en", "es", "fr", "de", "it", "pt", "ar", "hi", "ja", "ko", "zh", "zh-TW"}
_SENTENCE_END = re.compile(r"(?<=[.!?\u3002\uff01\uff1f])\s+")  # also CJK full stops
#: Transcribe's ``MediaFormat`` for each accepted type it reads. Batch jobs read FLAC, MP3, MP4,
#: M4A, WAV, AMR, and Ogg and WebM with Opus audio (ingest accepts Ogg with Opus only); a
#: QuickTime file is ISO base media like MP4. Matroska, AVI and MPEG-TS it does not read.
TRANSCRIBE_FORMATS = {
    "audio/mpeg": "mp3",
    "audio/wav": "wav",
    "audio/mp4": "m4a",
    "audio/flac": "flac",
    "audio/ogg": "ogg",
    "video/mp4": "mp4",
    "video/quicktime": "mp4",
    "video/webm": "webm",
}


def job_name(environment: str, media_id: str) -> str:
    """Transcription job names are unique per account and Region: this one names the media."""
    return f"snapstream-{environment}-{media_id}"


def media_format(content_type: str) -> str | None:
    """The ``MediaFormat`` Transcribe reads a file of ``content_type`` as; None if it cannot."""
    return TRANSCRIBE_FORMATS.get(content_type)


def not_transcribed(content_type: str) -> str:
    """Why a file of ``content_type`` gets no transcript (recorded on its speech step)."""
    found = ALLOWED.get(content_type)
    what = f"{found.label} files" if found else f"{content_type} files"
    return f"Amazon Transcribe does not read {what}: the speech is not transcribed"


def media_id_from_job(environment: str, name: str) -> str | None:
    prefix = f"snapstream-{environment}-"
    return name[len(prefix) :] if name.startswith(prefix) else None


def start_transcription(
    *,
    environment: str,
    media_id: str,
    media_uri: str,
    output_bucket: str,
    output_key: str,
    kms_key_arn: str,
) -> None:
    """Transcribe with automatic language identification into the media bucket (KMS)."""
    transcribe.start_job(
        job_name(environment, media_id),
        media_uri=media_uri,
        output_bucket=output_bucket,
        output_key=output_key,
        kms_key_arn=kms_key_arn,
        tags={"media_id": media_id},
    )


def transcription_job(environment: str, media_id: str) -> dict[str, Any]:
    return transcribe.job(job_name(environment, media_id))


def owner_of_job(environment: str, media_id: str) -> str | None:
    """The owner of the media a job transcribed, from the upload key it read (the media's
    record may be gone); None if the job or its key is unknown."""
    try:
        job = transcription_job(environment, media_id)
    except ClientError as error:
        if error.response["Error"]["Code"] in {"BadRequestException", "NotFoundException"}:
            return None
        raise
    uri = str((job.get("Media") or {}).get("MediaFileUri", ""))
    ref = parse_upload_key(uri.removeprefix("s3://").partition("/")[2])
    return ref.user_id if ref and ref.media_id == media_id else None


def transcript_text(document: bytes) -> str:
    """The full transcript from Transcribe's JSON output."""
    parsed = json.loads(document)
    return " ".join(
        t.get("transcript", "") for t in parsed.get("results", {}).get("transcripts", [])
    ).strip()


def chunks(text: str, max_bytes: int = CHUNK_BYTES) -> list[str]:
    """Split ``text`` into pieces of at most ``max_bytes`` UTF-8 bytes, at sentence ends where
    possible, else at spaces, else inside a word (never inside a character)."""
    pieces: list[str] = []
    current = ""
    for sentence in _SENTENCE_END.split(text.strip()):
        for part in _fit(sentence, max_bytes):
            candidate = f"{current} {part}".strip()
            if len(candidate.encode()) <= max_bytes:
                current = candidate
            else:
                if current:
                    pieces.append(current)
                current = part
    if current:
        pieces.append(current)
    return pieces


def _fit(sentence: str, max_bytes: int) -> list[str]:
    if len(sentence.encode()) <= max_bytes:
        return [sentence]
    parts: list[str] = []
    current = ""
    for whole_word in sentence.split(" "):
        word = whole_word
        while len(word.encode()) > max_bytes:  # one enormous "word": cut by characters
            cut = word
            while len(cut.encode()) > max_bytes:
                cut = cut[: len(cut) // 2]
            parts.append(cut)
            word = word[len(cut) :]
        candidate = f"{current} {word}".strip()
        if len(candidate.encode()) <= max_bytes:
            current = candidate
        else:
            parts.append(current)
            current = word
    if current:
        parts.append(current)
    return parts


@dataclass
class TextAnalysis:
    language: str | None = None
    dominant_language: str | None = None
    supported: bool = True
    sentiment: str | None = None
    sentiment_scores: dict[str, float] = field(default_factory=dict)
    entities: list[dict[str, Any]] = field(default_factory=list)
    key_phrases: list[dict[str, Any]] = field(default_factory=list)
    chunks: int = 0


def analyse_text(text: str, language_hint: str | None = None) -> TextAnalysis:
    """Dominant language, sentiment, entities and key phrases of ``text``, chunk by chunk, merged.

    A language Comprehend does not support is recorded as such (``supported=False``), not raised.
    """
    pieces = chunks(text)
    if not pieces:
        return TextAnalysis(chunks=0)
    languages = comprehend.dominant_languages(pieces[0])
    dominant = languages[0]["LanguageCode"] if languages else None
    # Transcribe's identified language wins (it heard the audio); Comprehend's is the fallback.
    language = (language_hint or "").split("-")[0] or dominant
    result = TextAnalysis(language=language, dominant_language=dominant, chunks=len(pieces))
    if language not in COMPREHEND_LANGUAGES:
        result.supported = False
        return result
    weights: dict[str, float] = defaultdict(float)
    entities: dict[tuple[str, str], dict[str, Any]] = {}
    phrases: dict[str, dict[str, Any]] = {}
    total = 0
    for piece in pieces:
        size = len(piece.encode())
        total += size
        for name, score in comprehend.sentiment_scores(piece, language).items():
            weights[name.upper()] += float(score) * size
        for entity in comprehend.entities(piece, language):
            key = (entity["Text"].casefold(), entity["Type"])
            merged = entities.setdefault(
                key, {"text": entity["Text"], "type": entity["Type"], "score": 0.0, "count": 0}
            )
            merged["score"] = max(merged["score"], round(float(entity["Score"]), 4))
            merged["count"] += 1
        for phrase in comprehend.key_phrases(piece, language):
            merged = phrases.setdefault(
                phrase["Text"].casefold(), {"text": phrase["Text"], "score": 0.0, "count": 0}
            )
            merged["score"] = max(merged["score"], round(float(phrase["Score"]), 4))
            merged["count"] += 1
    result.sentiment_scores = {name: round(value / total, 4) for name, value in weights.items()}
    result.sentiment = (
        max(result.sentiment_scores, key=lambda n: result.sentiment_scores[n]) if weights else None
    )
    result.entities = sorted(entities.values(), key=lambda e: (-e["count"], -e["score"]))
    result.key_phrases = sorted(phrases.values(), key=lambda p: (-p["count"], -p["score"]))[:50]
    return result
