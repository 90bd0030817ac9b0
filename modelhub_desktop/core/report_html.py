"""Small, well-formed HTML and Markdown pieces shared by the model card and the audit
report: escaped text, tables, a page with a print-friendly style that Qt's rich text
(QTextBrowser, QTextDocument printing) renders too."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from html import escape

STYLE = (
    "body { font-family: sans-serif; font-size: 10pt; color: #1f2328; }"
    " h1 { font-size: 16pt; margin-bottom: 2px; } h2 { font-size: 12pt; margin-top: 14px;"
    " border-bottom: 1px solid #d0d7de; } table { border-collapse: collapse; }"
    " th, td { border: 1px solid #d0d7de; padding: 3px 6px; text-align: left;"
    " vertical-align: top; } th { background: #f6f8fa; } .pass { color: #1a7f37; }"
    " .fail { color: #cf222e; font-weight: bold; } .skipped { color: #6e7781; }"
    " .better { color: #1a7f37; } .worse { color: #cf222e; } .muted { color: #6e7781; }"
)


def iso(ms: int | None) -> str:
    """UTC time as `2026-12-01 14:03 UTC` ("" for none)."""
    if not ms:
        return ""
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def esc(text: object) -> str:
    return escape(str(text), quote=True)


def cell(value: object, cls: str = "") -> str:
    attr = f' class="{esc(cls)}"' if cls else ""
    return f"<td{attr}>{esc(value)}</td>"


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], table_id: str = "",
          classes: Sequence[str] | None = None) -> str:
    """A table; `classes[i]` (optional) is the class of every row's i-th cell, and a row
    cell given as a (text, class) tuple sets its own."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            if isinstance(value, tuple):
                cells.append(cell(value[0], str(value[1])))
            else:
                cells.append(cell(value, classes[i] if classes else ""))
        body.append("<tr>" + "".join(cells) + "</tr>")
    attr = f' id="{esc(table_id)}"' if table_id else ""
    return (f'<table{attr} border="1" cellspacing="0" cellpadding="4"><thead><tr>{head}'
            f"</tr></thead><tbody>{''.join(body)}</tbody></table>")


def page(title: str, body: str) -> str:
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"/>"
            f"<title>{esc(title)}</title><style>{STYLE}</style></head>"
            f"<body>{body}</body></html>\n")


def md_escape(text: object) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def md_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(md_escape(h) for h in headers) + " |",
             "|" + "---|" * len(headers)]
    for row in rows:
        lines.append("| " + " | ".join(md_escape(v[0] if isinstance(v, tuple) else v)
                                       for v in row) + " |")
    return "\n".join(lines)
