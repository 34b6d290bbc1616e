"""Amazon Comprehend over one piece of text (each call takes at most 5,000 bytes of UTF-8)."""

from __future__ import annotations

from typing import Any

from snapstream_runtime.adapters.clients import client


def dominant_languages(text: str) -> list[Any]:
    """``Languages`` (``LanguageCode``, ``Score``), the likeliest first."""
    response = client("comprehend").detect_dominant_language(Text=text)
    return list(response.get("Languages", []))


def sentiment_scores(text: str, language: str) -> dict[str, float]:
    """``SentimentScore``: ``Positive``, ``Negative``, ``Neutral``, ``Mixed``."""
    response = client("comprehend").detect_sentiment(Text=text, LanguageCode=language)
    return dict(response.get("SentimentScore", {}))


def entities(text: str, language: str) -> list[Any]:
    """``Entities`` (``Text``, ``Type``, ``Score``)."""
    response = client("comprehend").detect_entities(Text=text, LanguageCode=language)
    return list(response.get("Entities", []))


def key_phrases(text: str, language: str) -> list[Any]:
    """``KeyPhrases`` (``Text``, ``Score``)."""
    response = client("comprehend").detect_key_phrases(Text=text, LanguageCode=language)
    return list(response.get("KeyPhrases", []))
