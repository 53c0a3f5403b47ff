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

from . import control, fields, json_text
from .control import State
from .data import frontmatter
from .data.loader import HandbookLoader, LoadResult
from .git import snapshot
from .git.history import repo_info
from .model import Document, Handbook, Location
from .people import People
from .problems import Problem

#: A removed document was retired properly when it was first given one of these.
RETIRED = ("withdrawn", "superseded")
SHOWN = ("version", "status", "owner", "approver")


@dataclass
class DocumentChange:
    id: str
    title: str
    kind: str  # added | removed | changed
    before: Document | None
    after: Document | None
    what: list[str]  # "text" and the names of the fields that changed
    problems: list[Problem] = field(default_factory=list)

    @property
    def approver(self) -> str | None:
        """Who must approve the change: the approver the document names after it."""
        doc = self.after or self.before
        return doc.approver if doc is not None else None

    @property
    def needs(self) -> str:
        """What the change needs before it is merged, in words."""
        if self.problems:
            return "fix: " + ", ".join(dict.fromkeys(p.code for p in self.problems))
        doc = self.after
        if doc is None:
            return "approval of the removal"
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
    base: Handbook,
    head: Handbook,
    text: Callable[[str, Document], str | None],
    authors: Mapping[str, Sequence[str]],
) -> list[DocumentChange]:
    """Every document that differs between base and head, by id.

    `text(side, doc)` gives a page document's Markdown after its front matter ("base"
    or "head"); `authors` the people keys who changed each document's files.
    """
    separation = head.organization.separation_of_duties
    names = People(head.organization)
    found = []
    for doc_id in sorted(base.documents.keys() | head.documents.keys()):
        before, after = base.documents.get(doc_id), head.documents.get(doc_id)
        if after is None:
            assert before is not None
            change = DocumentChange(doc_id, before.title, "removed", before, None, ["removed"])
            if before.status not in RETIRED:
                where = before.where.get("id", Location("", 1))
                change.problems.append(
                    Problem(
                        where.path,
                        where.line,
                        "error",
                        "document-removed",
                        f"{doc_id} {before.title} was removed while {before.status}; withdraw "
                        "or supersede it first (set its status), so its record stays",
                    )
                )
            found.append(change)
            continue
        old_text = text("base", before) if before is not None else None
        new_text = text("head", after)
        if before is None:
            what = ["added"]
        else:
            old, new = metadata(before), metadata(after)
            what = [name for name in fields.NAMES if old[name] != new[name] and name != "id"]
            if old_text != new_text:
                what.insert(0, "text")
        if not what:
            continue
        kind = "added" if before is None else "changed"
        change = DocumentChange(doc_id, after.title, kind, before, after, what)
        findings = control.change_findings(
            doc_id,
            State.of(metadata(before)) if before is not None else None,
            State.of(metadata(after)),
            text_changed=before is not None and old_text != new_text,
            authors=authors.get(doc_id, ()),
            separation=separation,
            names=names,
        )
        for finding in findings:
            key = "approver" if finding.code == "self-approval" else "version"
            where = after.where.get(key) or after.where.get("id") or Location("", 1)
            change.problems.append(
                Problem(where.path, where.line, "error", finding.code, finding.message)
            )
        found.append(change)
    return found


def _side(doc: Document | None, key: str, people: People) -> str:
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


def as_text(changes: list[DocumentChange], head: Handbook, base_label: str) -> str:
    people = People(head.organization)
    if not changes:
        return f"No controlled document changed since {base_label}.\n"
    lines = [f"{len(changes)} controlled document(s) changed since {base_label}:"]
    for c in changes:
        lines.append(f"  {c.id} {c.title} ({c.kind}: {', '.join(c.what)})")
        for key in SHOWN:
            lines.append(f"    {key}: {_arrow(c, key, people)}")
        approver = c.approver
        lines.append(f"    must approve: {people.name(approver) if approver else 'nobody named'}")
    return "\n".join(lines) + "\n"


def as_markdown(
    changes: list[DocumentChange], head: Handbook, base_label: str, problems: list[Problem]
) -> str:
    """A pull-request comment: a table of the changed documents and what each needs."""
    people = People(head.organization)
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
            "| Document | Change | Version | Status | Owner | Must approve | Needs |",
            "|---|---|---|---|---|---|---|",
        ]
        for c in changes:
            approver = c.approver
            person = head.organization.people.get(approver or "")
            handle = (
                f" (@{person.github or person.gitlab})"
                if person and (person.github or person.gitlab)
                else ""
            )
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
                        (people.name(approver) + handle) if approver else "nobody named",
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


@dataclass
class Pending:
    """What `sms-handbook changes` found."""

    base: str  # the base commit
    base_label: str  # what it was found from, for people
    head: str | None  # the head commit; None for the work tree
    handbook: Handbook | None  # the head's (None when it does not load)
    base_handbook: Handbook
    changes: list[DocumentChange]
    problems: list[Problem]  # the head's own problems, then the changes'

    @property
    def label(self) -> str:
        """The base for people: what it was found from, and its commit."""
        short = self.base[:8]
        return short if self.base.startswith(self.base_label) else f"{self.base_label} ({short})"

    @property
    def people_handbook(self) -> Handbook:
        """The handbook whose people name the people (the head's, else the base's)."""
        return self.handbook or self.base_handbook


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
) -> Pending:
    """Compare the handbook at `base` (default: see snapshot.default_base) with `head`
    (default: the work tree, with its `pages`).

    Raises GitError, snapshot.NoBase and BaseUnreadable.
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
        if head_sha is None:
            head_loader = HandbookLoader(root, data_dir, docs_dir, templates_dir)
            head_result = head_loader.load(pages)
        else:
            head_loader, head_result = loader_at(head_sha, "head")
        problems = list(head_result.problems)
        if head_result.handbook is None:
            return Pending(base_sha, label, head_sha, None, base_result.handbook, [], problems)
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
        changed_by = snapshot.authors(top, base_sha, head_sha, folders)
        names = People(hb.organization)
        docs_rel = snapshot.relative(docs_dir, top)
        authors: dict[str, list[str]] = {}
        for doc in [*base_result.handbook.documents.values(), *hb.documents.values()]:
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
        changes = compare(base_result.handbook, hb, text, authors)
    found = {(p.path, p.line, p.code) for p in problems}
    for change in changes:
        problems += [p for p in change.problems if (p.path, p.line, p.code) not in found]
    return Pending(base_sha, label, head_sha, hb, base_result.handbook, changes, problems)
