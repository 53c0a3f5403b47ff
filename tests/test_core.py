"""Pure core functions: reviews, today, clause coverage and URLs."""

from __future__ import annotations

from datetime import date

import pytest

from sms_handbook.core import clock, coverage, reviews
from sms_handbook.core.model import Document, Organization
from sms_handbook.core.site.layout import Layout

ORG = Organization("X", "iso20000-1:2018", "", "Australia/Sydney", 12, 30, {})


def doc(**fields) -> Document:
    base = {"id": "D-1", "title": "T", "type": "plan", "owner": "a", "version": "1.0"}
    return Document(**{**base, "status": "approved", **fields})


def test_add_months_clamps_to_month_end() -> None:
    assert reviews.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert reviews.add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert reviews.add_months(date(2026, 11, 15), 14) == date(2028, 1, 15)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"approved_on": date(2026, 1, 10)}, (date(2027, 1, 10), "ok")),
        ({"approved_on": date(2025, 12, 20)}, (date(2026, 12, 20), "due-soon")),
        ({"approved_on": date(2025, 11, 20)}, (date(2026, 11, 20), "overdue")),
        ({"approved_on": date(2025, 11, 27)}, (date(2026, 11, 27), "due-soon")),
        (
            {"approved_on": date(2026, 1, 10), "review_interval_months": 6},
            (date(2026, 7, 10), "overdue"),
        ),
        (
            {"approved_on": date(2026, 1, 10), "next_review": date(2028, 1, 1)},
            (date(2028, 1, 1), "ok"),
        ),
        ({"status": "draft", "approved_on": date(2020, 1, 1)}, (None, "none")),
        ({"status": "withdrawn", "approved_on": date(2020, 1, 1)}, (None, "none")),
        ({}, (None, "none")),
    ],
)
def test_review_state(fields, expected) -> None:
    assert reviews.review_state(doc(**fields), ORG, date(2026, 11, 27)) == expected


def test_today_follows_source_date_epoch_in_the_organization_timezone() -> None:
    # 2026-02-01 14:30 UTC is already 2 February in Sydney (UTC+11).
    env = {"SOURCE_DATE_EPOCH": "1769956200"}
    assert clock.today("UTC", env) == date(2026, 2, 1)
    assert clock.today("Australia/Sydney", env) == date(2026, 2, 2)
    with pytest.raises(ValueError, match="SOURCE_DATE_EPOCH"):
        clock.today("UTC", {"SOURCE_DATE_EPOCH": "yesterday"})


def test_layout_urls_follow_mkdocs() -> None:
    pretty, flat = Layout(), Layout(use_directory_urls=False)
    assert pretty.url("phases/p1.md") == "phases/p1/"
    assert pretty.url("phases/index.md") == "phases/"
    assert pretty.url("index.md") == ""
    assert flat.url("phases/p1.md") == "phases/p1.html"
    assert pretty.link("phases/p1.md", "compliance.md", "clause-8.5.1") == (
        "../../compliance/#clause-8.5.1"
    )
    assert flat.link("phases/p1.md", "compliance.md") == "../compliance.html"
    assert pretty.link("index.md", "phases/index.md") == "phases/"
    assert pretty.link("phases/p1.md", "index.md") == "../../"
    assert pretty.link("policies/a.md", "files/a.pdf") == "../../files/a.pdf"


def test_phase_progress_counts_statuses(exemplar) -> None:
    handbook = exemplar.load().handbook
    progress = coverage.phase_progress(handbook.phases[1])
    assert (progress.done, progress.total, progress.percent) == (7, 10, 70)
    assert progress.by_status == {
        "planned": 0,
        "in-progress": 2,
        "done": 7,
        "blocked": 1,
        "deferred": 0,
    }


def test_clause_state_rolls_up_subclauses(minimal) -> None:
    rows = {r.clause.number: r for r in coverage.clause_coverage(minimal.load().handbook)}
    assert rows["8.5.1.1"].state == "implemented"
    assert rows["8.5"].state == "implemented"  # via 8.5.1 and 8.5.1.1
    assert rows["8.6.1"].state == "in-progress"
    assert rows["8"].state == "in-progress"
    assert rows["9.2"].state == "planned"
    assert rows["4.1"].state == "gap"
    assert rows["1"].state is None and not rows["1"].requirement
    assert [a.id for a in rows["8.5.1.1"].activities] == ["P1.01"]
    assert rows["8.5"].activities == ()  # only direct citations are listed
