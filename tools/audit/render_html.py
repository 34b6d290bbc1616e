"""A Report as one self-contained HTML page: inline CSS, the diagram as inline SVG, no links."""

from __future__ import annotations

from html import escape

from tools.audit.model import Cell, Diagram, Report, Section, Table, Text

CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1400px; color: #1d2430; }
h1, h2, h3 { color: #13315c; } h2 { border-bottom: 2px solid #c9d6ea; padding-bottom: .2em; }
table { border-collapse: collapse; margin: .5em 0 1.5em; width: 100%; font-size: 12.5px; }
th, td { border: 1px solid #c9d6ea; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #eef3fb; } tr:nth-child(even) td { background: #fafcff; }
code { font: 12px ui-monospace, monospace; background: #f1f3f6; padding: 0 2px; }
.wildcard { background: #fff1b8; color: #7a4b00; font-weight: bold; }
.unjustified { background: #c62828; color: #fff; font-weight: bold; padding: 0 4px; }
.ok { color: #1b5e20; } .note { color: #555; font-style: italic; }
.diagram { overflow: auto; border: 1px solid #c9d6ea; padding: 8px; }
.diagram svg { max-width: none; }
"""


def _text(run: Text) -> str:
    text = escape(run.text)
    if run.style == "plain":
        return text
    tag = "code" if run.style in {"code", "wildcard"} else "span"
    return f'<{tag} class="{run.style}">{text}</{tag}>'


def _cell(value: Cell) -> str:
    return "<br>".join("".join(_text(run) for run in line) for line in value)


def _table(table: Table) -> str:
    if not table.rows:
        return "<p>(none)</p>"
    head = "".join(f"<th>{escape(h)}</th>" for h in table.headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(c)}</td>" for c in row) + "</tr>" for row in table.rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _section(section: Section, level: int) -> str:
    parts = [f"<h{level}>{escape(section.title)}</h{level}>"]
    for block in section.blocks:
        if isinstance(block, Table):
            parts.append(_table(block))
        elif isinstance(block, Diagram):
            parts.append(f'<div class="diagram">{block.svg}</div>')
        else:
            parts.append("<p>" + "".join(_text(run) for run in block) + "</p>")
    parts += [_section(sub, min(level + 1, 6)) for sub in section.subsections]
    return "\n".join(parts)


def render_html(report: Report) -> str:
    summary = "".join(f"<li>{escape(line)}</li>" for line in report.summary)
    body = "\n".join(_section(s, 2) for s in report.sections)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(report.title)}</title><style>{CSS}</style></head>\n"
        f"<body><h1>{escape(report.title)}</h1><ul>{summary}</ul>\n{body}\n</body></html>\n"
    )
