"""Records as records (Annex D): record series with retention, disposal and protection,
the records page and disposal log, versions as organizations write them, optional data
files, and the document controller's tools."""

from __future__ import annotations

import csv
import io
import json

import pytest

from conftest import BuiltPage, HandbookDir, cells

DOCS, ORG = "data/documents.yml", "data/organization.yml"
ENV = {"SOURCE_DATE_EPOCH": "1775000000"}  # 2026-04-01

#: The register entry of the issue, as a document controller writes one.
SERIES = """
  - id: HHD-REC-001
    title: Service desk tickets
    type: record
    location: https://servicedesk.example/incidents
    owner: jdoe
    version: "n/a"
    status: approved
    classification: internal
    retention: 3 years after closure
    disposal: anonymise
    protection: Service desk staff read; only the tool changes them; nightly backup, 30 days kept.
"""
DISPOSALS = """disposals:
  - record: REC-001
    date: 2026-02-01
    what: Incident records 2019-2022
    method: destroy
    authorised_by: mkhan
    notes: Shredded by *SecureShred*, certificate 1182.
  - record: HHD-REC-001
    date: 2026-03-01
    what: Tickets closed before 2023
    method: anonymise
    authorised_by: jdoe
"""


@pytest.fixture
def records(minimal: HandbookDir) -> HandbookDir:
    minimal.write(DOCS, minimal.read(DOCS) + SERIES)
    minimal.replace(
        DOCS, "    retention: 3 years\n", "    retention: 6 years\n    disposal: destroy\n"
    )
    minimal.write("data/disposals.yml", DISPOSALS)
    return minimal


def test_a_record_series_as_a_controller_writes_it_builds(records: HandbookDir) -> None:
    done = records.build(env=ENV)
    assert done.returncode == 0, done.stderr
    site = records.path("site")
    page = BuiltPage.read(site / "documents/hhd-rec-001/index.html")
    assert "not approved" not in page.text
    block = page.html.split('class="smsh-table smsh-meta"')[1].split("</table>")[0]
    assert "Approver" not in block and "Approved on" not in block  # not given: not shown
    assert '<th scope="row">Disposal</th>' in block
    for shown in ("n/a", "3 years after closure", "anonymise", "nightly backup, 30 days kept"):
        assert shown in page.text, shown
    reviews = BuiltPage.read(site / "reviews/index.html").text
    assert "HHD-REC-001" not in reviews.split("Not scheduled")[0]  # no review cycle
    data = {d["id"]: d for d in json.loads((site / "documents.json").read_text())["documents"]}
    series = data["HHD-REC-001"]
    assert (series["version"], series["approver"], series["next_review"]) == ("n/a", None, None)
    assert series["disposal"] == "anonymise" and series["review_state"] == "none"
    assert series["protection"].startswith("Service desk staff read")
    rows = list(csv.DictReader(io.StringIO((site / "documents.csv").read_text())))
    assert {r["id"]: r["disposal"] for r in rows}["REC-001"] == "destroy"


def test_records_page_schedule_and_disposal_log(records: HandbookDir) -> None:
    assert records.build(env=ENV).returncode == 0
    page = BuiltPage.read(records.path("site/records/index.html"))
    text = page.text
    # Grouped by retention, shortest first.
    assert text.index("Kept 3 years after closure") < text.index("Kept 6 years")
    schedule = page.html[page.html.index('class="smsh-table smsh-records"') :].split("</table>")[0]
    first, details = schedule.split("<tr")[2:4]
    assert cells(first)[:4] == [
        "HHD-REC-001 Service desk tickets", "servicedesk.example",  # a link named by its host
        "Jane Doe (SMS manager)", "anonymise",
    ]  # fmt: skip
    assert 'href="https://servicedesk.example/incidents"' in first
    assert cells(details) == [  # under the row, across the table
        "Protection Service desk staff read; only the tool changes them; "
        "nightly backup, 30 days kept."
    ]
    log = page.html[page.html.index('class="smsh-table smsh-disposals"') :].split("</table>")[0]
    rows = [cells(r) for r in log.split("<tr")[2:]]
    assert [r[:5] for r in rows] == [
        ["2026-03-01", "HHD-REC-001 Service desk tickets", "Tickets closed before 2023",
         "anonymise", "Jane Doe (SMS manager)"],
        ["2026-02-01", "REC-001 Incident records", "Incident records 2019-2022", "destroy",
         "Mo Khan (Managing director)"],
    ]  # fmt: skip
    assert "<em>SecureShred</em>" in log
    assert ("a", "../compliance/#clause-8.6.1") in page.links


def test_disposal_log_export(records: HandbookDir, tmp_path) -> None:
    done = records.cli("export", "--what", "disposals", "--format", "json", env=ENV)
    assert done.returncode == 0, done.stderr
    log = json.loads(done.stdout)["disposals"]
    assert [(x["record"], x["date"], x["method"], x["authorised_by_name"]) for x in log] == [
        ("REC-001", "2026-02-01", "destroy", "Mo Khan"),
        ("HHD-REC-001", "2026-03-01", "anonymise", "Jane Doe"),
    ]
    table = records.cli("export", "--what", "disposals", "--format", "csv", env=ENV).stdout
    assert table.splitlines()[0] == (
        "record,record_title,date,what,method,authorised_by,authorised_by_name,notes"
    )
    out = tmp_path / "log.xlsx"
    assert (
        records.cli("export", "--what", "disposals", "--format", "xlsx", "-o", str(out)).returncode
        == 0
    )
    from openpyxl import load_workbook

    sheet = load_workbook(out).active
    assert sheet.title == "Disposals" and sheet["C2"].value.isoformat() == "2026-02-01T00:00:00"


@pytest.mark.parametrize("version", ["1.2", "2.0.1", "A", "Rev B", "Issue 3", "v2.1"])
def test_versions_in_every_accepted_scheme(minimal: HandbookDir, version: str) -> None:
    minimal.replace("content/policies/change.md", 'version: "1.0"', f'version: "{version}"')
    done = minimal.cli("check")
    assert done.returncode == 0, done.stdout


def test_a_version_outside_every_scheme_is_located(minimal: HandbookDir) -> None:
    minimal.replace("content/policies/change.md", 'version: "1.0"', 'version: "1.2-final"')
    done = minimal.cli("check")
    line = minimal.line_of("content/policies/change.md", "1.2-final")
    assert done.stdout.splitlines() == [
        f"content/policies/change.md:{line}: error: invalid-value: version '1.2-final' fits no "
        'version scheme; write it as "1.2", "2.0.1", "A", "Rev B", "Issue 3" or "v2.1"'
    ]


def test_only_the_organization_is_required(minimal: HandbookDir) -> None:
    for name in ("phases", "policies", "documents"):
        minimal.path(f"data/{name}.yml").unlink()
    policy = "document:\n  title: Change policy\n  type: policy\n"
    minimal.replace("content/policies/change.md", "document:\n", policy)
    for field in ("  phase: P1\n", '  clauses: ["8.5.1.1"]\n'):
        text = minimal.read("content/policies/change.md")
        minimal.write("content/policies/change.md", text.replace(field, ""))
    text = minimal.read("content/procedures/incident.md")
    minimal.write("content/procedures/incident.md", text.replace("  phase: P1\n", ""))
    done = minimal.cli("check")
    assert done.returncode == 0, done.stdout
    assert (
        "read organization.yml; optional, not present: phases.yml, policies.yml, "
        "documents.yml, disposals.yml" in done.stderr
    )
    built = minimal.build(env=ENV)
    assert built.returncode == 0, built.stderr
    phases = BuiltPage.read(minimal.path("site/phases/index.html")).text
    assert "keeps no implementation project in this handbook" in phases
    assert (
        "Nothing has been disposed of yet"
        in BuiltPage.read(minimal.path("site/records/index.html")).text
    )


def test_documents_without_phases_build(minimal: HandbookDir) -> None:
    minimal.path("data/phases.yml").unlink()
    for rel in ("data/policies.yml", DOCS, "content/procedures/incident.md"):
        text = minimal.read(rel)
        kept = [line for line in text.splitlines() if "phase: P1" not in line]
        minimal.write(rel, "\n".join(kept) + "\n")
    built = minimal.build(env=ENV)
    assert built.returncode == 0, built.stderr
    assert minimal.path("site/documents/index.html").is_file()


def test_export_all_includes_what_the_site_withholds(minimal: HandbookDir) -> None:
    restricted = "    retention: 3 years\n    classification: restricted\n"
    minimal.replace(DOCS, "    retention: 3 years\n", restricted)
    site = json.loads(minimal.cli("export", "--format", "json").stdout)
    withheld = next(d for d in site["documents"] if d["id"] == "REC-001")
    assert withheld["published"] is False and withheld["location"] is None
    full = json.loads(minimal.cli("export", "--format", "json", "--all").stdout)
    everything = next(d for d in full["documents"] if d["id"] == "REC-001")
    assert everything["location"] == "ITSM tool, Incidents module"


def test_new_documents_belong_to_the_sms_manager(minimal: HandbookDir) -> None:
    minimal.replace(ORG, "sms_manager: jdoe", "sms_manager: mkhan")
    done = minimal.cli("new", "procedure", "--id", "PRC-9", "--title", "Backups")
    assert done.returncode == 0, done.stderr
    assert "owner: mkhan" in minimal.read("content/procedures/backups.md")
    minimal.replace(ORG, "sms_manager: mkhan\n", "")
    refused = minimal.cli("new", "procedure", "--id", "PRC-10", "--title", "Restores")
    assert refused.returncode == 2 and "pass --owner KEY, or set sms_manager" in refused.stderr
