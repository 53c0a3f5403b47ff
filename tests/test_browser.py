"""The built handbook in a real headless Chromium (Debian's, driven by Playwright).

Pages are served from 127.0.0.1; any request to another host is recorded and aborted.
A failing test leaves a screenshot in test-artifacts/.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from browsing import CHROMIUM, chromium, serve
from conftest import (
    EPOCH_2026_11_27,
    PROJECT,
    HandbookDir,
    built_with_print_site,
    committed,
    copy_exemplar,
)

ARTIFACTS = PROJECT / "test-artifacts"
AXE = PROJECT / "node_modules" / "axe-core" / "axe.min.js"
PAGES = {
    "home": "",
    "phases": "phases/",
    "compliance": "compliance/",
    "index": "documents/",
    "policy": "policies/change-management/",
}

playwright_api = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():  # scripts/test installs Debian's chromium; CI must have it
    if os.environ.get("CI"):
        pytest.fail("Debian's chromium is not installed (scripts/test installs it)", pytrace=False)
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    handbook = committed(copy_exemplar(tmp_path_factory.mktemp("browser") / "exemplar"))
    done = handbook.build(env={"SOURCE_DATE_EPOCH": EPOCH_2026_11_27})
    assert done.returncode == 0, done.stderr
    return handbook.path("site")


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    yield from serve(site)


@pytest.fixture(scope="module")
def browser():
    yield from chromium()


class Recorder:
    """Every request a page makes; those leaving the host are aborted and kept."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.off_host: list[str] = []

    def route(self, route) -> None:
        url = route.request.url
        if url.startswith((self.origin, "data:", "blob:", "about:", "file:")):
            route.continue_()
        else:
            self.off_host.append(url)
            route.abort()


@pytest.fixture
def page(browser, base_url: str, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    recorder = Recorder(base_url.rstrip("/"))
    context.route(re.compile(".*"), recorder.route)
    page = context.new_page()
    page.recorder = recorder
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_nothing_from_another_host(page, base_url: str, name: str) -> None:
    page.goto(base_url + PAGES[name], wait_until="networkidle")
    assert page.locator("h1").first.is_visible()
    assert page.recorder.off_host == []


def test_the_detector_catches_off_host_requests(page, site: Path, base_url: str) -> None:
    (site / "detector.html").write_text(
        '<!doctype html><title>x</title><link rel="stylesheet" href="https://fonts.example.invalid/a.css">'
        '<img src="https://cdn.example.invalid/pixel.png"><h1>Detector</h1>'
    )
    page.goto(base_url + "detector.html", wait_until="networkidle")
    assert sorted(page.recorder.off_host) == [
        "https://cdn.example.invalid/pixel.png",
        "https://fonts.example.invalid/a.css",
    ]


def test_search_finds_a_policy(page, base_url: str) -> None:
    page.goto(base_url, wait_until="networkidle")
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.locator("input.md-search__input").press_sequentially("emergency change", delay=20)
    result = page.locator(".md-search-result__item", has_text="Change management policy")
    result.first.wait_for(timeout=15_000)
    assert page.recorder.off_host == []


def test_filtering_and_sorting_the_index(page, base_url: str) -> None:
    page.goto(base_url + PAGES["index"], wait_until="networkidle")
    rows = page.locator("#smsh-register tbody tr")
    total = rows.count()
    assert total == 41
    page.locator("select[name=status]").select_option("draft")
    visible = page.locator("#smsh-register tbody tr:visible")
    assert visible.count() == 1
    assert "PRC-008" in visible.first.inner_text()
    assert page.locator(".smsh-filter-status").inner_text() == "1 of 41 documents shown"
    page.locator("select[name=status]").select_option("")
    page.locator("select[name=review]").select_option("overdue")
    assert sorted(r.split("\t")[0] for r in visible.all_inner_texts()) == ["POL-006", "PRC-007"]
    page.locator("select[name=review]").select_option("")
    header = page.locator("#smsh-register th", has_text="ID").first
    header.locator("button").click()
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "descending"
    assert rows.first.inner_text().startswith("SMS-001")


def test_print_marks_the_copy_uncontrolled(page, base_url: str) -> None:
    page.goto(base_url + PAGES["policy"], wait_until="networkidle")
    footer = page.locator(".smsh-print-footer")
    assert not footer.is_visible()  # screen: hidden
    page.emulate_media(media="print")
    assert footer.is_visible()
    text = footer.inner_text()
    uncontrolled = "Uncontrolled when printed — check the handbook for the current version."
    assert text.startswith(uncontrolled)
    assert re.search(r"printed \d{4}-\d{2}-\d{2}", text)
    header = page.locator(".smsh-print-header")
    assert header.inner_text() == "POL-002 · Change management policy · version 1.1 · approved"
    assert not page.locator(".md-sidebar--primary").is_visible()
    assert (
        page.locator(".smsh-meta tr").first.evaluate("e => getComputedStyle(e).breakInside")
        == "avoid"
    )
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000


@pytest.mark.parametrize("name", PAGES)
def test_no_serious_accessibility_violations(page, base_url: str, name: str) -> None:
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` (scripts/test does)")
    page.goto(base_url + PAGES[name], wait_until="networkidle")
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} — {v['nodes'][0]['target']}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []


def test_whole_handbook_prints_with_print_site(browser, tmp_path: Path) -> None:
    handbook = built_with_print_site(tmp_path / "print")
    for url in serve(handbook.path("site")):
        context = browser.new_context()
        recorder = Recorder(url.rstrip("/"))
        context.route(re.compile(".*"), recorder.route)
        page = context.new_page()
        page.goto(url + "print_page/", wait_until="networkidle")
        text = page.locator("body").inner_text()
        for title in ("Change management policy", "Incident management procedure",
                      "Compliance matrix", "Controlled documents"):  # fmt: skip
            assert title in text
        html = page.content()  # the long tables whole, every marker filled
        assert "smsh-stand-in" not in html and "smsh-fragment" not in html
        assert html.count("<tr") > 150
        assert recorder.off_host == []
        page.emulate_media(media="print")
        assert page.locator(".smsh-print-footer").first.is_visible()
        context.close()


def test_offline_plugin_browses_from_file_urls(browser, tmp_path: Path) -> None:
    handbook: HandbookDir = committed(copy_exemplar(tmp_path / "offline"))
    handbook.replace("mkdocs.yml", "  - search\n", "  - search\n  - offline\n")
    done = handbook.build(env={"SOURCE_DATE_EPOCH": EPOCH_2026_11_27})
    assert done.returncode == 0, done.stderr
    context = browser.new_context()
    recorder = Recorder("file://")
    context.route(re.compile(".*"), recorder.route)
    page = context.new_page()
    page.goto(handbook.path("site/index.html").as_uri(), wait_until="load")
    page.locator("a", has_text="Controlled documents").first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith("documents/index.html")
    page.locator("select[name=status]").select_option("draft")
    assert page.locator("#smsh-register tbody tr:visible").count() == 1
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.locator("input.md-search__input").press_sequentially("emergency change", delay=20)
    page.locator(".md-search-result__item").first.wait_for(timeout=15_000)
    assert recorder.off_host == []
    context.close()
