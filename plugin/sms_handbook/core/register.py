"""The controlled-document register: each document with its review state, publication
status, page, revisions and approved versions, as the pages and exports show it."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from .history import History
from .layout import Layout
from .model import CLASSIFICATIONS, Document, Handbook
from .reviews import ReviewState, review_state
from .revisions import DocRevision, DocumentHistory, Source


@dataclass(frozen=True)
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
    entries = []
    for doc in handbook.documents.values():
        published = doc.id in sources
        due, state = review_state(doc, handbook.organization, today)
        revisions: tuple[DocRevision, ...] = ()
        if past is not None and published:
            revisions = tuple(past.revisions(sources[doc.id]))
        rows = tuple(_row(r, zone) for r in revisions)
        is_page = (doc.source or "").endswith(".md")
        approved = _approved_versions(revisions, rows, past) if past and is_page else ()
        entries.append(Entry(doc, published, layout.document(doc), due, state, rows, approved))
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
    revisions: tuple[DocRevision, ...],
    rows: tuple[RevisionEntry, ...],
    past: DocumentHistory,
) -> tuple[ApprovedVersion, ...]:
    found: dict[str, ApprovedVersion] = {}
    for revision, row in zip(reversed(revisions), reversed(rows), strict=True):
        if row.status == "approved" and row.version and row.version not in found:
            text = past.blob_text(revision.page_blob)
            found[row.version] = ApprovedVersion(row.version, row, revision.meta, text)
    return tuple(found.values())
