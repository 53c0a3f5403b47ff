"""Implementation progress: per phase, and per clause of the standard (the gap matrix)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Literal

from . import standards
from .model import Activity, Document, Handbook, Phase
from .standards import Clause

ClauseState = Literal["gap", "planned", "in-progress", "implemented"]

#: Clause states in the order a reader works through them, with their labels.
CLAUSE_STATES: dict[ClauseState, str] = {
    "gap": "no coverage",
    "planned": "planned",
    "in-progress": "in progress",
    "implemented": "implemented",
}
ACTIVITY_STATUSES = ("planned", "in-progress", "done", "blocked", "deferred")


@dataclass(frozen=True)
class ClauseCoverage:
    clause: Clause
    requirement: bool  # False for scope, references and terms
    activities: tuple[Activity, ...]  # citing this clause itself
    documents: tuple[Document, ...]  # claiming this clause itself
    state: ClauseState | None  # from this clause and its subclauses; None if no requirement
    equivalents_2018: tuple[str, ...]  # for older editions: 2018 clauses of the same topic


@dataclass(frozen=True)
class PhaseProgress:
    phase: Phase
    by_status: dict[str, int]

    @property
    def total(self) -> int:
        return len(self.phase.activities)

    @property
    def done(self) -> int:
        return self.by_status.get("done", 0)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def phase_progress(phase: Phase) -> PhaseProgress:
    counts = Counter(a.status for a in phase.activities)
    return PhaseProgress(phase, {s: counts[s] for s in ACTIVITY_STATUSES})


def _state(activities: list[Activity], documents: list[Document]) -> ClauseState:
    if activities:
        statuses = {a.status for a in activities}
        if statuses == {"done"}:
            return "implemented"
        if statuses & {"done", "in-progress"}:
            return "in-progress"
        return "planned"
    if documents:
        return "implemented" if all(d.status == "approved" for d in documents) else "in-progress"
    return "gap"


def _ancestors(number: str) -> list[str]:
    parts = number.split(".")
    return [".".join(parts[:i]) for i in range(len(parts), 0, -1)]


def clause_coverage(handbook: Handbook) -> list[ClauseCoverage]:
    """Every clause of the organization's edition, in order, with what addresses it."""
    standard = handbook.standard
    direct_acts: dict[str, list[Activity]] = {}
    all_acts: dict[str, dict[str, Activity]] = {}  # by id: one entry however often cited
    for activity in handbook.activities:
        for number in activity.clauses:
            direct_acts.setdefault(number, []).append(activity)
            for ancestor in _ancestors(number):
                all_acts.setdefault(ancestor, {})[activity.id] = activity
    direct_docs: dict[str, list[Document]] = {}
    all_docs: dict[str, dict[str, Document]] = {}
    for document in handbook.documents.values():
        for number in document.clauses:
            direct_docs.setdefault(number, []).append(document)
            for ancestor in _ancestors(number):
                all_docs.setdefault(ancestor, {})[document.id] = document
    translate = standard.id != "iso20000-1:2018"
    rows = []
    for clause in standard.clauses:
        requirement = standard.is_requirement(clause)
        number = clause.number
        rows.append(
            ClauseCoverage(
                clause=clause,
                requirement=requirement,
                activities=tuple(direct_acts.get(number, ())),
                documents=tuple(direct_docs.get(number, ())),
                state=_state(
                    list(all_acts.get(number, {}).values()),
                    list(all_docs.get(number, {}).values()),
                )
                if requirement
                else None,
                equivalents_2018=standards.equivalents(number, standard.id, "iso20000-1:2018")
                if translate
                else (),
            )
        )
    return rows


def state_totals(rows: list[ClauseCoverage]) -> dict[ClauseState, int]:
    counts = Counter(r.state for r in rows if r.state is not None)
    return {state: counts[state] for state in CLAUSE_STATES}
