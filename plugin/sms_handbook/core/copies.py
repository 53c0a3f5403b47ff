"""Controlled copies (PDF): what a copy says about itself, and whether a PDF is one.

A build with the `pdf` option makes the copies (site/pdf_copies.py); `sms-handbook
verify FILE.pdf` asks :func:`verify` about one. A copy is genuine when all of these hold:

- its metadata (the PDF's document information, keys :data:`KEYS`) names a document and
  an approved version of this repository, published here (nothing withheld has a copy);
- the commit and the SHA-256 of the approved text (the Markdown blob as in Git) that it
  names are the repository's for that version;
- the text it shows after the line that opens it (:data:`TEXT_STARTS`), inside the page
  margins (the margin boxes are outside them), is the approved text, word for word and
  in order, whatever the layout (copy_text.py says how it is read and compared). So a
  stranger's PDF carrying a copy's metadata, or a copy whose text was edited, is refused.

The heading and the control block above the text are not compared: they are made from
the data of the day (a person's role, a phase's title), which may have changed since.
What verify prints about the copy comes from the repository, never from the PDF.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import copy_text
from .copy_text import Fragment, fragments, units
from .register import ApprovedVersion, Entry
from .site.layout import Layout

#: What a copy's metadata carries, by field: the PDF document information's keys (as
#: WeasyPrint writes an HTML `<meta>` name: lower case, letters and digits only).
KEYS = {
    "copy": "smshandbookcopy",  # APPROVED or NOT-APPROVED
    "id": "smshandbookid",
    "version": "smshandbookversion",
    "status": "smshandbookstatus",
    "approved_on": "smshandbookapprovedon",
    "approver": "smshandbookapprover",
    "commit": "smshandbookcommit",
    "text_sha256": "smshandbooktextsha256",
    "classification": "smshandbookclassification",
}
APPROVED, NOT_APPROVED = "APPROVED", "NOT-APPROVED"
#: The page margins, in millimetres (top, right, bottom, left): the margin boxes are in
#: them, the text never is.
MARGINS_MM = (24, 18, 24, 18)
#: The line between the control block and the text, in an approved version's copy.
TEXT_STARTS = "The text of this version as approved follows."


def text_sha256(blob: bytes) -> str:
    """The digest a copy carries of its version's text: SHA-256 of the blob as in Git."""
    return hashlib.sha256(blob).hexdigest()


@dataclass(frozen=True)
class State:
    """Whether an approved version is in force: `current`, `superseded` (by the version
    `by`), or `withdrawn` (its document no longer in force: `by` is its status)."""

    name: str
    by: str | None = None

    @property
    def sheet(self) -> str:
        """As each sheet of its copy says it."""
        if self.name == "superseded":
            return f"SUPERSEDED by version {self.by}"
        return "current" if self.name == "current" else f"NOT IN FORCE (document {self.by})"


def state_of(entry: Entry, approved: ApprovedVersion) -> State:
    """An approved version's state: superseded by the next approved version, if any."""
    versions = [v.version for v in entry.approved_versions]
    later = versions[versions.index(approved.version) + 1 :]
    if later:
        return State("superseded", later[0])
    if entry.doc.status in ("withdrawn", "superseded"):
        return State("withdrawn", entry.doc.status)
    return State("current")


def copy_path(layout: Layout, entry: Entry) -> str | None:
    """The PDF a document's control block links to (a Layout's paths): its current
    approved version's copy, or its draft's; None without one."""
    doc = entry.doc
    if not layout.pdfs or not entry.published or not (doc.source or "").endswith(".md"):
        return None
    if doc.status in ("draft", "in-review"):
        return layout.draft_pdf(doc)
    if doc.status == "approved" and any(
        v.version == doc.version and v.published and v.blob for v in entry.approved_versions
    ):
        return layout.pdf(doc, doc.version)
    return None


class NotACopy(Exception):
    """The file is no controlled copy of ours; the message says why."""


@dataclass
class Copy:
    """What a PDF says: our metadata (by field of :data:`KEYS`), its title, and its
    text inside the margins, in reading order."""

    meta: dict[str, str]
    title: str
    fragments: list[Fragment] = field(default_factory=list)


def read_copy(data: bytes) -> Copy:
    """A PDF's metadata and words (pdfminer.six); NotACopy when it is no PDF, cannot
    be read, or carries none of our metadata."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    from pdfminer.psparser import PSLiteral
    from pdfminer.utils import decode_text

    if not data.startswith(b"%PDF-"):
        raise NotACopy("not a PDF")
    try:
        document = PDFDocument(PDFParser(io.BytesIO(data)))
        info: dict[str, Any] = {}
        for part in document.info:
            info.update(part)
    except Exception as exc:  # pdfminer raises many kinds on a damaged file
        raise NotACopy(f"the PDF cannot be read ({type(exc).__name__}: {exc})") from None

    def text(value: Any) -> str:
        if isinstance(value, bytes):
            return decode_text(value)
        return value.name if isinstance(value, PSLiteral) else str(value)

    meta = {name: text(info[key]) for name, key in KEYS.items() if key in info}
    if not {"copy", "id", "version"} <= meta.keys():
        raise NotACopy("it carries no metadata of a controlled copy made by sms-handbook")
    try:
        found = fragments(data, MARGINS_MM)
    except Exception as exc:
        raise NotACopy(f"the PDF's text cannot be read ({type(exc).__name__}: {exc})") from None
    return Copy(meta, text(info.get("Title", "")), found)


@dataclass(frozen=True)
class Verdict:
    """A genuine copy: the document, its approved version, and whether it is in force."""

    entry: Entry
    approved: ApprovedVersion
    state: State
    current: str | None  # the version in force now, if any

    def lines(self, person: Callable[[str | None], str]) -> list[str]:
        """What `verify` prints, one fact a line."""
        meta, revision = self.approved.meta, self.approved.revision
        approvers = ", ".join(revision.approved_by) or person(meta.get("approver")) or "?"
        if self.state.name == "current":
            standing = "current: this is the version in force"
        elif self.state.name == "superseded":
            now = f"; the version in force is {self.current}" if self.current else ""
            standing = f"superseded by version {self.state.by}{now}"
        else:
            standing = f"not in force: {self.entry.doc.id} is {self.entry.doc.status}"
        return [
            f"document: {self.entry.doc.id} {meta.get('title') or self.entry.doc.title}",
            f"version: {self.approved.version}",
            f"approved on: {meta.get('approved_on') or '?'} by {approvers}",
            f"published: {revision.date.isoformat()} (commit {revision.commit})",
            f"status: {standing}",
        ]


def verify(
    copy: Copy,
    register: list[Entry],
    blob: Callable[[str], bytes | None],
    html: Callable[[Entry, ApprovedVersion], str],
) -> Verdict:
    """Whether `copy` is a genuine copy of an approved, published version of this
    repository (`register`, with revisions); NotACopy saying why not. `blob` reads a
    version's text as in Git; `html` gives its text as HTML, as its copy shows it."""
    meta = copy.meta
    doc_id, number = meta["id"], meta["version"]
    if meta["copy"] != APPROVED:
        text = "text in review" if meta.get("status") == "in-review" else "draft text"
        raise NotACopy(
            f"it is marked NOT APPROVED: the {text} of {doc_id} (version {number or 'none'}), "
            "not a controlled copy"
        )
    entry = next((e for e in register if e.doc.id == doc_id), None)
    if entry is None:
        raise NotACopy(f"this repository has no document {doc_id}")
    if not entry.published:
        raise NotACopy(
            f"{doc_id} is withheld here (classified {entry.doc.classification}): no copy "
            "of it is published, so this one was made elsewhere"
        )
    approved = next((v for v in entry.approved_versions if v.version == number), None)
    if approved is None or approved.blob is None:
        raise NotACopy(f"this repository never approved {doc_id} version {number}")
    if not approved.published:
        raise NotACopy(
            f"{doc_id} version {number} is withheld here (classified "
            f"{approved.meta.get('classification')} when approved): no copy of it is "
            "published, so this one was made elsewhere"
        )
    commit = approved.revision.commit
    if meta.get("commit") != commit:
        raise NotACopy(
            f"the copy names commit {meta.get('commit') or '(none)'}, but {doc_id} version "
            f"{number} was published at commit {commit}"
        )
    text = blob(approved.blob)
    if text is None or meta.get("text_sha256") != text_sha256(text):
        raise NotACopy(f"the copy's digest is not that of {doc_id} version {number}'s text")
    difference = copy_text.difference(units(html(entry, approved)), copy.fragments, TEXT_STARTS)
    if difference is not None:
        raise NotACopy(f"its text is not {doc_id} version {number} as approved: {difference}")
    state = state_of(entry, approved)
    versions = entry.approved_versions
    current = versions[-1].version if versions and state.name != "withdrawn" else None
    return Verdict(entry, approved, state, current)
