"""What every check shares: the problems found, control characters, references (a
person, a clause, a phase, a document id) and ids unique within a file."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ... import standards
from ...model import Location
from ...policy_templates import PolicyTemplate
from ...problems import Problem, did_you_mean, excerpt
from .. import schemas
from ..yamlio import LineList, LineMap

#: The control characters no value may hold (C0 and C1, DEL; not tab nor line feed):
#: printed, ESC and its kin would drive the terminal of whoever reads the output.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: The dates a handbook may give (as common.schema.json says).
FIRST_DATE, LAST_DATE = date(1900, 1, 1), date(2999, 12, 31)


class Checker:
    """The problems found so far."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def schema(self, name: str, instance: Any, path: str) -> list[Problem]:
        """Check a value against a schema; its problems are returned and kept."""
        problems = schemas.check(name, instance, path)
        self.problems.extend(problems)
        return problems

    def error(self, where: Location, code: str, message: str) -> None:
        self.problems.append(Problem(where.path, where.line, "error", code, message))

    def warning(self, where: Location, code: str, message: str) -> None:
        self.problems.append(Problem(where.path, where.line, "warning", code, message))


@dataclass(frozen=True)
class Known:
    """What a reference may name: people keys, the edition's clauses (None when the
    edition is unknown: reported elsewhere), phase ids, document ids and templates."""

    people: LineMap
    standard: standards.Standard | None
    phases: Collection[Any]
    documents: Mapping[str, Any]  # by id: the declarations of each (registers.Group)
    templates: Mapping[str, PolicyTemplate]


def control_problem(path: str, line: int, what: str, text: str) -> Problem | None:
    """A `control-character` problem when `text` holds one (None when it holds none)."""
    found = CONTROL.search(text)
    if found is None:
        return None
    char = found.group()
    return Problem(
        path, line, "error", "control-character",
        f"{what} holds the control character {excerpt(char)} (U+{ord(char):04X}); delete it",
    )  # fmt: skip


def check_controls(check: Checker, data: Any, path: str, what: str = "value") -> None:
    """No key nor text value of a file holds a control character (each mapping and list
    once, however many aliases repeat it). Each one's keys, and its text values, are
    searched at once: one by one only where something was found."""
    search, seen = CONTROL.search, set()
    stack: list[tuple[Any, str]] = [(data, what)]
    found: list[Problem | None] = []
    while stack:
        node, name = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, LineMap):
            texts = [v for v in node.values() if isinstance(v, str)]
            if search("".join(node)) or search("".join(texts)):
                for key, value in node.items():
                    found.append(control_problem(path, node.key_line(key), "a key", key))
                    if isinstance(value, str):
                        line = node.value_line(key)
                        found.append(control_problem(path, line, excerpt(key), value))
            stack.extend((v, k) for k, v in node.items() if isinstance(v, (LineMap, LineList)))
        elif isinstance(node, LineList):
            if search("".join(v for v in node if isinstance(v, str))):
                for index, value in enumerate(node):
                    if isinstance(value, str):
                        line = node.item_line(index)
                        found.append(control_problem(path, line, excerpt(name), value))
            stack.extend((v, name) for v in node if isinstance(v, (LineMap, LineList)))
    check.problems.extend(p for p in found if p is not None)


def records_at(data: Any, key: str) -> list[LineMap]:
    """The mappings listed under `key` (what is not a mapping its schema reports)."""
    items = data.get(key) if isinstance(data, LineMap) else None
    return [r for r in items if isinstance(r, LineMap)] if isinstance(items, LineList) else []


def date_of(value: Any) -> date | None:
    """A date as written, if it is one from 1900 to 2999 (the schema's range: later ones
    would overflow the calendar once a review interval is added)."""
    if not isinstance(value, str):
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if FIRST_DATE <= day <= LAST_DATE else None


def unique(check: Checker, item: LineMap, path: str, seen: dict[str, Location], what: str) -> None:
    """An item's id is not used by an earlier one of the same file (`seen`)."""
    item_id = item.get("id")
    if not isinstance(item_id, str):
        return
    here = Location(path, item.value_line("id"))
    if item_id in seen:
        check.error(
            here, "duplicate-id", f"{what} id {excerpt(item_id)} is already used at {seen[item_id]}"
        )
    else:
        seen[item_id] = here


def unknown_person(check: Checker, where: Location, key: str, name: str, people: LineMap) -> None:
    check.error(
        where,
        "unknown-person",
        f"{key} '{excerpt(name)}' is not a key under people in organization.yml"
        f"{did_you_mean(name, people)}",
    )


def check_people_at(
    check: Checker, item: LineMap, keys: Sequence[str], path: str, people: LineMap
) -> None:
    """Each of these keys names a person, or lists people."""
    for key in keys:
        value = item.get(key)
        named = list(enumerate(value)) if isinstance(value, LineList) else [(None, value)]
        for index, person in named:
            if isinstance(person, str) and person not in people:
                line = value.item_line(index) if index is not None else item.value_line(key)
                unknown_person(check, Location(path, line), key, person, people)


def check_clauses(
    check: Checker, clauses: LineList, path: str, standard: standards.Standard
) -> None:
    """Each clause number of a list is in the edition."""
    for index, number in enumerate(clauses):
        if isinstance(number, str) and number not in standard:
            check.error(
                Location(path, clauses.item_line(index)),
                "unknown-clause",
                f"clause {excerpt(number)} is not in {standard.title}"
                f"{did_you_mean(number, standard.by_number)}",
            )


def unknown_phase(
    check: Checker, where: Location, what: str, phase: str, phases: Collection[Any]
) -> None:
    check.error(
        where,
        "unknown-phase",
        f"{what} '{excerpt(phase)}' is not defined in phases.yml{did_you_mean(phase, phases)}",
    )


def check_ids(
    check: Checker,
    ids: Any,
    path: str,
    known: Collection[Any],
    what: str,
    *,
    links: bool = False,
) -> None:
    """Each document id of a list resolves (with `links`, links are left alone)."""
    if not isinstance(ids, LineList):
        return
    for index, item in enumerate(ids):
        if isinstance(item, str) and not (links and is_link(item)) and item not in known:
            check.error(
                Location(path, ids.item_line(index)),
                "unknown-document",
                f"{what} {excerpt(item)} is not a document in the registers or front matter"
                f"{', nor a link' if links else ''}{did_you_mean(item, known)}",
            )


def is_link(text: str) -> bool:
    return text.startswith(("https://", "http://"))
