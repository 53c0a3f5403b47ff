"""The Markdown converter of the archives: a page's text as it read when approved, as
HTML made with the site's own Markdown extensions, its links to other pages rewritten
to work from the archive's place (see archives.py). Self-contained: the archive cache
is salted with this module's source (see archive_cache.salt)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any
from xml.etree.ElementTree import Element

import markdown as md
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor


def _has_scheme(url: str) -> bool:
    return ":" in url.split("/")[0]


class _RewriteLinks(Treeprocessor):
    """Relative links handed to `links` (set per conversion): its URL, or None to keep."""

    links: Callable[[str], str | None] = staticmethod(lambda href: None)

    def run(self, root: Element) -> None:
        for element in root.iter("a"):
            href = element.get("href") or ""
            if href and not href.startswith(("#", "/")) and not _has_scheme(href):
                new = self.links(href)
                if new is not None:
                    element.set("href", new)


class _ArchiveLinks(Extension):
    def __init__(self) -> None:
        super().__init__()
        self.processor: _RewriteLinks | None = None

    def extendMarkdown(self, md_: md.Markdown) -> None:
        self.processor = _RewriteLinks(md_)
        md_.treeprocessors.register(self.processor, "smsh_archive_links", 0)


def archive_converter(
    extensions: Sequence[Any], configs: Mapping[str, Any]
) -> Callable[[str, Callable[[str], str | None]], str]:
    """Markdown to HTML with the site's extensions, for archives; the second argument
    rewrites each relative link (its new URL, or None to keep it)."""
    links = _ArchiveLinks()
    converter = md.Markdown(extensions=[*extensions, links], extension_configs=dict(configs))

    def convert(text: str, rewrite: Callable[[str], str | None]) -> str:
        assert links.processor is not None
        links.processor.links = rewrite
        return converter.reset().convert(text)

    return convert
