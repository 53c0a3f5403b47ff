"""Controlled copies: a PDF of every published approved version, beside its archive, and
of a draft's (or a document in review's) current text, marked NOT APPROVED.

Made by WeasyPrint (the `pdf` extra), imported only by a job that makes a PDF, from the
archive's own HTML of the text (archives.py) under the control block as it stood, with
a print stylesheet (templates/pages/copy.html.j2) whose page-margin boxes put on every
sheet the document, its version and status, "page n of m", the classification, and
where the version in force lives. What a copy says of itself is in its metadata
(core/copies.py: what `verify` reads back), written as PDF/A-3u.

A copy is the same bytes for the same commit: its dates are the history's (when the
version was published; when it was superseded), never the clock's, WeasyPrint's file
identifier is a digest of the content, and nothing is fetched (no file, no network: an
image in the text shows its alternative text). So each copy is kept in the build's
cache (archive_cache) by a digest of its HTML, the engine's version and this code, and
made again only when one of them changes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import importlib.util
import logging
from collections.abc import Callable, Iterator
from datetime import date
from functools import cache, partial
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from .. import copies
from ..data import frontmatter
from ..model import Document
from ..register import ApprovedVersion, Entry
from . import archives
from .archive_cache import Memo, source_digest

if TYPE_CHECKING:
    from .pages import Renderer
    from .site_data import SiteData

#: How to get the engine.
INSTALL = "pip install sms-handbook[pdf]"
#: The PDF variant WeasyPrint writes.
VARIANT = "pdf/a-3u"
#: Makes one copy: (site path, PDF).
Job = Callable[[], tuple[str, bytes]]
_DRAFTS = ("draft", "in-review")


class EngineMissing(RuntimeError):
    """WeasyPrint cannot be imported: the message says how to install it."""


def engine_problem() -> str | None:
    """Why copies cannot be made here (WeasyPrint is not installed), or None; found
    without importing it."""
    try:
        found = importlib.util.find_spec("weasyprint") is not None
    except (ImportError, ValueError):
        found = False
    return None if found else f"pdf: true needs WeasyPrint, which is not installed: {INSTALL}"


@cache
def engine() -> str:
    """The versions of WeasyPrint and of what it renders with (their metadata, read
    without importing them): part of every copy's cache key."""
    parts = []
    for name in ("weasyprint", "pydyf", "fonttools", "tinycss2", "cssselect2", "tinyhtml5"):
        try:
            parts.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name}=?")
    return " ".join(parts)


@dataclasses.dataclass(frozen=True)
class Sheet:
    """What every sheet of a copy says in its margins."""

    document: str  # id, title, version and status
    marking: str  # the classification (and NOT APPROVED)
    statement: str  # a controlled copy or not, and where the version in force lives
    warning: bool = False  # the marking in red


def jobs(
    renderer: Renderer,
    to_html: archives.Converter,
    memo: Memo,
    *,
    site_url: str,
    docs_dir: Path,
) -> list[Job]:
    """Every copy, as jobs that each make one PDF: (site path, PDF bytes). Versions
    whose text and digest `memo` lacks are read from Git in one batch."""
    site, layout = renderer.site, renderer.layout
    found = [(e, v) for e, v, _ in archives.published_versions(site.register)]
    missing = [
        v.blob for e, v in found
        if not (memo.has(archives.text_key(layout, e, v)) and memo.has(_digest_key(v.blob)))
    ]  # fmt: skip
    texts = site.texts(b for b in missing if b)
    made: list[Job] = [
        partial(_approved_copy, renderer, entry, version, to_html, memo, texts, site_url)
        for entry, version in found
        if version.blob in texts or version.blob not in missing
    ]
    for entry in site.register:
        doc = entry.doc
        if entry.published and (doc.source or "").endswith(".md") and doc.status in _DRAFTS:
            made.append(partial(_draft_copy, renderer, entry, to_html, memo, site_url, docs_dir))
    return made


def _digest_key(blob: str | None) -> tuple[str, ...]:
    return ("sha256", blob or "")


def _approved_copy(
    renderer: Renderer,
    entry: Entry,
    approved: ApprovedVersion,
    to_html: archives.Converter,
    memo: Memo,
    texts: dict[str, str],
    site_url: str,
) -> tuple[str, bytes]:
    site, layout = renderer.site, renderer.layout
    blob = approved.blob or ""
    doc = archives.document_as_of(entry.doc, approved.meta)
    state = copies.state_of(entry, approved)
    approvers = ", ".join(approved.revision.approved_by) or renderer.person(doc.approver)
    digest = memo(_digest_key(blob), lambda: copies.text_sha256(blob_bytes(site, blob) or b""))
    created = approved.revision.date
    when = f" (approved {doc.approved_on.isoformat()})" if doc.approved_on else ""
    sheet = Sheet(
        f"{doc.id} · {doc.title}\nVersion {approved.version} · approved · {state.sheet}",
        doc.classification.upper(),
        f"Controlled copy of {doc.id} version {approved.version}{when}, "
        f"{site.handbook.organization.name} SMS handbook. Check before use that it is the "
        f"version in force: {_where(renderer, entry, site_url)}",
    )
    info = _info(
        renderer, doc, approved.version, "approved", approvers,
        created, _modified(entry, approved, state, created),
        commit=approved.revision.commit, digest=digest, copy=copies.APPROVED,
    )  # fmt: skip
    archive = layout.archive(entry.doc, approved.version)
    historic = dataclasses.replace(entry, doc=doc, next_review=None, review_state="none")
    content = archives.text_html(site, entry, approved, to_html, memo, texts)
    html = renderer.render(
        "copy.html.j2", archive, e=historic, in_copy=True, sheet=sheet, info=info,
        starts=copies.TEXT_STARTS, content=Markup(content), css_string=css_string,
        margins=copies.MARGINS_MM,
    )  # fmt: skip
    base = _base(site_url, layout.url(archive))
    return layout.pdf(entry.doc, approved.version), _pdf(memo, html, base)


def _draft_copy(
    renderer: Renderer,
    entry: Entry,
    to_html: archives.Converter,
    memo: Memo,
    site_url: str,
    docs_dir: Path,
) -> tuple[str, bytes]:
    site, layout, doc = renderer.site, renderer.layout, entry.doc
    source = doc.source or ""
    raw = (docs_dir / source).read_bytes()
    links = partial(archives.link_from, layout, entry.page, source)
    content = to_html(frontmatter.body(raw.decode("utf-8-sig", "replace")), links)
    status = "in review" if doc.status == "in-review" else "draft"
    text = "text in review" if doc.status == "in-review" else "draft text"
    version = f"version {doc.version}" if doc.version else "no version"
    sheet = Sheet(
        f"{doc.id} · {doc.title}\n{version.capitalize()} · {status} · NOT APPROVED",
        f"NOT APPROVED\n{doc.classification.upper()}",
        f"NOT APPROVED: the {text} of {doc.id}, not a controlled copy. The version "
        f"in force is in the {site.handbook.organization.name} SMS handbook: "
        f"{_where(renderer, entry, site_url)}",
        warning=True,
    )
    changed = entry.updated or site.today
    info = _info(
        renderer, doc, doc.version or "", doc.status, renderer.person(doc.approver),
        changed, changed, commit=entry.revisions[0].commit if entry.revisions else "",
        digest=copies.text_sha256(raw), copy=copies.NOT_APPROVED,
    )  # fmt: skip
    undated = dataclasses.replace(entry, next_review=None, review_state="none")
    html = renderer.render(
        "copy.html.j2", entry.page, e=undated, in_copy=True, sheet=sheet, info=info,
        starts=f"The {text} follows. It is not approved.", content=Markup(content),
        css_string=css_string, margins=copies.MARGINS_MM,
    )  # fmt: skip
    return layout.draft_pdf(doc), _pdf(memo, html, _base(site_url, layout.url(entry.page)))


def _info(
    renderer: Renderer,
    doc: Document,
    version: str,
    status: str,
    approver: str,
    created: date,
    modified: date,
    *,
    commit: str,
    digest: str,
    copy: str,
) -> dict[str, Any]:
    """The PDF's metadata: its document information, and ours (core/copies.py KEYS)."""
    owner = renderer.org.people.get(doc.owner)
    approved_on = doc.approved_on.isoformat() if doc.approved_on and copy == copies.APPROVED else ""
    values = {
        "copy": copy, "id": doc.id, "version": version, "status": status,
        "approved_on": approved_on, "approver": approver, "commit": commit,
        "text_sha256": digest, "classification": doc.classification,
    }  # fmt: skip
    what = "Controlled copy" if copy == copies.APPROVED else "NOT APPROVED copy"
    return {
        "title": f"{doc.id} {doc.title}, version {version or '-'}",
        "author": owner.name if owner else doc.owner,
        "subject": f"{what} of {doc.id} version {version or '-'} ({status}), "
        f"{renderer.org.name} SMS handbook",
        "keywords": ", ".join(filter(None, (doc.id, f"version {version}", status, copy))),
        "created": created.isoformat(),
        "modified": modified.isoformat(),
        "custom": {copies.KEYS[name]: value for name, value in values.items()},
    }


def _modified(entry: Entry, approved: ApprovedVersion, state: copies.State, created: date) -> date:
    """When what a copy's sheets say last changed: its publication, the publication of
    the version that superseded it, or the withdrawal of its document."""
    if state.name == "superseded":
        later = next(v for v in entry.approved_versions if v.version == state.by)
        return later.revision.date
    if state.name == "withdrawn":
        ended = [r.date for r in entry.revisions if r.status in ("withdrawn", "superseded")]
        return min((d for d in ended if d >= created), default=created)
    return created


def _where(renderer: Renderer, entry: Entry, site_url: str) -> str:
    """Where the document's version in force lives: its page's URL, else its path."""
    path = renderer.layout.url(entry.page)
    return f"{site_url.rstrip('/')}/{path}" if site_url else path or "the handbook's home page"


def _base(site_url: str, url: str) -> str | None:
    """The URL the copy's links are relative to: its page's (`url`, in the site) on the
    site (None without `site_url`: relative links are then left out of the PDF)."""
    return f"{site_url.rstrip('/')}/{url}" if site_url else None


def blob_bytes(site: SiteData, blob: str) -> bytes | None:
    """A version's text as in Git, its bytes (None when the repository lacks it)."""
    if site.history is None:
        return None
    store = site.history.store
    store.read_whole([blob])
    return None if blob in store.partial else store.blobs.get(blob)


def css_string(value: str) -> Markup:
    """A value as a CSS string (data never ends a string or the style element)."""
    escaped = "".join(
        f"\\{ord(c):x} " if c in '\\"<>&' or ord(c) < 0x20 or ord(c) == 0x7F else c
        for c in str(value)
    )
    return Markup(f'"{escaped}"')


def _pdf(memo: Memo, html: str, base_url: str | None) -> bytes:
    """The PDF of a copy's HTML: kept, or made now."""
    digest = hashlib.sha256(html.encode("utf-8", "surrogatepass")).hexdigest()
    key = ("pdf", engine(), source_digest(__name__), VARIANT, base_url or "", digest)
    return memo.data(key, partial(render_pdf, html, base_url))


def render_pdf(html: str, base_url: str | None) -> bytes:
    """WeasyPrint's PDF of an HTML page: nothing fetched but `data:` URLs, its messages
    kept out of the build's log (a relative link without `site_url` is left out)."""
    try:
        import weasyprint
        from weasyprint.urls import URLFetcher
    except (ImportError, OSError) as exc:  # OSError: a library it loads (pango) missing
        raise EngineMissing(
            f"pdf: true needs WeasyPrint, which cannot be imported here ({exc}): {INSTALL}"
        ) from None
    with _quiet("weasyprint"):
        fetcher = URLFetcher(allowed_protocols=("data",))
        document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
        return document.write_pdf(pdf_variant=VARIANT, custom_metadata=True)


@contextlib.contextmanager
def _quiet(name: str) -> Iterator[None]:
    logger = logging.getLogger(name)
    was, logger.disabled = logger.disabled, True
    try:
        yield
    finally:
        logger.disabled = was
