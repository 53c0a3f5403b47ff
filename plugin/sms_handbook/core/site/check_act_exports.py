"""Machine-readable exports of Check and Act: improvement.json (nonconformities and
actions, each action with its state) and risks.json (the register with its ratings),
and the rows of their CSV and XLSX forms (written by `exports.table_csv` and
`exports.workbook_xlsx`, formula-safe), and the events reviews.ics carries for them.

An entry classified above the site's limit appears by id only: `published` false and
every other field null (an empty list for a list), in every form.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from .. import json_text
from ..improvement import ACTION_STATES, SETTLED, Action, Nonconformity, Tracker, tracker
from ..management_review import schedule
from ..model import Handbook
from ..register import allowed
from ..risks import Rated, Risk, rated
from . import ics
from .layout import Layout

#: Fields of each nonconformity in improvement.json, in order.
NONCONFORMITY_FIELDS = (
    "id", "raised_on", "raised_by", "source", "grade", "clauses", "documents",
    "description", "correction", "root_cause", "actions", "status", "closed_on",
    "published",
)  # fmt: skip
#: Fields of each action in improvement.json, in order.
ACTION_FIELDS = (
    "id", "title", "kind", "owner", "owner_name", "raised_on", "due", "state", "status",
    "done_on", "effectiveness", "origins", "notes", "published",
)  # fmt: skip
#: Fields of each risk in risks.json, in order.
RISK_FIELDS = (
    "id", "kind", "title", "description", "owner", "owner_name", "clauses", "likelihood",
    "impact", "rating", "residual", "current_rating", "above_appetite", "treatment",
    "acceptance", "actions", "reviewed_on", "status", "published",
)  # fmt: skip

#: Columns of the nonconformities' CSV and XLSX (lists joined by "; ").
IMPROVEMENT_COLUMNS = NONCONFORMITY_FIELDS
IMPROVEMENT_DATES = ("raised_on", "closed_on")
#: Columns of the actions' XLSX sheet (effectiveness and origins flattened).
ACTION_COLUMNS = (
    "id", "title", "kind", "owner", "owner_name", "raised_on", "due", "state", "status",
    "done_on", "verified_by", "verified_on", "effective", "effectiveness_notes", "origins",
    "notes", "published",
)  # fmt: skip
ACTION_DATES = ("raised_on", "due", "done_on", "verified_on")
#: Columns of the risk register's CSV and XLSX (residual and acceptance flattened).
RISK_COLUMNS = (
    "id", "kind", "title", "description", "owner", "owner_name", "clauses", "likelihood",
    "impact", "rating", "residual_likelihood", "residual_impact", "residual_rating",
    "current_rating", "above_appetite", "treatment", "accepted_by", "accepted_on",
    "acceptance_notes", "actions", "reviewed_on", "status", "published",
)  # fmt: skip
RISK_DATES = ("reviewed_on", "accepted_on")


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _withheld(fields: tuple[str, ...], record: dict[str, Any]) -> dict[str, Any]:
    """A record by id only: every other field null, or empty for a list."""
    return {
        key: record["id"] if key == "id" else False if key == "published"
        else [] if isinstance(record[key], list) else None
        for key in fields
    }  # fmt: skip


def _joined(values: list[str]) -> str:
    return "; ".join(values)


def nonconformity_record(item: Nonconformity, published: bool) -> dict[str, Any]:
    """One nonconformity as a JSON-ready mapping."""
    record = {
        "id": item.id,
        "raised_on": _iso(item.raised_on),
        "raised_by": item.raised_by,
        "source": item.source,
        "grade": item.grade,
        "clauses": list(item.clauses),
        "documents": list(item.documents),
        "description": item.description or None,
        "correction": item.correction or None,
        "root_cause": item.root_cause or None,
        "actions": list(item.actions),
        "status": item.status,
        "closed_on": _iso(item.closed_on),
        "published": True,
    }
    return record if published else _withheld(NONCONFORMITY_FIELDS, record)


def action_record(
    action: Action, found: Tracker, handbook: Handbook, published: bool
) -> dict[str, Any]:
    """One action as a JSON-ready mapping, with its state and what it was raised for."""
    owner = handbook.organization.people.get(action.owner)
    check = action.effectiveness
    record = {
        "id": action.id,
        "title": action.title,
        "kind": action.kind,
        "owner": action.owner,
        "owner_name": owner.name if owner else None,
        "raised_on": _iso(action.raised_on),
        "due": _iso(action.due),
        "state": found.state(action),
        "status": action.status,
        "done_on": _iso(action.done_on),
        "effectiveness": {
            "verified_by": check.verified_by,
            "on": _iso(check.on),
            "effective": check.effective,
            "notes": check.notes or None,
        }
        if check
        else None,
        "origins": [{"kind": o.kind, "id": o.id} for o in found.origins.get(action.id, ())],
        "notes": action.notes or None,
        "published": True,
    }
    return record if published else _withheld(ACTION_FIELDS, record)


def risk_record(item: Rated | Risk, handbook: Handbook, published: bool) -> dict[str, Any]:
    """One risk as a JSON-ready mapping; ratings null when the register has no criteria
    (`item` a bare Risk)."""
    risk = item.risk if isinstance(item, Rated) else item
    ratings = item if isinstance(item, Rated) else None
    owner = handbook.organization.people.get(risk.owner)
    residual, acceptance = risk.residual, risk.acceptance
    record = {
        "id": risk.id,
        "kind": risk.kind,
        "title": risk.title,
        "description": risk.description or None,
        "owner": risk.owner,
        "owner_name": owner.name if owner else None,
        "clauses": list(risk.clauses),
        "likelihood": risk.likelihood,
        "impact": risk.impact,
        "rating": ratings.rating if ratings else None,
        "residual": {
            "likelihood": residual.likelihood,
            "impact": residual.impact,
            "rating": ratings.residual if ratings else None,
        }
        if residual
        else None,
        "current_rating": ratings.current if ratings else None,
        "above_appetite": ratings.above_appetite if ratings else None,
        "treatment": risk.treatment,
        "acceptance": {
            "by": acceptance.by,
            "on": _iso(acceptance.on),
            "notes": acceptance.notes or None,
        }
        if acceptance
        else None,
        "actions": list(risk.actions),
        "reviewed_on": _iso(risk.reviewed_on),
        "status": risk.status,
        "published": True,
    }
    return record if published else _withheld(RISK_FIELDS, record)


# --- improvement ----------------------------------------------------------------------


def nonconformity_records(handbook: Handbook, max_classification: str) -> list[dict[str, Any]]:
    """Every nonconformity, sorted by id."""
    return [
        nonconformity_record(n, allowed(n.classification, max_classification))
        for n in sorted(handbook.nonconformities, key=lambda n: n.id)
    ]


def action_records(
    handbook: Handbook, today: date, max_classification: str
) -> list[dict[str, Any]]:
    """Every action with its state as of `today`, sorted by id."""
    found = tracker(handbook, today)
    return [
        action_record(a, found, handbook, allowed(a.classification, max_classification))
        for a in sorted(found.actions, key=lambda a: a.id)
    ]


def improvement_json(
    handbook: Handbook, today: date, generated: datetime, max_classification: str
) -> str:
    """improvement.json: the nonconformities and the actions (each with its state)."""
    payload = {
        "organization": handbook.organization.name,
        "generated": generated.isoformat(timespec="seconds"),
        "nonconformities": nonconformity_records(handbook, max_classification),
        "actions": action_records(handbook, today, max_classification),
    }
    return json_text.indented(payload)


def improvement_rows(
    handbook: Handbook, today: date, max_classification: str
) -> list[dict[str, Any]]:
    """One row per nonconformity; its actions as `ACT-1 (closed); ACT-2 (overdue)` (a
    withheld action, or one not in actions.yml, by id alone)."""
    states = {a["id"]: a["state"] for a in action_records(handbook, today, max_classification)}
    rows = []
    for record in nonconformity_records(handbook, max_classification):
        row = dict(record)
        row["clauses"] = _joined(record["clauses"])
        row["documents"] = _joined(record["documents"])
        row["actions"] = _joined(
            [f"{a} ({states[a]})" if states.get(a) else a for a in record["actions"]]
        )
        rows.append(row)
    return rows


def action_rows(handbook: Handbook, today: date, max_classification: str) -> list[dict[str, Any]]:
    """One row per action: its state, its verification and origins (`risk RSK-001`)."""
    rows = []
    for record in action_records(handbook, today, max_classification):
        row = {k: v for k, v in record.items() if k not in ("effectiveness", "origins")}
        check = record["effectiveness"] or {}
        row |= {
            "verified_by": check.get("verified_by"),
            "verified_on": check.get("on"),
            "effective": check.get("effective"),
            "effectiveness_notes": check.get("notes"),
            "origins": _joined([f"{o['kind']} {o['id']}" for o in record["origins"]]),
        }
        rows.append(row)
    return rows


def improvement_sheets(
    handbook: Handbook, today: date, max_classification: str
) -> list[tuple[str, tuple[str, ...], list[dict[str, Any]], tuple[str, ...]]]:
    """The improvement workbook's sheets: Nonconformities, then Actions."""
    return [
        (
            "Nonconformities",
            IMPROVEMENT_COLUMNS,
            improvement_rows(handbook, today, max_classification),
            IMPROVEMENT_DATES,
        ),
        ("Actions", ACTION_COLUMNS, action_rows(handbook, today, max_classification), ACTION_DATES),
    ]


# --- risks ----------------------------------------------------------------------------


def risk_records(handbook: Handbook, max_classification: str) -> list[dict[str, Any]]:
    """Every risk and opportunity with its ratings, sorted by id."""
    criteria = handbook.risk_criteria
    items: list[Rated | Risk] = (
        list(rated(criteria, handbook.risks)) if criteria else list(handbook.risks)
    )
    return [
        risk_record(i, handbook, allowed(_risk(i).classification, max_classification))
        for i in sorted(items, key=lambda i: _risk(i).id)
    ]


def _risk(item: Rated | Risk) -> Risk:
    return item.risk if isinstance(item, Rated) else item


def risks_json(handbook: Handbook, generated: datetime, max_classification: str) -> str:
    """risks.json: the criteria (null without a register) and every risk, rated."""
    criteria = handbook.risk_criteria
    payload = {
        "organization": handbook.organization.name,
        "generated": generated.isoformat(timespec="seconds"),
        "criteria": {
            "likelihood": list(criteria.likelihood),
            "impact": list(criteria.impact),
            "appetite": criteria.appetite,
        }
        if criteria
        else None,
        "risks": risk_records(handbook, max_classification),
    }
    return json_text.indented(payload)


def risk_rows(handbook: Handbook, max_classification: str) -> list[dict[str, Any]]:
    """One row per risk: residual and acceptance flattened, lists joined by "; "."""
    rows = []
    for record in risk_records(handbook, max_classification):
        row = {k: v for k, v in record.items() if k not in ("residual", "acceptance")}
        residual, acceptance = record["residual"] or {}, record["acceptance"] or {}
        row |= {
            "clauses": _joined(record["clauses"]),
            "actions": _joined(record["actions"]),
            "residual_likelihood": residual.get("likelihood"),
            "residual_impact": residual.get("impact"),
            "residual_rating": residual.get("rating"),
            "accepted_by": acceptance.get("by"),
            "accepted_on": acceptance.get("on"),
            "acceptance_notes": acceptance.get("notes"),
        }
        rows.append(row)
    return rows


# --- the calendar ---------------------------------------------------------------------


def calendar_events(
    handbook: Handbook,
    today: date,
    max_classification: str,
    stamp: str,
    host: str,
    layout: Layout,
    site_url: str = "",
) -> list[list[ics.Property]]:
    """reviews.ics's events after the documents' reviews: each action not yet closed
    nor cancelled on its due date (a withheld one by id alone), then each planned
    management review or, with none planned, the date the next one is due (if any)."""

    def url(page: str) -> list[ics.Property]:
        return [("URL", site_url.rstrip("/") + "/" + layout.url(page))] if site_url else []

    events: list[list[ics.Property]] = []
    found = tracker(handbook, today)
    people = handbook.organization.people
    for action in sorted(found.actions, key=lambda a: (a.due, a.id)):
        state = found.state(action)
        if state in SETTLED:
            continue
        summary, description = f"Action due: {action.id}", []
        if allowed(action.classification, max_classification):
            owner = people.get(action.owner)
            said = (
                f"Owner: {owner.label if owner else action.owner}. State: {ACTION_STATES[state]}."
            )
            summary += f" {action.title}"
            description = [("DESCRIPTION", ics.text(said))]
        events.append(
            [
                ("SUMMARY", ics.text(summary)),
                ("DTSTART;VALUE=DATE", ics.day(action.due)),
                ("DTSTAMP", stamp),
                ("UID", ics.text(f"{action.id}-due-{action.due.isoformat()}@{host}")),
                *description,
                *url(layout.improvement),
            ]
        )
    months = handbook.organization.management_review_interval_months
    planned = schedule(handbook.management_reviews, months, today)
    for review in planned.planned:
        chair = people.get(review.chair)
        events.append(
            [
                ("SUMMARY", ics.text(f"Management review: {review.id}")),
                ("DTSTART;VALUE=DATE", ics.day(review.date)),
                ("DTSTAMP", stamp),
                (
                    "UID",
                    ics.text(f"{review.id}-management-review-{review.date.isoformat()}@{host}"),
                ),
                ("DESCRIPTION", ics.text(f"Chair: {chair.label if chair else review.chair}.")),
                *url(layout.management_review),
            ]
        )
    if not planned.planned and planned.due is not None:
        last = planned.held[0]
        said = (
            f"The last was {last.id} on {last.date.isoformat()}; one is due every {months} months."
        )
        events.append(
            [
                ("SUMMARY", ics.text("Management review due")),
                ("DTSTART;VALUE=DATE", ics.day(planned.due)),
                ("DTSTAMP", stamp),
                ("UID", ics.text(f"management-review-due-{planned.due.isoformat()}@{host}")),
                ("DESCRIPTION", ics.text(said)),
                *url(layout.management_review),
            ]
        )
    return events
