"""As-approved archives: each approved version of a document, as it read when approved.

Archives are plain HTML files (no theme, no navigation) so they stay cheap to build:
a banner naming the current version, the metadata block as it stood, the text, and
the changes from the previously approved version as a unified diff. :func:`jobs`
makes them, one job per archive; the text's HTML comes from archive_markdown.
"""

from __future__ import annotations

import dataclasses
import difflib
import posixpath
from collections.abc import Callable, Mapping
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from .. import fields
from ..data import frontmatter
from ..model import Document
from ..register import ApprovedVersion, Entry
from .archive_cache import Memo, no_cache
from .layout import Layout

if TYPE_CHECKING:
    from .pages import Renderer
    from .site_data import SiteData

#: Markdown to HTML, the second argument rewriting each relative link (archive_markdown).
Converter = Callable[[str, Callable[[str], str | None]], str]
#: Makes one archive: (site path, HTML).
Job = Callable[[], tuple[str, str]]


def document_as_of(doc: Document, meta: dict[str, Any]) -> Document:
    """The document with the metadata it had at a past revision (bad old values ignored)."""
    changes: dict[str, Any] = {}
    for field in fields.HISTORIC:
        value = meta.get(field.name)
        if field.kind == "date":
            try:
                changes[field.name] = date.fromisoformat(value) if value is not None else None
            except (TypeError, ValueError):
                changes[field.name] = None
        elif field.kind == "clauses":
            if isinstance(value, list) and all(isinstance(c, str) for c in value):
                changes[field.name] = tuple(value)
        elif field.kind == "months":
            if isinstance(value, int) and not isinstance(value, bool):
                changes[field.name] = value
        elif isinstance(value, str):
            changes[field.name] = value
    return dataclasses.replace(doc, **changes)


def diff_html(before: str, after: str, before_label: str, after_label: str) -> Markup:
    """A unified diff of two texts as escaped HTML lines."""
    lines = difflib.unified_diff(
        before.splitlines(), after.splitlines(), before_label, after_label, lineterm="", n=2
    )
    out = []
    for line in lines:
        kind = (
            "head" if line.startswith(("---", "+++")) else
            "hunk" if line.startswith("@@") else
            "add" if line.startswith("+") else
            "del" if line.startswith("-") else "same"
        )  # fmt: skip
        out.append(Markup('<span class="smsh-diff-{}">{}</span>').format(kind, line))
    if not out:
        return Markup('<p class="smsh-note">The text did not change; only its metadata did.</p>')
    return Markup('<pre class="smsh-diff"><code>{}</code></pre>').format(Markup("").join(out))


def jobs(renderer: Renderer, to_html: Converter, memo: Memo = no_cache) -> list[Job]:
    """Every approved version of every published page document, as jobs that each
    render one archive: (site path, HTML). Jobs are independent of each other.

    `to_html` converts Markdown the way the site does; the page's own links to other
    pages (`../x.md`) are rewritten to work from the archive's place. `memo` keeps
    the text's HTML and the changes between builds (see archive_cache), by blob:
    only the versions it does not hold are read from Git, in one batch.
    """
    site, layout = renderer.site, renderer.layout
    found = published_versions(site.register)
    # The blobs whose texts make each key the memo lacks: read in one batch.
    missing = {
        key: blobs for job in found for key, blobs in _keys(layout, *job).items()
        if not memo.has(key)
    }  # fmt: skip
    texts = site.texts(blob for blobs in missing.values() for blob in blobs)
    return [
        partial(_archive, renderer, entry, approved, previous, to_html, memo, texts)
        for entry, approved, previous in found
        if approved.blob in texts
        or not missing.keys() & _keys(layout, entry, approved, previous).keys()
    ]


def published_versions(
    register: list[Entry],
) -> list[tuple[Entry, ApprovedVersion, ApprovedVersion | None]]:
    """Every published approved version of every published page document, with the
    approved version before it (published or not): what has an archive, and a PDF."""
    found = []
    for entry in register:
        if not entry.published or not (entry.doc.source or "").endswith(".md"):
            continue
        previous = None
        for approved in entry.approved_versions:
            if approved.blob is not None:
                if approved.published:  # a withheld version has no archive
                    found.append((entry, approved, previous))
                previous = approved
    return found


def text_key(layout: Layout, entry: Entry, approved: ApprovedVersion) -> tuple[str, ...]:
    """The memo's key of an approved version's text as HTML (links made from its archive)."""
    uri, source = layout.archive(entry.doc, approved.version), entry.doc.source or ""
    return ("text", uri, source, approved.blob or "")


def text_html(
    site: SiteData,
    entry: Entry,
    approved: ApprovedVersion,
    to_html: Converter,
    memo: Memo,
    texts: Mapping[str, str],
) -> str:
    """An approved version's text as HTML, as its archive shows it (kept in `memo`)."""
    key = text_key(site.layout, entry, approved)
    _, uri, source, blob = key
    links = partial(link_from, site.layout, uri, source)
    return memo(key, lambda: to_html(body_of(site, texts, blob), links))


def body_of(site: SiteData, texts: Mapping[str, str], blob: str) -> str:
    """A version's text after its front matter (read from Git when `texts` lacks it)."""
    text = texts.get(blob)
    if text is None:  # held by the memo when the job was made, and lost since
        text = site.texts([blob]).get(blob, "")
    return frontmatter.body(text)


def _keys(
    layout: Layout, entry: Entry, approved: Any, previous: Any
) -> dict[tuple[str, ...], tuple[str, ...]]:
    """The memo's keys of an archive's text and (after its first version) of its
    changes, each with the blobs whose texts make it."""
    keys = {text_key(layout, entry, approved): (approved.blob,)}
    if previous is not None and previous.published:  # never a withheld version's text
        labels = f"version {previous.version}", f"version {approved.version}"
        changes = ("changes", previous.blob, approved.blob, *labels)
        keys[changes] = (previous.blob, approved.blob)
    return keys


def _archive(
    renderer: Renderer,
    entry: Entry,
    approved: Any,
    previous: Any,
    to_html: Converter,
    memo: Memo,
    texts: Mapping[str, str],
) -> tuple[str, str]:
    site, layout = renderer.site, renderer.layout

    def body(blob: str) -> str:
        return body_of(site, texts, blob)

    # ("text", uri, source, blob), then ("changes", blob before, blob, *labels)
    _, *changes_key = _keys(layout, entry, approved, previous)
    changes = None
    if changes_key:
        (key,) = changes_key
        before, after, labels = previous.blob, approved.blob, key[3:]
        changes = Markup(memo(key, lambda: diff_html(body(before), body(after), *labels)))
    historic = dataclasses.replace(
        entry,
        doc=document_as_of(entry.doc, approved.meta),
        next_review=None,
        review_state="none",
    )
    uri = layout.archive(entry.doc, approved.version)
    content = text_html(site, entry, approved, to_html, memo, texts)
    return uri, renderer.render(
        "archive.html.j2", uri, e=historic, current=entry, approved=approved,
        previous=previous, content=Markup(content), changes=changes,
    )  # fmt: skip


def link_from(layout: Layout, here: str, source: str, href: str) -> str | None:
    """A link of a page's text to another page, as seen from `here` (its archive, say)."""
    path, _, anchor = href.partition("#")
    if not path.endswith(".md"):
        return None
    target = posixpath.normpath(posixpath.join(posixpath.dirname(source), path))
    return layout.link(here, target, anchor)
