"""The controlled-document system on real builds: metadata blocks, the index, reviews,
exports and publication control."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path

import pytest

from conftest import EPOCH_2026_11_27, BuiltPage, GitRepo, HandbookDir, cells

ENV = {"SOURCE_DATE_EPOCH": EPOCH_2026_11_27}  # today: 2026-11-27
NASTY = "SLA: clinical & <script>alert(1)</script> | tier 1"
SECRET = "ZEBRA-SECRET-42"

EXTRA = f"""\
  - id: AGR-9
    title: "{NASTY}"
    type: agreement
    source: agreements/sla.md
    owner: jdoe
    approver: mkhan
    version: "3.0"
    status: approved
    approved_on: 2025-12-10
  - id: PLN-7
    title: Continuity plan
    type: plan
    source: plans/continuity.md
    owner: mkhan
    approver: jdoe
    version: "1.0"
    status: approved
    approved_on: 2026-05-01
    classification: confidential
  - id: AGR-8
    title: Signed hosting contract
    type: agreement
    source: files/contract.txt
    owner: mkhan
    approver: jdoe
    version: "1.0"
    status: approved
    approved_on: 2025-11-01
    classification: restricted
"""


@pytest.fixture
def register(minimal: HandbookDir) -> HandbookDir:
    """The minimal handbook plus an SLA with a hostile title (due soon), a confidential
    plan and a restricted file (overdue)."""
    minimal.write("data/documents.yml", minimal.read("data/documents.yml") + EXTRA)
    minimal.write("content/agreements/sla.md", "# Clinical SLA\n\nThe agreement.\n")
    minimal.write("content/plans/continuity.md", f"# Continuity plan\n\nCall {SECRET} first.\n")
    minimal.write("content/files/contract.txt", f"Contract text {SECRET}.\n")
    minimal.write("content/index.md", "# Home\n\nSee the [continuity plan](plans/continuity.md).\n")
    GitRepo(minimal.root).commit("Add register entries", "2026-01-11T09:00:00+00:00")
    return minimal


@pytest.fixture
def built(register: HandbookDir) -> Path:
    done = register.build(env=ENV)
    assert done.returncode == 0, done.stderr
    return register.path("site")


def test_restricted_text_appears_nowhere_in_the_site(built: Path) -> None:
    for path in built.rglob("*"):
        if path.is_file() and path.suffix != ".gz":
            assert SECRET not in path.read_text("utf-8", "replace"), path
    assert not (built / "files/contract.txt").exists()
    stub = BuiltPage.read(built / "plans/continuity/index.html")
    assert "Not published." in stub.text and "Mo Khan" in stub.text
    assert (built / "documents/agr-8/index.html").is_file()
    home = BuiltPage.read(built / "index.html")
    assert ("a", "plans/continuity/") in home.links  # links to it still work


def test_unpublished_documents_in_index_and_exports(built: Path) -> None:
    index = BuiltPage.read(built / "documents/index.html")
    row = index.html[index.html.index('id="doc-pln-7"') :].split("</tr>")[0]
    assert "Continuity plan" in row and "Mo Khan" in row and "not published" in row
    assert "confidential" not in row and "1.0" not in row
    record = next(d for d in _json(built)["documents"] if d["id"] == "PLN-7")
    assert record["published"] is False
    assert (record["title"], record["owner"]) == ("Continuity plan", "mkhan")
    assert record["version"] is None and record["revisions"] == [] and record["clauses"] == []


def test_a_lower_threshold_publishes_everything(register: HandbookDir) -> None:
    register.replace(
        "mkdocs.yml",
        "  - sms-handbook\n",
        "  - sms-handbook:\n      publish_max_classification: restricted\n",
    )
    assert register.build(env=ENV).returncode == 0
    assert SECRET in register.path("site/plans/continuity/index.html").read_text()


def test_hostile_title_stays_intact_and_inert(built: Path) -> None:
    index = BuiltPage.read(built / "documents/index.html")
    row = index.html[index.html.index('id="doc-agr-9"') :].split("</tr>")[0]
    assert NASTY in cells(row)  # the whole title in one cell, as written
    assert row.count("<td") == 8  # the pipe broke no table
    for path in built.rglob("*.html"):
        assert "<script>alert(1)" not in path.read_text("utf-8"), path


def test_documents_json_contract(built: Path) -> None:
    data = _json(built)
    assert data["standard"] == "iso20000-1:2018"
    assert datetime.fromisoformat(data["generated"]).date() == date(2026, 11, 27)
    ids = [d["id"] for d in data["documents"]]
    assert ids == sorted(ids) == ["AGR-8", "AGR-9", "PLN-7", "POL-001", "PRC-001", "REC-001"]
    contract = [
        "id", "title", "type", "version", "status", "owner", "approver", "approved_on",
        "next_review", "review_state", "classification", "retention", "clauses", "phase",
        "url", "source", "location", "revisions", "exceptions",
    ]  # fmt: skip
    for record in data["documents"]:
        assert set(contract) <= set(record), record["id"]
    by_id = {d["id"]: d for d in data["documents"]}
    states = {i: (d["next_review"], d["review_state"]) for i, d in by_id.items() if d["published"]}
    assert states == {
        "AGR-9": ("2026-12-10", "due-soon"),
        "POL-001": ("2027-02-16", "ok"),
        "PRC-001": (None, "none"),
        "REC-001": (None, "none"),  # a record series is reviewed only when it says so
    }
    assert by_id["AGR-8"]["review_state"] is None  # withheld, like everything but id, title, owner
    policy = by_id["POL-001"]
    assert policy["url"] == "policies/change/"
    assert policy["clauses"] == ["8.5.1.1"]
    assert policy["revisions"][0] == {
        "commit": policy["revisions"][0]["commit"],
        "date": "2026-01-10",
        "author": "Jane Doe",
        "summary": "Initial handbook",
        "version": "1.0",
        "approved_by": [],
        "reviewed_by": [],
        "pull_request": None,
        "approvals": [],
    }
    assert policy["exceptions"] == []
    assert by_id["REC-001"]["location"] == "ITSM tool, Incidents module"


def test_csv_and_ics(built: Path) -> None:
    rows = list(csv.DictReader(io.StringIO((built / "documents.csv").read_text())))
    assert [r["id"] for r in rows][:2] == ["AGR-8", "AGR-9"]
    assert rows[1]["title"] == NASTY
    from icalendar import Calendar

    calendar = Calendar.from_ical((built / "reviews.ics").read_bytes())
    events = {str(e["summary"]): e.decoded("dtstart") for e in calendar.walk("VEVENT")}
    assert events[f"Review due: AGR-9 {NASTY}"] == date(2026, 12, 10)
    assert events["Review due: POL-001 Change management policy"] == date(2027, 2, 16)
    assert not any("PRC-001" in s for s in events)  # drafts have no review date


def test_metadata_block_on_a_policy(built: Path) -> None:
    page = BuiltPage.read(built / "policies/change/index.html")
    block = page.html[page.html.index('data-smsh-document="POL-001"') :].split("</table>")[0]
    for text in (
        "POL-001", "Change management policy", "1.0", "Jane Doe (SMS manager)",
        "Mo Khan (Managing director)", "2026-02-16", "2027-02-16", "internal",
    ):  # fmt: skip
        assert text in block, text
    assert 'href="../../compliance/#clause-8.5.1.1"' in block
    assert 'href="../../phases/p1/"' in block
    assert page.html.index("smsh-docmeta") > page.html.index("<h1")  # below the title


def test_draft_is_clearly_marked(built: Path) -> None:
    page = BuiltPage.read(built / "procedures/incident/index.html")
    assert "Draft: not approved." in page.text
    assert "smsh-docmeta-draft" in page.html


def test_document_kept_elsewhere_gets_a_page(built: Path) -> None:
    page = BuiltPage.read(built / "documents/rec-001/index.html")
    assert "REC-001 Incident records" in page.text
    assert "ITSM tool, Incidents module" in page.text
    assert "3 years" in page.text  # retention


def test_index_counts_and_filters(built: Path) -> None:
    index = BuiltPage.read(built / "documents/index.html")
    assert "Documents by type" in index.text and "Documents by status" in index.text
    assert 'data-filter="status"' in index.html and 'data-review="due-soon"' in index.html
    assert ("script", "../assets/sms-handbook/sms-handbook.js") in index.links
    reviews = BuiltPage.read(built / "reviews/index.html")
    due_soon = reviews.html[reviews.html.index('id="due-soon"') : reviews.html.index('id="later"')]
    assert "AGR-9" in due_soon and "POL-001" not in due_soon


def test_material_footer_shows_git_dates(git_handbook) -> None:
    handbook, _ = git_handbook
    assert handbook.build(env=ENV).returncode == 0
    page = handbook.path("site/policies/change/index.html").read_text()
    footer = page[page.index('class="md-source-file"') :].split("</aside>")[0]
    assert "2026-02-12" in footer  # last change: the merge of pull request #12
    assert "2026-01-10" in footer  # created


def test_cli_reviews_lists_exactly_due_soon_and_overdue(register: HandbookDir) -> None:
    done = register.cli("reviews", "--within", "30", env=ENV)
    assert done.returncode == 0, done.stderr
    lines = [line.split("\t") for line in done.stdout.splitlines()]
    assert [(line[0], line[1], line[2]) for line in lines] == [
        ("2026-11-01", "overdue", "AGR-8"),
        ("2026-12-10", "due-soon", "AGR-9"),
    ]
    assert lines[1][4:] == ["Jane Doe", "jane.doe@example.org"]
    wider = register.cli("reviews", "--within", "90", env=ENV)
    assert [line.split("\t")[2] for line in wider.stdout.splitlines()] == [
        "AGR-8",
        "AGR-9",
        "POL-001",
    ]


def test_check_fail_on_overdue(register: HandbookDir, minimal: HandbookDir) -> None:
    done = register.cli("check", "--fail-on-overdue", env=ENV)
    assert done.returncode == 1
    line = register.line_of("data/documents.yml", "approved_on: 2025-11-01")
    assert done.stdout.strip() == (
        f"data/documents.yml:{line}: error: review-overdue: AGR-8 Signed hosting contract: "
        "review was due 2026-11-01"
    )
    assert register.cli("check", env=ENV).returncode == 0  # only with the flag
    early = {"SOURCE_DATE_EPOCH": "1780272000"}  # 2026-06-01: every approval before, no review due
    assert register.cli("check", "--fail-on-overdue", env=early).returncode == 0


def test_cli_exports(register: HandbookDir, tmp_path: Path) -> None:
    out = register.cli("export", "--format", "json", env=ENV)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["documents"][0]["id"] == "AGR-8"
    target = tmp_path / "register.xlsx"
    assert register.cli("export", "--format", "xlsx", "-o", str(target), env=ENV).returncode == 0
    from openpyxl import load_workbook

    sheet = load_workbook(target).active
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["id", "title", "type", "version", "status"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == sheet.dimensions
    approved = header.index("approved_on") + 1
    values = {sheet.cell(r, 1).value: sheet.cell(r, approved).value for r in range(2, 8)}
    assert isinstance(values["POL-001"], datetime)  # a real date, not text
    assert values["POL-001"].date() == date(2026, 2, 16)
    before = target.read_bytes()
    again = register.cli("export", "--format", "xlsx", "-o", str(target), env=ENV)
    assert again.returncode == 1 and "refused" in again.stderr
    assert target.read_bytes() == before
    assert register.cli("export", "--format", "xlsx", env=ENV).returncode == 2


def _json(site: Path) -> dict:
    return json.loads((site / "documents.json").read_text("utf-8"))


def test_revision_rows_escape_what_git_says() -> None:
    """Authors, summaries, approvers and finding messages come from commits: the rows
    built for the revision history escape them and link to the forge only by its URL."""
    from sms_handbook.core.control import LABELS, Evidence, Finding
    from sms_handbook.core.register import RevisionEntry
    from sms_handbook.core.site.rows import revision_rows

    nasty = "<b>Eve</b> & co"
    revision = RevisionEntry(
        commit="0123456789abcdef", date=date(2026, 2, 1), author=nasty, summary=NASTY,
        version="1.1", status="in-review", pull_request=12,
        people=((nasty, 'eve@example.org"><script>'),),
        evidence=(
            Evidence(nasty, None, date(2026, 2, 1), "trailer", review=False, designated=False),
            Evidence("Mo Khan", "mkhan", date(2026, 2, 1), "trailer", review=True, designated=True),
        ),
        findings=(Finding("no-approval", "<i>nobody</i> approved it"),),
    )  # fmt: skip
    html = revision_rows(
        [revision], show_emails=True, commit_url="https://git.example/c/{sha}",
        pull_request_url="https://git.example/pr/{number}", labels=LABELS,
    )  # fmt: skip
    assert "<script>" not in html and "<b>" not in html and "<i>" not in html
    assert html.startswith(
        '<tr class="smsh-exception"><td>1.1 <span class="smsh-badge smsh-doc-in-review">'
    )
    assert "&lt;b&gt;Eve&lt;/b&gt; &amp; co" in html
    # Noted, not flagged: the revision is no approval-by-other exception.
    assert (
        '<span class="smsh-note">(not the designated approver)</span>; reviewed by Mo Khan' in html
    )
    assert '<a href="https://git.example/pr/12">#12</a>' in html
    assert '<code><a href="https://git.example/c/0123456789abcdef">01234567</a></code>' in html
    assert f"&#9888; {LABELS['no-approval']}</span>" in html and html.endswith("</tr>\n")
