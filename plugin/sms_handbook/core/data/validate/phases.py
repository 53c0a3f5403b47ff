"""phases.yml: unique phase and activity ids, dates in order, and the people, clauses
and deliverables each activity names."""

from __future__ import annotations

from ...model import Location
from ..yamlio import LineList, LineMap
from .checker import (
    Checker,
    Known,
    check_clauses,
    check_ids,
    check_people_at,
    date_of,
    records_at,
    unique,
)


def check_phases(check: Checker, phase_list: list[LineMap], path: str, known: Known) -> None:
    seen_phases: dict[str, Location] = {}
    seen_activities: dict[str, Location] = {}
    for phase in phase_list:
        unique(check, phase, path, seen_phases, "phase")
        start, end = date_of(phase.get("start")), date_of(phase.get("end"))
        if start and end and end < start:
            check.error(
                Location(path, phase.value_line("end")),
                "invalid-range",
                f"phase {phase.get('id')} ends ({end}) before it starts ({start})",
            )
        for activity in records_at(phase, "activities"):
            unique(check, activity, path, seen_activities, "activity")
            check_people_at(
                check, activity, ("owner", "responsible", "consulted", "informed"), path,
                known.people,
            )  # fmt: skip
            clauses = activity.get("clauses")
            if known.standard is not None and isinstance(clauses, LineList):
                check_clauses(check, clauses, path, known.standard)
            check_ids(check, activity.get("deliverables"), path, known.documents, "deliverable")
