"""Printed controlled documents, in a real headless Chromium (Debian's, driven by Playwright).

Every printed sheet of a controlled document carries the document's header (id, title,
version, status) and the "Uncontrolled when printed" footer in the page margins, and no
body text enters them: proved from the text positions of the PDF that Chromium prints
(read with pdfminer.six). On print-site's combined page each document's sheets carry its
own header. Pages are served from 127.0.0.1; a request to another host fails the test.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
import json
import os
import re
import shutil
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from browsing import CHROMIUM, chromium, serve
from conftest import (
    EPOCH_2026_11_27,
    FIXTURES,
    HandbookDir,
    built_with_print_site,
    committed,
    copy_exemplar,
)
from sms_handbook.core.site.layout import Layout
from sms_handbook.core.site.pages import Renderer
from sms_handbook.core.site.site_data import prepare

MM = 72 / 25.4  # PDF points in a millimetre
UNCONTROLLED = "Uncontrolled when printed — check the handbook for the current version."
#: A document title that CSS and HTML must both escape; it must come out as it is.
TRICKY = 'Continual "improvement" \\ </style> policy'

try:
    from playwright import sync_api as playwright_api
except ImportError:  # pragma: no cover - the test extra installs it
    playwright_api = None
try:
    from pdfminer import high_level as pdfminer_api
    from pdfminer import layout as pdfminer_layout
except ImportError:  # pragma: no cover - the test extra installs it
    pdfminer_api = pdfminer_layout = None


def _needs_browser() -> None:
    """Skip without Playwright, pdfminer.six or Debian's chromium; in CI, fail."""
    have = {"playwright": playwright_api, "pdfminer.six": pdfminer_api}
    missing = [name for name, module in have.items() if module is None]
    if not Path(CHROMIUM).exists():
        missing.append("Debian's chromium")
    if missing and os.environ.get("CI"):  # scripts/test installs them all
        pytest.fail(f"{', '.join(missing)} missing (scripts/test installs them)", pytrace=False)
    if missing:
        pytest.skip(f"{', '.join(missing)} missing")


# --- the PDF's text, line by line, with positions ---------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class Line:
    """A line of text on a sheet; PDF points, origin at the bottom left."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Line) -> bool:
        return (
            self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1
        )


@dataclasses.dataclass
class Sheet:
    number: int
    height: float
    lines: list[Line]  # top to bottom, then left to right


def _text_lines(item) -> Iterator[Line]:
    if isinstance(item, pdfminer_layout.LTTextLine):
        text = " ".join(item.get_text().split())
        if text:
            yield Line(text, *item.bbox)
    elif isinstance(item, pdfminer_layout.LTContainer):
        for child in item:
            yield from _text_lines(child)


def read_sheets(pdf: bytes) -> list[Sheet]:
    return [
        Sheet(number, page.height, sorted(_text_lines(page), key=lambda ln: (-ln.y1, ln.x0)))
        for number, page in enumerate(pdfminer_api.extract_pages(io.BytesIO(pdf)), 1)
    ]


def _squeezed(text: str) -> str:
    """The text without spaces, ligatures undone (the PDF has "ﬁ" where HTML has "fi")."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def claim(sheet: Sheet, expected: str) -> list[Line]:
    """The lines that spell `expected` (wrapped, each line under the one before and
    aligned with it), or [] when the sheet does not carry it."""
    want = _squeezed(expected)
    for at, first in enumerate(sheet.lines):
        got, taken = _squeezed(first.text), [first]
        if not want.startswith(got):
            continue
        for line in sheet.lines[at + 1 :]:
            if got == want:
                break
            last, piece = taken[-1], _squeezed(line.text)
            under = 0 <= last.y0 - line.y1 < line.y1 - line.y0
            if abs(line.x0 - first.x0) < 2 and under and want.startswith(got + piece):
                got, taken = got + piece, [*taken, line]
        if got == want:
            return taken
    return []


def check_margins(sheet: Sheet, total: int, header: str | None, footer: str) -> list[Line]:
    """Assert the sheet's header (if any) is in the top margin, its footer and page number
    in the bottom one, and that no other text touches them; return the body's lines."""
    where = f"sheet {sheet.number} of {total}"
    head = claim(sheet, header) if header else []
    foot = claim(sheet, footer)
    folio = [ln for ln in sheet.lines if ln.text == f"Page {sheet.number} of {total}"]
    assert not header or head, f"{where}: no header {header!r}: {sheet.lines[:3]}"
    assert foot, f"{where}: no footer {footer!r}: {sheet.lines[-3:]}"
    assert folio, f"{where}: no page number"
    margins = [*head, *foot, *folio]
    body = [ln for ln in sheet.lines if all(ln is not m for m in margins)]
    for mark in margins:
        touching = [ln.text for ln in body if ln.overlaps(mark)]
        assert not touching, f"{where}: {mark.text!r} overprints {touching}"
    if head:
        top = min(ln.y0 for ln in head)
        assert top >= sheet.height - 30 * MM, f"{where}: the header is not in the top margin"
        assert all(ln.y1 < top for ln in body), f"{where}: body text enters the top margin"
    bottom = max(ln.y1 for ln in [*foot, *folio])
    assert bottom <= 30 * MM, f"{where}: the footer is not in the bottom margin"
    assert all(ln.y0 > bottom for ln in body), f"{where}: body text enters the bottom margin"
    return body


# --- serving and browsing ---------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    _needs_browser()
    yield from chromium()


def _printed(browser, url: str, *, script: bool = True) -> tuple[bytes, dict]:
    """The page at `url` printed to A4 as a person prints it (the browser says
    beforeprint first), and what its document-control blocks say in the flow."""
    origin = re.match(r"https?://[^/]+", url).group(0)
    off_host: list[str] = []

    def route(route) -> None:
        if route.request.url.startswith((origin, "data:", "blob:", "about:")):
            route.continue_()
        else:
            off_host.append(route.request.url)
            route.abort()

    context = browser.new_context(java_script_enabled=script)
    try:
        context.route(re.compile(".*"), route)
        page = context.new_page()
        page.goto(url, wait_until="networkidle")
        if script:
            page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
        blocks = page.eval_on_selector_all(
            ".smsh-docmeta[data-smsh-document]",
            """els => els.map(e => [e.dataset.smshDocument,
                e.querySelector('.smsh-print-header').textContent,
                e.querySelector('.smsh-print-footer').textContent])""",
        )
        pdf = page.pdf(format="A4")
    finally:
        context.close()
    assert off_host == []
    docs = {key: (" ".join(head.split()), " ".join(foot.split())) for key, head, foot in blocks}
    return pdf, docs


# --- one long controlled document -------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    _needs_browser()
    handbook = copy_exemplar(tmp_path_factory.mktemp("print") / "exemplar")
    handbook.replace(
        "data/policies.yml",
        "title: Continual improvement policy",
        "title: '" + TRICKY.replace("'", "''") + "'",
    )
    done = committed(handbook).build(env={"SOURCE_DATE_EPOCH": EPOCH_2026_11_27})
    assert done.returncode == 0, done.stderr
    return handbook.path("site")


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    yield from serve(site)


def _longest_document(site: Path) -> str:
    """The policy or procedure page with the most text (under the built site)."""
    sizes = {}
    for page in [*site.glob("policies/*/index.html"), *site.glob("procedures/*/index.html")]:
        text = page.read_text(encoding="utf-8")
        article = re.search(r"<article\b.*?</article>", text, re.S)
        if article and "data-smsh-document=" in article.group(0):
            words = re.sub(r"<[^>]+>", " ", article.group(0))
            sizes[page.parent.relative_to(site).as_posix() + "/"] = len(words.split())
    assert sizes, "no controlled policy or procedure page in the built site"
    return max(sizes, key=sizes.get)


def _expected(site: Path, key: str, date: str) -> tuple[str, str]:
    """The header and footer a document's sheets should carry, from the register's export."""
    register = json.loads((site / "documents.json").read_text(encoding="utf-8"))
    [doc] = [d for d in register["documents"] if d["id"] == key]
    version = doc["version"]
    header = f"{key} · {doc['title']}{f' · version {version}' if version else ''} · {doc['status']}"
    return header, f"{UNCONTROLLED} {key}{f' version {version}' if version else ''}, {date}."


def test_every_sheet_of_a_long_document_has_header_and_footer_in_the_margins(
    browser, site: Path, base_url: str
) -> None:
    pdf, docs = _printed(browser, base_url + _longest_document(site))
    [(key, (header, footer))] = docs.items()
    printed = re.search(r"printed \d{4}-\d\d-\d\d", footer)
    assert printed, footer
    assert (header, footer) == _expected(site, key, printed.group(0))
    sheets = read_sheets(pdf)
    assert len(sheets) >= 3, f"{key} prints on {len(sheets)} sheets; pick a longer document"
    for sheet in sheets:
        body = check_margins(sheet, len(sheets), header, footer)
        assert body, f"sheet {sheet.number} has no body text"
    first = [ln.text for ln in sheets[0].lines]
    # The control block, its label and value in reading order (however the PDF's lines fall).
    assert f"Document control Document {key} " in " ".join(first)


def test_the_margin_text_comes_from_data_escaped(browser, site: Path, base_url: str) -> None:
    pdf, docs = _printed(browser, base_url + "policies/continual-improvement/")
    [(key, (header, footer))] = docs.items()
    assert header == f"{key} · {TRICKY} · version 1.0 · approved"
    assert (header, footer) == _expected(site, key, footer.split(", ")[-1][:-1])
    sheets = read_sheets(pdf)
    for sheet in sheets:
        check_margins(sheet, len(sheets), header, footer)


def test_without_the_script_the_footer_gives_the_build_date(
    browser, site: Path, base_url: str
) -> None:
    pdf, docs = _printed(browser, base_url + "policies/change-management/", script=False)
    [(key, (header, footer))] = docs.items()
    assert (header, footer) == _expected(site, key, "built 2026-11-27")
    sheets = read_sheets(pdf)
    for sheet in sheets:
        check_margins(sheet, len(sheets), header, footer)


# --- the whole handbook on one page (mkdocs-print-site-plugin) --------------------------


def test_print_site_sheets_carry_their_own_documents_header(browser, tmp_path: Path) -> None:
    _needs_browser()
    handbook = built_with_print_site(tmp_path / "print")
    for url in serve(handbook.path("site")):
        pdf, docs = _printed(browser, url + "print_page/")
    assert len(docs) > 10
    sheets = read_sheets(pdf)
    owners = []
    for sheet in sheets:
        found = [key for key, (header, _) in docs.items() if claim(sheet, header)]
        assert len(found) <= 1, f"sheet {sheet.number} has the headers of {found}"
        owner = found[0] if found else None
        header, footer = docs[owner] if owner else (None, UNCONTROLLED)
        check_margins(sheet, len(sheets), header, footer)
        owners.append(owner)
    # Each document's sheets follow one another, in the page's order, and the first
    # of them shows its control block: no header claims another document's sheets.
    runs = [(key, [n for n, _ in group]) for key, group in itertools.groupby(
        enumerate(owners, 1), key=lambda pair: pair[1])]  # fmt: skip
    assert [key for key, _ in runs if key] == list(docs)
    for key, numbers in runs:
        if key:
            first = [ln.text for ln in sheets[numbers[0] - 1].lines]
            assert f"Document {key} " in " ".join(first), (key, numbers)


# --- the CSS text: escaped for any data -------------------------------------------------


def _css_preprocessed(raw: str) -> str:
    """The text of a <style> element as CSS reads it: HTML's and CSS's input
    preprocessing (newlines normalised, NUL replaced)."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    return text.replace("\0", "\ufffd")


def _css_string(css: str, at: int) -> str:
    """The CSS string token starting at css[at] (a quote), decoded as CSS Syntax 3
    consumes it; a raw newline in it (a bad string) fails."""
    quote, i, out = css[at], at + 1, []
    while css[i] != quote:
        char = css[i]
        assert char != "\n", f"a newline ends the string: {css[at : i + 1]!r}"
        if char == "\\":
            hexa = re.match(r"[0-9a-fA-F]{1,6}[ \t\n]?", css[i + 1 :])
            if hexa:
                code = int(hexa.group(0).rstrip(), 16)
                ok = 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF
                out.append(chr(code) if ok else "\ufffd")
                i += 1 + hexa.end()
                continue
            assert css[i + 1] != "\n"
            out.append(css[i + 1])
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)


TEXT = st.lists(
    st.one_of(
        st.sampled_from(['"', "'", "\\", "\n", "\r", "\f", "\0", "</style>", "</STYLE ",
                         "<!--", "*/", "\\a", "\\3c ", "{", "}", ";", " ", "a", "1"]),
        st.characters(blacklist_categories=("Cs",)),
    ),
    min_size=1,
    max_size=12,
).map("".join)  # fmt: skip


@pytest.fixture(scope="module")
def minimal_handbook(tmp_path_factory):
    root = tmp_path_factory.mktemp("print-css") / "handbook"
    shutil.copytree(FIXTURES / "minimal", root)
    loaded = HandbookDir(root).load()
    assert loaded.handbook is not None
    return root, loaded.handbook


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(title=TEXT)
def test_the_print_style_keeps_any_title(minimal_handbook, title: str) -> None:
    root, handbook = minimal_handbook
    documents = {k: dataclasses.replace(d, title=title) for k, d in handbook.documents.items()}
    handbook = dataclasses.replace(handbook, documents=documents)
    site = prepare(handbook, Layout(), root, root / "content", revisions=False,
                   environ={"SOURCE_DATE_EPOCH": EPOCH_2026_11_27})  # fmt: skip
    renderer = Renderer(site)
    entries = [e for e in site.register if e.published and e.page == e.doc.source]
    assert entries
    for entry in entries:
        block = renderer.metadata_block(entry, entry.page)
        styles = re.findall(r"<style media=\"print\">(.*?)</style>", block, re.S)
        assert len(styles) == 1 and block.lower().count("</style") == 1, block
        assert "<" not in styles[0]
        css = _css_preprocessed(styles[0])
        d = entry.doc
        version = f" · version {d.version}" if d.version else ""
        header = _css_string(css, css.index("@top-left { content: ") + len("@top-left { content: "))
        assert header == f"{d.id} · {title}{version} · {d.status}".replace("\0", "\ufffd")
        selector = css.index("[data-smsh-document=") + len("[data-smsh-document=")
        assert _css_string(css, selector) == d.id
