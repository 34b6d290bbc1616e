"""Turn whatever name a browser sends into a safe, readable S3 key segment."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath

MAX_NAME_LENGTH = 120
_UNSAFE = re.compile(r"[^\w .()+-]+")
_RUNS = re.compile(r"[ _]{2,}")


class BadFileName(ValueError):
    """The file name cannot be made into anything usable."""


def safe_file_name(name: str) -> str:
    """A key segment that keeps the user's words (unicode letters, spaces, ``+``) and nothing else.

    Path components are dropped (``../../etc/passwd`` -> ``passwd``), control and reserved
    characters become ``_``, leading dots go (no hidden or relative names), and long names are
    shortened keeping the extension.
    """
    normalized = unicodedata.normalize("NFC", name).replace("\\", "/")
    base = normalized.rsplit("/", 1)[-1]
    base = "".join(ch if unicodedata.category(ch)[0] != "C" else "_" for ch in base)
    base = _RUNS.sub("_", _UNSAFE.sub("_", base)).strip(" ._")
    if not base or base.startswith("."):
        raise BadFileName(f"the file name {name[:80]!r} has no usable characters")
    suffix = PurePosixPath(base).suffix
    if len(base) > MAX_NAME_LENGTH:
        stem = base[: MAX_NAME_LENGTH - len(suffix)].rstrip(" ._")
        base = f"{stem}{suffix}"
    return base


def display_title(name: str, limit: int = 200) -> str:
    """The name as the user gave it, for display only (control characters removed, bounded)."""
    cleaned = "".join(
        ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C"
    )
    return cleaned.strip()[:limit] or "untitled"
