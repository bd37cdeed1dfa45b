"""The glossary in the report: the dbt docs blocks of `models/glossary.md`, rendered as HTML.

A deliberately small Markdown subset, the one the glossary uses: headings, paragraphs, pipe
tables (with `\\|` for a literal pipe in a cell), `code`, **bold** and *italic*.
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

DOCS_BLOCK = re.compile(r"{%-?\s*docs\s+(\w+)\s*-?%}(.*?){%-?\s*enddocs\s*-?%}", re.S)
_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")
_JINJA = re.compile(r"{{.*?}}", re.S)


def docs_blocks(text: str) -> dict[str, str]:
    """{name: markdown} of the `{% docs name %}...{% enddocs %}` blocks of a dbt docs file."""
    return {m.group(1): m.group(2).strip() for m in DOCS_BLOCK.finditer(text)}


def inline(text: str) -> str:
    """Escape, then apply `code`, **bold** and *italic* (never inside code spans)."""
    pieces = []
    last = 0
    for match in _CODE.finditer(text):
        pieces.append(_emphasis(escape(text[last:match.start()], quote=False)))
        pieces.append(f"<code>{escape(match.group(1), quote=False)}</code>")
        last = match.end()
    pieces.append(_emphasis(escape(text[last:], quote=False)))
    return "".join(pieces)


def _emphasis(text: str) -> str:
    text = _BOLD.sub(r"<strong>\1</strong>", text)
    return _ITALIC.sub(r"<em>\1</em>", text)


def _split_row(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    cells = re.split(r"(?<!\\)\|", line)
    return [c.strip().replace("\\|", "|") for c in cells]


def _is_separator(line: str) -> bool:
    return bool(re.fullmatch(r"\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*", line))


def _table(lines: list[str]) -> str:
    header = _split_row(lines[0])
    rows = [_split_row(line) for line in lines[2:]]
    head = "".join(f"<th>{inline(c)}</th>" for c in header)
    body = "".join("<tr>" + "".join(f"<td>{inline(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def to_html(markdown: str, heading_offset: int = 2) -> str:
    """Markdown → HTML. Headings move down by `heading_offset` levels (# → <h3> by default),
    so that they nest under the report's own headings. Jinja expressions are dropped."""
    lines = _JINJA.sub("", markdown).splitlines()
    out: list[str] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            out.append(f"<p>{inline(' '.join(paragraph))}</p>")
            paragraph.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        heading = re.match(r"(#{1,6})\s+(.*)", stripped)
        if not stripped:
            flush()
        elif heading:
            flush()
            level = min(6, len(heading.group(1)) + heading_offset)
            out.append(f"<h{level}>{inline(heading.group(2))}</h{level}>")
        elif stripped.startswith("|") and i + 1 < len(lines) and _is_separator(lines[i + 1]):
            flush()
            block = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                block.append(lines[i])
                i += 1
            out.append(_table(block))
            continue
        else:
            paragraph.append(stripped)
        i += 1
    flush()
    return "\n".join(out)


def glossary_html(path: Path, blocks: tuple[str, ...] = ("__overview__", "glossary")) -> str | None:
    """The named docs blocks of a glossary file as HTML; None when the file is missing."""
    if not path.is_file():
        return None
    found = docs_blocks(path.read_text(encoding="utf-8"))
    return "\n".join(to_html(found[name]) for name in blocks if name in found)
