"""Machine-readable exports of the register: JSON, CSV, XLSX and an iCalendar of reviews
(written by `ics`).

Documents that are not published appear by id, title and owner only. No text cell of a
CSV or XLSX export is read as a formula by a spreadsheet (`formula_like`).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any

from .. import coverage, fields, in_force, json_text, progress
from ..coverage import ClauseCoverage
from ..model import Handbook
from ..progress import Month
from ..register import Entry
from . import check_act_exports, ics
from .layout import Layout

#: Fields of each document in documents.json, in order (the first ones are the contract).
FIELDS = (
    *fields.NAMES,
    "review_state",
    "url",
    "revisions",
    "exceptions",
    "in_force",
    "published",
    "owner_name",
    "approver_name",
    "created",
    "updated",
)
PUBLIC_WHEN_UNPUBLISHED = ("id", "title", "owner", "owner_name", "published")
#: Columns of the CSV and XLSX exports: the same fields, revisions as a count.
COLUMNS = (
    *(f for f in FIELDS if f not in ("revisions", "exceptions", "in_force")),
    "revision_count",
    "exception_count",
)


#: The fields that are lists (empty for a withheld document).
_LISTS = ("clauses", "revisions", "exceptions", "in_force")


def _site(site_url: str, url: str) -> str:
    """A site URL: absolute under `site_url` when it is set."""
    return (site_url.rstrip("/") + "/" + url) if site_url else (url or "./")


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def document_fields(entry: Entry, handbook: Handbook, layout: Layout, site_url: str) -> dict:
    """One document as a JSON-ready mapping (None where a value is unknown or withheld)."""
    doc, people = entry.doc, handbook.organization.people
    url = layout.url(entry.page)
    record: dict[str, Any] = {}
    for field in fields.FIELDS:
        # The next review as scheduled: given, or from the approval and the interval.
        value = entry.next_review if field.name == "next_review" else getattr(doc, field.name)
        if field.kind == "date":
            value = _iso(value)
        record[field.name] = list(value) if field.kind == "clauses" else value
    record |= {
        "review_state": entry.review_state,
        "url": _site(site_url, url),
        "revisions": [
            {
                "commit": r.commit,
                "date": r.date.isoformat(),
                "author": r.author,
                "summary": r.summary,
                "version": r.version,
                "approved_by": list(r.approved_by),
                "reviewed_by": list(r.reviewed_by),
                "pull_request": r.pull_request,
                "approvals": [
                    {
                        "name": e.name,
                        "person": e.person,
                        "date": e.on.isoformat(),
                        "source": e.source,
                        "kind": "review" if e.review else "approval",
                        "designated_approver": e.designated,
                    }
                    for e in r.evidence
                ],
            }
            for r in entry.revisions
        ],
        "exceptions": [
            {"commit": r.commit, "date": r.date.isoformat(), "code": f.code, "message": f.message}
            for r, f in entry.exceptions
        ],
        "in_force": [
            {
                "from": step.day.isoformat(),
                "version": step.version,
                "state": step.state,
                "approved_on": step.approved_on,
                "commit": step.commit,
                "url": _site(site_url, layout.url(layout.archive(doc, step.version)))
                if step.version and step.published and layout.archives else None,
            }
            for step in in_force.timeline(entry)
        ],
        "published": entry.published,
        "owner_name": people[doc.owner].name if doc.owner in people else None,
        "approver_name": people[doc.approver].name if doc.approver in people else None,
        "created": _iso(entry.created),
        "updated": _iso(entry.updated),
    }
    if not entry.published:
        for key in record:
            if key not in PUBLIC_WHEN_UNPUBLISHED and key != "url":
                record[key] = [] if key in _LISTS else None
    return record


def documents_json(
    entries: list[Entry],
    handbook: Handbook,
    layout: Layout,
    generated: datetime,
    site_url: str = "",
    edition: str | None = None,
) -> str:
    """documents.json per the contract: standard, generated, documents sorted by id."""
    payload = {
        "standard": handbook.standard.id,
        "organization": handbook.organization.name,
        "generated": generated.isoformat(timespec="seconds"),
        "edition": edition,
        "documents": [
            document_fields(e, handbook, layout, site_url)
            for e in sorted(entries, key=lambda e: e.doc.id)
        ],
    }
    return json_text.indented(payload)


def _rows(
    entries: list[Entry], handbook: Handbook, layout: Layout, site_url: str
) -> list[dict[str, Any]]:
    rows = []
    for entry in sorted(entries, key=lambda e: e.doc.id):
        record = document_fields(entry, handbook, layout, site_url)
        record["revision_count"] = len(record.pop("revisions"))
        record["exception_count"] = len(record.pop("exceptions"))
        del record["in_force"]
        record["clauses"] = " ".join(record["clauses"])
        rows.append(record)
    return rows


def documents_csv(
    entries: list[Entry], handbook: Handbook, layout: Layout, site_url: str = ""
) -> str:
    """The register as CSV (UTF-8, a header row, one document a row)."""
    return table_csv(COLUMNS, _rows(entries, handbook, layout, site_url))


def documents_xlsx(
    entries: list[Entry], handbook: Handbook, layout: Layout, site_url: str = ""
) -> bytes:
    """The register as an Excel workbook: header row, filters, frozen pane, real dates."""
    rows = _rows(entries, handbook, layout, site_url)
    return table_xlsx(
        COLUMNS, rows, "Documents", ("approved_on", "next_review", "created", "updated")
    )


#: Columns of the compliance matrix's CSV and XLSX exports, one clause a row.
COMPLIANCE_COLUMNS = (
    "clause", "title", "requirement", "coverage", "conformity", "assessment", "assessed_on",
    "evidence", "activities", "documents", "blocked", "overdue",
)  # fmt: skip


def compliance_rows(rows: list[ClauseCoverage]) -> list[dict[str, Any]]:
    """The matrix: per clause its coverage (the plan) and latest verdict (the reality)."""
    found = []
    for row in rows:
        assessment, result = row.verdict if row.verdict else (None, None)
        found.append(
            {
                "clause": row.clause.number,
                "title": row.clause.title,
                "requirement": row.requirement,
                "coverage": row.state,
                "conformity": row.conformity if row.requirement else None,
                "assessment": assessment.id if assessment else None,
                "assessed_on": assessment.date.isoformat() if assessment else None,
                "evidence": list(result.evidence) if result else [],
                "activities": [a.id for a in row.activities],
                "documents": [d.id for d in row.documents],
                "blocked": [a.id for a in row.blocked],
                "overdue": [a.id for a in row.overdue],
            }
        )
    return found


def compliance_json(
    rows: list[ClauseCoverage],
    handbook: Handbook,
    months: list[Month],
    generated: datetime,
) -> str:
    """compliance.json: totals of both, every clause, and the figures over time."""
    payload = {
        "standard": handbook.standard.id,
        "organization": handbook.organization.name,
        "generated": generated.isoformat(timespec="seconds"),
        "totals": {
            "coverage": coverage.state_totals(rows),
            "conformity": coverage.conformity_totals(rows),
        },
        "clauses": compliance_rows(rows),
        "assessments": [
            {
                "id": t.assessment.id,
                "date": t.assessment.date.isoformat(),
                "kind": t.assessment.kind,
                "title": t.assessment.title,
                "assessor": t.assessment.assessor,
                "totals": t.totals,
            }
            for t in progress.assessment_totals(handbook, handbook.standard)
        ],
        "activities_done_per_month": [
            {"month": m.month, "done": m.done, "total": m.total} for m in months
        ],
    }
    return json_text.indented(payload)


def compliance_table(rows: list[ClauseCoverage]) -> list[dict[str, Any]]:
    """The matrix's rows for CSV and XLSX: lists joined by spaces."""
    return [
        {k: " ".join(v) if isinstance(v, list) else v for k, v in row.items()}
        for row in compliance_rows(rows)
    ]


#: Columns of the disposal log's exports.
DISPOSAL_COLUMNS = (
    "record", "record_title", "date", "what", "method", "authorised_by",
    "authorised_by_name", "notes",
)  # fmt: skip


def disposal_rows(entries: list[Entry], handbook: Handbook) -> list[dict[str, Any]]:
    """The disposal log, oldest first; what was disposed of from a series that is not
    published is withheld, like the series itself."""
    by_id = {e.doc.id: e for e in entries}
    people = handbook.organization.people
    rows = []
    for x in sorted(handbook.disposals, key=lambda x: (x.date, x.record)):
        entry = by_id[x.record]
        person = people.get(x.authorised_by)
        rows.append(
            {
                "record": x.record,
                "record_title": entry.doc.title,
                "date": x.date.isoformat(),
                "what": x.what if entry.published else None,
                "method": x.method,
                "authorised_by": x.authorised_by,
                "authorised_by_name": person.name if person else None,
                "notes": (x.notes or None) if entry.published else None,
            }
        )
    return rows


def disposals_json(entries: list[Entry], handbook: Handbook, generated: datetime) -> str:
    payload = {
        "organization": handbook.organization.name,
        "generated": generated.isoformat(timespec="seconds"),
        "disposals": disposal_rows(entries, handbook),
    }
    return json_text.indented(payload)


#: What a spreadsheet may take for the start of a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value: object) -> bool:
    """Whether `value` is text a spreadsheet may run as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cell(value: object) -> object:
    """A value as a CSV cell: None empty, formula-like text behind an apostrophe (the
    OWASP form: `=1+1` is written `'=1+1`); numbers and other text as they are."""
    if value is None:
        return ""
    return "'" + value if formula_like(value) else value


def _csv_row(cells: list[object]) -> str:
    """One CSV row ending in LF, a cell quoted if it holds a delimiter, a quote or a line
    break: a CR too, which the csv module leaves bare when rows end in LF and which
    spreadsheets take for the end of the row."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(cells)
    return out.getvalue().removesuffix("\r\n") + "\n"


def table_csv(columns: tuple[str, ...], rows: list[dict[str, Any]]) -> str:
    """Rows as CSV (UTF-8, a header row); cells as `csv_cell` writes them."""
    lines = [_csv_row(list(columns))]
    lines.extend(_csv_row([csv_cell(row[column]) for column in columns]) for row in rows)
    return "".join(lines)


#: A worksheet: its title, columns, rows and the columns holding dates (`YYYY-MM-DD`).
Sheet = tuple[str, tuple[str, ...], list[dict[str, Any]], tuple[str, ...]]


def table_xlsx(
    columns: tuple[str, ...], rows: list[dict[str, Any]], title: str, dates: tuple[str, ...]
) -> bytes:
    """Rows as an Excel workbook of one sheet (see `workbook_xlsx`)."""
    return workbook_xlsx([(title, columns, rows, dates)])


def workbook_xlsx(sheets: list[Sheet]) -> bytes:
    """Sheets as an Excel workbook, each with a header row, filters, a frozen pane and
    real dates.

    Every text cell is a string cell, shown as written: never a formula (openpyxl makes
    one of text that starts with `=`) or an error value (`#N/A`). Formula-like text is
    also quote-prefixed, as Excel marks text typed after an apostrophe, so that editing
    the cell keeps it text.
    """
    from openpyxl import Workbook

    book = Workbook()
    for number, (title, columns, rows, dates) in enumerate(sheets):
        sheet = book.active if number == 0 else book.create_sheet()
        sheet.title = title
        _fill(sheet, columns, rows, dates)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _fill(
    sheet: Any, columns: tuple[str, ...], rows: list[dict[str, Any]], dates: tuple[str, ...]
) -> None:
    from openpyxl.styles import Font

    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for number, row in enumerate(rows, 2):
        for index, column in enumerate(columns, 1):
            value = row[column]
            if column in dates and value:
                value = date.fromisoformat(value)
            cell = sheet.cell(number, index, value)
            if isinstance(value, str):
                cell.data_type = "s"
                if formula_like(value):
                    cell.quotePrefix = True
    for index, column in enumerate(columns, 1):
        if column in dates:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "yyyy-mm-dd"
        width = max(
            len(column),
            *(len(str(c.value or "")) for c in sheet[sheet.cell(1, index).column_letter]),
        )
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = min(width + 2, 60)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions


def reviews_ics(
    entries: list[Entry],
    handbook: Handbook,
    layout: Layout,
    generated: datetime,
    site_url: str = "",
    *,
    max_classification: str,
) -> bytes:
    """An iCalendar feed of all-day events: each document's next review, then the due
    dates of the actions still open and the next management review (Check and Act;
    `generated` gives today, `max_classification` what is withheld)."""
    host = site_url.split("//", 1)[-1].split("/", 1)[0] if site_url else "sms-handbook"
    stamp = ics.utc(generated)
    events = []
    for entry in sorted(entries, key=lambda e: (e.next_review or date.max, e.doc.id)):
        if entry.next_review is None:
            continue
        doc = entry.doc
        owner = handbook.organization.people.get(doc.owner)
        description = f"Owner: {owner.label if owner else doc.owner}. State: {entry.review_state}."
        event = [
            ("SUMMARY", ics.text(f"Review due: {doc.id} {doc.title}")),
            ("DTSTART;VALUE=DATE", ics.day(entry.next_review)),
            ("DTSTAMP", stamp),
            ("UID", ics.text(f"{doc.id}-review-{entry.next_review.isoformat()}@{host}")),
            ("DESCRIPTION", ics.text(description)),
        ]
        if site_url:
            event.append(("URL", site_url.rstrip("/") + "/" + layout.url(entry.page)))
        events.append(event)
    events += check_act_exports.calendar_events(
        handbook, generated.date(), max_classification, stamp, host, layout, site_url
    )
    properties = [
        ("VERSION", "2.0"),
        ("PRODID", "-//SMS Handbook//Review schedule//EN"),
        ("X-WR-CALNAME", ics.text(f"{handbook.organization.name}: document reviews")),
    ]
    return ics.calendar(properties, events)
