"""When each controlled document is next due for review, and how urgent that is."""

from __future__ import annotations

import calendar
from datetime import date
from typing import Literal

from .model import Document, Handbook, Organization
from .problems import Problem

ReviewState = Literal["ok", "due-soon", "overdue", "none"]

#: Documents in these states are not reviewed on a cycle (in-review ones are when an
#: earlier version was approved).
_NOT_REVIEWED = ("draft", "superseded", "withdrawn")


def add_months(start: date, months: int) -> date:
    """`start` plus whole months, clamped to the end of a shorter month."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def next_review(document: Document, organization: Organization) -> date | None:
    """Explicit `next_review`, else approval date plus the document's or default interval."""
    if document.status in _NOT_REVIEWED:
        return None
    if document.is_record and document.review_interval_months is None:
        return document.next_review  # a record series is reviewed only when it says so
    if document.next_review is not None:
        return document.next_review
    if document.approved_on is None:
        return None
    months = document.review_interval_months or organization.review_interval_months
    return add_months(document.approved_on, months)


def review_state(
    document: Document, organization: Organization, today: date
) -> tuple[date | None, ReviewState]:
    """The next review date and its state against `today`."""
    due = next_review(document, organization)
    if due is None:
        return None, "none"
    if due < today:
        return due, "overdue"
    if (due - today).days <= organization.review_warning_days:
        return due, "due-soon"
    return due, "ok"


def overdue_problems(handbook: Handbook, today: date) -> list[Problem]:
    """Each document whose review is overdue on `today`, as an error at its approval
    date (else at its id): what `check --fail-on-overdue` fails on."""
    found = []
    for doc in handbook.documents.values():
        due, state = review_state(doc, handbook.organization, today)
        if state == "overdue":
            where = doc.where.get("approved_on") or doc.where["id"]
            found.append(
                Problem(
                    where.path,
                    where.line,
                    "error",
                    "review-overdue",
                    f"{doc.id} {doc.title}: review was due {due}",
                )
            )
    return found
