"""risks.yml: levels from the organization's own criteria, a treatment that fits the
kind, a risk accepted above the appetite with a decision on record (a warning)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from ... import risks
from ...model import Location
from ...problems import did_you_mean, excerpt
from ..yamlio import LineList, LineMap
from .checker import (
    Checker,
    Known,
    check_clauses,
    check_people_at,
    date_of,
    records_at,
    unique,
)
from .improvement import check_action_ids, not_ahead


def check_risks(
    check: Checker,
    data: LineMap,
    path: str,
    known: Known,
    actions: Collection[str],
    today: date | None,
) -> None:
    criteria = data.get("criteria") if isinstance(data.get("criteria"), LineMap) else LineMap()
    scales = {
        key: tuple(v for v in criteria[key] if isinstance(v, str))
        for key in ("likelihood", "impact")
        if isinstance(criteria.get(key), LineList)
    }
    appetite = criteria.get("appetite")
    seen: dict[str, Location] = {}
    for entry in records_at(data, "risks"):
        unique(check, entry, path, seen, "risk")
        check_people_at(check, entry, ("owner",), path, known.people)
        clauses = entry.get("clauses")
        if isinstance(clauses, LineList) and known.standard is not None:
            check_clauses(check, clauses, path, known.standard)
        check_action_ids(check, entry, path, actions)
        not_ahead(check, entry, "reviewed_on", date_of(entry.get("reviewed_on")), today, path)
        _check_levels(check, entry, scales, path)
        residual = entry.get("residual")
        if isinstance(residual, LineMap):
            _check_levels(check, residual, scales, path)
        kind, treatment = entry.get("kind"), entry.get("treatment")
        fitting = risks.TREATMENTS.get(kind) if isinstance(kind, str) else None
        known_treatment = any(treatment in t for t in risks.TREATMENTS.values())
        if fitting is not None and known_treatment and treatment not in fitting:
            check.error(
                Location(path, entry.value_line("treatment")), "invalid-value",
                f"treatment {excerpt(treatment)} does not fit a{'n' if kind[0] == 'o' else ''} "
                f"{kind}: use one of {', '.join(fitting)}",
            )  # fmt: skip
        acceptance = entry.get("acceptance")
        if isinstance(acceptance, LineMap):
            check_people_at(check, acceptance, ("by",), path, known.people)
            not_ahead(check, acceptance, "on", date_of(acceptance.get("on")), today, path)
            continue
        rating = _rating(_current(entry), scales)
        if (
            kind == "risk" and treatment == "accept" and entry.get("status") != "closed"
            and isinstance(appetite, int) and rating > appetite
        ):  # fmt: skip
            check.warning(
                Location(path, entry.value_line("treatment")), "acceptance-missing",
                f"{excerpt(entry.get('id'))} is rated {rating}, above the "
                f"appetite of {appetite}, and accepted: record who accepted it and when "
                "(acceptance: {by: ..., on: ...})",
            )  # fmt: skip


def _check_levels(
    check: Checker, entry: LineMap, scales: dict[str, tuple[str, ...]], path: str
) -> None:
    for key, words in scales.items():
        value = entry.get(key)
        if isinstance(value, str) and value not in words:
            check.error(
                Location(path, entry.value_line(key)), "invalid-value",
                f"{key} {excerpt(value)} is not in criteria.{key} ({', '.join(words)})"
                f"{did_you_mean(value, words)}",
            )  # fmt: skip


def _current(entry: LineMap) -> LineMap:
    """The levels a risk stands at (as risks.Risk.current): after treatment once treated
    or closed, else before."""
    residual = entry.get("residual")
    if isinstance(residual, LineMap) and entry.get("status") in ("treated", "closed"):
        return residual
    return entry


def _rating(entry: LineMap, scales: dict[str, tuple[str, ...]]) -> int:
    """The rating of these levels (0 when a level is unknown: reported elsewhere)."""
    ranks = []
    for key in ("likelihood", "impact"):
        words, value = scales.get(key, ()), entry.get(key)
        ranks.append(words.index(value) + 1 if value in words else 0)
    return ranks[0] * ranks[1]
