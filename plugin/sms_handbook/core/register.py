"""The controlled-document register: each document with its review state, publication
status, page, revisions and approved versions, as the pages and exports show it."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise
from zoneinfo import ZoneInfo

from . import control
from .control import FROM_THE_START, ControlStart, Evidence, Finding, State
from .git.history import History, gc_paused
from .git.revisions import DocRevision, DocumentHistory, Source
from .model import CLASSIFICATIONS, Document, Handbook
from .people import People
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
    pull_request: int | None
    people: tuple[tuple[str, str], ...]  # authors' names and e-mail addresses
    approver: str | None = None  # the designated approver, as the metadata said then
    evidence: tuple[Evidence, ...] = ()  # its approvals and reviews
    findings: tuple[Finding, ...] = ()  # the change-control rules it broke
    #: Whether the change needed an approval (it made a new approved version).
    needs_approval: bool = False
    #: Whether change control applied to it (False: before `control_since`, not judged).
    controlled: bool = True

    @property
    def approved_by(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e.name for e in self.evidence if not e.review))

    @property
    def reviewed_by(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e.name for e in self.evidence if e.review))


@dataclass(frozen=True)
class ApprovedVersion:
    """The first revision at which a version of the document stood approved."""

    version: str
    revision: RevisionEntry
    meta: dict  # the document's metadata then
    blob: str | None  # the source page's blob then: its text (None when not a page)
    #: Changed later without a new version: the current text is not the approved one.
    changed_since: bool = False
    #: Whether its text may be published: its own classification then allowed it (a
    #: version classified above the limit when it was made is withheld for ever).
    published: bool = True


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
    def exceptions(self) -> list[tuple[RevisionEntry, Finding]]:
        """The change-control rules its revisions broke, newest first."""
        return [(r, f) for r in self.revisions for f in r.findings]

    @property
    def created(self) -> date | None:
        return self.revisions[-1].date if self.revisions else None

    @property
    def updated(self) -> date | None:
        return self.revisions[0].date if self.revisions else None


def is_published(doc: Document, max_classification: str) -> bool:
    """Whether a document's classification allows publishing it on the intranet site."""
    return allowed(doc.classification, max_classification)


def allowed(classification: object, max_classification: str) -> bool:
    """Whether a classification (as any version's metadata gave it) may be published;
    a value that is no classification may not."""
    if classification not in CLASSIFICATIONS:
        return False
    return CLASSIFICATIONS.index(classification) <= CLASSIFICATIONS.index(max_classification)


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
    since: ControlStart = FROM_THE_START,
) -> list[Entry]:
    """Every document, sorted by id.

    `docs_prefix` and `root_prefix` are docs_dir and the project root (mkdocs.yml's
    folder) relative to the repository top, to find files in the history. Without
    `revisions`, entries carry no revisions (reading past versions is the costly part).
    `since`: where change control begins (revisions before it are not judged).
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
    read: list[tuple[Document, tuple[DocRevision, ...], tuple[State, ...]]] = []
    for doc in handbook.documents.values():
        doc_revisions: tuple[DocRevision, ...] = ()
        if past is not None and doc.id in sources:
            doc_revisions = tuple(past.revisions(sources[doc.id]))
        read.append((doc, doc_revisions, tuple(State.of(r.meta) for r in doc_revisions)))
    changed: dict[tuple[str | None, str | None], bool] = {}
    if past is not None:  # which changes touched the text: at most one more read
        changed = _text_changes(past, [(revs, states) for _, revs, states in read])
    names = People(handbook.organization)
    found = []
    for doc, doc_revisions, states in read:
        rows = _controlled(
            doc.id, doc_revisions, states, changed, names, zone,
            handbook.organization.separation_of_duties, since,
        )  # fmt: skip
        is_page = (doc.source or "").endswith(".md")
        found.append((doc, rows, _approved_versions(doc_revisions, rows) if is_page else {}))
    entries = []
    for doc, rows, approved in found:
        due, state = review_state(doc, handbook.organization, today)
        versions = tuple(
            ApprovedVersion(
                v,
                row,
                meta,
                blob,
                changed_since=_changed_since(rows, row),
                published=allowed(meta.get("classification", "internal"), max_classification),
            )
            for v, ((row, meta), blob) in approved.items()
        )
        entries.append(
            Entry(doc, doc.id in sources, layout.document(doc), due, state, rows, versions)
        )
    return entries


def _join(prefix: str, path: str) -> str:
    return posixpath.normpath(posixpath.join(prefix, path)) if prefix else posixpath.normpath(path)


def _text_changes(
    past: DocumentHistory, documents: list[tuple[tuple[DocRevision, ...], tuple[State, ...]]]
) -> dict[tuple[str | None, str | None], bool]:
    """For each document's consecutive revisions (page blob before, after) where the
    rules need to know: whether the text changed. That is where the metadata stayed
    the same, or an approved version stayed approved; versions known only by their
    front matter are read in one batch."""
    pairs = []
    for revisions, states in documents:
        for (newer, after), (older, before) in pairwise(zip(revisions, states, strict=True)):
            if before == after or (
                before.approved and after.approved and before.version == after.version
            ):
                pairs.append((older.page_blob, newer.page_blob))
    found = {pair: past.text_changed(*pair) for pair in pairs}
    undecided = [pair for pair, changed in found.items() if changed is None]
    past.history.read_whole(sha for pair in undecided for sha in pair)
    return {pair: bool(past.text_changed(*pair) if c is None else c) for pair, c in found.items()}


def _controlled(
    doc_id: str,
    revisions: tuple[DocRevision, ...],
    states: tuple[State, ...],
    changed: dict[tuple[str | None, str | None], bool],
    names: People,
    zone: ZoneInfo,
    separation: bool,
    start: ControlStart,
) -> tuple[RevisionEntry, ...]:
    """Each revision (newest first) with its approval evidence and the rules it broke
    (none before change control begins)."""
    rows: list[RevisionEntry] = []
    before: State | None = None
    previous: DocRevision | None = None
    for revision, after in zip(reversed(revisions), reversed(states), strict=True):
        r = revision.revision
        authors = [
            k for k in (names.key(n, e) for n, e in zip(r.authors, r.emails, strict=True)) if k
        ]
        in_force = control.approver_in_force(before, after)
        evidence = control.evidence_of(r.approvals, names, zone, in_force)
        text_changed = previous is not None and changed.get(
            (previous.page_blob, revision.page_blob), False
        )
        landed = datetime.fromtimestamp(r.time, zone).date()
        judged = start.judges(r.position, landed)
        findings = []
        if before is not None and judged:  # the first revision is where the history starts
            findings = control.change_findings(
                doc_id, before, after, text_changed=text_changed, authors=authors,
                separation=separation, names=names,
            )  # fmt: skip
        if judged:
            findings += control.approval_findings(
                doc_id, before, after, evidence, authors=authors, separation=separation,
                names=names,
            )  # fmt: skip
        rows.append(
            RevisionEntry(
                commit=r.commit,
                date=landed,
                author=", ".join(r.authors),
                summary=r.summary,
                version=after.version,
                status=after.status,
                pull_request=r.pull_request,
                people=tuple(zip(r.authors, r.emails, strict=True)),
                approver=after.approver,
                evidence=evidence,
                findings=tuple(dict.fromkeys(findings)),
                needs_approval=judged
                and before is not None
                and after.under_approval
                and control.new_approved_version(before, after),
                controlled=judged,
            )
        )
        before, previous = after, revision
    return tuple(reversed(rows))


def _changed_since(rows: tuple[RevisionEntry, ...], approved: RevisionEntry) -> bool:
    """Whether an approved version's text or metadata changed after its approval while
    the version stayed the same."""
    later = rows[: next(i for i, r in enumerate(rows) if r is approved)]
    return any(
        f.code == "uncontrolled-change" for r in later if r.version == approved.version
        for f in r.findings
    )  # fmt: skip


def _approved_versions(
    revisions: tuple[DocRevision, ...], rows: tuple[RevisionEntry, ...]
) -> dict[str, tuple[tuple[RevisionEntry, dict], str | None]]:
    """((row, metadata), page blob) of the first revision of each approved version.

    Before change control begins a version could change unjudged: its text and metadata
    are then the last ones it had before control began (as it was taken under control),
    its approval still the first revision's."""
    found: dict[str, tuple[tuple[RevisionEntry, dict], str | None]] = {}
    for revision, row in zip(reversed(revisions), reversed(rows), strict=True):
        if row.status != "approved" or not row.version:
            continue
        if row.version not in found:
            found[row.version] = ((row, revision.meta), revision.page_blob)
        elif not row.controlled:
            first = found[row.version][0][0]
            found[row.version] = ((first, revision.meta), revision.page_blob)
    return found
