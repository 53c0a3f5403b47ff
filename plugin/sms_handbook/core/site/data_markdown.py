"""Markdown written in the data (objectives, notes, scope) as HTML, for the templates'
filters: raw HTML in it is escaped and unsafe link schemes are dropped; and text made
safe inside the Markdown of a generated page."""

from __future__ import annotations

import re
from functools import cache
from html import escape
from xml.etree.ElementTree import Element

import markdown as md
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

_WHITESPACE = re.compile(r"\s+")
_NUMBERED = re.compile(r"^(\d+)\.")  # would start a numbered list
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")
_SAFE_SCHEMES = ("http:", "https:", "mailto:", "#", "/", ".")


def _has_scheme(url: str) -> bool:
    return ":" in url.split("/")[0]


class _DropUnsafeLinks(Treeprocessor):
    def run(self, root: Element) -> None:
        for element in root.iter():
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value and _has_scheme(value) and not value.lower().startswith(_SAFE_SCHEMES):
                    element.set(attribute, "#")


class _SafeLinks(Extension):
    def extendMarkdown(self, md_: md.Markdown) -> None:
        md_.treeprocessors.register(_DropUnsafeLinks(md_), "smsh_safe_links", 0)


@cache
def _markdown() -> md.Markdown:
    return md.Markdown(extensions=["sane_lists", _SafeLinks()])


def render_markdown(text: str) -> Markup:
    """Markdown from the data, as HTML: raw HTML in it is shown as text, never run."""
    converter = _markdown()
    converter.reset()
    return Markup(converter.convert(escape(text or "", quote=False)))


def inline_html(text: str) -> Markup:
    """A line of Markdown from the data as inline HTML (no paragraph around it)."""
    html = str(render_markdown(_WHITESPACE.sub(" ", str(text)).strip()))
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)


def md_inline(text: str) -> Markup:
    """Text safe inside a Markdown heading, paragraph or table cell: on one line, with
    HTML and Markdown escaped (and no list or code block where it starts a line)."""
    flat = _WHITESPACE.sub(" ", str(text)).strip()
    escaped = _MD_SPECIAL.sub(r"\\\1", escape(flat, quote=False))
    return Markup(_NUMBERED.sub(r"\1\\.", escaped))
