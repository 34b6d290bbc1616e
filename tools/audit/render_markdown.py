"""A Report as Markdown (GitHub-flavoured tables; wildcards bold, unjustified ones shouted)."""

from __future__ import annotations

from tools.audit.model import Cell, Diagram, Report, Section, Table, Text

_MARKERS = {
    "plain": "{}",
    "code": "`{}`",
    "wildcard": "**`{}`** ⚠",
    "unjustified": "**❌ {}**",
    "ok": "{}",
    "note": "_{}_",
}


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _text(run: Text) -> str:
    text = _escape(run.text)
    if run.style in {"code", "wildcard"}:
        text = text.replace("`", "'")
    elif run.style == "plain":
        text = text.replace("*", "\\*").replace("<", "&lt;").replace("_", "\\_")
    return _MARKERS[run.style].format(text)


def _cell(value: Cell) -> str:
    return "<br>".join("".join(_text(run) for run in line) for line in value)


def _table(table: Table) -> list[str]:
    lines = ["| " + " | ".join(table.headers) + " |", "|" + "---|" * len(table.headers)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in table.rows]
    return [*lines, ""]


def _section(section: Section, level: int) -> list[str]:
    lines = [f"{'#' * level} {section.title}", ""]
    for block in section.blocks:
        if isinstance(block, Table):
            lines += _table(block) if block.rows else ["(none)", ""]
        elif isinstance(block, Diagram):
            lines += [f"![architecture]({block.file})", ""]
        else:
            lines += ["".join(_text(run) for run in block), ""]
    for sub in section.subsections:
        lines += _section(sub, level + 1)
    return lines


def render_markdown(report: Report) -> str:
    lines = [f"# {report.title}", "", *[f"- {line}" for line in report.summary], ""]
    for section in report.sections:
        lines += _section(section, 2)
    return "\n".join(lines).rstrip() + "\n"
