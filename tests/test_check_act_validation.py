"""Check and Act through the core loader: risks.yml, nonconformities.yml, actions.yml and
management-reviews.yml beside the minimal handbook. A valid set loads and builds the
model; each rule is shown failing (or warning) at its file and line, and passing where
the contract says it must.

Today is fixed at 2026-06-01 (SOURCE_DATE_EPOCH) for every test here."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import HandbookDir
from sms_handbook.core import improvement, management_review, risks
from sms_handbook.core.data.loader import LoadResult
from sms_handbook.core.problems import Problem

TODAY = date(2026, 6, 1)
JUNE = "1780315200"  # 2026-06-01 12:00 UTC
ORG, ASSESSMENTS = "data/organization.yml", "data/assessments.yml"
ACTIONS, NCS = "data/actions.yml", "data/nonconformities.yml"
RISKS, REVIEWS = "data/risks.yml", "data/management-reviews.yml"

ASSESSMENT_TEXT = """assessments:
  - id: GA-1
    date: 2026-01-20
    kind: baseline
    title: Baseline gap analysis
    assessor: mkhan
    results:
      - clause: "8.5.1"
        conformity: partial
      - clause: "8.6.1"
        conformity: nonconforming
  - id: IA-1
    date: 2026-04-10
    kind: internal-audit
    title: First internal audit
    assessor: mkhan
    results:
      - clause: "8.5.1"
        conformity: conforming
      - clause: "8.6.1"
        conformity: nonconforming
"""
ACTION_TEXT = """actions:
  - id: ACT-1
    title: Ask the customer before closing an incident
    kind: corrective
    owner: jdoe
    raised_on: 2026-04-12
    due: 2026-05-15
    status: done
    done_on: 2026-05-10
    effectiveness:
      verified_by: mkhan
      on: 2026-05-30
      effective: true
  - id: ACT-2
    title: Call back complaining customers within a day
    kind: corrective
    owner: jdoe
    raised_on: 2026-04-12
    due: 2026-05-20
    status: done
    done_on: 2026-05-18
  - id: ACT-3
    title: Survey customer satisfaction
    kind: improvement
    owner: mkhan
    raised_on: 2026-04-12
    due: 2026-05-01
    status: in-progress
  - id: ACT-4
    title: Add a second service desk tool licence
    kind: risk-treatment
    owner: mkhan
    raised_on: 2026-04-12
    due: 2026-09-30
    status: open
  - id: ACT-5
    title: Hire a second analyst
    kind: review-output
    owner: mkhan
    raised_on: 2026-01-15
    due: 2026-04-30
    status: cancelled
  - id: ACT-6
    title: Remind analysts of the closure rule
    kind: corrective
    owner: jdoe
    raised_on: 2026-02-01
    due: 2026-02-28
    status: done
    done_on: 2026-02-20
    effectiveness: {verified_by: mkhan, on: 2026-03-20, effective: false}
"""
NC_TEXT = """nonconformities:
  - id: NC-1
    raised_on: 2026-04-11
    raised_by: mkhan
    source: IA-1
    grade: minor
    clauses: ["8.6.1"]
    documents: [PRC-001]
    description: Incidents were closed before the customer agreed.
    root_cause: The procedure did not say who agrees closure.
    actions: [ACT-1, ACT-5]
    status: closed
    closed_on: 2026-05-31
  - id: NC-2
    raised_on: 2026-04-12
    raised_by: jdoe
    source: a customer complaint
    grade: observation
    description: A complaint waited a week for an answer.
    actions: [ACT-2, ACT-6]
    status: open
"""
RISK_TEXT = """criteria:
  likelihood: [rare, unlikely, possible, likely, almost-certain]
  impact: [minor, moderate, major, severe]
  appetite: 6
risks:
  - id: RSK-1
    kind: risk
    title: The service desk tool fails
    owner: jdoe
    clauses: ["6.1"]
    likelihood: likely
    impact: major
    treatment: reduce
    actions: [ACT-4]
    residual: {likelihood: unlikely, impact: moderate}
    reviewed_on: 2026-05-01
    status: open
  - id: RSK-2
    kind: risk
    title: The only analyst leaves
    owner: mkhan
    likelihood: possible
    impact: major
    treatment: accept
    acceptance: {by: mkhan, on: 2026-05-01, notes: Until the budget allows a second.}
    reviewed_on: 2026-05-01
    status: accepted
  - id: RSK-3
    kind: risk
    title: Backups fail unnoticed
    owner: jdoe
    likelihood: likely
    impact: severe
    treatment: reduce
    residual: {likelihood: rare, impact: minor}
    reviewed_on: 2026-05-01
    status: treated
  - id: OPP-1
    kind: opportunity
    title: Customers solve common requests themselves
    owner: jdoe
    likelihood: almost-certain
    impact: severe
    treatment: accept
    reviewed_on: 2026-05-01
    status: open
"""
REVIEW_TEXT = """management_reviews:
  - id: MR-1
    date: 2026-01-15
    chair: mkhan
    attendees: [mkhan, jdoe]
    inputs:
      - topic: audit-results
        summary: No internal audit yet.
      - topic: resources
        summary: One analyst short.
    decisions: Hire a second analyst.
    actions: [ACT-5]
    minutes: REC-001
  - id: MR-2
    date: 2026-07-10
    chair: mkhan
"""
FILES = {
    ASSESSMENTS: ASSESSMENT_TEXT,
    ACTIONS: ACTION_TEXT,
    NCS: NC_TEXT,
    RISKS: RISK_TEXT,
    REVIEWS: REVIEW_TEXT,
}


@pytest.fixture(autouse=True)
def june(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", JUNE)


@pytest.fixture
def acted(minimal: HandbookDir) -> HandbookDir:
    """The minimal handbook with the valid Check and Act files (and assessments)."""
    for rel, text in FILES.items():
        minimal.write(rel, text)
    minimal.replace(
        ORG, "sms_manager: jdoe\n",
        "sms_manager: jdoe\nmanagement_review_interval_months: 6\naudit_cycle_months: 12\n",
    )  # fmt: skip
    return minimal


def line(h: HandbookDir, rel: str, needle: str, after: str = "") -> int:
    """The line of the first `needle` at or after the first line holding `after`."""
    lines = h.read(rel).splitlines()
    start = next(n for n, text in enumerate(lines) if after in text)
    return next(n for n, text in enumerate(lines[start:], start + 1) if needle in text)


def edit(h: HandbookDir, rel: str, old: str, new: str, after: str = "") -> None:
    """Replace the first `old` at or after the first `after` in a file."""
    text = h.read(rel)
    start = text.index(after)
    assert old in text[start:], f"{old!r} not in {rel} after {after!r}"
    h.write(rel, text[:start] + text[start:].replace(old, new, 1))


def only(result: LoadResult, code: str) -> list[Problem]:
    """The problems of one code; every problem found names a file and a line."""
    for problem in result.problems:
        assert problem.path and problem.line >= 1, str(problem)
    return [p for p in result.problems if p.code == code]


def where(problems: list[Problem]) -> list[tuple[str, int, str]]:
    return [(p.path, p.line, p.severity) for p in problems]


# --- a valid set ---------------------------------------------------------------------


def test_a_valid_set_loads_without_problems(acted: HandbookDir) -> None:
    result = acted.load()
    assert [str(p) for p in result.problems] == []
    handbook = result.handbook
    assert handbook is not None
    assert {"risks", "nonconformities", "actions", "management-reviews"} <= set(handbook.data_files)
    assert [a.id for a in handbook.actions] == [f"ACT-{n}" for n in range(1, 7)]
    assert handbook.actions[0].where.line == 2
    assert handbook.nonconformities[0].closed_on == date(2026, 5, 31)
    assert handbook.organization.management_review_interval_months == 6
    assert handbook.organization.audit_cycle_months == 12


def test_the_model_gives_each_action_its_state(acted: HandbookDir) -> None:
    handbook = acted.load().handbook
    assert handbook is not None
    tracker = improvement.tracker(handbook, TODAY)
    states = {a.id: tracker.state(a) for a in handbook.actions}
    assert states == {
        "ACT-1": "closed",  # corrective, done, verified effective
        "ACT-2": "awaiting-verification",
        "ACT-3": "overdue",  # due 2026-05-01, in progress
        "ACT-4": "open",
        "ACT-5": "cancelled",
        "ACT-6": "ineffective",
    }
    assert [a.id for a in tracker.needing_attention()] == ["ACT-3", "ACT-6", "ACT-2"]
    origin = improvement.Origin
    assert tracker.origins["ACT-1"] == (origin("nonconformity", "NC-1"),)
    assert tracker.origins["ACT-4"] == (origin("risk", "RSK-1"),)
    assert tracker.origins["ACT-5"] == (
        origin("nonconformity", "NC-1"), origin("management-review", "MR-1"),
    )  # fmt: skip


def test_the_model_rates_each_risk(acted: HandbookDir) -> None:
    handbook = acted.load().handbook
    assert handbook is not None and handbook.risk_criteria is not None
    assert handbook.risk_criteria.appetite == 6
    rated = {r.risk.id: r for r in risks.rated(handbook.risk_criteria, handbook.risks)}
    # likely (4) x major (3); open, so it stands before treatment
    assert (rated["RSK-1"].rating, rated["RSK-1"].residual, rated["RSK-1"].current) == (12, 4, 12)
    assert rated["RSK-1"].above_appetite
    # accepted above the appetite, with the acceptance on record
    assert rated["RSK-2"].above_appetite and not rated["RSK-2"].needs_decision
    assert handbook.risks[1].acceptance is not None
    assert handbook.risks[1].acceptance.by == "mkhan"
    # treated: it stands at its residual level, rare x minor
    assert (rated["RSK-3"].current, rated["RSK-3"].above_appetite) == (1, False)
    # an opportunity is never above the appetite
    assert (rated["OPP-1"].rating, rated["OPP-1"].above_appetite) == (20, False)


def test_the_model_schedules_reviews_and_finds_unaudited_clauses(acted: HandbookDir) -> None:
    handbook = acted.load().handbook
    assert handbook is not None
    org = handbook.organization
    reviews = handbook.management_reviews
    assert [r.id for r in reviews] == ["MR-1", "MR-2"]
    assert reviews[0].covered == ("audit-results", "resources")
    schedule = management_review.schedule(reviews, org.management_review_interval_months, TODAY)
    assert [r.id for r in schedule.held] == ["MR-1"]
    assert [r.id for r in schedule.planned] == ["MR-2"]
    assert schedule.due == date(2026, 7, 10)
    # MR-2 comes within six months of MR-1 (by 2026-07-15)
    assert not schedule.overdue
    alone = management_review.schedule(reviews[:1], org.management_review_interval_months, TODAY)
    assert (alone.due, alone.overdue) == (date(2026, 7, 15), False)

    standard, assessments = handbook.standard, handbook.assessments
    missing = management_review.unaudited(standard, assessments, org.audit_cycle_months, TODAY)
    numbers = {u.clause.number for u in missing}
    # IA-1 (2026-04-10) assessed 8.5.1 and 8.6.1: they speak for 8.5 and 8.6
    assert "8.5" not in numbers and "8.6" not in numbers
    assert {"4.1", "6.1", "9.2", "10.2"} <= numbers
    assert "8" not in numbers and "4" not in numbers  # main clauses with subclauses
    # the baseline gap analysis is no internal audit; a shorter cycle leaves IA-1 out
    short = management_review.unaudited(standard, assessments, 1, TODAY)
    by_number = {u.clause.number: u.last for u in short}
    assert by_number["8.5"] == date(2026, 4, 10)
    assert by_number["4.1"] is None


# --- closing a nonconformity ---------------------------------------------------------


def test_closing_needs_every_action_done_and_corrective_ones_effective(acted: HandbookDir) -> None:
    """NC-1 is closed: ACT-1 done and verified effective, ACT-5 cancelled (no block)."""
    acted.replace(NCS, "actions: [ACT-1, ACT-5]", "actions: [ACT-1, ACT-5, ACT-3]")
    edit(acted, ACTIONS, "status: in-progress", "status: done\n    done_on: 2026-05-20", "ACT-3")
    result = acted.load()
    assert result.problems == []  # ACT-3 is an improvement: done is enough


def test_a_cancelled_action_does_not_block_closing(acted: HandbookDir) -> None:
    acted.replace(NCS, "actions: [ACT-1, ACT-5]", "actions: [ACT-5]")
    assert acted.load().problems == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(
            (NCS, "    root_cause: The procedure did not say who agrees closure.\n", "", "NC-1"),
            "NC-1 is closed without a root_cause",
            id="no root cause",
        ),
        pytest.param(
            (NCS, "    root_cause: The procedure did not say who agrees closure.\n",
             "    root_cause: '  '\n", "NC-1"),
            "NC-1 is closed without a root_cause",
            id="blank root cause",
        ),
        pytest.param(
            (ACTIONS, "    status: done\n    done_on: 2026-05-10\n    effectiveness:\n"
             "      verified_by: mkhan\n      on: 2026-05-30\n      effective: true\n",
             "    status: in-progress\n", "ACT-1"),
            "its action ACT-1 is in-progress",
            id="action in progress",
        ),
        pytest.param(
            (ACTIONS, "    effectiveness:\n      verified_by: mkhan\n      on: 2026-05-30\n"
             "      effective: true\n", "", "ACT-1"),
            "its corrective action ACT-1 is not verified effective",
            id="corrective action unverified",
        ),
        pytest.param(
            (ACTIONS, "effective: true", "effective: false", "ACT-1"),
            "its corrective action ACT-1 is not verified effective",
            id="verified not effective",
        ),
    ],
)  # fmt: skip
def test_cannot_close(acted: HandbookDir, change: tuple[str, str, str, str], message: str) -> None:
    rel, old, new, after = change
    edit(acted, rel, old, new, after)
    result = acted.load()
    found = only(result, "cannot-close")
    assert where(found) == [(NCS, line(acted, NCS, "status: closed"), "error")]
    assert message in found[0].message
    assert result.handbook is None


def test_an_open_nonconformity_may_have_any_actions(acted: HandbookDir) -> None:
    """NC-2 is open with ACT-2 unverified and ACT-6 ineffective: no problem."""
    acted.replace(NCS, "status: closed\n    closed_on: 2026-05-31\n", "status: open\n")
    edit(acted, NCS, "    root_cause: The procedure did not say who agrees closure.\n", "")
    assert acted.load().problems == []


# --- dates and statuses --------------------------------------------------------------


def test_done_today_passes_done_tomorrow_is_in_the_future(acted: HandbookDir) -> None:
    edit(acted, ACTIONS, "done_on: 2026-05-18", "done_on: 2026-06-01", "ACT-2")
    assert acted.load().problems == []
    edit(acted, ACTIONS, "done_on: 2026-06-01", "done_on: 2026-06-02", "ACT-2")
    result = acted.load()
    found = only(result, "date-in-future")
    assert where(found) == [(ACTIONS, line(acted, ACTIONS, "done_on: 2026-06-02"), "error")]
    assert found[0].message == "done_on 2026-06-02 is after today (2026-06-01)"


@pytest.mark.parametrize(
    ("rel", "old", "new", "after"),
    [
        (ACTIONS, "raised_on: 2026-04-12", "raised_on: 2026-06-05", "ACT-4"),
        (ACTIONS, "on: 2026-05-30", "on: 2026-06-05", "ACT-1"),
        (NCS, "raised_on: 2026-04-12", "raised_on: 2026-06-05", "NC-2"),
        (NCS, "closed_on: 2026-05-31", "closed_on: 2026-06-05", "NC-1"),
    ],
    ids=["action raised", "action verified", "nonconformity raised", "nonconformity closed"],
)
def test_dates_of_what_was_done_are_not_ahead(
    acted: HandbookDir, rel: str, old: str, new: str, after: str
) -> None:
    edit(acted, rel, old, new, after)
    found = only(acted.load(), "date-in-future")
    assert where(found) == [(rel, line(acted, rel, new), "error")]
    assert "after today (2026-06-01)" in found[0].message


def test_due_dates_may_be_ahead(acted: HandbookDir) -> None:
    edit(acted, ACTIONS, "due: 2026-09-30", "due: 2027-09-30", "ACT-4")
    assert acted.load().problems == []


def test_done_on_without_done_status(acted: HandbookDir) -> None:
    edit(acted, ACTIONS, "status: open", "status: open\n    done_on: 2026-05-02", "ACT-4")
    found = only(acted.load(), "date-without-status")
    assert where(found) == [(ACTIONS, line(acted, ACTIONS, "done_on: 2026-05-02"), "error")]
    assert found[0].message == "done_on is given, but the status is open, not done"


def test_closed_on_without_closed_status(acted: HandbookDir) -> None:
    edit(acted, NCS, "status: open", "status: open\n    closed_on: 2026-05-02", "NC-2")
    found = only(acted.load(), "date-without-status")
    assert where(found) == [(NCS, line(acted, NCS, "closed_on: 2026-05-02"), "error")]
    assert "the status is open, not closed" in found[0].message


def test_done_status_without_done_on(acted: HandbookDir) -> None:
    edit(acted, ACTIONS, "    done_on: 2026-05-18\n", "", "ACT-2")
    result = acted.load()
    found = only(result, "missing-key")
    assert where(found) == [(ACTIONS, line(acted, ACTIONS, "status: done", "ACT-2"), "error")]
    assert "give done_on" in found[0].message
    assert only(result, "date-without-status") == []


def test_closed_status_without_closed_on(acted: HandbookDir) -> None:
    edit(acted, NCS, "    closed_on: 2026-05-31\n", "")
    found = only(acted.load(), "missing-key")
    assert where(found) == [(NCS, line(acted, NCS, "status: closed"), "error")]


def test_a_misspelt_status_is_reported_once(acted: HandbookDir) -> None:
    """By its schema: no date-without-status, no misplaced-verification besides."""
    edit(acted, ACTIONS, "status: done", "status: don", "ACT-1")
    edit(acted, NCS, "status: closed", "status: closd", "NC-1")
    problems = acted.load().problems
    assert [(p.path, p.line, p.code) for p in problems] == [
        (ACTIONS, line(acted, ACTIONS, "status: don"), "invalid-value"),
        (NCS, line(acted, NCS, "status: closd"), "invalid-value"),
    ]


def test_a_misspelt_kind_is_reported_once(acted: HandbookDir) -> None:
    edit(acted, ACTIONS, "kind: corrective", "kind: corective", "ACT-1")
    problems = acted.load().problems
    assert [(p.line, p.code) for p in problems] == [
        (line(acted, ACTIONS, "kind: corective"), "invalid-value")
    ]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("kind: corrective", "kind: improvement", "corrective actions only"),
        ("status: done\n    done_on: 2026-05-10", "status: in-progress", "once the action is done"),
    ],
    ids=["not corrective", "not done"],
)
def test_misplaced_verification(acted: HandbookDir, old: str, new: str, message: str) -> None:
    acted.replace(NCS, "actions: [ACT-1, ACT-5]", "actions: [ACT-5]")  # NC-1 still closes
    edit(acted, ACTIONS, old, new, "ACT-1")
    found = only(acted.load(), "misplaced-verification")
    assert where(found) == [(ACTIONS, line(acted, ACTIONS, "effectiveness:"), "error")]
    assert message in found[0].message


# --- nonconformities raised from assessments -----------------------------------------


def test_a_nonconforming_audit_verdict_needs_a_nonconformity(acted: HandbookDir) -> None:
    edit(acted, ASSESSMENTS, "conformity: conforming", "conformity: nonconforming", "IA-1")
    result = acted.load()
    found = only(result, "no-nonconformity")
    at = line(acted, ASSESSMENTS, "conformity: nonconforming", "IA-1")
    assert where(found) == [(ASSESSMENTS, at, "warning")]
    assert found[0].message.startswith("IA-1 found clause 8.5.1 nonconforming")
    assert result.handbook is not None  # a warning: the model is built


def test_a_nonconformity_for_another_clause_or_source_does_not_count(acted: HandbookDir) -> None:
    """NC-2 names clause 8.5.1, but its source is words, not IA-1."""
    edit(acted, ASSESSMENTS, "conformity: conforming", "conformity: nonconforming", "IA-1")
    acted.replace(NCS, "grade: observation", 'grade: observation\n    clauses: ["8.5.1"]')
    assert len(only(acted.load(), "no-nonconformity")) == 1
    acted.replace(NCS, "source: a customer complaint", "source: IA-1")
    assert only(acted.load(), "no-nonconformity") == []


def test_no_warning_for_a_baseline_assessment(acted: HandbookDir) -> None:
    """GA-1, a baseline gap analysis, found 8.6.1 nonconforming; no NC names GA-1."""
    result = acted.load()
    assert result.problems == []


def test_no_warning_without_nonconformities_yml(acted: HandbookDir) -> None:
    acted.path(NCS).unlink()
    edit(acted, ASSESSMENTS, "conformity: conforming", "conformity: nonconforming", "IA-1")
    result = acted.load()
    assert result.problems == []
    assert result.handbook is not None and result.handbook.nonconformities == ()


def test_a_source_that_looks_like_an_id_must_be_an_assessment(acted: HandbookDir) -> None:
    acted.replace(NCS, "source: a customer complaint", "source: IA-2")
    found = only(acted.load(), "unknown-assessment")
    assert where(found) == [(NCS, line(acted, NCS, "source: IA-2"), "error")]
    assert "did you mean 'IA-1'" in found[0].message


# --- risks ---------------------------------------------------------------------------


def test_accepted_above_appetite_without_acceptance_warns(acted: HandbookDir) -> None:
    edit(acted, RISKS, "    acceptance: {by: mkhan, on: 2026-05-01, notes: Until the budget allows"
                       " a second.}\n", "", "RSK-2")  # fmt: skip
    result = acted.load()
    found = only(result, "acceptance-missing")
    assert where(found) == [(RISKS, line(acted, RISKS, "treatment: accept", "RSK-2"), "warning")]
    assert "RSK-2 is rated 9, above the appetite of 6" in found[0].message
    assert result.handbook is not None
    criteria = result.handbook.risk_criteria
    assert criteria is not None
    needing = [r.risk.id for r in risks.rated(criteria, result.handbook.risks) if r.needs_decision]
    assert needing == ["RSK-2"]


def test_no_acceptance_needed_at_or_below_appetite(acted: HandbookDir) -> None:
    edit(acted, RISKS, "    acceptance: {by: mkhan, on: 2026-05-01, notes: Until the budget allows"
                       " a second.}\n", "", "RSK-2")  # fmt: skip
    edit(acted, RISKS, "likelihood: possible", "likelihood: unlikely", "RSK-2")  # 2 x 3 = 6
    assert acted.load().problems == []


def test_no_acceptance_needed_for_an_opportunity(acted: HandbookDir) -> None:
    """OPP-1 is accepted, rated 20 against an appetite of 6, with no acceptance."""
    assert only(acted.load(), "acceptance-missing") == []


def test_levels_come_from_the_criteria(acted: HandbookDir) -> None:
    edit(acted, RISKS, "likelihood: likely", "likelihood: probable", "RSK-1")
    edit(acted, RISKS, "impact: moderate}", "impact: moderat}", "RSK-1")
    found = only(acted.load(), "invalid-value")
    assert where(found) == [
        (RISKS, line(acted, RISKS, "likelihood: probable"), "error"),
        (RISKS, line(acted, RISKS, "impact: moderat}"), "error"),
    ]
    assert "is not in criteria.likelihood (rare, unlikely, possible, likely, almost-certain)" in (
        found[0].message
    )
    assert "did you mean 'moderate'" in found[1].message


def test_a_treatment_must_fit_the_kind(acted: HandbookDir) -> None:
    edit(acted, RISKS, "treatment: accept", "treatment: reduce", "OPP-1")
    found = only(acted.load(), "invalid-value")
    assert where(found) == [(RISKS, line(acted, RISKS, "treatment: reduce", "OPP-1"), "error")]
    assert "does not fit an opportunity: use one of accept, exploit, enhance" in found[0].message
    edit(acted, RISKS, "treatment: reduce", "treatment: exploit", "OPP-1")
    edit(acted, RISKS, "treatment: reduce", "treatment: exploit", "RSK-1")
    found = only(acted.load(), "invalid-value")
    assert where(found) == [(RISKS, line(acted, RISKS, "treatment: exploit", "RSK-1"), "error")]
    assert "does not fit a risk: use one of accept, reduce, avoid, transfer" in found[0].message


def test_a_treatment_of_neither_kind_is_reported_once(acted: HandbookDir) -> None:
    edit(acted, RISKS, "treatment: reduce", "treatment: mitigate", "RSK-1")
    problems = acted.load().problems
    assert [(p.line, p.code) for p in problems] == [
        (line(acted, RISKS, "treatment: mitigate"), "invalid-value")
    ]
    assert "is not allowed" in problems[0].message


def test_risk_actions_must_resolve(acted: HandbookDir) -> None:
    acted.replace(RISKS, "actions: [ACT-4]", "actions: [ACT-4, ACT-7]")
    found = only(acted.load(), "unknown-action")
    assert where(found) == [(RISKS, line(acted, RISKS, "ACT-7"), "error")]


# --- management reviews --------------------------------------------------------------


def test_a_review_ahead_giving_inputs_warns(acted: HandbookDir) -> None:
    acted.write(REVIEWS, REVIEW_TEXT + "    inputs:\n      - topic: objectives\n")
    result = acted.load()
    found = only(result, "review-not-held")
    assert where(found) == [(REVIEWS, line(acted, REVIEWS, "date: 2026-07-10"), "warning")]
    assert found[0].message.startswith("MR-2 is planned for 2026-07-10, after today")
    assert result.handbook is not None


def test_a_review_held_today_may_give_inputs(acted: HandbookDir) -> None:
    acted.write(
        REVIEWS,
        REVIEW_TEXT.replace("2026-07-10", "2026-06-01")
        + "    inputs:\n      - topic: objectives\n",
    )
    assert acted.load().problems == []


def test_a_review_topic_once(acted: HandbookDir) -> None:
    acted.replace(REVIEWS, "      - topic: resources\n", "      - topic: resources\n"
                  "      - topic: resources\n")  # fmt: skip
    found = only(acted.load(), "duplicate-id")
    first = line(acted, REVIEWS, "topic: resources")
    assert where(found) == [(REVIEWS, first + 1, "error")]
    assert f"(first at line {first})" in found[0].message


def test_review_references_resolve(acted: HandbookDir) -> None:
    acted.replace(REVIEWS, "attendees: [mkhan, jdoe]", "attendees: [mkhan, jdoe, tsmith]")
    acted.replace(REVIEWS, "actions: [ACT-5]", "actions: [ACT-5, ACT-55]")
    acted.replace(REVIEWS, "minutes: REC-001", "minutes: REC-002")
    problems = acted.load().problems
    assert [(p.line, p.code) for p in problems] == [
        (line(acted, REVIEWS, "tsmith"), "unknown-person"),
        (line(acted, REVIEWS, "ACT-55"), "unknown-action"),
        (line(acted, REVIEWS, "REC-002"), "unknown-document"),
    ]
