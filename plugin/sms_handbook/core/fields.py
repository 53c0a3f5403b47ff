"""The one definition of a controlled document's fields.

The schema check (`schemas/document.schema.json`), the model (`model.Document`), the
document-control block, the exports and the archives all take their lists from here;
tests/test_fields.py proves that they agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: What a field's value is, and so how it is checked (data/validate/kinds.py), shown and
#: exported: the document's own id, free text, one of the schema's choices, a people key,
#: a version, a date, a number of months, clause numbers, a page under docs_dir, a phase
#: id, a policy template id.
Kind = Literal[
    "id", "text", "choice", "person", "version", "date", "months", "clauses", "path", "phase",
    "template",
]  # fmt: skip


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    label: str  # as the document-control block and people name it
    block: bool = True  # shown in the document-control block
    historic: bool = True  # a past version's value is shown in its archive
    #: Part of what was approved: changing it under an approved version is an
    #: uncontrolled change (the review cycle, the project phase and the file's place
    #: are not; version and status are compared on their own).
    controlled: bool = True
    records_only: bool = False  # shown in the block of record series only


#: In the order of documents.json and of the document-control block.
FIELDS: tuple[Field, ...] = (
    Field(
        "id", "id", "Document", historic=False, controlled=False
    ),  # the block shows the title beside it
    Field("title", "text", "Title", block=False),
    Field("type", "choice", "Type"),
    Field("version", "version", "Version", controlled=False),
    Field("status", "choice", "Status", controlled=False),
    Field("owner", "person", "Owner"),
    Field("approver", "person", "Approver"),
    Field("approved_on", "date", "Approved on", controlled=False),
    Field("next_review", "date", "Next review", controlled=False),
    Field("classification", "choice", "Classification"),
    Field("retention", "text", "Retention"),
    Field("disposal", "text", "Disposal", records_only=True),  # destroy, archive, ...
    Field("protection", "text", "Protection", records_only=True),  # who reads, changes
    Field("clauses", "clauses", "Clauses"),
    Field("phase", "phase", "Phase", controlled=False),
    Field("source", "path", "Source", block=False, historic=False, controlled=False),
    Field("location", "text", "Kept at"),
    Field(
        "review_interval_months",
        "months",
        "Review interval (months)",
        block=False,
        controlled=False,
    ),
    Field("template", "template", "Policy template", block=False, controlled=False),
)

NAMES = tuple(f.name for f in FIELDS)
BY_NAME = {f.name: f for f in FIELDS}
#: The document-control block's cells, in order; a record series' block adds its own.
BLOCK = tuple(f for f in FIELDS if f.block and not f.records_only)
RECORD_BLOCK = tuple(f for f in FIELDS if f.block)
#: What an archive takes from the metadata of the version it shows.
HISTORIC = tuple(f for f in FIELDS if f.historic)
#: What an approved version fixes, beside its text.
CONTROLLED = tuple(f.name for f in FIELDS if f.controlled)
