"""Management reviews (ISO/IEC 20000-1 9.3) and the audit programme's reach (9.2): what
each review considered and left out, when the next one is due, and which clauses no
internal audit looked at within the cycle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from .model import NOWHERE, Location
from .reviews import add_months

if TYPE_CHECKING:
    from .model import Assessment
    from .standards import Clause, Standard

#: What a management review considers: our key, a short label, and what it covers (in
#: our words; the clause lists the inputs in its own).
TOPICS: dict[str, tuple[str, str]] = {
    "previous-actions": (
        "Actions from earlier reviews", "whether what the last reviews decided was done"),
    "context-changes": (
        "Changes in context", "changes inside and outside the organization that bear on the SMS"),
    "interested-parties": (
        "Interested parties", "what customers, staff and others now need and expect"),
    "objectives": ("Objectives", "how far the service management objectives were met"),
    "nonconformities": (
        "Nonconformities", "nonconformities raised, their causes and the corrective actions"),
    "monitoring": ("Monitoring and measurement", "what the measurements of the SMS show"),
    "audit-results": ("Audit results", "findings of internal and external audits"),
    "customer-feedback": ("Customer feedback", "complaints, satisfaction and other feedback"),
    "service-performance": (
        "Service performance", "how the services performed against their targets"),
    "supplier-performance": (
        "Supplier performance", "how suppliers and other parties involved performed"),
    "risks-and-opportunities": (
        "Risks and opportunities", "the risk register and how well its treatments worked"),
    "resources": ("Resources", "whether people, money and tools are enough"),
    "improvement-opportunities": (
        "Opportunities for improvement", "what could be done better, and what to change"),
}  # fmt: skip


@dataclass(frozen=True)
class ReviewInput:
    topic: str  # a key of TOPICS
    summary: str = ""


@dataclass(frozen=True)
class ManagementReview:
    id: str
    date: date
    chair: str
    attendees: tuple[str, ...] = ()
    inputs: tuple[ReviewInput, ...] = ()
    decisions: str = ""
    actions: tuple[str, ...] = ()
    minutes: str | None = None  # a document or record series id
    where: Location = NOWHERE

    @property
    def covered(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(i.topic for i in self.inputs))

    @property
    def not_covered(self) -> tuple[str, ...]:
        return tuple(t for t in TOPICS if t not in self.covered)


@dataclass(frozen=True)
class Schedule:
    """The reviews held (on or before today, newest first), those planned, and when the
    next one is due: the first planned, else the last held plus the interval (None when
    none was held nor planned: one is due now)."""

    held: tuple[ManagementReview, ...]
    planned: tuple[ManagementReview, ...]
    due: date | None
    overdue: bool


def schedule(reviews: tuple[ManagementReview, ...], months: int, today: date) -> Schedule:
    held = tuple(
        sorted((r for r in reviews if r.date <= today), key=lambda r: r.date, reverse=True)
    )
    planned = tuple(sorted((r for r in reviews if r.date > today), key=lambda r: r.date))
    if planned:
        due: date | None = planned[0].date
    elif held:
        due = add_months(held[0].date, months)
    else:
        due = None
    overdue = due is None or due < today
    if planned and held:  # a planned review later than the interval allows is late too
        overdue = add_months(held[0].date, months) < planned[0].date or overdue
    return Schedule(held, planned, due, overdue)


@dataclass(frozen=True)
class Unaudited:
    """A clause no internal audit gave a verdict on within the cycle."""

    clause: Clause
    last: date | None  # when an internal audit last did, if ever


def unaudited(
    standard: Standard, assessments: tuple[Assessment, ...], months: int, today: date
) -> list[Unaudited]:
    """The requirement clauses of the second level (a main clause without subclauses
    itself) that no internal audit assessed, itself, a clause above or below it, in the
    `months` before today."""
    last: dict[str, date] = {}
    for assessment in assessments:
        if assessment.kind != "internal-audit" or assessment.date > today:
            continue
        for result in assessment.results:
            if result.conformity != "not-assessed":
                number = result.clause
                if last.get(number, date.min) < assessment.date:
                    last[number] = assessment.date
    since = add_months(today, -months)
    found = []
    parents = {c.parent for c in standard.clauses}
    for clause in standard.clauses:
        if not standard.is_requirement(clause) or clause.depth > 2:
            continue
        if clause.depth == 1 and clause.number in parents:
            continue
        dates = [d for n, d in last.items() if _related(n, clause.number)]
        latest = max(dates) if dates else None
        if latest is None or latest < since:
            found.append(Unaudited(clause, latest))
    return found


def _related(assessed: str, number: str) -> bool:
    """Whether a verdict on `assessed` speaks for `number` (the same, above or below)."""
    return (
        assessed == number or number.startswith(assessed + ".") or assessed.startswith(number + ".")
    )
