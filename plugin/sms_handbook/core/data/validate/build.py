"""The model (core/model.py) from the checked line maps: reached only when checking
found no error, so every value has its schema's type; and the documents as declared
(sketches), whatever their values, for `changes`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ... import fields
from ...model import (
    Activity,
    Assessment,
    BusinessCase,
    Decision,
    Disposal,
    Document,
    Gate,
    Handbook,
    Location,
    Member,
    Organization,
    Person,
    Phase,
    Project,
    Result,
    ScopeChange,
)
from ...policy_templates import PolicyTemplate
from ...problems import escape
from ...standards import Standard
from ..inputs import DataFile
from ..yamlio import LineMap
from . import build_check_act as check_act
from .checker import CONTROL, date_of, records_at
from .registers import Group, norm, register_of

#: The document fields of each kind the model holds as other than written.
_DATES = tuple(f.name for f in fields.FIELDS if f.kind == "date")
_PATHS = tuple(f.name for f in fields.FIELDS if f.kind == "path")
_CLAUSES = tuple(f.name for f in fields.FIELDS if f.kind == "clauses")


def handbook(
    data: Mapping[str, DataFile],
    standard: Standard,
    documents: Mapping[str, Group],
    templates: dict[str, PolicyTemplate],
) -> Handbook:
    """The handbook of data files and document declarations that passed every check."""
    org = data["organization"].data
    phases, disposals = data["phases"], data["disposals"]
    assessments, project = data["assessments"], data["project"]
    risks = data["risks"].data
    return Handbook(
        _organization(org, org["people"]),
        standard,
        tuple(_phase(p, phases.path) for p in records_at(phases.data, "phases")),
        {i: document(documents[i]) for i in sorted(documents)},
        templates,
        disposals=tuple(
            _disposal(d, disposals.path) for d in records_at(disposals.data, "disposals")
        ),
        data_files=tuple(name for name, file in data.items() if file.data is not None),
        assessments=tuple(
            sorted(
                (_assessment(a, assessments.path)
                 for a in records_at(assessments.data, "assessments")),
                key=lambda a: (a.date, a.id),
            )
        ),
        project=_project(project.data, project.path) if isinstance(project.data, LineMap) else None,
        risk_criteria=check_act.criteria(risks["criteria"]) if isinstance(risks, LineMap) else None,
        risks=check_act.risks(data["risks"]),
        nonconformities=check_act.nonconformities(data["nonconformities"]),
        actions=check_act.actions(data["actions"]),
        management_reviews=check_act.reviews(data["management-reviews"]),
    )  # fmt: skip


def _organization(org: LineMap, people: LineMap) -> Organization:
    return Organization(
        name=org["name"],
        standard=org["standard"],
        scope=org.get("scope", ""),
        timezone=org.get("timezone", "UTC"),
        review_interval_months=org.get("review_interval_months", 12),
        review_warning_days=org.get("review_warning_days", 30),
        people={
            key: Person(
                key,
                p["name"],
                p.get("role", ""),
                p.get("email", ""),
                p.get("github", "").lstrip("@"),
                p.get("gitlab", "").lstrip("@"),
            )
            for key, p in people.items()
        },
        sms_manager=org.get("sms_manager"),
        separation_of_duties=org.get("separation_of_duties", True),
        management_review_interval_months=org.get("management_review_interval_months", 12),
        audit_cycle_months=org.get("audit_cycle_months", 36),
    )


def _phase(data: LineMap, path: str) -> Phase:
    activities = tuple(
        Activity(
            id=a["id"],
            title=a["title"],
            phase=data["id"],
            owner=a["owner"],
            status=a["status"],
            clauses=tuple(a.get("clauses", ())),
            due=date_of(a.get("due")),
            deliverables=tuple(a.get("deliverables", ())),
            notes=a.get("notes", ""),
            responsible=tuple(a.get("responsible", ())),
            consulted=tuple(a.get("consulted", ())),
            informed=tuple(a.get("informed", ())),
            where=Location(path, a.line),
        )
        for a in records_at(data, "activities")
    )
    return Phase(
        id=data["id"],
        title=data["title"],
        start=date_of(data["start"]),  # type: ignore[arg-type]
        end=date_of(data["end"]),  # type: ignore[arg-type]
        objective=data.get("objective", ""),
        characteristics=tuple(data.get("characteristics", ())),
        components=tuple(data.get("components", ())),
        activities=activities,
        where=Location(path, data.line),
    )


def _disposal(data: LineMap, path: str) -> Disposal:
    return Disposal(
        record=data["record"],
        date=date_of(data["date"]),  # type: ignore[arg-type]
        what=data["what"],
        method=data["method"],
        authorised_by=data["authorised_by"],
        notes=data.get("notes", ""),
        where=Location(path, data.line),
    )


def _assessment(data: LineMap, path: str) -> Assessment:
    return Assessment(
        id=data["id"],
        date=date_of(data["date"]),  # type: ignore[arg-type]
        kind=data["kind"],
        title=data["title"],
        assessor=data["assessor"],
        results=tuple(
            Result(r["clause"], r["conformity"], tuple(r.get("evidence", ())), r.get("notes", ""))
            for r in records_at(data, "results")
        ),
        summary=data.get("summary", ""),
        where=Location(path, data.line),
    )


def _decision(data: Any) -> Decision | None:
    if not isinstance(data, LineMap):
        return None
    return Decision(data["outcome"], data.get("by"), date_of(data.get("on")), data.get("notes", ""))


def _project(data: LineMap, path: str) -> Project:
    case = data.get("business_case")
    return Project(
        sponsor=data.get("sponsor"),
        business_case=BusinessCase(
            summary=case.get("summary", ""),
            drivers=tuple(case.get("drivers", ())),
            benefits=tuple(case.get("benefits", ())),
            costs=case.get("costs", ""),
            decision=_decision(case.get("decision")),
        )
        if isinstance(case, LineMap)
        else None,
        governance=data.get("governance", ""),
        team=tuple(
            Member(m["person"], m["role"], m.get("allocation", ""))
            for m in records_at(data, "team")
        ),
        readiness=tuple(data.get("readiness", ())),
        gates=tuple(
            Gate(g["phase"], tuple(g.get("criteria", ())), _decision(g.get("decision")))
            for g in records_at(data, "gates")
        ),
        scope_changes=tuple(
            ScopeChange(date_of(c["date"]), c["change"], c["reason"], c["approved_by"])  # type: ignore[arg-type]
            for c in records_at(data, "scope_changes")
        ),
        path=path,
    )


def document(group: Group) -> Document:
    """A document that passed every check, from its declarations."""
    values, where = _declared_values(group)
    return Document(**values, where=where, register=register_of(group))


def sketch(group: Group) -> Document:
    """A document as declared, whatever its values (for comparing, not for building)."""
    values, where = _declared_values(group)
    known = {k: v for k, v in values.items() if k in fields.NAMES}
    for key, value in known.items():  # `changes` prints them: never a control character
        if isinstance(value, str) and CONTROL.search(value):
            known[key] = escape(value)
    for key in ("title", "type", "owner", "status"):
        known[key] = known.get(key) or ""
    known["version"] = values["version"] if isinstance(values["version"], str) else None
    for key in _CLAUSES:
        clauses = values.get(key, ())
        known[key] = tuple(str(c) for c in clauses) if isinstance(clauses, list | tuple) else ()
    return Document(**known, where=where, register=register_of(group))


def _declared_values(group: Group) -> tuple[dict[str, Any], dict[str, Location]]:
    """A document's values from its declarations (a register's first), and where each
    was written."""
    values: dict[str, Any] = {}
    where: dict[str, Location] = {}
    for record in group:
        for key, value in record.fields.items():
            if key not in values:
                values[key] = value
                where[key] = record.at(key)
    page = next((r for r in group if r.page), None)
    if page is not None:
        values["source"] = page.page
        where.setdefault("source", page.at())
        values.setdefault("title", page.page_title)
    if "type" not in values:
        values["type"] = "policy"
    values.setdefault("version", None)
    for key in _DATES:
        if key in values:
            values[key] = date_of(values[key])
    for key in _PATHS:
        if isinstance(values.get(key), str):
            values[key] = norm(values[key])
    for key in _CLAUSES:
        clauses = values.get(key, ())
        values[key] = tuple(clauses) if isinstance(clauses, list | tuple) else clauses
    return values, where
