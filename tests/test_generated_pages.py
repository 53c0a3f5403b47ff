"""Phase pages, the compliance matrix and the dashboard, asserted on built HTML."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import EPOCH_2026_11_27, BuiltPage, HandbookDir, committed, copy_exemplar
from sms_handbook.core import standards

ENV = {"SOURCE_DATE_EPOCH": EPOCH_2026_11_27}


@pytest.fixture(scope="module", params=[True, False], ids=["directory-urls", "file-urls"])
def site(request, tmp_path_factory) -> tuple[HandbookDir, Path, bool]:
    """The exemplar built once per URL style (with a fixed today)."""
    directory_urls = request.param
    handbook = committed(copy_exemplar(tmp_path_factory.mktemp("site") / "exemplar"))
    if not directory_urls:
        handbook.write("mkdocs.yml", handbook.read("mkdocs.yml") + "use_directory_urls: false\n")
    done = handbook.build(env=ENV)
    assert done.returncode == 0, done.stderr
    return handbook, handbook.path("site"), directory_urls


def page(site: tuple[HandbookDir, Path, bool], name: str) -> BuiltPage:
    _, root, directory_urls = site
    if name == "":
        return BuiltPage.read(root / "index.html")
    flat = root / f"{name}.html"
    return BuiltPage.read(
        flat if not directory_urls and flat.exists() else root / name / "index.html"
    )


def test_every_activity_is_on_its_phase_page(site) -> None:
    handbook = site[0].load().handbook
    assert handbook is not None
    for phase in handbook.phases:
        built = page(site, f"phases/{phase.id.lower()}")
        assert f"{phase.id} {phase.title}" in built.text
        for activity in phase.activities:
            assert f"activity-{activity.id.lower()}" in built.ids, activity.id
            assert activity.title in built.text


def test_every_2018_clause_is_on_the_compliance_page(site) -> None:
    built = page(site, "compliance")
    catalogue = standards.standard("iso20000-1:2018")
    for clause in catalogue.clauses:
        assert clause.title in built.text
        if catalogue.is_requirement(clause):
            assert f"clause-{clause.number}" in built.ids, clause.number
    # Blocked and overdue work is not "no gaps": it needs attention, listed first.
    attention = built.html.split('class="smsh-table smsh-attention"')[1].split("</table>")[0]
    assert 'id="clause-8.4.1"' not in attention and "8.4.1" in attention  # P2.07 is blocked
    assert "no coverage" not in attention


def test_phase_overview_has_progress_and_timeline(site) -> None:
    built = page(site, "phases")
    assert "9 of 10 done (90%)" in built.text  # P1
    assert 'class="smsh-timeline"' in built.html
    assert "smsh-tl-today" in built.html  # 2026-11-27 lies inside the plan
    assert "Key characteristics" in built.text and "Important components" in built.text


def test_phase_page_shows_owner_badges_and_deliverables(site) -> None:
    built = page(site, "phases/p2")
    assert "Hannah White (Supplier and commercial manager)" in built.text
    assert '<span class="smsh-badge smsh-status-blocked">blocked</span>' in built.html
    assert "POL-007 Supplier management policy" in built.text
    assert '<span class="smsh-badge smsh-doc-in-review">in-review</span>' in built.html


def test_dashboard_on_the_home_page(site) -> None:
    built = page(site, "")
    assert "sms-handbook:dashboard" not in built.html
    assert "Progress by phase" in built.text
    assert "Overdue reviews" in built.text
    # POL-006 (approved 2025-10-20) and PRC-007 (2025-11-03) passed their 12-month review.
    assert "POL-006 Document control policy" in built.text
    assert "review was due 2026-10-20" in built.text
    assert "review was due 2026-11-03" in built.text


def test_links_in_generated_pages_resolve(site) -> None:
    _, root, _ = site
    names = ["", "phases", "phases/p1", "phases/p2", "phases/p3", "compliance", "documents/rec-001"]
    for name in names:
        built = page(site, name)
        for tag, url in built.links:
            target = built.resolve(url, root)
            if target is None:
                continue
            assert target.is_file(), f"{built.path}: {tag} {url}"
            anchor = url.partition("#")[2]
            if anchor and target.suffix == ".html":
                assert anchor in BuiltPage.read(target).ids, f"{built.path}: {url}"


def test_no_generated_page_loads_from_another_host(site) -> None:
    names = ["", "phases", "phases/p1", "compliance"]
    for name in names:
        built = page(site, name)
        for tag, url in built.links:
            if tag in ("script", "link", "img", "iframe", "source", "audio", "video"):
                assert not url.startswith(("http:", "https:", "//")), f"{name}: {tag} {url}"
        assert "@import url(http" not in built.html


def test_generated_pages_have_edit_links_to_their_data(minimal: HandbookDir) -> None:
    minimal.replace(
        "mkdocs.yml", "  font: false\n", "  font: false\n  features: [content.action.edit]\n"
    )
    minimal.write(
        "mkdocs.yml",
        minimal.read("mkdocs.yml")
        + "repo_url: https://git.example.org/sms/handbook\nedit_uri: edit/main/content/\n",
    )
    assert minimal.build().returncode == 0
    html = minimal.path("site/phases/p1/index.html").read_text()
    assert 'href="https://git.example.org/sms/handbook/edit/main/data/phases.yml"' in html


def test_overdue_activity_is_marked(minimal: HandbookDir) -> None:
    # P1.02 is in progress and was due 2026-03-15; today is 2026-11-27.
    assert minimal.build(env=ENV).returncode == 0
    html = minimal.path("site/phases/p1/index.html").read_text()
    row = html[html.index('id="activity-p1.02"') :].split("</tr>")[0]
    assert "2026-03-15" in row and ">overdue</span>" in row
    done_row = html[html.index('id="activity-p1.01"') :].split("</tr>")[0]
    assert ">overdue</span>" not in done_row


def test_gaps_are_listed_first(minimal: HandbookDir) -> None:
    assert minimal.build(env=ENV).returncode == 0
    built = BuiltPage.read(minimal.path("site/compliance/index.html"))
    html = built.html
    assert html.index('id="needing-attention"') < html.index('id="all-clauses"')
    gaps = html[html.index('id="needing-attention"') : html.index('id="all-clauses"')]
    four_one = '<a href="#clause-4.1">4.1</a></th><td>Understanding the organization and its'
    assert four_one in gaps
    assert "8.5.1.1" not in gaps  # P1.01 is done
    row = built.html[built.html.index('id="clause-8.5.1.1"') :].split("</tr>")[0]
    assert ">implemented</span>" in row
    row = built.html[built.html.index('id="clause-9.2"') :].split("</tr>")[0]
    assert ">planned</span>" in row
    row = built.html[built.html.index('id="clause-8.6"') :].split("</tr>")[0]
    assert ">overdue</span>" in row  # via 8.6.1: P1.02, due 2026-03-15, is not done yet


def test_data_is_escaped_everywhere(minimal: HandbookDir) -> None:
    nasty = "SLA: clinical & <script>alert(1)</script> | tier 1 {{ x }}"
    minimal.replace("data/phases.yml", "title: Foundations", f'title: "{nasty}"')
    minimal.replace(
        "data/phases.yml",
        "        deliverables: [POL-001]\n",
        "        deliverables: [POL-001]\n"
        "        notes: 'See <img src=x onerror=alert(2)> and [x](javascript:alert(3)) **now**'\n",
    )
    done = minimal.build()
    assert done.returncode == 0, done.stderr
    for name in ("phases/index.html", "phases/p1/index.html", "index.html"):
        html = minimal.path(f"site/{name}").read_text()
        assert "<script>alert(1)" not in html
        assert "<img src=x" not in html
        assert "javascript:" not in html
    html = minimal.path("site/phases/p1/index.html").read_text()
    built = BuiltPage.read(minimal.path("site/phases/p1/index.html"))
    assert nasty in built.text  # shown exactly as written
    assert "<strong>now</strong>" in html  # notes are still Markdown


def test_generated_page_may_not_overwrite_an_authored_one(minimal: HandbookDir) -> None:
    minimal.write("content/compliance.md", "# Our own\n")
    done = minimal.build()
    assert done.returncode != 0
    assert "content/compliance.md exists, but the plugin generates that page" in done.stderr
    assert "Traceback" not in done.stderr


def test_pages_can_move(minimal: HandbookDir) -> None:
    minimal.replace(
        "mkdocs.yml",
        "  - sms-handbook\n",
        "  - sms-handbook:\n      phases_dir: plan\n      compliance_page: sms/gap-analysis\n",
    )
    assert minimal.build().returncode == 0
    assert minimal.path("site/plan/p2/index.html").is_file()
    html = minimal.path("site/plan/p1/index.html").read_text()
    assert 'href="../../sms/gap-analysis/#clause-8.5.1"' in html


def test_search_index_has_generated_pages(site) -> None:
    _, root, _ = site
    index = (root / "search/search_index.json").read_text()
    assert "Compliance matrix" in index
    assert "P1.01" in index


def test_big_tables_are_searched_as_text_and_built_whole(site) -> None:
    """The compliance matrix's table is long: search indexes its text alone, and the
    built page has the whole table where that text stood."""
    _, root, directory_urls = site
    docs = json.loads((root / "search/search_index.json").read_text())["docs"]
    clauses = next(d for d in docs if d["location"].endswith("#all-clauses"))["text"]
    assert "10.2 Continual improvement in progress" in clauses
    assert "<td" not in clauses and "smsh-" not in clauses
    html = (root / ("compliance/index.html" if directory_urls else "compliance.html")).read_text()
    table = html.split('id="all-clauses"')[1]
    assert table.count("<tr") > 70 and "Continual improvement" in table
    for built in root.rglob("*.html"):
        assert "smsh-stand-in" not in (text := built.read_text()), built
        assert "smsh-fragment" not in text, built
