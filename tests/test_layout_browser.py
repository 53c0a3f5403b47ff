"""Pages laid out for the width they get: the exemplar, with a history of approved and
broken changes, read in headless Chromium at 1280 px (Material's default content width,
about 35rem beside both sidebars), measured in the page.

Every page checked is saved as a screenshot in test-artifacts/ (layout-*.png), to look
at; a failing test leaves one named after it, like tests/test_browser.py.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from browsing import CHROMIUM, chromium, serve
from conftest import PROJECT, GitRepo, committed, copy_exemplar

ARTIFACTS = PROJECT / "test-artifacts"
POLICY = "content/policies/change-management.md"
#: 2027-01-15 12:00 UTC: after the history below (change control applies to all of it).
EPOCH_2027_01_15 = "1800014400"
LONG_SUMMARY = (
    "Raise the change management policy to 1.2: emergency changes are approved by the "
    "emergency CAB within one business day, and every failed change has a review"
)

playwright_api = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():  # scripts/test installs Debian's chromium; CI must have it
    if os.environ.get("CI"):
        pytest.fail("Debian's chromium is not installed (scripts/test installs it)", pytrace=False)
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The exemplar linked to its forge, with a history after the initial commit: an
    approved version by pull request, a text change without a new version, and a
    version approved by someone other than its approver."""
    handbook = committed(copy_exemplar(tmp_path_factory.mktemp("layout") / "exemplar"))
    handbook.replace(
        "mkdocs.yml",
        "      data_dir: data\n",
        "      data_dir: data\n"
        "      commit_url: https://git.fernhill.example/sms/handbook/-/commit/{sha}\n"
        "      pull_request_url: https://git.fernhill.example/sms/handbook/-/merge_requests/{number}\n",
    )
    repo = GitRepo(handbook.root)
    repo.commit("Link the handbook to its forge", "2026-12-04T09:00:00+00:00")
    repo.git("checkout", "-q", "-b", "sbrennan/pol-002-1.2")
    handbook.replace(POLICY, 'version: "1.1"', 'version: "1.2"')
    handbook.replace(POLICY, "approved_on: 2026-03-09", "approved_on: 2026-12-08")
    handbook.replace(POLICY, "avoidable outages.", "avoidable outages and complaints.")
    repo.commit(LONG_SUMMARY, "2026-12-07T15:00:00+00:00", author="Siobhan Brennan")
    repo.git("checkout", "-q", "main")
    repo.git(
        "merge", "-q", "--no-ff", "-m",
        "Merge pull request #41 from fernhill/pol-002-1.2\n\n"
        "Approved-by: Alex Morgan <alex.morgan@fernhill.example>\n"
        "Reviewed-by: Ravi Patel <ravi.patel@fernhill.example>",
        "sbrennan/pol-002-1.2", date="2026-12-08T10:00:00+00:00",
    )  # fmt: skip
    handbook.replace(POLICY, "outages and complaints.", "outages and customer complaints.")
    repo.commit(
        "Say customer complaints in the purpose, as the complaints procedure and the "
        "customers' SLAs do, so that the two documents read alike",
        "2026-12-15T11:00:00+00:00", author="Siobhan Brennan",
    )  # fmt: skip
    procedure = "content/procedures/change-management.md"
    handbook.replace(procedure, 'version: "1.1"', 'version: "1.2"')
    handbook.replace(procedure, "approved_on: 2026-03-30", "approved_on: 2026-12-20")
    repo.commit(
        "Raise the change management procedure to 1.2 after the December CAB\n\n"
        "Approved-by: Daniel Lindqvist <daniel.lindqvist@fernhill.example>",
        "2026-12-20T16:00:00+00:00", author="Siobhan Brennan",
    )  # fmt: skip
    done = handbook.build(env={"SOURCE_DATE_EPOCH": EPOCH_2027_01_15})
    assert done.returncode == 0, done.stderr
    return handbook.path("site")


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    yield from serve(site)


@pytest.fixture(scope="module")
def browser():
    yield from chromium()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def use_scheme(page, scheme: str) -> None:
    """Material's colour scheme, as its toggle sets it, without the colour transitions
    (measured halfway, a colour is neither scheme's)."""
    if scheme != "default":
        page.add_style_tag(content="*, *::before, *::after { transition: none !important; }")
        page.evaluate("s => document.body.setAttribute('data-md-color-scheme', s)", scheme)


def visit(page, url: str, name: str, scheme: str = "default") -> None:
    """Open a page (in Material's light or dark scheme) and keep its screenshot."""
    page.goto(url, wait_until="networkidle")
    use_scheme(page, scheme)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"layout-{name}.png"), full_page=True)


#: Every table of the page wider than the text column it sits in.
OVERFLOWING_TABLES = """() => {
  const text = document.querySelector('.md-content__inner') || document.querySelector('main');
  const column = text.getBoundingClientRect();
  return [...text.querySelectorAll('table')]
    .filter(t => t.getBoundingClientRect().right > column.right + 1)
    .map(t => t.className + ' ' + Math.round(t.getBoundingClientRect().width) + 'px');
}"""

#: Cells with more than 20 characters squeezed narrower than 60 px.
SQUEEZED_CELLS = """() => [...document.querySelectorAll('.md-content td, .md-content th')]
  .filter(c => c.textContent.trim().length > 20 && c.getBoundingClientRect().width < 60)
  .map(c => c.textContent.trim() + ' ' + Math.round(c.getBoundingClientRect().width) + 'px')"""


def commit_hashes(page) -> list[dict]:
    """Each short commit in the page's tables: its text, and the lines it takes."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.md-content td code')]
          .filter(c => /^[0-9a-f]{7,40}$/.test(c.textContent.trim()))
          .map(c => ({
            text: c.textContent.trim(),
            lines: c.getClientRects().length,
            height: c.getBoundingClientRect().height,
            line: parseFloat(getComputedStyle(c).lineHeight) || 0,
            fits: c.getBoundingClientRect().right
              <= c.closest('td').getBoundingClientRect().right + 1,
          }))"""
    )


@pytest.mark.parametrize(
    ("name", "url", "least"),
    [
        ("control", "documents/control/", 4),
        ("policy", "policies/change-management/", 3),
        ("procedure", "procedures/change-management/", 2),
    ],
    ids=["control", "policy", "procedure"],
)
def test_commit_hashes_never_break(page, base_url: str, name: str, url: str, least: int) -> None:
    visit(page, base_url + url, name)
    hashes = commit_hashes(page)
    assert len(hashes) >= least, hashes
    broken = [h for h in hashes if h["lines"] != 1 or not h["fits"]]
    assert broken == []
    for h in hashes:  # one line box high (the code's own line, or the cell's)
        assert h["height"] <= max(h["line"], 24) * 1.2, h
    assert page.evaluate(OVERFLOWING_TABLES) == []
    assert page.evaluate(SQUEEZED_CELLS) == []


def test_change_control_shows_the_history(page, base_url: str) -> None:
    """The history above reached the page: the layout test measures real rows."""
    visit(page, base_url + "documents/control/", "control-history")
    exceptions = page.locator(".smsh-exceptions tbody tr")
    evidence = page.locator(".smsh-evidence tbody tr")
    assert exceptions.count() >= 2 and evidence.count() >= 2
    assert page.locator(".smsh-evidence a", has_text="#41").count() == 1


#: Each row of each table: the grid columns it takes (colspans summed), against the header's.
ROW_COLUMNS = """sel => [...document.querySelectorAll(sel)].map(t => ({
  header: [...t.tHead.rows[0].cells].reduce((n, c) => n + c.colSpan, 0),
  rows: [...t.tBodies].flatMap(b => [...b.rows]).map(r => ({
    id: r.id, cls: r.className, text: r.textContent.trim().slice(0, 60),
    columns: [...r.cells].reduce((n, c) => n + c.colSpan, 0),
    cells: r.cells.length,
  })),
}))"""


def test_records_rows_keep_their_columns(page, base_url: str) -> None:
    visit(page, base_url + "records/", "records")
    tables = page.evaluate(
        ROW_COLUMNS, ".md-content table.smsh-records, .md-content table.smsh-disposals"
    )
    assert len(tables) >= 5
    withheld = []
    for table in tables:
        for row in table["rows"]:
            assert row["columns"] == table["header"], row
            if "smsh-unpublished" in row["cls"]:
                withheld.append(row)
    assert {w["id"] for w in withheld} == {"record-rec-003", "record-rec-006"}
    for row in withheld:  # one cell across the row: id, title, custodian, not published
        assert row["cells"] == 1 and "not published" in row["text"], row
    assert page.evaluate(SQUEEZED_CELLS) == []
    assert page.evaluate(OVERFLOWING_TABLES) == []
    # Web addresses are links named by their host, not the raw URL.
    labels = page.evaluate(
        """() => [...document.querySelectorAll('.smsh-records a[href^="http"]')]
          .map(a => [a.textContent, a.getAttribute('href')])"""
    )
    assert labels and all(not text.startswith("http") for text, _ in labels)
    assert [
        "sharepoint.fernhill.example",
        "https://sharepoint.fernhill.example/sms/audits",
    ] in labels
    # Every word of a link on one line: no link broken inside a word.
    assert (
        page.evaluate(
            """() => [...document.querySelectorAll('.smsh-records a, .smsh-disposals a')]
              .filter(a => a.textContent.trim().indexOf(' ') < 0 && a.getClientRects().length > 1)
              .map(a => a.textContent)"""
        )
        == []
    )


def test_records_escape_what_they_show(page, base_url: str, site: Path) -> None:
    html = (site / "records" / "index.html").read_text(encoding="utf-8")
    schedule = html[html.index('class="smsh-table smsh-records"') :]
    assert "<script" not in schedule.split("</table>")[0]
    page.goto(base_url + "records/", wait_until="networkidle")
    details = page.locator("#record-rec-004 + tr.smsh-record-details")
    assert re.match(r"Protection:?\s+All Fernhill staff may read them", details.inner_text())


def test_register_names_stay_on_one_line(page, base_url: str) -> None:
    visit(page, base_url + "documents/", "register")
    names = page.evaluate(
        """() => [...document.querySelectorAll('#smsh-register td.smsh-owner')].map(td => {
          const name = td.querySelector('.smsh-name');
          return {
            text: td.textContent.trim(),
            name: name ? name.textContent : null,
            lines: name ? name.getClientRects().length : 0,
            fits: !!name
              && name.getBoundingClientRect().right <= td.getBoundingClientRect().right + 1,
          };
        })"""
    )
    assert len(names) == 41
    assert [n for n in names if n["lines"] != 1 or not n["fits"]] == []
    assert {"text": "Hannah White (Supplier and commercial manager)", "name": "Hannah White",
            "lines": 1, "fits": True} in names  # fmt: skip
    assert page.evaluate(OVERFLOWING_TABLES) == []
    # The filter still offers owners as "Name (Role)".
    options = page.locator("select[name=owner] option").all_inner_texts()
    assert "Hannah White (Supplier and commercial manager)" in options


#: The metadata block's frame and background against the page's background.
FRAME = """() => {
  const block = document.querySelector('.smsh-docmeta');
  const style = getComputedStyle(block);
  const page = getComputedStyle(document.body).backgroundColor;
  const visible = c => !/rgba\\(.*, 0\\)$/.test(c) && c !== 'transparent';
  return {
    page, background: style.backgroundColor,
    borders: ['Top', 'Right', 'Bottom', 'Left'].map(s => [
      parseFloat(style['border' + s + 'Width']), style['border' + s + 'Color'],
      style['border' + s + 'Style']]),
    visibleBackground: visible(style.backgroundColor) && style.backgroundColor !== page,
    visibleBorder: ['Top', 'Right', 'Bottom', 'Left'].every(s =>
      parseFloat(style['border' + s + 'Width']) >= 1 && style['border' + s + 'Style'] !== 'none'
      && visible(style['border' + s + 'Color']) && style['border' + s + 'Color'] !== page),
  };
}"""


@pytest.mark.parametrize(
    ("name", "url", "scheme"),
    [
        ("docmeta-default", "policies/change-management/", "default"),
        ("docmeta-slate", "policies/change-management/", "slate"),
        # A record kept outside the handbook: a standalone page, without Material.
        ("docmeta-standalone", "documents/rec-004/", "default"),
        ("docmeta-archive", "documents/pol-002/1.1/", "default"),
    ],
    ids=["default", "slate", "standalone", "archive"],
)
def test_document_control_block_is_framed(
    page, base_url: str, name: str, url: str, scheme: str
) -> None:
    visit(page, base_url + url, name, scheme)
    frame = page.evaluate(FRAME)
    assert frame["visibleBorder"], frame  # readable without colour: a frame all round
    assert frame["visibleBackground"], frame
    block = page.locator(".smsh-docmeta").first
    block.screenshot(path=str(ARTIFACTS / f"layout-{name}-block.png"))
    assert page.evaluate(OVERFLOWING_TABLES) == []


AXE = PROJECT / "node_modules" / "axe-core" / "axe.min.js"


PAGES = {
    "records": "records/",
    "control": "documents/control/",
    "policy": "policies/change-management/",
    "draft": "procedures/complaints/",  # a banner and "no review date" on the panel
    "register": "documents/",
}


@pytest.mark.parametrize(
    ("url", "scheme"),
    [(url, scheme) for url in PAGES.values() for scheme in ("default", "slate")]
    + [("documents/rec-004/", "default")],  # standalone: light only
    ids=[f"{name}-{scheme}" for name in PAGES for scheme in ("default", "slate")] + ["record"],
)
def test_laid_out_pages_stay_accessible(page, base_url: str, url: str, scheme: str) -> None:
    """The frames, the roles under names and the rows under rows keep their contrast."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` (scripts/test does)")
    page.goto(base_url + url, wait_until="networkidle")
    use_scheme(page, scheme)
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
