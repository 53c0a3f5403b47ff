"""One definition of a document's fields: the schema, the model, the document-control
block, the exports and the archives all agree with it."""

from __future__ import annotations

import dataclasses
import json
from importlib.resources import files

from conftest import EPOCH_2026_11_27
from sms_handbook.core import fields
from sms_handbook.core.model import Document
from sms_handbook.core.site import archives, exports


def test_schema_model_and_exports_list_the_same_fields():
    schema = json.loads((files("sms_handbook") / "schemas" / "document.schema.json").read_text())
    assert sorted(schema["properties"]) == sorted(fields.NAMES)
    model = [f.name for f in dataclasses.fields(Document) if f.name not in ("where", "register")]
    assert sorted(model) == sorted(fields.NAMES)
    assert exports.FIELDS[: len(fields.NAMES)] == fields.NAMES
    assert [c for c in exports.COLUMNS if c in fields.NAMES] == list(fields.NAMES)


def test_block_and_archives_take_their_fields_from_the_definition(exemplar):
    built = exemplar.build(env={"SOURCE_DATE_EPOCH": EPOCH_2026_11_27})
    assert built.returncode == 0, built.stderr
    page = exemplar.read("site/policies/change-management/index.html")
    block = page[page.index('data-smsh-document="POL-002"') :]
    block = block[: block.index("</table>")]
    labels = [f.label for f in fields.BLOCK if f.name != "location"]
    found = [label for label in labels if f'<th scope="row">{label}</th>' in block]
    assert found == labels


def test_an_archive_takes_every_historic_field_from_its_version() -> None:
    doc = Document("POL-1", "Now", "policy", "jdoe", "2.0", "approved", source="p.md")
    past = {"date": "2020-01-02", "clauses": ["5.2"], "months": 7}
    meta = {f.name: past.get(f.kind, f"then-{f.name}") for f in fields.FIELDS}
    then = archives.document_as_of(doc, meta)
    for field in fields.FIELDS:
        value = getattr(then, field.name)
        if field in fields.HISTORIC:
            shown = value.isoformat() if field.kind == "date" else value
            expected = past.get(field.kind, f"then-{field.name}")
            assert shown == (tuple(expected) if field.kind == "clauses" else expected), field
        else:  # an archive is of the same document, at the same place
            assert value == getattr(doc, field.name), field
