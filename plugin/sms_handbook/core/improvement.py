"""Nonconformities and the actions taken on them (ISO/IEC 20000-1 10.1, 10.2), and the
one rule for an action's state that the pages, the exports and `actions` share."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING

from .model import NOWHERE, Location

if TYPE_CHECKING:
    from .model import Handbook

GRADES = ("major", "minor", "observation", "opportunity")
ACTION_KINDS = ("corrective", "improvement", "risk-treatment", "review-output")
#: An action's state, in the order the pages list them (what needs attention first).
ACTION_STATES = {
    "overdue": "overdue",
    "ineffective": "not effective",
    "awaiting-verification": "awaiting verification",
    "open": "open",
    "closed": "closed",
    "cancelled": "cancelled",
}
#: The states nobody needs to act on any more.
SETTLED = ("closed", "cancelled")


@dataclass(frozen=True)
class Effectiveness:
    """Whether a done corrective action removed the cause, as someone verified it."""

    verified_by: str
    on: date
    effective: bool
    notes: str = ""


@dataclass(frozen=True)
class Action:
    id: str
    title: str
    kind: str  # one of ACTION_KINDS
    owner: str
    raised_on: date
    due: date
    status: str  # open | in-progress | done | cancelled
    done_on: date | None = None
    effectiveness: Effectiveness | None = None
    notes: str = ""
    classification: str = "internal"
    where: Location = NOWHERE

    def state(self, today: date) -> str:
        """One of ACTION_STATES: what the action needs now."""
        if self.status == "cancelled":
            return "cancelled"
        if self.status == "done":
            if self.kind != "corrective":
                return "closed"
            if self.effectiveness is None:
                return "awaiting-verification"
            return "closed" if self.effectiveness.effective else "ineffective"
        return "overdue" if self.due < today else "open"


@dataclass(frozen=True)
class Nonconformity:
    id: str
    raised_on: date
    raised_by: str
    source: str  # an assessment id, or words (an incident, a complaint, a review)
    grade: str  # one of GRADES
    description: str
    status: str  # open | closed
    clauses: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    correction: str = ""
    root_cause: str = ""
    actions: tuple[str, ...] = ()
    closed_on: date | None = None
    classification: str = "internal"
    where: Location = NOWHERE


@dataclass(frozen=True)
class Origin:
    """What an action was raised for: a nonconformity, a risk or a management review."""

    kind: str  # nonconformity | risk | management-review
    id: str


@dataclass(frozen=True)
class Tracker:
    """The actions with what each was raised for, as of one day."""

    actions: tuple[Action, ...]
    today: date
    origins: dict[str, tuple[Origin, ...]] = field(default_factory=dict)

    def state(self, action: Action) -> str:
        return action.state(self.today)

    def by_id(self, action_id: str) -> Action | None:
        return self._by_id.get(action_id)

    @cached_property
    def _by_id(self) -> dict[str, Action]:
        return {a.id: a for a in self.actions}

    def needing_attention(self) -> list[Action]:
        """Overdue, not effective and awaiting verification: the worst first, then by due."""
        order = list(ACTION_STATES)
        pressing = [a for a in self.actions if self.state(a) in order[:3]]
        return sorted(pressing, key=lambda a: (order.index(self.state(a)), a.due, a.id))

    def listed(self, states: Iterable[str] | None = None, owner: str | None = None) -> list[Action]:
        """The actions in the pages' order (state, then due date), optionally filtered."""
        order, wanted = list(ACTION_STATES), set(states) if states is not None else None
        return sorted(
            (
                a for a in self.actions
                if (wanted is None or self.state(a) in wanted)
                and (owner is None or a.owner == owner)
            ),
            key=lambda a: (order.index(self.state(a)), a.due, a.id),
        )  # fmt: skip


def tracker(handbook: Handbook, today: date) -> Tracker:
    """The handbook's actions, each with the nonconformities, risks and reviews naming it."""
    origins: dict[str, list[Origin]] = {}
    named = [
        *(("nonconformity", n.id, n.actions) for n in handbook.nonconformities),
        *(("risk", r.id, r.actions) for r in handbook.risks),
        *(("management-review", m.id, m.actions) for m in handbook.management_reviews),
    ]
    for kind, item_id, actions in named:
        for action_id in actions:
            origins.setdefault(action_id, []).append(Origin(kind, item_id))
    return Tracker(handbook.actions, today, {k: tuple(v) for k, v in origins.items()})


def open_by_clause(handbook: Handbook) -> dict[str, list[Nonconformity]]:
    """The open nonconformities under each clause they cite (for the compliance matrix)."""
    found: dict[str, list[Nonconformity]] = {}
    for item in handbook.nonconformities:
        if item.status == "open":
            for number in item.clauses:
                found.setdefault(number, []).append(item)
    return found
