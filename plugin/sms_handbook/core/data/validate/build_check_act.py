"""The Check and Act model (core/improvement, risks, management_review) from the checked
line maps of risks.yml, nonconformities.yml, actions.yml and management-reviews.yml."""

from __future__ import annotations

from typing import Any

from ...improvement import Action, Effectiveness, Nonconformity
from ...management_review import ManagementReview, ReviewInput
from ...model import Decision, Location
from ...risks import Criteria, Level, Risk
from ..inputs import DataFile
from ..yamlio import LineMap
from .checker import date_of, records_at


def criteria(data: LineMap) -> Criteria:
    return Criteria(tuple(data["likelihood"]), tuple(data["impact"]), data["appetite"])


def risks(file: DataFile) -> tuple[Risk, ...]:
    return tuple(
        Risk(
            id=r["id"], kind=r["kind"], title=r["title"], owner=r["owner"],
            likelihood=r["likelihood"], impact=r["impact"], treatment=r["treatment"],
            reviewed_on=date_of(r["reviewed_on"]),  # type: ignore[arg-type]
            status=r["status"], description=r.get("description", ""),
            clauses=tuple(r.get("clauses", ())), actions=tuple(r.get("actions", ())),
            residual=Level(r["residual"]["likelihood"], r["residual"]["impact"])
            if isinstance(r.get("residual"), LineMap) else None,
            acceptance=_acceptance(r.get("acceptance")),
            classification=r.get("classification", "internal"),
            where=Location(file.path, r.line),
        )
        for r in records_at(file.data, "risks")
    )  # fmt: skip


def _acceptance(data: Any) -> Decision | None:
    if not isinstance(data, LineMap):
        return None
    return Decision("accepted", data["by"], date_of(data["on"]), data.get("notes", ""))


def nonconformities(file: DataFile) -> tuple[Nonconformity, ...]:
    return tuple(
        Nonconformity(
            id=n["id"], raised_on=date_of(n["raised_on"]),  # type: ignore[arg-type]
            raised_by=n["raised_by"], source=n["source"], grade=n["grade"],
            description=n["description"], status=n["status"],
            clauses=tuple(n.get("clauses", ())), documents=tuple(n.get("documents", ())),
            correction=n.get("correction", ""), root_cause=n.get("root_cause", ""),
            actions=tuple(n.get("actions", ())), closed_on=date_of(n.get("closed_on")),
            classification=n.get("classification", "internal"),
            where=Location(file.path, n.line),
        )
        for n in records_at(file.data, "nonconformities")
    )  # fmt: skip


def actions(file: DataFile) -> tuple[Action, ...]:
    return tuple(
        Action(
            id=a["id"], title=a["title"], kind=a["kind"], owner=a["owner"],
            raised_on=date_of(a["raised_on"]),  # type: ignore[arg-type]
            due=date_of(a["due"]),  # type: ignore[arg-type]
            status=a["status"], done_on=date_of(a.get("done_on")),
            effectiveness=_effectiveness(a.get("effectiveness")),
            notes=a.get("notes", ""), classification=a.get("classification", "internal"),
            where=Location(file.path, a.line),
        )
        for a in records_at(file.data, "actions")
    )  # fmt: skip


def _effectiveness(data: Any) -> Effectiveness | None:
    if not isinstance(data, LineMap):
        return None
    on = date_of(data["on"])
    return Effectiveness(data["verified_by"], on, data["effective"], data.get("notes", ""))  # type: ignore[arg-type]


def reviews(file: DataFile) -> tuple[ManagementReview, ...]:
    found = (
        ManagementReview(
            id=m["id"], date=date_of(m["date"]),  # type: ignore[arg-type]
            chair=m["chair"], attendees=tuple(m.get("attendees", ())),
            inputs=tuple(
                ReviewInput(i["topic"], i.get("summary", "")) for i in records_at(m, "inputs")
            ),
            decisions=m.get("decisions", ""), actions=tuple(m.get("actions", ())),
            minutes=m.get("minutes"), where=Location(file.path, m.line),
        )
        for m in records_at(file.data, "management_reviews")
    )  # fmt: skip
    return tuple(sorted(found, key=lambda m: (m.date, m.id)))
