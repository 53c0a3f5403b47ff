"""The YAML front matter of Markdown pages, with file line numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .yamlio import LineMap, YamlError, load_text

_OPEN = re.compile(r"\A---[ \t]*\r?\n")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)
_DOCUMENT_KEY = re.compile(r"^document[ \t]*:", re.MULTILINE)
_H1 = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.MULTILINE)


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
        match = _H1.search(self.body)
        return match.group(1).strip() if match else None


def split(text: str, *, only_if_document: bool = False) -> FrontMatter:
    """Split a page into front matter and body.

    With `only_if_document`, front matter without a top-level `document:` key is not
    parsed at all (the fast path for the many pages that are not controlled documents).
    Raises :class:`YamlError` for a front matter block that is not valid YAML.
    """
    if not _OPEN.match(text):
        return FrontMatter(None, text, 1)
    close = _CLOSE.search(text, _OPEN.match(text).end())  # type: ignore[union-attr]
    if close is None:
        return FrontMatter(None, text, 1)
    block = text[_OPEN.match(text).end() : close.start()]  # type: ignore[union-attr]
    body_start = text.find("\n", close.end())
    body = "" if body_start < 0 else text[body_start + 1 :]
    body_line = text.count("\n", 0, close.end()) + 2
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
