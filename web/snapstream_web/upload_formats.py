"""What the upload page advertises, generated from the one list of accepted types
(``snapstream_runtime.media_types.ALLOWED``), so the page never offers what the API refuses.

- :func:`groups`: the accepted formats by kind ("Images: JPG/JPEG, PNG, …"), for people;
- :func:`accept_attribute`: the file input's ``accept`` (every type and every extension);
- :func:`picker_rules`: what ``static/js/upload.js`` checks before it asks for a ticket (the
  declared types the API takes, aliases included, and each extension's type, for files the
  browser gives no type or an unknown name for).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from snapstream_runtime.media_types import ALIASES, ALLOWED, Kind, MediaType

#: how the page names each kind of media
KIND_NAMES = {Kind.IMAGE: "Images", Kind.VIDEO: "Video", Kind.AUDIO: "Audio"}


@dataclass(frozen=True)
class FormatGroup:
    kind: str
    name: str
    labels: tuple[str, ...]


def label(media_type: MediaType) -> str:
    """A short name: the type's own ``label`` ("JPEG"), else its extensions ("JPG/JPEG")."""
    return media_type.label or "/".join(e.lstrip(".").upper() for e in media_type.extensions)


def groups() -> list[FormatGroup]:
    """The accepted formats by kind, in the order ALLOWED lists them."""
    found: list[FormatGroup] = []
    for kind in Kind:
        types = [t for t in ALLOWED.values() if t.kind == kind]
        if types:
            name = KIND_NAMES.get(kind, kind.value.capitalize())
            found.append(FormatGroup(kind.value, name, tuple(label(t) for t in types)))
    return found


def accept_attribute() -> str:
    """``accept`` for the file input: every accepted type and every one of its extensions."""
    return ",".join(part for t in ALLOWED.values() for part in (t.content_type, *t.extensions))


def picker_rules() -> dict[str, Any]:
    """For upload.js: ``types`` (declared types the API accepts, as browsers name them) and
    ``extensions`` (each extension's type)."""
    return {
        "types": sorted({*ALLOWED, *(a for a, t in ALIASES.items() if t in ALLOWED)}),
        "extensions": {e: t.content_type for t in ALLOWED.values() for e in t.extensions},
    }
