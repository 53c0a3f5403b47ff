"""Check and Act on the site: the improvement, risks and management-review pages, the
dashboard card and the compliance matrix's open nonconformities, built by real MkDocs
from the exemplar (its story is set on 2026-11-27)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import EPOCH_2026_11_27, HandbookDir, committed, copy_exemplar
from sms_handbook.core.risks import Criteria, Level
from sms_handbook.core.site.heat_map import heat_map_svg
from sms_handbook.core.site.layout import Layout

ENV = {"SOURCE_DATE_EPOCH": EPOCH_2026_11_27}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    handbook = committed(copy_exemplar(tmp_path_factory.mktemp("check-act") / "exemplar"))
    done = handbook.build(env=ENV)
    assert done.returncode == 0, done.stderr
    return handbook.path("site")


def page(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_improvement_lists_what_needs_attention_first(site: Path) -> None:
    html = page(site, "improvement")
    attention = html.split('id="needing-attention"')[1].split('id="open-nonconformities"')[0]
    rows = re.findall(r'<tr id="action-([a-z0-9-]+)"', attention)
    assert rows == ["act-2026-004", "act-2026-002"]  # overdue, then awaiting verification
    assert "overdue: 1" in text(attention) and "awaiting verification: 1" in text(attention)
    # The settled action is in the full list, not among those needing attention.
    assert 'id="action-act-2026-005"' in html and "act-2026-005" not in rows


def test_a_nonconformity_links_its_source_clauses_documents_and_actions(site: Path) -> None:
    html = page(site, "improvement")
    nc = html.split('id="nc-nc-2026-001"')[1].split("</section>")[0]
    assert 'href="#assessment-ia-2026-a01"' in nc
    assert 'id="assessment-ia-2026-a01"' in html  # the audit programme lists the assessment
    assert 'href="../compliance/#clause-7.5.3"' in nc
    assert "POL-006 Document control policy" in text(nc)
    assert 'href="#action-act-2026-002"' in nc and "awaiting verification" in nc
    assert "Reviews were tracked in the document controller" in nc  # the root cause
    # The audit programme: the audit's nonconforming clauses and what was raised from it.
    row = html.split('id="assessment-ia-2026-a01"')[1].split("</tr>")[0]
    assert "NC-2026-001" in row and "NC-2026-002" in row


def test_the_risk_register_and_its_heat_map(site: Path) -> None:
    html = page(site, "risks")
    rsk1 = html.split('id="risk-rsk-001"')[1].split("</tr>")[0]
    assert "unlikely \u00d7 severe = <strong>8</strong>" in rsk1  # before treatment
    assert "unlikely \u00d7 moderate = <strong>4</strong>" in rsk1  # after
    assert "above appetite" in rsk1 and "overdue" in rsk1  # its action is late
    svg = html.split('<svg class="smsh-heat-map"')[1].split("</svg>")[0]
    assert 'role="img"' in svg
    # Readable without colour: the cell says its levels, rating, the appetite and the ids.
    assert "unlikely likelihood, severe impact, rating 8, above the appetite: RSK-001" in svg
    assert "▲" in svg and "above the appetite (6)" in svg
    # Opportunities beside the risks, on a map of their own, with no appetite marks.
    opportunities = html.split('<svg class="smsh-heat-map"')[2].split("</svg>")[0]
    assert "OPP-001" in opportunities and "▲" not in opportunities


def test_a_withheld_risk_is_listed_by_id_only_everywhere(site: Path) -> None:
    row = page(site, "risks").split('id="risk-rsk-004"')[1].split("</tr>")[0]
    assert "not published" in row and "knakamura" not in row and "Kenji" not in row
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".csv", ".ics", ".xml"):
            assert "Ransomware" not in path.read_text(encoding="utf-8", errors="replace"), path


def test_management_review_says_what_it_did_not_consider(site: Path) -> None:
    html = page(site, "management-review")
    held = text(html.split('id="review-mr-2026-1"')[1].split("</div>")[0])
    assert "Service performance" in held and "99.97" in held
    not_considered = held.split("Not considered:")[1]
    assert "Audit results" in not_considered and "Customer feedback" in not_considered
    assert "Service performance" not in not_considered
    assert "ACT-2026-005" in held and "closed" in held
    assert "Management review minutes" in held  # the minutes' record series
    assert "planned for 2027-01-21" in text(html)


def test_dashboard_and_compliance_matrix_know_about_check_and_act(site: Path) -> None:
    card = text(page(site, "").split("smsh-check-act")[1].split("Documents by status")[0])
    assert "Open nonconformities: minor: 2 observation: 1" in card
    assert "Overdue actions: ACT-2026-004" in card
    assert "Risks above appetite: RSK-004, RSK-003, RSK-001" in card  # withheld: by id
    assert "Next management review: 2027-01-21 (planned)" in card
    assert "not audited within 36 months" in card
    matrix = page(site, "compliance")
    row = matrix.split('<tr id="clause-7.5.3"')[1].split("</tr>")[0]
    assert 'href="../improvement/#nc-nc-2026-001"' in row
    assert "NC-2026-003" not in row


def test_render_writes_the_pages_for_any_generator(tmp_path: Path) -> None:
    handbook = committed(copy_exemplar(tmp_path / "exemplar"))
    done = handbook.cli("render", "--out", str(tmp_path / "out"), env=ENV)
    assert done.returncode == 0, done.stderr
    docs = tmp_path / "out" / "docs"
    for name in ("improvement.md", "risks.md", "management-review.md"):
        assert (docs / name).is_file()
    assert "NC-2026-001" in (docs / "improvement.md").read_text(encoding="utf-8")
    for path in docs.rglob("*"):
        if path.is_file() and path.suffix in (".md", ".html", ".json"):
            assert "Ransomware" not in path.read_text(encoding="utf-8", errors="replace")


def test_a_handbook_without_the_files_has_none_of_the_pages(minimal: HandbookDir) -> None:
    done = minimal.build()
    assert done.returncode == 0, done.stderr
    for name in ("improvement", "risks", "management-review"):
        assert not minimal.path(f"site/{name}").exists()
    assert "smsh-check-act" not in minimal.read("site/index.html")


def test_options_move_the_pages() -> None:
    layout = Layout(improvement_page="sms/improvement", risks_page="sms/risks",
                    management_review_page="sms/review")  # fmt: skip
    assert (layout.improvement, layout.risks, layout.management_review) == (
        "sms/improvement.md", "sms/risks.md", "sms/review.md",
    )  # fmt: skip
    assert layout.link("index.md", layout.risks, "risk-rsk-1") == "sms/risks/#risk-rsk-1"


def test_heat_map_cells_carry_counts_and_words() -> None:
    criteria = Criteria(("low", "high"), ("small", "big"), appetite=2)
    svg = heat_map_svg(criteria, {Level("high", "big"): ["R-1", "R-2"]}, "risk")
    assert svg.count("<rect") == 4
    assert "high likelihood, big impact, rating 4, above the appetite: R-1, R-2" in svg
    assert '<text x="' in svg and ">2</text>" in svg  # the count written in the cell
    assert "low likelihood, small impact, rating 1: none" in svg
    hostile = heat_map_svg(Criteria(("<b>", "x"), ("y", "z"), 1), {}, "risk")
    assert "<b>" not in hostile and "&lt;b&gt;" in hostile
