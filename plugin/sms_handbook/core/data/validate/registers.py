"""The documents' declarations: entries of policies.yml and documents.yml and pages'
`document:` front matter, grouped by id (a register's first) with duplicates and
disagreements between them reported."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ... import fields
from ...model import Location
from ...problems import excerpt
from ..inputs import DataFile, PageRecord
from ..yamlio import LineMap
from .checker import Checker, records_at

#: The registers, by data file (each lists its documents under its own name).
REGISTERS = ("policies", "documents")


@dataclass
class Record:
    """One declaration of a document: a register entry or a page's `document:` mapping."""

    fields: LineMap
    path: str
    origin: str  # "policies", "documents" or "page"
    page: str | None = None  # src_uri of the declaring page
    page_title: str | None = None

    def at(self, key: str | None = None) -> Location:
        line = self.fields.line if key is None else self.fields.value_line(key)
        return Location(self.path, line)


#: One document's declarations: at most one register entry (first) and one page.
Group = list[Record]


def field_of(group: Group, key: str) -> tuple[Any, Record | None]:
    """A field's value as declared, and the declaration giving it (a register's first)."""
    for record in group:
        if key in record.fields:
            return record.fields[key], record
    return None, None


def register_of(group: Group) -> str | None:
    """The register file declaring the document, if any."""
    return next((r.path for r in group if r.origin != "page"), None)


def norm(path: str) -> str:
    """A source path as MkDocs names pages: `./a/../b.md` is `b.md`; `.x/a.md` stays."""
    return posixpath.normpath(path.replace("\\", "/")) if path else path


def document_records(
    check: Checker, data: Mapping[str, DataFile], pages: Sequence[PageRecord]
) -> list[Record]:
    records = []
    for name in REGISTERS:
        file = data[name]
        for item in records_at(file.data, name):
            records.append(Record(item, file.path, name))
    for page in pages:
        if page.problem is not None and page.document is None:
            continue  # it could not be read (its problem says why)
        if not isinstance(page.document, LineMap):
            check.error(
                Location(page.path, page.document_line),
                "wrong-shape",
                "document: in front matter must be a mapping of document-control fields",
            )
            continue
        check.schema("document", page.document, page.path)
        records.append(Record(page.document, page.path, "page", page.src_uri, page.title))
    return records


def merge(check: Checker, records: list[Record]) -> dict[str, Group]:
    """Group declarations by id, reporting duplicates and disagreements."""
    by_id: dict[str, Group] = {}
    for record in records:
        doc_id = record.fields.get("id")
        if isinstance(doc_id, str):
            by_id.setdefault(doc_id, []).append(record)
    page_ids = {r.page: r.fields["id"] for group in by_id.values() for r in group if r.page}

    merged: dict[str, Group] = {}
    for doc_id, group in by_id.items():
        registers = [r for r in group if r.origin != "page"]
        declared_pages = [r for r in group if r.origin == "page"]
        for dupes in (registers, declared_pages):
            for extra in dupes[1:]:
                check.error(
                    extra.at("id"),
                    "duplicate-id",
                    f"document id {excerpt(doc_id)} is already declared at {dupes[0].at('id')}",
                )
        register = registers[0] if registers else None
        page = declared_pages[0] if declared_pages else None
        if register is not None:
            _check_register_source(check, doc_id, register, page, page_ids)
        if page is not None:
            own = page.fields.get("source")
            if isinstance(own, str) and norm(own) != page.page:
                check.error(
                    page.at("source"),
                    "conflict",
                    f"{excerpt(doc_id)}: a page's front matter cannot name another source "
                    f"('{excerpt(own)}')",
                )
        if register is not None and page is not None:
            _check_agree(check, doc_id, register, page)
        merged[doc_id] = registers[:1] + declared_pages[:1]
    return merged


def _check_register_source(
    check: Checker,
    doc_id: str,
    register: Record,
    page: Record | None,
    page_ids: Mapping[str | None, Any],
) -> None:
    """A register's source is the page that declares the same document, if one does, and
    no page that declares another."""
    source = register.fields.get("source")
    if page is not None and isinstance(source, str) and norm(source) != page.page:
        check.error(
            register.at("source"),
            "conflict",
            f"{excerpt(doc_id)}: the register's source is '{excerpt(source)}', but "
            f"{page.path} declares {excerpt(doc_id)} in its front matter",
        )
    other = page_ids.get(norm(source)) if isinstance(source, str) else None
    if other is not None and other != doc_id:
        check.error(
            register.at("source"),
            "conflict",
            f"{excerpt(doc_id)}: source '{excerpt(source)}' declares document "
            f"{excerpt(other)} in its front matter",
        )


def _check_agree(check: Checker, doc_id: str, register: Record, page: Record) -> None:
    """A field given in both places has the same value in both."""
    for key in fields.NAMES:
        if key in ("id", "source") or key not in page.fields or key not in register.fields:
            continue
        a, b = page.fields[key], register.fields[key]
        if not _same(a, b):
            check.error(
                page.at(key),
                "conflict",
                f"{excerpt(doc_id)}: {key} is {_show(a)} here but {_show(b)} in {register.at(key)}",
            )


def _same(a: Any, b: Any) -> bool:
    return list(a) == list(b) if isinstance(a, list) and isinstance(b, list) else a == b


def _show(value: Any) -> str:
    return excerpt(f"[{', '.join(map(str, value))}]" if isinstance(value, list) else f"'{value}'")
