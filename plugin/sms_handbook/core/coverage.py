"""Implementation progress: per phase, and per clause of the standard (the gap matrix),
beside the latest conformity verdict of an assessment (plan and reality)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from . import standards
from .model import CONFORMITY, Activity, Assessment, Document, Handbook, Phase, Result
from .standards import Clause

ClauseState = Literal["gap", "blocked", "overdue", "planned", "in-progress", "implemented"]

#: Clause states in the order a reader works through them, with their labels.
CLAUSE_STATES: dict[ClauseState, str] = {
    "gap": "no coverage",
    "blocked": "blocked",
    "overdue": "overdue",
    "planned": "planned",
    "in-progress": "in progress",
    "implemented": "implemented",
}
#: Conformity verdicts, worst first, with their labels.
CONFORMITY_LABELS = {
    "nonconforming": "nonconforming",
    "partial": "partially conforming",
    "conforming": "conforming",
    "not-assessed": "not assessed",
}
assert set(CONFORMITY_LABELS) == set(CONFORMITY)
#: Documents that count for a clause: those in force, and those on their way.
_COUNTED = ("approved", "draft", "in-review")
ACTIVITY_STATUSES = ("planned", "in-progress", "done", "blocked", "deferred")


@dataclass(frozen=True)
class ClauseCoverage:
    clause: Clause
    requirement: bool  # False for scope, references and terms
    activities: tuple[Activity, ...]  # citing this clause itself
    documents: tuple[Document, ...]  # claiming this clause itself
    state: ClauseState | None  # from this clause and its subclauses; None if no requirement
    equivalents_2018: tuple[str, ...]  # for older editions: 2018 clauses of the same topic
    #: The latest assessment that gave this clause a verdict, and the verdict.
    verdict: tuple[Assessment, Result] | None = None
    blocked: tuple[Activity, ...] = field(default=())  # of this clause and its subclauses
    overdue: tuple[Activity, ...] = field(default=())

    @property
    def conformity(self) -> str:
        return self.verdict[1].conformity if self.verdict else "not-assessed"


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


def is_overdue(activity: Activity, today: date | None) -> bool:
    """Due before today and neither done nor deferred."""
    return (
        today is not None
        and activity.due is not None
        and activity.due < today
        and activity.status not in ("done", "deferred")
    )


def open_work(phase: Phase, today: date) -> list[Activity]:
    """A phase past its end date with activities not done: those activities."""
    if phase.end >= today:
        return []
    return [a for a in phase.activities if a.status not in ("done", "deferred")]


def _state(
    activities: list[Activity], documents: list[Document], today: date | None
) -> ClauseState:
    if activities:
        statuses = {a.status for a in activities}
        if statuses == {"done"}:
            return "implemented"
        if "blocked" in statuses:
            return "blocked"
        if any(is_overdue(a, today) for a in activities):
            return "overdue"
        if statuses & {"done", "in-progress"}:
            return "in-progress"
        return "planned"
    in_force = [d for d in documents if d.status in _COUNTED]
    if in_force:
        return "implemented" if any(d.status == "approved" for d in in_force) else "in-progress"
    return "gap"


def _ancestors(number: str) -> list[str]:
    parts = number.split(".")
    return [".".join(parts[:i]) for i in range(len(parts), 0, -1)]


def latest_verdicts(assessments: tuple[Assessment, ...]) -> dict[str, tuple[Assessment, Result]]:
    """Per clause, the latest assessment that gave it a verdict (not "not assessed")."""
    found: dict[str, tuple[Assessment, Result]] = {}
    for assessment in sorted(assessments, key=lambda a: (a.date, a.id)):
        for result in assessment.results:
            if result.conformity != "not-assessed":
                found[result.clause] = (assessment, result)
    return found


def clause_coverage(handbook: Handbook, today: date | None = None) -> list[ClauseCoverage]:
    """Every clause of the organization's edition, in order, with what addresses it.

    Only documents in force (and drafts on their way) count: a withdrawn or superseded
    one addresses nothing. With `today`, activities past their due date count as
    overdue."""
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
    verdicts = latest_verdicts(handbook.assessments)
    rows = []
    for clause in standard.clauses:
        requirement = standard.is_requirement(clause)
        number = clause.number
        serving = list(all_acts.get(number, {}).values())
        rows.append(
            ClauseCoverage(
                clause=clause,
                requirement=requirement,
                activities=tuple(direct_acts.get(number, ())),
                documents=tuple(direct_docs.get(number, ())),
                state=_state(serving, list(all_docs.get(number, {}).values()), today)
                if requirement
                else None,
                equivalents_2018=standards.equivalents(number, standard.id, "iso20000-1:2018")
                if translate
                else (),
                verdict=verdicts.get(number),
                blocked=tuple(a for a in serving if a.status == "blocked"),
                overdue=tuple(a for a in serving if is_overdue(a, today)),
            )
        )
    return rows


def state_totals(rows: list[ClauseCoverage]) -> dict[ClauseState, int]:
    counts = Counter(r.state for r in rows if r.state is not None)
    return {state: counts[state] for state in CLAUSE_STATES}


def conformity_totals(rows: list[ClauseCoverage]) -> dict[str, int]:
    """Requirement clauses by their latest verdict."""
    counts = Counter(r.conformity for r in rows if r.requirement)
    return {verdict: counts[verdict] for verdict in CONFORMITY_LABELS}


def needing_attention(rows: list[ClauseCoverage]) -> list[ClauseCoverage]:
    """Nonconformities first, then partial conformity, then gaps, blocked and overdue."""
    rank = {"nonconforming": 0, "partial": 1}
    state_rank = {"gap": 2, "blocked": 3, "overdue": 4}
    flagged = [
        r for r in rows
        if r.requirement and (r.conformity in rank or r.state in state_rank)
    ]  # fmt: skip
    return sorted(
        flagged,
        key=lambda r: (min(rank.get(r.conformity, 9), state_rank.get(r.state or "", 9)),),
    )
