"""The controlled-document register: each document with its review state, publication
status, page and revisions, as the index, the exports and the calendar show it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from . import frontmatter
from .history import History, Revision, read_blobs
from .layout import Layout
from .model import CLASSIFICATIONS, Document, Handbook
from .reviews import ReviewState, review_state
from .yamlio import YamlError


@dataclass(frozen=True)
class RevisionEntry:
    commit: str
    date: date
    author: str
    summary: str
    version: str | None  # as the document's metadata said at that commit
    approved_by: tuple[str, ...]
    pull_request: int | None
    emails: tuple[str, ...]


@dataclass(frozen=True)
class Entry:
    doc: Document
    published: bool
    page: str  # src_uri of the document's page in the site
    next_review: date | None
    review_state: ReviewState
    revisions: tuple[RevisionEntry, ...]  # newest first

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
) -> list[Entry]:
    """Every document, sorted by id.

    `docs_prefix` is docs_dir relative to the repository top, to find sources in the history.
    """
    zone = ZoneInfo(handbook.organization.timezone)
    revisions_by_id: dict[str, list[Revision]] = {}
    if history is not None:
        for doc in handbook.documents.values():
            if doc.source is not None:
                path = f"{docs_prefix}/{doc.source}" if docs_prefix else doc.source
                revisions_by_id[doc.id] = history.of(path)
    versions = _versions(revisions_by_id, history) if history is not None else {}
    entries = []
    for doc in handbook.documents.values():
        published = is_published(doc, max_classification)
        due, state = review_state(doc, handbook.organization, today)
        revisions = tuple(
            RevisionEntry(
                commit=r.commit,
                date=datetime.fromtimestamp(r.time, zone).date(),
                author=", ".join(r.authors),
                summary=r.summary,
                version=versions.get(r.blob),
                approved_by=r.approved_by,
                pull_request=r.pull_request,
                emails=r.emails,
            )
            for r in revisions_by_id.get(doc.id, [])
        )
        entries.append(Entry(doc, published, layout.document(doc), due, state, revisions))
    return entries


def _versions(revisions: dict[str, list[Revision]], history: History) -> dict[str, str]:
    """The `document.version` each page blob declared, read in one batch."""
    shas = [r.blob for rs in revisions.values() for r in rs if r.path.endswith(".md")]
    found: dict[str, str] = {}
    for sha, content in read_blobs(history.toplevel, shas).items():
        try:
            front = frontmatter.split(content.decode("utf-8-sig"), only_if_document=True)
        except (UnicodeDecodeError, YamlError):
            continue
        document = front.meta.get("document") if front.meta is not None else None
        version = document.get("version") if isinstance(document, dict) else None
        if isinstance(version, str):
            found[sha] = version
    return found
