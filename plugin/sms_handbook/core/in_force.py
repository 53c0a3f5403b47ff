"""The handbook as in force on a date: each document's version that applied that day.

A version is in force from the revision that published it approved until a later
approved version is published, or the document is withdrawn or superseded. The dates
are the revisions' (when a change landed on the main line), not `approved_on`: a
version approved on paper applies once it is published.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .register import ApprovedVersion, Entry

#: A document's state on the day, besides "in force".
NOT_YET = "not yet approved"
RETIRED = ("withdrawn", "superseded")
#: The columns of `in-force --format json|csv` (design.md §5).
COLUMNS = ("id", "title", "version", "status", "approved_on", "commit")


@dataclass(frozen=True)
class InForce:
    """One document on the day: its version in force (None when none was)."""

    entry: Entry
    version: str | None = None
    approved_on: str | None = None  # as the version's metadata said
    commit: str | None = None  # the revision that published it
    published_on: date | None = None
    state: str = "in force"  # "in force", NOT_YET, "withdrawn" or "superseded"
    approved: ApprovedVersion | None = None  # the version in force, as the register has it

    def as_json(self) -> dict[str, str | None]:
        doc = self.entry.doc
        return {
            "id": doc.id,
            "title": doc.title,
            "version": self.version,
            "status": "approved" if self.version else self.state,
            "approved_on": self.approved_on,
            "commit": self.commit,
        }


def on(register: list[Entry], day: date) -> list[InForce]:
    """Every published document with history, as it stood on `day`, by id."""
    found = []
    for e in register:
        if not e.published or not e.revisions:
            continue
        then = [r for r in e.revisions if r.date <= day]  # newest first
        if not then:
            continue  # not in the handbook yet
        if then[0].status in RETIRED:
            found.append(InForce(e, state=then[0].status or ""))
            continue
        approved = [
            a for a in e.approved_versions if a.revision.date <= day
        ]  # oldest first
        if not approved:
            found.append(InForce(e, state=NOT_YET))
            continue
        latest = approved[-1]
        on_paper = latest.meta.get("approved_on")
        found.append(
            InForce(
                e, latest.version, str(on_paper) if on_paper else None,
                latest.revision.commit, latest.revision.date, approved=latest,
            )
        )
    return sorted(found, key=lambda f: f.entry.doc.id)


def in_force(found: list[InForce]) -> list[InForce]:
    """Only the documents with a version in force."""
    return [f for f in found if f.version is not None]


@dataclass(frozen=True)
class Step:
    """From `day` on (until the next step), the document stood so: a version in force,
    or a state (NOT_YET, "withdrawn", "superseded")."""

    day: date
    version: str | None
    state: str
    approved_on: str | None
    commit: str | None
    published: bool  # whether the version's text may be shown (its archive exists)


def timeline(entry: Entry) -> list[Step]:
    """The document's states over time, oldest first (what `on` gives on each day a
    revision landed, repeats left out): what a reader picking a date looks up. None for
    a withheld document."""
    steps: list[Step] = []
    if not entry.published:
        return steps
    for day in sorted({r.date for r in entry.revisions}):
        (found,) = on([entry], day)
        step = Step(
            day, found.version, found.state, found.approved_on, found.commit,
            found.approved is not None and found.approved.published,
        )  # fmt: skip
        if not steps or (steps[-1].version, steps[-1].state) != (step.version, step.state):
            steps.append(step)
    return steps
