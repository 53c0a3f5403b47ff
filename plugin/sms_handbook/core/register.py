"""The controlled-document register: each document with its review state, publication
status, page, revisions and approved versions, as the pages and exports show it."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from .git.history import History, gc_paused
from .git.revisions import DocRevision, DocumentHistory, Source
from .model import CLASSIFICATIONS, Document, Handbook
from .reviews import ReviewState, review_state
from .site.layout import Layout


@dataclass(frozen=True, slots=True)
class RevisionEntry:
    commit: str
    date: date
    author: str
    summary: str
    version: str | None  # as the document's metadata said at that commit
    status: str | None  # likewise
    approved_by: tuple[str, ...]
    pull_request: int | None
    people: tuple[tuple[str, str], ...]  # authors' names and e-mail addresses


@dataclass(frozen=True)
class ApprovedVersion:
    """The first revision at which a version of the document stood approved."""

    version: str
    revision: RevisionEntry
    meta: dict  # the document's metadata then
    text: str | None  # the source page's Markdown then (None when not a page)


@dataclass(frozen=True)
class Entry:
    doc: Document
    published: bool
    page: str  # src_uri of the document's page in the site
    next_review: date | None
    review_state: ReviewState
    revisions: tuple[RevisionEntry, ...] = ()  # newest first
    approved_versions: tuple[ApprovedVersion, ...] = ()  # oldest first

    @property
    def created(self) -> date | None:
        return self.revisions[-1].date if self.revisions else None

    @property
    def updated(self) -> date | None:
        return self.revisions[0].date if self.revisions else None


def is_published(doc: Document, max_classification: str) -> bool:
    """Whether a document's classification allows publishing it on the intranet site."""
    return CLASSIFICATIONS.index(doc.classification) <= CLASSIFICATIONS.index(max_classification)


@gc_paused()
def build_register(
    handbook: Handbook,
    layout: Layout,
    today: date,
    *,
    max_classification: str = "internal",
    history: History | None = None,
    docs_prefix: str = "",
    root_prefix: str = "",
    revisions: bool = True,
) -> list[Entry]:
    """Every document, sorted by id.

    `docs_prefix` and `root_prefix` are docs_dir and the project root (mkdocs.yml's
    folder) relative to the repository top, to find files in the history. Without
    `revisions`, entries carry no revisions (reading past versions is the costly part).
    """
    zone = ZoneInfo(handbook.organization.timezone)
    sources = {
        doc.id: Source(
            doc.id,
            _join(docs_prefix, doc.source) if doc.source else None,
            _join(root_prefix, doc.register) if doc.register else None,
        )
        for doc in handbook.documents.values()
        if is_published(doc, max_classification)
    }
    past = DocumentHistory(history, sources.values()) if history and revisions else None
    found = []
    for doc in handbook.documents.values():
        doc_revisions: tuple[DocRevision, ...] = ()
        if past is not None and doc.id in sources:
            doc_revisions = tuple(past.revisions(sources[doc.id]))
        rows = tuple(_row(r, zone) for r in doc_revisions)
        is_page = (doc.source or "").endswith(".md")
        found.append((doc, rows, _approved_versions(doc_revisions, rows) if is_page else {}))
    if past is not None:  # the approved versions' texts, in one read
        past.read_texts(blob for _, _, approved in found for _, blob in approved.values())
    entries = []
    for doc, rows, approved in found:
        due, state = review_state(doc, handbook.organization, today)
        versions = tuple(
            ApprovedVersion(v, row, meta, past.full_text(blob) if past else None)
            for v, ((row, meta), blob) in approved.items()
        )
        entries.append(
            Entry(doc, doc.id in sources, layout.document(doc), due, state, rows, versions)
        )
    return entries


def _join(prefix: str, path: str) -> str:
    return posixpath.normpath(posixpath.join(prefix, path)) if prefix else posixpath.normpath(path)


def _row(revision: DocRevision, zone: ZoneInfo) -> RevisionEntry:
    r, meta = revision.revision, revision.meta
    version = meta.get("version")
    status = meta.get("status")
    return RevisionEntry(
        commit=r.commit,
        date=datetime.fromtimestamp(r.time, zone).date(),
        author=", ".join(r.authors),
        summary=r.summary,
        version=version if isinstance(version, str) else None,
        status=status if isinstance(status, str) else None,
        approved_by=r.approved_by,
        pull_request=r.pull_request,
        people=tuple(zip(r.authors, r.emails, strict=True)),
    )


def _approved_versions(
    revisions: tuple[DocRevision, ...], rows: tuple[RevisionEntry, ...]
) -> dict[str, tuple[tuple[RevisionEntry, dict], str | None]]:
    """((row, metadata), page blob) of the first revision of each approved version."""
    found: dict[str, tuple[tuple[RevisionEntry, dict], str | None]] = {}
    for revision, row in zip(reversed(revisions), reversed(rows), strict=True):
        if row.status == "approved" and row.version and row.version not in found:
            found[row.version] = ((row, revision.meta), revision.page_blob)
    return found
