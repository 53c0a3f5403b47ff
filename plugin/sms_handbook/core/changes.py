"""A pending change to the handbook (a branch, or the work tree) against its base: each
controlled document added, removed or changed, what it needs, and the change-control
rules it breaks, as text, a pull-request comment (Markdown) or JSON."""

from __future__ import annotations

import posixpath
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from . import approvals, control, fields, json_text
from .control import State
from .data import frontmatter
from .data.loader import HandbookLoader, LoadResult
from .git import snapshot
from .git.history import Approval, repo_info
from .model import Document, Handbook, Location, Organization
from .people import People
from .problems import Problem

#: A removed document was retired properly when it was first given one of these.
RETIRED = ("withdrawn", "superseded")
SHOWN = ("version", "status", "owner", "approver")


#: What a change's approval stands at (`changes` shows it per document).
APPROVAL_STATES = {
    "approved": "approved",
    "pending": "awaiting approval",
    "by-other": "approved by someone else",
    "not-needed": "not needed",
}


@dataclass
class DocumentChange:
    id: str
    title: str
    kind: str  # added | removed | changed
    before: Document | None
    after: Document | None
    what: list[str]  # "text" and the names of the fields that changed
    problems: list[Problem] = field(default_factory=list)
    #: Who must approve: the approver in force before the change (see
    #: control.approver_in_force); None when nobody is named.
    approver: str | None = None
    hands_over_to: str | None = None  # the new approver the change names, if any
    approval: str = "not-needed"  # a key of APPROVAL_STATES
    approved_by: list[str] = field(default_factory=list)  # names, as the branch records

    @property
    def needs(self) -> str:
        """What the change needs before it is merged, in words."""
        if self.problems:
            return "fix: " + ", ".join(dict.fromkeys(p.code for p in self.problems))
        doc = self.after
        if doc is None:
            return "approval of the removal"
        if self.approval == "approved":
            return "nothing more: approved"
        return {
            "approved": "approval by the approver",
            "in-review": "review; approval before it is set to approved",
            "draft": "no approval while a draft",
        }.get(doc.status, f"approval of the change to {doc.status}")


def metadata(doc: Document) -> dict[str, Any]:
    """A document's fields as plain values (dates as text), as the history reads them."""
    values: dict[str, Any] = {}
    for name in fields.NAMES:
        value = getattr(doc, name)
        values[name] = value.isoformat() if isinstance(value, date) else value
    values["clauses"] = list(doc.clauses)
    return values


def compare(
    base: Mapping[str, Document],
    head: Mapping[str, Document],
    organization: Organization,
    text: Callable[[str, Document], str | None],
    authors: Mapping[str, Sequence[str]],
    approvals: Sequence[Approval] = (),
) -> list[DocumentChange]:
    """Every document that differs between base and head, by id, with the rules each
    change breaks and where its approval stands.

    `text(side, doc)` gives a page document's Markdown after its front matter ("base"
    or "head"; None when the page is not there); `authors` the people keys who changed
    each document's files; `approvals` those the change already carries (its commits'
    trailers, the forge's reviews), which count for every document it changes, as they
    will in the history once it is merged.
    """
    separation = organization.separation_of_duties
    names = People(organization)
    zone = ZoneInfo(organization.timezone)
    found = []
    for doc_id in sorted(base.keys() | head.keys()):
        before, after = base.get(doc_id), head.get(doc_id)
        old_text = text("base", before) if before is not None else None
        new_text = text("head", after) if after is not None else None
        if before is not None and (after is None or _page_gone(before, after, old_text, new_text)):
            found.append(_removed(before))
            continue
        assert after is not None
        old = metadata(before) if before is not None else None
        new = metadata(after)
        if old is None:
            what = ["added"]
        else:
            what = [name for name in fields.NAMES if old[name] != new[name] and name != "id"]
            if old_text != new_text:
                what.insert(0, "text")
        if not what:
            continue
        kind = "added" if before is None else "changed"
        old_state = State.of(old) if old is not None else None
        new_state = State.of(new)
        approver = control.approver_in_force(old_state, new_state)
        change = DocumentChange(
            doc_id, after.title, kind, before, after, what, approver=approver,
            hands_over_to=after.approver if control.hands_over(old_state, new_state) else None,
        )  # fmt: skip
        who = authors.get(doc_id, ())
        findings = control.change_findings(
            doc_id, old_state, new_state,
            text_changed=before is not None and old_text != new_text,
            authors=who, separation=separation, names=names,
        )  # fmt: skip
        evidence = control.evidence_of(approvals, names, zone, approver)
        granted = [e for e in evidence if not e.review]
        change.approved_by = list(dict.fromkeys(e.name for e in granted))
        retiring = after.status in RETIRED and old_state is not None and old_state.approved
        if new_state.under_approval and (new_state.approved or retiring):
            if any(e.designated for e in granted):
                change.approval = "approved"
            elif granted:
                change.approval = "by-other"
            else:
                change.approval = "pending"
        if granted:  # judged as the history will judge the merged change
            findings += control.approval_findings(
                doc_id, old_state, new_state, evidence, authors=who, separation=separation,
                names=names,
            )  # fmt: skip
        for finding in dict.fromkeys(findings):
            about_people = finding.code in ("self-approval", "approval-by-other")
            key = "approver" if about_people else "version"
            where = after.where.get(key) or after.where.get("id") or Location("", 1)
            change.problems.append(
                Problem(where.path, where.line, "error", finding.code, finding.message)
            )
        found.append(change)
    return found


def _page_gone(before: Document, after: Document, old: str | None, new: str | None) -> bool:
    """Whether a document's page was deleted while something still declares it."""
    return bool(before.source) and before.source == after.source and old is not None and new is None


def _removed(before: Document) -> DocumentChange:
    """A document gone from the head: `document-removed` unless it was retired first."""
    change = DocumentChange(
        before.id, before.title, "removed", before, None, ["removed"], approver=before.approver
    )
    if before.status not in RETIRED:
        where = before.where.get("id", Location("", 1))
        change.problems.append(
            Problem(
                where.path,
                where.line,
                "error",
                "document-removed",
                f"{before.id} {before.title} was removed while {before.status}; withdraw "
                "or supersede it first (set its status), so its record stays",
            )
        )
    return change


def _side(doc: Document | None, key: str, people: People) -> str:
    """A field's value on one side, people by name."""
    if doc is None:
        return ""
    value = getattr(doc, key)
    if key in ("owner", "approver"):
        return people.name(value) if value else ""
    return value or ""


def _arrow(change: DocumentChange, key: str, people: People) -> str:
    old, new = _side(change.before, key, people), _side(change.after, key, people)
    if change.before is None:
        return new
    if change.after is None:
        return old
    return new if old == new else f"{old} → {new}"


def must_approve(change: DocumentChange, people: People) -> str:
    """Who must approve, in words: the approver in force, and a hand-over if any."""
    if not change.approver:
        return "nobody named"
    if change.hands_over_to:
        return (
            f"{people.name(change.approver)} (approver in force); "
            f"hands over to {people.name(change.hands_over_to)}"
        )
    return people.name(change.approver)


def approval_words(change: DocumentChange, people: People) -> str:
    """Where the change's approval stands, for a reviewer at a glance."""
    by = ", ".join(change.approved_by)
    if change.approval == "approved":
        return f"approved by {by}"
    if change.approval == "by-other":
        return f"approved by {by}, not by {people.name(change.approver)}"
    if change.approval == "pending":
        return f"awaiting {people.name(change.approver)}" if change.approver else "awaiting"
    return APPROVAL_STATES["not-needed"]


def as_text(changes: list[DocumentChange], organization: Organization, base_label: str) -> str:
    people = People(organization)
    if not changes:
        return f"No controlled document changed since {base_label}.\n"
    lines = [f"{len(changes)} controlled document(s) changed since {base_label}:"]
    for c in changes:
        lines.append(f"  {c.id} {c.title} ({c.kind}: {', '.join(c.what)})")
        for key in SHOWN:
            lines.append(f"    {key}: {_arrow(c, key, people)}")
        lines.append(f"    must approve: {must_approve(c, people)}")
        lines.append(f"    approval: {approval_words(c, people)}")
    return "\n".join(lines) + "\n"


def as_markdown(
    changes: list[DocumentChange],
    organization: Organization,
    base_label: str,
    problems: list[Problem],
) -> str:
    """A pull-request comment: a table of the changed documents and what each needs."""
    people = People(organization)
    errors = [p for p in problems if p.severity == "error"]
    verdict = (
        f"**{len(errors)} problem(s) must be fixed before this is merged.**"
        if errors
        else "No change-control problem found."
    )
    out = [
        "### Controlled documents in this change",
        "",
        f"Compared with {_md(base_label)}. {verdict}",
        "",
    ]
    if changes:
        out += [
            "| Document | Change | Version | Status | Owner | Must approve | Approval | Needs |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for c in changes:
            person = organization.people.get(c.approver or "")
            handle = (
                f" (@{person.github or person.gitlab})"
                if person and (person.github or person.gitlab)
                else ""
            )
            mark = {"approved": "✅ ", "by-other": "❌ ", "pending": "⏳ "}.get(c.approval, "")
            out.append(
                "| "
                + " | ".join(
                    _md(cell)
                    for cell in (
                        f"{c.id} {c.title}",
                        f"{c.kind}: {', '.join(c.what)}",
                        _arrow(c, "version", people),
                        _arrow(c, "status", people),
                        _arrow(c, "owner", people),
                        must_approve(c, people) + (handle if c.approver else ""),
                        mark + approval_words(c, people),
                        c.needs,
                    )
                )
                + " |"
            )
    else:
        out.append("No controlled document changed.")
    if problems:
        out += ["", "#### Problems", ""]
        out += [
            f"- `{_md(p.path)}:{p.line}` **{p.severity}** `{p.code}`: {_md(p.message)}"
            for p in problems
        ]
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    """Text safe inside a Markdown table cell: no pipes, no HTML, one line."""
    return (
        text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
        .replace("\n", " ")
    )  # fmt: skip


def as_json(
    changes: list[DocumentChange], base: str, head: str | None, problems: list[Problem]
) -> str:
    def side(doc: Document | None) -> dict[str, Any] | None:
        return None if doc is None else {key: getattr(doc, key) for key in SHOWN}

    payload = {
        "base": base,
        "head": head,  # None: the work tree
        "documents": [
            {
                "id": c.id,
                "title": c.title,
                "change": c.kind,
                "what": c.what,
                "before": side(c.before),
                "after": side(c.after),
                "must_approve": c.approver,
                "hands_over_to": c.hands_over_to,
                "approval": {"state": c.approval, "by": c.approved_by},
                "needs": c.needs,
                "problems": [_problem(p) for p in c.problems],
            }
            for c in changes
        ],
        "problems": [_problem(p) for p in problems],
    }
    return json_text.indented(payload)


def _problem(p: Problem) -> dict[str, Any]:
    return {
        "path": p.path,
        "line": p.line,
        "severity": p.severity,
        "code": p.code,
        "message": p.message,
    }


@dataclass(frozen=True)
class ForgeReviews:
    """A forge's reviews of the change, as `record-approvals` reads them."""

    text: str
    forge: str  # github | gitlab
    path: str  # as shown in problems


@dataclass
class Pending:
    """What `sms-handbook changes` found."""

    base: str  # the base commit
    base_label: str  # what it was found from, for people
    head: str | None  # the head commit; None for the work tree
    handbook: Handbook | None  # the head's (None when it has errors)
    base_handbook: Handbook
    changes: list[DocumentChange]
    problems: list[Problem]  # the changes' problems, then the head's own

    @property
    def label(self) -> str:
        """The base for people: what it was found from, and its commit."""
        short = self.base[:8]
        return short if self.base.startswith(self.base_label) else f"{self.base_label} ({short})"

    @property
    def organization(self) -> Organization:
        """The organization whose people name the people (the head's, else the base's)."""
        return (self.handbook or self.base_handbook).organization


class BaseUnreadable(Exception):
    """The base's handbook cannot be loaded; `problems` say why."""

    def __init__(self, label: str, problems: list[Problem]) -> None:
        super().__init__(f"the handbook at {label} does not load ({len(problems)} problems)")
        self.problems = problems


def pending(
    root: Path,
    data_dir: Path,
    docs_dir: Path,
    templates_dir: Path | None,
    pages: Sequence[str],
    *,
    base: str | None = None,
    head: str | None = None,
    reviews: ForgeReviews | None = None,
) -> Pending:
    """Compare the handbook at `base` (default: see snapshot.default_base) with `head`
    (default: the work tree, with its `pages`), whatever problems the head has.
    `reviews`: the forge's reviews of the change (counted beside its trailers).

    Raises GitError, snapshot.NoBase, BaseUnreadable and approvals.ForgeDataError.
    """
    top = repo_info(root).toplevel
    if base is None:
        base_sha, label = snapshot.default_base(top)
    else:
        base_sha, label = snapshot.resolve(top, base), base
    head_sha = snapshot.resolve(top, head) if head is not None else None
    folders = [snapshot.relative(d, top) for d in (data_dir, docs_dir, templates_dir) if d]
    root_rel = snapshot.relative(root, top)
    with tempfile.TemporaryDirectory(prefix="sms-handbook-changes-") as scratch:

        def loader_at(commit: str, name: str) -> tuple[HandbookLoader, LoadResult]:
            tree = Path(scratch) / name
            snapshot.extract(top, commit, folders, tree)
            moved = [tree / snapshot.relative(d, top) if d else None for d in
                     (root, data_dir, docs_dir, templates_dir)]  # fmt: skip
            loader = HandbookLoader(moved[0], moved[1], moved[2], moved[3])  # type: ignore[arg-type]
            return loader, loader.load()

        base_loader, base_result = loader_at(base_sha, "base")
        if base_result.handbook is None:
            raise BaseUnreadable(label, base_result.problems)
        base_hb = base_result.handbook
        if head_sha is None:
            head_loader = HandbookLoader(root, data_dir, docs_dir, templates_dir)
            head_result = head_loader.load(pages)
        else:
            head_loader, head_result = loader_at(head_sha, "head")
        loaders = {"base": base_loader, "head": head_loader}

        def text(side: str, doc: Document) -> str | None:
            if not (doc.source or "").endswith(".md"):
                return None
            path = Path(loaders[side].docs_dir) / doc.source  # type: ignore[operator]
            try:
                return frontmatter.body(path.read_bytes().decode("utf-8-sig", "replace"))
            except OSError:
                return None

        hb = head_result.handbook
        organization = (hb or base_hb).organization
        changed_by = snapshot.authors(top, base_sha, head_sha, folders)
        names = People(organization)
        docs_rel = snapshot.relative(docs_dir, top)
        authors: dict[str, list[str]] = {}
        for doc in [*base_hb.documents.values(), *head_result.declared.values()]:
            files = []
            if doc.source:
                files.append(posixpath.join(docs_rel, doc.source) if docs_rel else doc.source)
            if doc.register:
                files.append(posixpath.join(root_rel, doc.register) if root_rel else doc.register)
            keys = authors.setdefault(doc.id, [])
            for path in files:
                for name, email in changed_by.get(posixpath.normpath(path), ()):
                    key = names.key(name, email)
                    if key and key not in keys:
                        keys.append(key)
        carried = snapshot.approvals(top, base_sha, head_sha)
        review_problems: list[Problem] = []
        if reviews is not None:
            given, review_problems = approvals.from_forge(
                reviews.text, reviews.forge, organization, reviews.path
            )
            carried += [a.as_approval() for a in given]
        changes = compare(
            base_hb.documents, head_result.declared, organization, text, authors, carried
        )
    problems = [p for change in changes for p in change.problems]
    seen = {(p.path, p.line, p.code) for p in problems}
    problems += [p for p in head_result.problems if (p.path, p.line, p.code) not in seen]
    problems += review_problems
    return Pending(base_sha, label, head_sha, hb, base_hb, changes, problems)
