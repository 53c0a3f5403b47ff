"""project.yml: everyone named is a person; every gate ends a phase that exists, once."""

from __future__ import annotations

from ...model import Location
from ...problems import excerpt
from ..yamlio import LineMap
from .checker import Checker, Known, check_people_at, records_at, unknown_phase


def check_project(check: Checker, project: LineMap, path: str, known: Known) -> None:
    people = known.people
    check_people_at(check, project, ("sponsor",), path, people)
    case = project.get("business_case")
    if isinstance(case, LineMap) and isinstance(case.get("decision"), LineMap):
        check_people_at(check, case["decision"], ("by",), path, people)
    for member in records_at(project, "team"):
        check_people_at(check, member, ("person",), path, people)
    gated: dict[str, Location] = {}
    for gate in records_at(project, "gates"):
        phase = gate.get("phase")
        here = Location(path, gate.value_line("phase"))
        if isinstance(phase, str) and phase not in known.phases:
            unknown_phase(check, here, "gate phase", phase, known.phases)
        elif isinstance(phase, str) and phase in gated:
            check.error(
                here, "duplicate-id", f"phase {excerpt(phase)} has a gate already at {gated[phase]}"
            )
        if isinstance(phase, str):
            gated.setdefault(phase, here)
        if isinstance(gate.get("decision"), LineMap):
            check_people_at(check, gate["decision"], ("by",), path, people)
    for change in records_at(project, "scope_changes"):
        check_people_at(check, change, ("approved_by",), path, people)
