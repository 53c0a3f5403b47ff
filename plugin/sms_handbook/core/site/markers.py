"""Where blocks of HTML go in a page, and the one function that puts them in.

A marker is an HTML comment, which Markdown passes through untouched. The blocks (a
document's control block and revision table, a generated page's tables) are rendered
apart from the page and put in by :func:`fill`: into a page's HTML after Markdown (the
MkDocs plugin), into a combined page such as print-site's, or into the Markdown itself
(`sms-handbook render`). The user's own marker places the dashboard.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape

from ..data import frontmatter

PREFIX = "<!-- smsh-fragment "
DASHBOARD = "<!-- sms-handbook:dashboard -->"
METADATA, REVISIONS = "document control", "revision history"
_STAND_IN = '<p data-smsh-stand-in="">'
_STAND_IN_END = "<!-- smsh-stand-in end -->"
_MARKER = re.compile(
    r"(<!-- smsh-fragment [^\n]*? -->)(?:" + re.escape(_STAND_IN) + r"[^<]*</p>"
    + re.escape(_STAND_IN_END) + ")?"
)  # fmt: skip
#: Tags inside a line of text (dropped) and the others (which part words).
_INLINE = re.compile(r"</?(?:a|abbr|b|code|em|i|mark|small|span|strong|sub|sup|time)\b[^>]*>")
_TAG, _SPACE = re.compile(r"<[^>]*>"), re.compile(r"\s+")


def marker(name: str) -> str:
    """The marker of a named block."""
    return f"{PREFIX}{escape(name)} -->"


def document_markers(page: str) -> tuple[str, str]:
    """The markers of a document page's control block and revision table."""
    return marker(f"{METADATA} {page}"), marker(f"{REVISIONS} {page}")


def with_document_control(markdown: str, page: str) -> str:
    """A document page's Markdown with its control block under the title and its
    revision history at the end (as markers)."""
    metadata, revisions = document_markers(page)
    heading = frontmatter.H1.search(markdown)
    at = heading.end() if heading else 0
    body = markdown[at:].lstrip("\n").rstrip()
    return f"{markdown[:at]}\n\n{metadata}\n\n{body}\n\n## Revision history\n\n{revisions}\n"


def with_search_texts(blocks: Mapping[str, str]) -> dict[str, str]:
    """The blocks, with the text of each for `fill(for_search=True)` (made where the
    blocks are made: reducing a table to its text takes a while)."""
    return {**blocks, **{_search_key(found): _text(block) for found, block in blocks.items()}}


def fill(html: str, blocks: Mapping[str, str], *, for_search: bool = False) -> str:
    """Every marker in `html` replaced by its block ("" for a block not given).

    With `for_search`, a block goes in as its marker followed by its text alone, for a
    search index to read (parsing the tables' markup was most of search's time; no
    block holds a heading); a later `fill` puts the block itself in its place.
    """
    start = html.find(PREFIX)
    if start < 0:
        return html

    def put(match: re.Match[str]) -> str:
        found = match.group(1)
        block = blocks.get(found, "")
        if for_search:  # (the text made beside the block: see with_search_texts)
            text = blocks.get(_search_key(found), "")
            return f"{found}{_STAND_IN}{text}</p>{_STAND_IN_END}"
        return block

    return html[:start] + _MARKER.sub(put, html[start:])


def _search_key(found: str) -> str:
    return f"{found} search"  # never a marker: those end with "-->"


def _text(block: str) -> str:
    """A block's text, with no "<" left (the stand-in is found again by that)."""
    words = _TAG.sub(" ", _INLINE.sub("", block))
    return _SPACE.sub(" ", words).strip().replace("<", "&lt;")
