"""The exemplar tells a true story: facts stated in one of Fernhill's files agree with
the same facts in the others (audits, suppliers, continuity tests, approvals, external
documents, gap analysis, phase gates). Reads the repository's own files; no builds."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest
import yaml

from conftest import EPOCH_2026_11_27, PROJECT

TODAY = datetime.fromtimestamp(int(EPOCH_2026_11_27), timezone.utc).date()
CONTENT = PROJECT / "content"
DATA = PROJECT / "data"
MONTHS = {
    name: number
    for number, name in enumerate(
        [
            "January", "February", "March", "April", "May", "June",
            "July", "August", "September", "October", "November", "December",
        ],
        1,
    )
}  # fmt: skip
DOCUMENT_ID = re.compile(r"\b[A-Z]{3}-\d{3}\b")


def data(name: str) -> dict:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))


def page(rel: str) -> tuple[dict, str]:
    """A content page's front matter and body."""
    text = (CONTENT / rel).read_text(encoding="utf-8")
    if text.startswith("---\n"):
        head, _, body = text[4:].partition("\n---\n")
        return yaml.safe_load(head) or {}, body
    return {}, text


def section(body: str, heading: str) -> str:
    """The text under a `## heading`, up to the next heading of that level."""
    _, found, rest = body.partition(f"\n## {heading}\n")
    assert found, f"no section '{heading}'"
    return rest.split("\n## ", 1)[0]


def table(text: str) -> list[dict[str, str]]:
    """The first Markdown table in `text`, as rows keyed by header."""
    lines = [line.strip() for line in text.splitlines() if line.strip().startswith("|")]
    cells = [[c.strip() for c in line.strip("|").split("|")] for line in lines]
    header, *rows = [row for row in cells if not all(set(c) <= set("-: ") for c in row)]
    return [dict(zip(header, row, strict=True)) for row in rows]


def month_of(text: str) -> tuple[int, int]:
    """'November 2026' -> (2026, 11)."""
    name, year = text.split()
    return int(year), MONTHS[name]


def register() -> dict[str, dict]:
    """Every controlled document: register entries merged with page front matter."""
    docs: dict[str, dict] = {}
    for name, key in (("documents.yml", "documents"), ("policies.yml", "policies")):
        for entry in data(name)[key]:
            docs.setdefault(entry["id"], {}).update(entry)
            if key == "policies":
                docs[entry["id"]].setdefault("type", "policy")
    for path in sorted(CONTENT.rglob("*.md")):
        meta, _ = page(str(path.relative_to(CONTENT)))
        block = meta.get("document")
        if isinstance(block, dict):
            entry = docs.setdefault(block["id"], {})
            entry.update(block)
            entry.setdefault("source", str(path.relative_to(CONTENT)))
            entry.setdefault("title", meta.get("title", ""))
    return docs


def activities() -> dict[str, dict]:
    phases = data("phases.yml")["phases"]
    return {a["id"]: {**a, "phase": p["id"]} for p in phases for a in p["activities"]}


@pytest.fixture(scope="module")
def people() -> dict[str, dict]:
    return data("organization.yml")["people"]


@pytest.fixture(scope="module")
def assessments() -> list[dict]:
    return data("assessments.yml")["assessments"]


def programme() -> dict[str, dict[str, str]]:
    """The audit programme's audits by id (A-01, ...), both cycles."""
    _, body = page("plans/audit-programme.md")
    cycles = [h for h in re.findall(r"^## (.*)$", body, re.M) if "cycle:" in h]
    assert len(cycles) == 2, cycles
    return {
        row["Audit"].split()[0]: row for heading in cycles for row in table(section(body, heading))
    }


def test_internal_audits_are_the_programmes_audits(assessments, people) -> None:
    audits = programme()
    internal = [a for a in assessments if a["kind"] == "internal-audit"]
    assert internal, "no internal audit recorded"
    for audit in internal:
        found = re.search(r"\bA-\d\d\b", audit["title"])
        assert found, f"{audit['id']}: its title names no audit of the programme"
        row = audits[found.group()]
        assert (audit["date"].year, audit["date"].month) == month_of(row["Month"]), audit["id"]
        assert row["Auditor"] == people[audit["assessor"]]["name"], audit["id"]
        assert row["Status"].startswith("Done"), f"{found.group()} is not done in the programme"
        assert audit["date"] <= TODAY, audit["id"]
    # Every audit the programme reports as done has its verdicts recorded.
    done = {key for key, row in audits.items() if row["Status"].startswith("Done")}
    recorded = {re.search(r"\bA-\d\d\b", a["title"]).group() for a in internal}
    assert done == recorded


def test_p3_01_names_the_programmes_first_audit() -> None:
    first_id, first = next(iter(programme().items()))
    subject = first["Audit"].split(maxsplit=1)[1].lower()  # "document control"
    notes = activities()["P3.01"]["notes"]
    assert first_id in notes and subject in notes.lower(), notes
    month = first["Month"].split()[0]
    assert month in notes, f"P3.01 should say the first audit ran in {month}"


def test_every_supplier_in_the_scope_has_a_registered_agreement() -> None:
    _, body = page("sms/scope.md")
    rows = table(section(body, "Interfaces with suppliers"))
    assert len(rows) >= 5
    docs = register()
    for row in rows:
        supplier = row["Supplier"].split(" (")[0]
        ids = DOCUMENT_ID.findall(row.get("Agreement", ""))
        assert ids, f"{supplier}: no agreement named in the scope"
        for doc_id in ids:
            doc = docs.get(doc_id)
            assert doc is not None, f"{supplier}: {doc_id} is not registered"
            assert doc["type"] == "agreement" and doc["status"] == "approved", doc_id
            assert supplier.lower() in doc["title"].lower(), (supplier, doc["title"])
            assert doc.get("location") or doc.get("source"), doc_id
            assert doc.get("owner"), doc_id


def test_failover_test_and_its_activity_agree() -> None:
    _, body = page("plans/service-continuity-plan.md")
    tests = table(section(body, "Test schedule"))
    failover = [row for row in tests if "failover" in row["Test"].lower()]
    assert len(failover) == 1
    when = month_of(failover[0]["When"])
    claiming = [a for a in activities().values() if "failover" in a["title"].lower()]
    assert claiming, "no activity tracks the failover test the continuity plan schedules"
    for activity in claiming:
        assert (activity["due"].year, activity["due"].month) == when, activity["id"]
        if activity["status"] == "done":
            assert activity["due"] <= TODAY, activity["id"]
    # P2.06 was done in August: it may claim the tabletop exercise, not the failover.
    p206 = activities()["P2.06"]
    assert p206["status"] == "done" and p206["due"] < date(*when, 1)
    assert "failover" not in p206["title"].lower()
    done_in = (p206["due"].year, p206["due"].month)
    exercise = [row for row in tests if month_of(row["When"]) == done_in]
    assert exercise and "exercise" in exercise[0]["Test"].lower()


def test_no_approved_page_is_a_draft_for_consultation() -> None:
    approved = [d for d in register().values() if d.get("status") == "approved" and d.get("source")]
    assert len(approved) >= 20
    for doc in approved:
        _, body = page(doc["source"])
        assert "for consultation" not in body.lower(), doc["id"]
        assert "this procedure is a draft" not in body.lower(), doc["id"]


def test_pages_published_on_the_website_are_public() -> None:
    for doc in register().values():
        if doc.get("source") and "published on our website" in page(doc["source"])[1]:
            assert doc.get("classification") == "public", doc["id"]


def test_external_documents_the_procedure_names_are_registered() -> None:
    _, body = page("procedures/document-control.md")
    named = re.search(
        r"External documents we rely on \(([^)]*)\) are registered with type external or "
        r"agreement",
        " ".join(body.split()),
    )
    assert named, "the procedure no longer says how external documents are registered"
    kinds = [k.strip() for k in re.split(r",|\band\b", named.group(1)) if k.strip()]
    docs = list(register().values())
    external = [d for d in docs if d["type"] == "external"]
    agreements = [d for d in docs if d["type"] == "agreement"]
    for doc in external:
        assert doc["status"] == "approved" and doc.get("location"), doc["id"]
        assert doc.get("classification") and doc.get("owner") and doc.get("version"), doc["id"]
    # Each kind of external document the procedure names, and how to find it registered.
    checks = {
        "standards": lambda: _standards_cited_are_registered(external),
        "supplier contracts": lambda: [
            d for d in agreements if "/suppliers/" in d.get("location", "")
        ],
        "customer contracts": lambda: [
            d for d in agreements if "customer contract" in d["title"].lower() and d.get("location")
        ],
    }
    assert set(kinds) <= set(checks), f"the procedure names {kinds}; teach this test the new ones"
    for kind in kinds:
        assert checks[kind](), f"no {kind} registered"


def _standards_cited_are_registered(external: list[dict]) -> list[str]:
    cited = set()
    pattern = re.compile(r"ISO/IEC (?:TR |TS )?\d+(?:-\d+)?(?::\d{4})?")
    for path in CONTENT.rglob("*.md"):
        cited.update(pattern.findall(path.read_text(encoding="utf-8")))
    assert "ISO/IEC 20000-1:2018" in cited
    titles = [d["title"] for d in external]
    for standard in sorted(cited):
        assert any(standard in title for title in titles), f"{standard} is cited, not registered"
    return sorted(cited)


def test_baseline_gap_analysis_opens_phase_1(assessments) -> None:
    p1 = data("phases.yml")["phases"][0]
    baseline = [a for a in assessments if a["kind"] == "baseline"]
    assert len(baseline) == 1
    gap = baseline[0]
    assert p1["start"] <= gap["date"] < p1["end"]
    assert all(a["date"] >= gap["date"] for a in assessments)
    standard = yaml.safe_load(
        (PROJECT / "plugin/sms_handbook/standards/iso20000-1-2018.yml").read_text(encoding="utf-8")
    )
    main = {
        c["number"]
        for c in standard["clauses"]
        if int(c["number"].split(".")[0]) >= 4 and c["number"].count(".") == 1
    }
    verdicts = {r["clause"]: r["conformity"] for r in gap["results"]}
    assert main <= set(verdicts), sorted(main - set(verdicts))
    # A baseline: mostly gaps, a few things already in place.
    counts = {v: list(verdicts.values()).count(v) for v in set(verdicts.values())}
    assert counts["nonconforming"] + counts["partial"] > 0.8 * len(verdicts)
    assert counts.get("conforming", 0) >= 1


def test_assessments_happened_by_today(assessments) -> None:
    assert [a["date"] for a in assessments] == sorted(a["date"] for a in assessments)
    assert all(a["date"] <= TODAY for a in assessments)


def decided_on(decision: dict) -> date:
    """A decision's date: PyYAML's YAML 1.1 loader reads the key `on` as True."""
    return decision.get("on", decision.get(True))


def test_gates_of_ended_phases_name_their_open_work() -> None:
    project = data("project.yml")
    phases = {p["id"]: p for p in data("phases.yml")["phases"]}
    for gate in project["gates"]:
        phase = phases[gate["phase"]]
        decision = gate.get("decision", {})
        if phase["end"] >= TODAY:
            assert decision.get("outcome") == "pending", gate["phase"]
            continue
        open_work = [
            a["id"] for a in phase["activities"] if a["status"] not in ("done", "deferred")
        ]
        assert decided_on(decision) <= TODAY, gate["phase"]
        if open_work:
            assert decision["outcome"] in ("passed-with-conditions", "pending"), gate["phase"]
            for activity in open_work:
                assert activity in decision.get("notes", ""), (gate["phase"], activity)
    assert decided_on(project["business_case"]["decision"]) < phases["P1"]["start"]


def test_scope_changes_fall_inside_the_project() -> None:
    project = data("project.yml")
    start = data("phases.yml")["phases"][0]["start"]
    scope = register()["SMS-001"]
    for change in project["scope_changes"]:
        assert start <= change["date"] <= TODAY, change["change"]
        # The scope statement in force was approved on or after every change to it.
        assert change["date"] <= scope["approved_on"], change["change"]
