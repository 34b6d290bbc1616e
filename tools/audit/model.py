"""The report as a small document (sections, paragraphs, tables), rendered to Markdown and HTML."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Style = Literal["plain", "code", "wildcard", "unjustified", "ok", "note"]


@dataclass(frozen=True)
class Text:
    """A run of text; ``wildcard`` and ``unjustified`` are highlighted in both renderings."""

    text: str
    style: Style = "plain"


#: One table cell: runs of text, each list item on its own line.
Cell = list[list[Text]]


def cell(*lines: str | Text | list[Text]) -> Cell:
    """A cell from lines, each a string, a Text or a list of Texts."""
    return [
        [line] if isinstance(line, Text) else [Text(line)] if isinstance(line, str) else line
        for line in lines
    ]


def code(text: str) -> Text:
    return Text(text, "code")


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)


@dataclass(frozen=True)
class Diagram:
    """An SVG image: inlined in HTML, linked from Markdown."""

    svg: str
    file: str


@dataclass
class Section:
    title: str
    blocks: list[list[Text] | Table | Diagram] = field(default_factory=list)
    subsections: list[Section] = field(default_factory=list)

    def paragraph(self, *runs: str | Text) -> None:
        self.blocks.append([Text(r) if isinstance(r, str) else r for r in runs])


@dataclass
class Report:
    """One environment's report."""

    title: str
    summary: list[str]
    sections: list[Section]
