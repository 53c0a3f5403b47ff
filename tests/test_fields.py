"""One definition of a document's fields: the schema, the model, the document-control
block, the exports and the archives all agree with it."""

from __future__ import annotations

import dataclasses
import json
from importlib.resources import files

from conftest import EPOCH_2026_11_27
from sms_handbook.core import fields
from sms_handbook.core.model import Document
from sms_handbook.core.site import exports


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
    assert {f.name for f in fields.HISTORIC} >= {"version", "status", "approver", "approved_on"}
    assert "id" not in {f.name for f in fields.HISTORIC}  # an archive is of the same document
