"""The one reader of Markdown front matter: for pages as they are (with file line
numbers, for validation), for past versions read from Git (text or bytes), and for a
page's body and headings.

Past front matter is read by YAML without line numbers, dates kept as text, since a
past commit may hold an invalid one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .yamlio import LineMap, YamlError, load_past_yaml, load_text, plain

#: Front matter: an opening `---` line, the YAML (group 1), and a closing `---` or `...`
#: line. The one definition, for text and for bytes.
_FRONT_MATTER = r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*\r?$"
_FRONT = re.compile(_FRONT_MATTER, re.DOTALL | re.MULTILINE)
_FRONT_BYTES = re.compile(_FRONT_MATTER.encode(), re.DOTALL | re.MULTILINE)
_DOCUMENT_KEY = re.compile(r"^document[ \t]*:", re.MULTILINE)
#: A level-1 ATX heading (the page title when front matter gives none).
H1 = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.MULTILINE)


@dataclass
class FrontMatter:
    """What a page's front matter says; `meta` is None when the page has none."""

    meta: LineMap | None
    body: str
    body_line: int  # 1-based line of the file where the body starts

    def title(self) -> str | None:
        """The page title: front matter `title`, else the first level-1 heading."""
        if self.meta is not None and isinstance(self.meta.get("title"), str):
            return self.meta["title"]
        match = H1.search(self.body)
        return match.group(1).strip() if match else None


def split(text: str, *, only_if_document: bool = False) -> FrontMatter:
    """Split a page into front matter and body.

    With `only_if_document`, front matter without a top-level `document:` key is not
    parsed at all (the fast path for the many pages that are not controlled documents).
    Raises :class:`YamlError` for a front matter block that is not valid YAML.
    """
    front = _FRONT.match(text)
    if front is None:
        return FrontMatter(None, text, 1)
    block = front.group(1)
    body_start = text.find("\n", front.end())
    body = "" if body_start < 0 else text[body_start + 1 :]
    body_line = text.count("\n", 0, front.end()) + 2
    if only_if_document and not _DOCUMENT_KEY.search(block):
        return FrontMatter(None, body, body_line)
    meta = load_text(block, line_offset=1)
    if meta is None:
        return FrontMatter(LineMap(2), body, body_line)
    if not isinstance(meta, LineMap):
        raise YamlError("wrong-shape", 2, "front matter must be a mapping of keys to values")
    return FrontMatter(meta, body, body_line)


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    line: int  # 1-based line in the file


_ATX = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*(?:\{[^}]*\})?[ \t#]*$")
_FENCE = re.compile(r"^[ \t]{0,3}(```|~~~)")


def headings(text: str) -> list[Heading]:
    """The ATX headings of a page (outside fenced code), with their file lines."""
    front = split(text)
    found = []
    fence: str | None = None
    for offset, line in enumerate(front.body.splitlines()):
        marker = _FENCE.match(line)
        if marker:
            fence = None if fence == marker.group(1) else (fence or marker.group(1))
            continue
        if fence is None:
            match = _ATX.match(line)
            if match:
                found.append(Heading(len(match.group(1)), match.group(2), front.body_line + offset))
    return found


def body(text: str) -> str:
    """A page's Markdown without its front matter."""
    front = _FRONT.match(text)
    if front is None:
        return text
    start = text.find("\n", front.end())
    return "" if start < 0 else text[start + 1 :]


def front_matter_end(data: bytes) -> int | None:
    """Where the front matter of a page's bytes ends (its closing line's start), if any."""
    front = _FRONT_BYTES.match(data)
    return front.end(1) if front is not None else None


def block(text: str) -> str:
    """The YAML text of a page's front matter ("" when it has none)."""
    front = _FRONT.match(text)
    return front.group(1) if front is not None else ""


def past_document_fields(block: str) -> dict[str, Any]:
    """The `document:` mapping of a past version's front matter block ({} when none).

    No line numbers and no validation: the past is shown, never checked.
    """
    if "document" not in block:
        return {}
    return _yaml_document_fields(block)


def _yaml_document_fields(front_matter: str) -> dict[str, Any]:
    """The `document:` mapping, read by YAML (any front matter)."""
    meta = load_past_yaml(front_matter)
    document = meta.get("document") if isinstance(meta, dict) else None
    if not isinstance(document, dict):
        return {}
    return {str(k): plain(v) for k, v in document.items()}
