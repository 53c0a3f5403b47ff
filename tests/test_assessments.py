"""Gap analysis over time and implementation governance (TR 20000-5): assessments beside
coverage on the compliance page, blocked and overdue work flagged, progress drawn over
time from Git, the implementation project with its RACI matrix, and the matrix exported."""

from __future__ import annotations

import csv
import io
import json

import pytest

from conftest import BuiltPage, GitRepo, HandbookDir, cells
from sms_handbook.core import coverage

PHASES, DOCS = "data/phases.yml", "data/documents.yml"
APRIL = {"SOURCE_DATE_EPOCH": "1775000000"}  # 2026-04-01
MAY = {"SOURCE_DATE_EPOCH": "1778400000"}  # 2026-05-10: after P1 ended (2026-04-30)

ASSESSMENTS = """assessments:
  - id: GA-2026-01
    date: 2026-01-20
    kind: baseline
    title: Baseline gap analysis
    assessor: mkhan
    results:
      - clause: "8.5.1"
        conformity: partial
        evidence: [POL-001]
      - clause: "8.6.1"
        conformity: not-assessed
  - id: IA-2026-01
    date: 2026-03-20
    kind: internal-audit
    title: First internal audit
    assessor: mkhan
    results:
      - clause: "8.5.1"
        conformity: conforming
        evidence: [POL-001, "https://desk.example/audit/3"]
        notes: Sampled *12* changes.
      - clause: "8.6.1"
        conformity: nonconforming
        evidence: ["https://desk.example/audit/4"]
"""
PROJECT = """sponsor: mkhan
business_case:
  summary: Customers ask for **ISO/IEC 20000-1** certification.
  drivers: [Two tenders require it]
  benefits: [Fewer repeat incidents]
  costs: About 40 staff days and the certification audit.
  decision: {by: mkhan, on: 2025-11-20, outcome: approved}
governance: The steering group meets monthly.
team:
  - {person: jdoe, role: Project manager, allocation: 50%}
  - {person: mkhan, role: Sponsor, allocation: 5%}
readiness: [Scope agreed]
gates:
  - phase: P1
    criteria: [Change policy approved]
    decision: {by: mkhan, on: 2026-04-30, outcome: passed-with-conditions, notes: Finish P1.02.}
  - phase: P2
scope_changes:
  - {date: 2026-06-01, change: Added the service desk, reason: Customer demand, approved_by: mkhan}
"""


@pytest.fixture
def assessed(minimal: HandbookDir) -> tuple[HandbookDir, GitRepo]:
    """The minimal handbook with assessments and a project; P1.02 marked done in a
    commit of 2026-02-20, so the history has a month with more done."""
    repo = GitRepo(minimal.root)
    minimal.write("data/assessments.yml", ASSESSMENTS)
    minimal.write("data/project.yml", PROJECT)
    minimal.replace(
        PHASES,
        "        status: planned",
        "        status: blocked\n        responsible: [jdoe]\n        informed: [jdoe]",
    )
    minimal.write("content/index.md", "# Test handbook\n\n<!-- sms-handbook:dashboard -->\n")
    repo.commit("Assessments and project", "2026-01-25T10:00:00+00:00")
    minimal.replace(
        PHASES, "        status: in-progress", "        status: done\n        consulted: [mkhan]"
    )
    repo.commit("P1.02 done", "2026-02-20T10:00:00+00:00")
    return minimal, repo


def words(page: BuiltPage) -> str:
    return " ".join(page.text.split())


def test_a_withdrawn_document_stops_counting(minimal: HandbookDir) -> None:
    extra = (
        "  - id: PLN-9\n    title: Context statement\n    type: plan\n    location: Intranet\n"
        '    owner: jdoe\n    approver: mkhan\n    version: "1.0"\n    status: approved\n'
        '    approved_on: 2026-01-02\n    clauses: ["4.1"]\n'
    )
    minimal.write(DOCS, minimal.read(DOCS) + extra)
    rows = {r.clause.number: r for r in coverage.clause_coverage(minimal.load().handbook)}
    assert rows["4.1"].state == "implemented"
    minimal.replace(
        DOCS,
        'version: "1.0"\n    status: approved\n    approved_on: 2026-01-02',
        'version: "1.0"\n    status: withdrawn\n    approved_on: 2026-01-02',
    )
    rows = {r.clause.number: r for r in coverage.clause_coverage(minimal.load().handbook)}
    assert rows["4.1"].state == "gap"


def test_blocked_and_overdue_work_is_flagged(assessed) -> None:
    handbook, _ = assessed
    handbook.replace(
        PHASES,
        "        status: done\n        consulted",
        "        status: in-progress\n        consulted",
    )
    assert handbook.build("-d", "site", env=MAY).returncode == 0
    home = words(BuiltPage.read(handbook.path("site/index.html")))
    assert "P1 Foundations ended 2026-04-30 with 1 activity open" in home
    assert "P1.02 in-progress Document the incident procedure: due 2026-03-15" in home
    assert "P2.01 blocked Run the first internal audit" in home
    phase = words(BuiltPage.read(handbook.path("site/phases/p1/index.html")))
    assert "Past its end date. The phase was due to end on 2026-04-30" in phase
    assert "Needs attention: P1.02 in-progress (due 2026-03-15)" in phase
    compliance = BuiltPage.read(handbook.path("site/compliance/index.html"))
    row = compliance.html.split('id="clause-9.2"')[1].split("</tr>")[0]
    assert ">blocked</span>" in row


def test_the_latest_verdict_beside_the_plan(assessed) -> None:
    handbook, _ = assessed
    assert handbook.build("-d", "site", env=APRIL).returncode == 0
    page = BuiltPage.read(handbook.path("site/compliance/index.html"))
    row = page.html.split('<tr id="clause-8.5.1"')[1].split("</tr>")[0]
    verdict = " ".join(cells("<tr" + row)[3].split())
    assert verdict.startswith("conforming 2026-03-20 IA-2026-01")
    assert (
        'href="https://desk.example/audit/3"' in row
        and "POL-001 Change management policy" in verdict
    )
    assert "<em>12</em>" in row
    # Nonconformities first in what needs attention.
    attention = page.html.split('class="smsh-table smsh-attention"')[1].split("</table>")[0]
    first = cells(attention.split("<tr")[2])
    assert first[:3] == ["8.6.1", "Incident management", "nonconforming 2026-03-20 IA-2026-01"]
    totals = page.html.split('class="smsh-table smsh-totals smsh-conformity-totals"')[1].split(
        "</table>"
    )[0]
    assert cells(totals.split("<tr>")[2])[:3] == ["1", "0", "1"]


def test_progress_is_drawn_over_time(assessed) -> None:
    handbook, _ = assessed
    assert handbook.build("-d", "site", env=APRIL).returncode == 0
    html = handbook.read("site/compliance/index.html")
    assert html.count('class="smsh-chart-assessment"') == 2  # one mark per assessment
    months = [m.split('"')[0] for m in html.split('class="smsh-chart-month" data-month="')[1:]]
    assert months == ["2026-01", "2026-02", "2026-03", "2026-04"]  # one per month of history
    assert "<title>2026-01: 1 of 3 activities done</title>" in html
    assert "<title>2026-02: 2 of 3 activities done</title>" in html
    assert "Baseline gap analysis: partially conforming: 1</title>" in html  # in words
    assert ">2026-03</text>" in html
    home = handbook.read("site/index.html")
    assert 'class="smsh-chart smsh-chart-conformity"' in home and "smsh-chart-months" in home
    data = json.loads(handbook.read("site/compliance.json"))
    assert data["activities_done_per_month"][1] == {"month": "2026-02", "done": 2, "total": 3}
    assert [a["totals"]["nonconforming"] for a in data["assessments"]] == [0, 1]


def test_the_implementation_project_page(assessed) -> None:
    handbook, _ = assessed
    assert handbook.build("-d", "site", env=APRIL).returncode == 0
    page = BuiltPage.read(handbook.path("site/project/index.html"))
    text = words(page)
    for shown in (
        "Sponsor: Mo Khan (Managing director)", "Two tenders require it",
        "Decision: approved by Mo Khan (Managing director) on 2025-11-20",
        "The steering group meets monthly.", "Project manager", "50%", "Scope agreed",
        "passed with conditions", "Finish P1.02.", "Added the service desk", "Customer demand",
    ):  # fmt: skip
        assert shown in text, shown
    assert "<strong>ISO/IEC 20000-1</strong>" in page.html
    raci = page.html.split('class="smsh-table smsh-raci"')[1].split("</table>")[0]
    header = cells(raci.split("<tr>")[1])
    assert header == ["Activity", "Jane Doe", "Mo Khan"]
    rows = {cells(r)[0].split()[0]: cells(r)[1:] for r in raci.split("<tr>")[2:]}
    assert rows["P1.02"] == ["A", "C"]
    assert rows["P2.01"] == ["R/I", "A"]


def test_the_matrix_is_exported(assessed, tmp_path) -> None:
    handbook, _ = assessed
    assert handbook.build("-d", "site", env=APRIL).returncode == 0
    data = json.loads(handbook.read("site/compliance.json"))
    clause = next(c for c in data["clauses"] if c["clause"] == "8.6.1")
    assert (clause["coverage"], clause["conformity"], clause["assessment"]) == (
        "implemented", "nonconforming", "IA-2026-01",
    )  # fmt: skip
    assert clause["evidence"] == ["https://desk.example/audit/4"]
    assert data["totals"]["conformity"]["conforming"] == 1
    rows = list(csv.DictReader(io.StringIO(handbook.read("site/compliance.csv"))))
    assert {r["clause"]: r["conformity"] for r in rows}["8.5.1"] == "conforming"
    assert {r["clause"]: r["evidence"] for r in rows}[
        "8.5.1"
    ] == "POL-001 https://desk.example/audit/3"
    done = handbook.cli("export", "--what", "compliance", "--format", "json", env=APRIL)
    assert json.loads(done.stdout)["clauses"] == data["clauses"]
    table = handbook.cli("export", "--what", "compliance", "--format", "csv", env=APRIL).stdout
    assert table == handbook.read("site/compliance.csv")
    out = tmp_path / "matrix.xlsx"
    done = handbook.cli("export", "--what", "compliance", "--format", "xlsx", "-o", str(out))
    assert done.returncode == 0, done.stderr
    from openpyxl import load_workbook

    sheet = load_workbook(out).active
    assert sheet.title == "Compliance" and sheet["A1"].value == "clause"


def test_without_assessments_or_project_nothing_changes(minimal: HandbookDir) -> None:
    assert minimal.build(env=APRIL).returncode == 0
    assert not minimal.path("site/project").exists()
    compliance = BuiltPage.read(minimal.path("site/compliance/index.html")).text
    assert "No assessment recorded yet" in compliance
    assert json.loads(minimal.read("site/compliance.json"))["assessments"] == []
