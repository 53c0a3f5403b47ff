"""disposals.yml: each disposal names a record series and who authorised it."""

from __future__ import annotations

from ...model import Location
from ...problems import did_you_mean, excerpt
from ..yamlio import LineMap
from .checker import Checker, Known, check_people_at
from .registers import field_of


def check_disposals(check: Checker, entries: list[LineMap], path: str, known: Known) -> None:
    documents = known.documents
    series = {i for i, group in documents.items() if field_of(group, "type")[0] == "record"}
    for entry in entries:
        record = entry.get("record")
        if isinstance(record, str) and record not in series:
            what = "a record series (type: record)" if record in documents else "a document"
            check.error(
                Location(path, entry.value_line("record")),
                "unknown-document",
                f"record '{excerpt(record)}' is not {what} in the registers"
                f"{did_you_mean(record, series)}",
            )
        check_people_at(check, entry, ("authorised_by",), path, known.people)
