"""A document's fields, each checked by its kind (`fields.Field.kind`): a person is a
people key, clauses are the edition's, a version fits a scheme, a source stays in
docs_dir, a phase and a template exist.

What a field's schema says (document.schema.json, through common.schema.json) is not
checked again: the type and shape of every kind, the allowed values of a choice, that
a date is a real day from 1900 to 2999 (schemas.py: invalid-date), that months run from
1 to 120. So the kinds text, choice, date, months and id (the document's own, unique
through registers.merge) have no check here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ... import fields, versions
from ...problems import did_you_mean, excerpt
from ..yamlio import LineList, file_kind
from .checker import Checker, Known, check_clauses, unknown_person, unknown_phase
from .registers import Group, Record, field_of


@dataclass(frozen=True)
class Context:
    """What one document's fields are checked against."""

    known: Known
    docs_dir: Path
    doc_type: Any  # the document's type as declared (a record series gives no version)


def check_fields(check: Checker, group: Group, known: Known, docs_dir: Path) -> None:
    """Every field of `fields.FIELDS` a document gives (its first declaration), by kind."""
    context = Context(known, docs_dir, field_of(group, "type")[0])
    for field in fields.FIELDS:
        by_kind = KIND_CHECKS.get(field.kind)
        if by_kind is None:
            continue
        value, record = field_of(group, field.name)
        if record is not None:
            by_kind(check, context, field.name, value, record)


def _person(check: Checker, context: Context, name: str, value: Any, record: Record) -> None:
    people = context.known.people
    if isinstance(value, str) and value not in people:
        unknown_person(check, record.at(name), name, value, people)


def _clauses(check: Checker, context: Context, name: str, value: Any, record: Record) -> None:
    standard = context.known.standard
    if standard is not None and isinstance(value, LineList):
        check_clauses(check, value, record.path, standard)


def _version(check: Checker, context: Context, name: str, value: Any, record: Record) -> None:
    if not isinstance(value, str):
        return
    is_record = context.doc_type == "record"
    if versions.parse(value) is None and not (is_record and value.strip().lower() == "n/a"):
        check.error(
            record.at(name),
            "invalid-value",
            f"{name} '{excerpt(value)}' fits no version scheme; write it as {versions.FORMS}"
            + (', or "n/a" for a record' if is_record else ""),
        )


def _phase(check: Checker, context: Context, name: str, value: Any, record: Record) -> None:
    phases = context.known.phases
    if isinstance(value, str) and value not in phases:
        unknown_phase(check, record.at(name), name, value, phases)


def _template(check: Checker, context: Context, name: str, value: Any, record: Record) -> None:
    known = context.known.templates
    if isinstance(value, str) and value not in known:
        check.error(
            record.at(name),
            "unknown-template",
            f"{name} '{excerpt(value)}' does not exist{did_you_mean(value, known)}; "
            f"available: {', '.join(sorted(known))}",
        )


def _path(check: Checker, context: Context, name: str, value: Any, record: Record) -> None:
    """A register's source is a file inside docs_dir (a page's is the page itself)."""
    if not isinstance(value, str) or record.origin == "page":
        return
    where, docs_dir = record.at(name), context.docs_dir
    candidate = Path(value)
    if candidate.is_absolute() or value.startswith(("/", "\\")):
        check.error(
            where, "source-outside", f"{name} '{excerpt(value)}' must be relative to docs_dir"
        )
        return
    base = docs_dir.resolve()
    target = (docs_dir / candidate).resolve()
    if not target.is_relative_to(base):
        check.error(
            where,
            "source-outside",
            f"{name} '{excerpt(value)}' leads outside docs_dir ({docs_dir.name}/)"
            + (" through a symbolic link" if ".." not in candidate.parts else ""),
        )
    elif target.exists() and not target.is_file():
        kind = file_kind(target.stat().st_mode)
        check.error(where, "not-a-file", f"{name} '{excerpt(value)}' is {kind}, not a page")
    elif not target.is_file():
        check.error(
            where, "source-missing", f"{name} '{excerpt(value)}' does not exist in docs_dir"
        )


#: The check of each kind of field that needs one beyond its schema.
KIND_CHECKS: dict[fields.Kind, Callable[[Checker, Context, str, Any, Record], None]] = {
    "person": _person,
    "clauses": _clauses,
    "version": _version,
    "phase": _phase,
    "template": _template,
    "path": _path,
}
