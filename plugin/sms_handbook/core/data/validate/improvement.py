"""actions.yml and nonconformities.yml: each date where its status allows it and never
ahead of today, effectiveness only where it can be verified, a nonconformity closed only
when its cause is known and its actions are done; every reference resolved. And the
assessments' nonconforming verdicts each raised as a nonconformity (a warning; baseline
gap analyses aside)."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import date
from typing import Any

from ...improvement import ACTION_KINDS
from ...model import Location
from ...problems import did_you_mean, excerpt
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

#: A source written as one id-like word (letters, digits, dots, dashes, with a digit) is
#: taken for an assessment id; anything else (with a space, say) is words.
_ID_LIKE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")
#: The statuses the schemas allow: a rule that turns on the status (or the kind) looks
#: only at one of these, so a misspelt value is reported once, by its schema.
_ACTION_STATUSES = ("open", "in-progress", "done", "cancelled")
_NC_STATUSES = ("open", "closed")


def check_actions(
    check: Checker, entries: list[LineMap], path: str, known: Known, today: date | None
) -> dict[str, LineMap]:
    """The actions by id (the first of each id), checked."""
    seen: dict[str, Location] = {}
    actions: dict[str, LineMap] = {}
    for entry in entries:
        unique(check, entry, path, seen, "action")
        if isinstance(entry.get("id"), str):
            actions.setdefault(entry["id"], entry)
        check_people_at(check, entry, ("owner",), path, known.people)
        status = entry.get("status")
        raised = date_of(entry.get("raised_on"))
        not_ahead(check, entry, "raised_on", raised, today, path)
        _after(check, entry, "due", raised, "raised_on", path)
        done = status == "done" if status in _ACTION_STATUSES else None
        done_on = _dated(check, entry, "done_on", done, "done", path, today)
        _after(check, entry, "done_on", raised, "raised_on", path)
        check_effectiveness(check, entry, path, known, today, done_on)
    return actions


def check_effectiveness(
    check: Checker,
    entry: LineMap,
    path: str,
    known: Known,
    today: date | None,
    done_on: date | None,
) -> None:
    verified = entry.get("effectiveness")
    if not isinstance(verified, LineMap):
        return
    here = Location(path, entry.key_line("effectiveness"))
    if entry.get("kind") in ACTION_KINDS and entry.get("kind") != "corrective":
        check.error(
            here, "misplaced-verification",
            "effectiveness is verified for corrective actions only (this one's kind is "
            f"{excerpt(entry.get('kind'))})",
        )  # fmt: skip
    elif entry.get("status") in _ACTION_STATUSES and entry.get("status") != "done":
        check.error(
            here, "misplaced-verification",
            "effectiveness can be verified once the action is done (its status is "
            f"{excerpt(entry.get('status'))})",
        )  # fmt: skip
    check_people_at(check, verified, ("verified_by",), path, known.people)
    on = date_of(verified.get("on"))
    if on is not None and today is not None and on > today:
        check.error(
            Location(path, verified.value_line("on")), "date-in-future",
            f"effectiveness verified on {on.isoformat()}, after today ({today.isoformat()})",
        )  # fmt: skip
    if on is not None and done_on is not None and on < done_on:
        check.error(
            Location(path, verified.value_line("on")), "invalid-range",
            f"effectiveness verified on {on.isoformat()}, before the action was done "
            f"({done_on.isoformat()})",
        )  # fmt: skip


def check_nonconformities(
    check: Checker,
    entries: list[LineMap],
    path: str,
    known: Known,
    today: date | None,
    actions: Mapping[str, LineMap],
    assessments: Collection[str],
) -> None:
    seen: dict[str, Location] = {}
    for entry in entries:
        unique(check, entry, path, seen, "nonconformity")
        check_people_at(check, entry, ("raised_by",), path, known.people)
        _check_source(check, entry, path, assessments)
        clauses = entry.get("clauses")
        if isinstance(clauses, LineList) and known.standard is not None:
            check_clauses(check, clauses, path, known.standard)
        check_ids(check, entry.get("documents"), path, known.documents, "document")
        check_action_ids(check, entry, path, actions)
        raised = date_of(entry.get("raised_on"))
        not_ahead(check, entry, "raised_on", raised, today, path)
        status = entry.get("status")
        closed = status == "closed" if status in _NC_STATUSES else None
        _dated(check, entry, "closed_on", closed, "closed", path, today)
        _after(check, entry, "closed_on", raised, "raised_on", path)
        if closed:
            _check_closable(check, entry, path, actions)


def check_action_ids(check: Checker, entry: LineMap, path: str, actions: Collection[str]) -> None:
    """Each id under `actions` is an action in actions.yml."""
    ids = entry.get("actions")
    if not isinstance(ids, LineList):
        return
    for index, item in enumerate(ids):
        if isinstance(item, str) and item not in actions:
            check.error(
                Location(path, ids.item_line(index)), "unknown-action",
                f"action {excerpt(item)} is not in actions.yml{did_you_mean(item, actions)}",
            )  # fmt: skip


def check_raised(
    check: Checker,
    assessments: list[LineMap],
    path: str,
    nonconformities: list[LineMap],
) -> None:
    """A warning for each nonconforming verdict with no nonconformity raised from that
    assessment for that clause (a baseline gap analysis aside: its gaps are the plan's
    work, not nonconformities of a running system)."""
    raised = {
        (n.get("source"), c)
        for n in nonconformities
        for c in (n.get("clauses") if isinstance(n.get("clauses"), LineList) else ())
    }
    for assessment in assessments:
        if assessment.get("kind") == "baseline":
            continue
        for result in records_at(assessment, "results"):
            clause = result.get("clause")
            if result.get("conformity") == "nonconforming" and (
                (assessment.get("id"), clause) not in raised
            ):
                check.warning(
                    Location(path, result.value_line("conformity")), "no-nonconformity",
                    f"{excerpt(assessment.get('id'))} found clause {excerpt(clause)} "
                    "nonconforming, and no nonconformity in nonconformities.yml names that "
                    "assessment as its source and that clause",
                )  # fmt: skip


def _check_source(check: Checker, entry: LineMap, path: str, assessments: Collection[str]) -> None:
    source = entry.get("source")
    if not isinstance(source, str) or source in assessments:
        return
    if _ID_LIKE.match(source) and any(c.isdigit() for c in source):
        check.error(
            Location(path, entry.value_line("source")), "unknown-assessment",
            f"source {excerpt(source)} is not an assessment in assessments.yml"
            f"{did_you_mean(source, assessments)}; describe any other source in words "
            f"(e.g. 'incident {excerpt(source)}')",
        )  # fmt: skip


def _check_closable(
    check: Checker, entry: LineMap, path: str, actions: Mapping[str, LineMap]
) -> None:
    here = Location(path, entry.value_line("status"))
    if not (isinstance(entry.get("root_cause"), str) and entry["root_cause"].strip()):
        check.error(
            here, "cannot-close",
            f"{excerpt(entry.get('id'))} is closed without a root_cause: say what caused it",
        )  # fmt: skip
    ids = entry.get("actions") if isinstance(entry.get("actions"), LineList) else ()
    for action_id in ids:
        action = actions.get(action_id) if isinstance(action_id, str) else None
        if action is None or action.get("status") == "cancelled":
            continue
        if action.get("status") != "done":
            check.error(
                here, "cannot-close",
                f"{excerpt(entry.get('id'))} is closed while its action {excerpt(action_id)} "
                f"is {excerpt(action.get('status'))}",
            )  # fmt: skip
        elif action.get("kind") == "corrective" and not _effective(action):
            check.error(
                here, "cannot-close",
                f"{excerpt(entry.get('id'))} is closed while its corrective action "
                f"{excerpt(action_id)} is not verified effective",
            )  # fmt: skip


def _effective(action: LineMap) -> bool:
    verified = action.get("effectiveness")
    return isinstance(verified, LineMap) and verified.get("effective") is True


def _dated(
    check: Checker,
    entry: LineMap,
    key: str,
    allowed: bool | None,
    status: str,
    path: str,
    today: date | None,
) -> date | None:
    """A date given only with its status (and then required), never after today
    (`allowed` None: the status is not one the schema allows, and reported there)."""
    value = date_of(entry.get(key))
    if key in entry and allowed is False:
        check.error(
            Location(path, entry.key_line(key)), "date-without-status",
            f"{key} is given, but the status is {excerpt(entry.get('status'))}, not {status}",
        )  # fmt: skip
    elif allowed and key not in entry:
        check.error(
            Location(path, entry.value_line("status")), "missing-key",
            f"the status is {status}: give {key}, the day it was {status}",
        )  # fmt: skip
    not_ahead(check, entry, key, value, today, path)
    return value


def not_ahead(
    check: Checker, entry: LineMap, key: str, value: date | None, today: date | None, path: str
) -> None:
    """A date that records something done is not after today."""
    if value is not None and today is not None and value > today:
        check.error(
            Location(path, entry.value_line(key)), "date-in-future",
            f"{key} {value.isoformat()} is after today ({today.isoformat()})",
        )  # fmt: skip


def _after(
    check: Checker, entry: LineMap, key: str, start: date | None, start_key: str, path: str
) -> None:
    value: Any = date_of(entry.get(key))
    if value is not None and start is not None and value < start:
        check.error(
            Location(path, entry.value_line(key)), "invalid-range",
            f"{key} {value.isoformat()} is before {start_key} {start.isoformat()}",
        )  # fmt: skip
