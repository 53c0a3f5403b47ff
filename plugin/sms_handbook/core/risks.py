"""The risk register (ISO/IEC 20000-1 6.1): the organization's criteria, risks and
opportunities, their ratings before and after treatment, and the appetite."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .model import NOWHERE, Decision, Location

KINDS = ("risk", "opportunity")
#: The treatments that fit each kind (accepting fits both).
TREATMENTS = {
    "risk": ("accept", "reduce", "avoid", "transfer"),
    "opportunity": ("accept", "exploit", "enhance"),
}
STATUSES = ("open", "treated", "accepted", "closed")


@dataclass(frozen=True)
class Criteria:
    """The organization's own scales, low to high, and the rating it accepts."""

    likelihood: tuple[str, ...]
    impact: tuple[str, ...]
    appetite: int

    def rating(self, likelihood: str, impact: str) -> int:
        """Likelihood rank times impact rank, the ranks from 1."""
        return (self.likelihood.index(likelihood) + 1) * (self.impact.index(impact) + 1)


@dataclass(frozen=True)
class Level:
    likelihood: str
    impact: str


@dataclass(frozen=True)
class Risk:
    id: str
    kind: str  # one of KINDS
    title: str
    owner: str
    likelihood: str
    impact: str
    treatment: str
    reviewed_on: date
    status: str  # one of STATUSES
    description: str = ""
    clauses: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    residual: Level | None = None  # after treatment
    acceptance: Decision | None = None  # who accepted a risk above the appetite, and when
    classification: str = "internal"
    where: Location = NOWHERE

    @property
    def current(self) -> Level:
        """The level it stands at: after treatment once treated or closed, else before."""
        if self.residual is not None and self.status in ("treated", "closed"):
            return self.residual
        return Level(self.likelihood, self.impact)


@dataclass(frozen=True)
class Rated:
    """A risk with its ratings under the criteria."""

    risk: Risk
    rating: int  # before treatment
    residual: int | None  # after treatment, when given
    current: int  # as it stands (see Risk.current)
    above_appetite: bool  # a risk (never an opportunity) still open to more than accepted

    @property
    def needs_decision(self) -> bool:
        """Accepted above the appetite with nobody recorded as accepting it."""
        return self.above_appetite and self.risk.treatment == "accept" and not self.risk.acceptance


def rated(criteria: Criteria, risks: tuple[Risk, ...]) -> list[Rated]:
    """Every risk rated, the highest current rating first (then by id)."""
    out = []
    for risk in risks:
        rating = criteria.rating(risk.likelihood, risk.impact)
        residual = risk.residual
        after = criteria.rating(residual.likelihood, residual.impact) if residual else None
        now = criteria.rating(risk.current.likelihood, risk.current.impact)
        above = risk.kind == "risk" and risk.status != "closed" and now > criteria.appetite
        out.append(Rated(risk, rating, after, now, above))
    return sorted(out, key=lambda r: (-r.current, r.risk.id))


def heat_counts(criteria: Criteria, items: list[Rated], kind: str) -> dict[Level, list[str]]:
    """The ids of the items of one kind (not closed) in each cell, by their current level."""
    cells: dict[Level, list[str]] = {}
    for item in items:
        if item.risk.kind == kind and item.risk.status != "closed":
            cells.setdefault(item.risk.current, []).append(item.risk.id)
    return cells
