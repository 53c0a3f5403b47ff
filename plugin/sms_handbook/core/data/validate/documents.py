"""The rules of a document that span its fields (each field alone: kinds.py): the
fields it needs, a policy in the policy register, where it is kept, what approval
needs, a record's retention, and separation of duties."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ...problems import excerpt
from .checker import Checker, Known, date_of
from .kinds import check_fields
from .registers import Group, field_of

#: What every document gives (or has implied: a record's version, a page's title, a
#: policy's type).
_NEEDED = ("title", "type", "owner", "version", "status")


def check_document(check: Checker, group: Group, known: Known, docs_dir: Path) -> None:
    first = group[0]
    doc_id = first.fields["id"]
    kind, kind_at = field_of(group, "type")
    for record in group:
        declared = record.fields.get("type")
        if record.origin == "policies" and isinstance(declared, str) and declared != "policy":
            check.error(
                record.at("type"),
                "not-a-policy",
                f"{excerpt(doc_id)} is in the policy register but declares type "
                f"'{excerpt(declared)}'; move it to documents.yml or make it a policy",
            )
    implied_policy = any(r.origin == "policies" for r in group) or field_of(group, "template")[0]
    for key in _NEEDED:
        if field_of(group, key)[1] is not None:
            continue
        if key == "version" and kind == "record":
            continue
        if key == "title" and any(r.page_title for r in group):
            continue
        if key == "type" and implied_policy:
            continue
        check.error(first.at(), "missing-field", f"{excerpt(doc_id)} has no {key}")

    check_fields(check, group, known, docs_dir)

    source = field_of(group, "source")[0]
    location, location_record = field_of(group, "location")
    has_source = source is not None or any(r.page for r in group)
    if has_source and location is not None and location_record is not None:
        check.error(
            location_record.at("location"),
            "source-and-location",
            f"{excerpt(doc_id)} gives both a source in the repository and a location outside "
            "it; keep one",
        )
    status, status_record = field_of(group, "status")
    if status == "approved" and status_record is not None:
        for key in ("approver", "approved_on"):
            if field_of(group, key)[1] is None and kind != "record":  # optional for records
                check.error(
                    status_record.at("status"),
                    "missing-approval",
                    f"{excerpt(doc_id)} is approved but gives no {key}",
                )
        if not has_source and location is None:
            check.error(
                first.at(),
                "no-location",
                f"{excerpt(doc_id)} is approved but has neither a source page nor a location",
            )
    retention = field_of(group, "retention")[0]
    if kind == "record" and retention is None and kind_at is not None:
        check.warning(
            kind_at.at("type"),
            "missing-retention",
            f"{excerpt(doc_id)} is a record but does not say how long it is kept (retention)",
        )
    approved_on = field_of(group, "approved_on")[0]
    next_review, record = field_of(group, "next_review")
    approved, review = date_of(approved_on), date_of(next_review)
    if approved is not None and review is not None and review < approved and record is not None:
        check.error(
            record.at("next_review"),
            "review-before-approval",
            f"{excerpt(doc_id)}: next_review {next_review} is before approved_on {approved_on}",
        )


def check_approval(check: Checker, group: Group, today: date | None, *, separation: bool) -> None:
    """Nobody approves their own document, and no approval is dated after today."""
    doc_id = group[0].fields["id"]
    owner = field_of(group, "owner")[0]
    approver, approver_record = field_of(group, "approver")
    if separation and isinstance(owner, str) and owner == approver and approver_record:
        check.error(
            approver_record.at("approver"),
            "self-approval",
            f"{excerpt(doc_id)}: {owner} is both owner and approver; separation_of_duties in "
            "organization.yml asks for another approver",
        )
    approved_on, record = field_of(group, "approved_on")
    when = date_of(approved_on)
    if today is not None and when is not None and when > today and record is not None:
        check.error(
            record.at("approved_on"),
            "approval-in-future",
            f"{excerpt(doc_id)}: approved_on {when} is after today ({today})",
        )
