"""assessments.yml: unique ids; a person assessed; each clause once, of the edition;
evidence that resolves."""

from __future__ import annotations

from ...model import Location
from ...problems import did_you_mean, excerpt
from ..yamlio import LineMap
from .checker import Checker, Known, check_ids, check_people_at, records_at, unique


def check_assessments(check: Checker, entries: list[LineMap], path: str, known: Known) -> None:
    standard = known.standard
    seen: dict[str, Location] = {}
    for entry in entries:
        unique(check, entry, path, seen, "assessment")
        check_people_at(check, entry, ("assessor",), path, known.people)
        assessed: dict[str, int] = {}
        for result in records_at(entry, "results"):
            number = result.get("clause")
            line = result.value_line("clause")
            if isinstance(number, str) and standard is not None and number not in standard:
                check.error(
                    Location(path, line),
                    "unknown-clause",
                    f"clause {excerpt(number)} is not in {standard.title}"
                    f"{did_you_mean(number, standard.by_number)}",
                )
            elif isinstance(number, str) and number in assessed:
                check.error(
                    Location(path, line),
                    "duplicate-id",
                    f"clause {excerpt(number)} is assessed twice in {entry.get('id')} (first at "
                    f"line {assessed[number]})",
                )
            if isinstance(number, str):
                assessed.setdefault(number, line)
            evidence = result.get("evidence")
            check_ids(check, evidence, path, known.documents, "evidence", links=True)
