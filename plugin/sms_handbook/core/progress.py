"""Implementation progress over time: activities done at the end of each month, from
the past versions of phases.yml that the one history pass read, and conformity per
assessment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from .coverage import CONFORMITY_LABELS
from .data.yamlio import load_past_yaml
from .git.history import History
from .model import Activity, Assessment, Handbook
from .standards import Standard


@dataclass(frozen=True)
class Month:
    month: str  # YYYY-MM
    done: int  # activities done at the end of the month
    total: int  # activities planned then


@dataclass(frozen=True)
class AssessmentTotals:
    assessment: Assessment
    totals: dict[str, int]  # requirement clauses assessed, by verdict (CONFORMITY_LABELS)


def _count(text: str | None) -> tuple[int, int] | None:
    data = load_past_yaml(text or "")
    phases = data.get("phases") if isinstance(data, dict) else None
    if not isinstance(phases, list):
        return None
    activities = [
        a
        for p in phases
        if isinstance(p, dict) and isinstance(p.get("activities"), list)
        for a in p["activities"]
        if isinstance(a, dict)
    ]
    return sum(a.get("status") == "done" for a in activities), len(activities)


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _next(month: str) -> str:
    year, number = int(month[:4]), int(month[5:])
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"


def done_per_month(
    handbook: Handbook, history: History | None, phases_path: str | None, today: date
) -> list[Month]:
    """Each month from the first version of phases.yml in the history to today's, with
    the activities done at its end (this month: as the data says now)."""
    if not handbook.phases:
        return []
    now = sum(a.status == "done" for a in handbook.activities), len(handbook.activities)
    counts: dict[str, tuple[int, int]] = {}
    if history is not None and phases_path is not None:
        zone = ZoneInfo(handbook.organization.timezone)
        for revision in reversed(history.of(phases_path)):  # oldest first
            data = history.blobs.get(revision.blob)
            counted = _count(data.decode("utf-8", "replace") if data is not None else None)
            if counted is not None:
                counts[_month(datetime.fromtimestamp(revision.time, zone).date())] = counted
    counts[_month(today)] = now
    months, month, last = [], min(counts), counts[min(counts)]
    while month <= _month(today):
        last = counts.get(month, last)
        months.append(Month(month, *last))
        month = _next(month)
    return months


def assessment_totals(handbook: Handbook, standard: Standard) -> list[AssessmentTotals]:
    """Each assessment, oldest first, with its requirement clauses counted by verdict."""
    found = []
    for assessment in handbook.assessments:
        totals = dict.fromkeys(CONFORMITY_LABELS, 0)
        for result in assessment.results:
            clause = standard.by_number.get(result.clause)
            if clause is not None and standard.is_requirement(clause):
                totals[result.conformity] += 1
        found.append(AssessmentTotals(assessment, totals))
    return found


@dataclass(frozen=True)
class Raci:
    """The RACI matrix: the people involved in any activity, and each activity's roles."""

    people: list[str]  # people keys, in organization.yml's order
    rows: list[tuple[Activity, dict[str, str]]]  # roles by person: "A", "R", "A/R", "C", "I"


def raci(handbook: Handbook) -> Raci:
    """Activities by people: the owner is accountable; responsible, consulted, informed
    as the activity says."""
    rows = []
    involved: set[str] = set()
    for activity in handbook.activities:
        roles: dict[str, list[str]] = {activity.owner: ["A"]}
        for letter, keys in (
            ("R", activity.responsible), ("C", activity.consulted), ("I", activity.informed)
        ):  # fmt: skip
            for key in keys:
                roles.setdefault(key, []).append(letter)
        involved.update(roles)
        rows.append((activity, {k: "/".join(v) for k, v in roles.items()}))
    people = [key for key in handbook.organization.people if key in involved]
    return Raci(people, rows)
