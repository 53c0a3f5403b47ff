"""Controlled copies (`pdf: true`) and `sms-handbook verify`, on a real repository.

POL-001 1.0 (superseded) and 1.1 (current, several sheets, with a table and a list);
PRC-001 a draft of several sheets; SEC-001 confidential (withheld: no copy here). Built
once for the module (WeasyPrint is slow to start); each test reads the PDFs back with
pdfminer.six, as a receiver would.
"""

from __future__ import annotations

import io
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from pdfminer.high_level import extract_text
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import resolve1

from conftest import FIXTURES, GitRepo, HandbookDir, run

POLICY = "content/policies/change.md"
ENV = {"SOURCE_DATE_EPOCH": "1775000000"}  # 2026-03-31
SITE_URL = "https://handbook.example.org/"
CURRENT = "documents/pol-001/1.1/POL-001-1.1.pdf"
SUPERSEDED = "documents/pol-001/1.0/POL-001-1.0.pdf"
DRAFT = "documents/prc-001/PRC-001-0.1-draft.pdf"
SECRET = "The DC2 door code is 4711"
SECURITY = f"""---
title: Security policy
document:
  id: SEC-001
  type: policy
  version: "1.0"
  status: approved
  owner: jdoe
  approver: mkhan
  approved_on: 2026-02-18
  classification: confidential
---
# Security policy

{SECRET} and the keys are in the safe.
"""
ROLES = (
    "\n| Role | Who | Responsibility |\n|---|---|---|\n"
    "| Change manager | Mo Khan | Chairs the change board, approves minor changes and keeps "
    "the schedule of changes up to date for everyone |\n"
    "| Change owner | The engineer raising the change | Plans, tests and implements it |\n"
)


def rules(count: int) -> str:
    """Numbered policy statements: enough text for several sheets."""
    return "\n".join(
        f"{n}. Rule {n}: every change-control request numbered {n} is recorded, assessed "
        "and approved before work starts, and its owner keeps the record for three years."
        for n in range(1, count + 1)
    )


def make_history(handbook: HandbookDir, *, limit: str = "internal") -> GitRepo:
    """The module's repository (see the module docstring)."""
    repo = GitRepo.init(handbook.root)
    plugin = f"  - sms-handbook:\n      pdf: true\n      publish_max_classification: {limit}\n"
    handbook.replace("mkdocs.yml", "  - sms-handbook\n", plugin)
    handbook.replace("mkdocs.yml", "docs_dir:", f"site_url: {SITE_URL}\ndocs_dir:")
    handbook.write("content/policies/security.md", SECURITY)
    repo.commit("Initial handbook", "2026-01-10T09:00:00+00:00")
    handbook.replace(POLICY, 'version: "1.0"', 'version: "1.1"')
    handbook.replace(POLICY, "approved_on: 2026-02-16", "approved_on: 2026-02-19")
    statements = "1. Every change is recorded before work starts."
    handbook.replace(POLICY, statements, f"{rules(45)}\n{ROLES}")
    repo.commit(
        "Change policy 1.1\n\nApproved-by: Mo Khan <mo.khan@example.org>",
        "2026-02-20T10:00:00+00:00",
    )
    steps = "\n".join(f"{n}. Step {n} of the draft procedure." for n in range(1, 90))
    handbook.replace("content/procedures/incident.md", "Steps.", steps)
    repo.commit("Draft the incident procedure", "2026-03-01T10:00:00+00:00")
    return repo


def new_handbook(root: Path, *, limit: str = "internal") -> HandbookDir:
    shutil.copytree(FIXTURES / "minimal", root)
    handbook = HandbookDir(root)
    make_history(handbook, limit=limit)
    return handbook


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> HandbookDir:
    handbook = new_handbook(tmp_path_factory.mktemp("copies") / "handbook")
    done = handbook.build(env=ENV)
    assert done.returncode == 0, done.stderr
    return handbook


def sheets(path: Path) -> list[str]:
    """The text of each sheet of a PDF."""
    data = path.read_bytes()
    count = len(list(PDFPage.get_pages(io.BytesIO(data))))
    return [extract_text(io.BytesIO(data), page_numbers=[n]) for n in range(count)]


def info(path: Path) -> dict[str, str]:
    document = PDFDocument(PDFParser(io.BytesIO(path.read_bytes())))
    return {k: v.decode() for k, v in document.info[0].items() if isinstance(v, bytes)}


def verify(handbook: HandbookDir, path: Path):
    return handbook.cli("verify", str(path), env=ENV)


def test_every_sheet_names_the_document_its_version_and_status(built: HandbookDir) -> None:
    pages = sheets(built.path("site") / CURRENT)
    assert len(pages) >= 3
    for n, text in enumerate(pages, 1):
        flat = " ".join(text.split())
        assert "POL-001 · Change management policy" in flat
        assert "Version 1.1 · approved · current" in flat
        assert f"Page {n} of {len(pages)}" in flat
        assert "INTERNAL" in flat
        assert "Controlled copy of POL-001 version 1.1 (approved 2026-02-19)" in flat
        assert f"{SITE_URL}policies/change/" in flat  # where the version in force lives
    everything = " ".join(" ".join(pages).split())
    assert "Rule 45: every change-control request numbered 45" in everything
    meta = info(built.path("site") / CURRENT)
    assert meta["Title"] == "POL-001 Change management policy, version 1.1"
    assert meta["Author"] == "Jane Doe"
    assert meta["smshandbookid"] == "POL-001" and meta["smshandbookversion"] == "1.1"
    assert meta["smshandbookapprovedon"] == "2026-02-19"
    assert meta["CreationDate"].startswith("D:20260220")  # published, not built
    assert re.fullmatch(r"[0-9a-f]{64}", meta["smshandbooktextsha256"])
    # PDF/A-3u, as WeasyPrint writes it: an output intent, the part and conformance in
    # the XMP metadata.
    document = PDFDocument(PDFParser(io.BytesIO((built.path("site") / CURRENT).read_bytes())))
    assert "OutputIntents" in document.catalog
    xmp = resolve1(document.catalog["Metadata"]).get_data()
    assert b'pdfaid:part="3"' in xmp and b'pdfaid:conformance="U"' in xmp


def test_a_superseded_copy_says_so_on_every_sheet(built: HandbookDir) -> None:
    for text in sheets(built.path("site") / SUPERSEDED):
        assert "Version 1.0 · approved · SUPERSEDED by version 1.1" in " ".join(text.split())


def test_a_drafts_pdf_is_marked_not_approved_on_every_sheet(built: HandbookDir) -> None:
    pages = sheets(built.path("site") / DRAFT)
    assert len(pages) >= 2
    for text in pages:
        flat = " ".join(text.split())
        assert "PRC-001 · Incident procedure" in flat
        assert "Version 0.1 · draft · NOT APPROVED" in flat
        assert "NOT APPROVED: the draft text of PRC-001, not a controlled copy" in flat
    assert info(built.path("site") / DRAFT)["smshandbookcopy"] == "NOT-APPROVED"
    done = verify(built, built.path("site") / DRAFT)
    assert done.returncode == 1 and "marked NOT APPROVED" in done.stdout


def test_pages_and_archives_link_their_copies_and_nothing_withheld_has_one(
    built: HandbookDir,
) -> None:
    site = built.path("site")
    page = (site / "policies/change/index.html").read_text("utf-8")
    assert 'href="../../documents/pol-001/1.1/POL-001-1.1.pdf"' in page
    archive = (site / "documents/pol-001/1.0/index.html").read_text("utf-8")
    assert 'href="POL-001-1.0.pdf"' in archive
    draft = (site / "procedures/incident/index.html").read_text("utf-8")
    assert 'href="../../documents/prc-001/PRC-001-0.1-draft.pdf"' in draft
    made = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.pdf"))
    assert made == sorted([CURRENT, SUPERSEDED, DRAFT])


def test_verify_accepts_a_genuine_copy_and_names_a_superseded_one(built: HandbookDir) -> None:
    done = verify(built, built.path("site") / CURRENT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "document: POL-001 Change management policy" in done.stdout
    assert "version: 1.1" in done.stdout
    assert "approved on: 2026-02-19 by Mo Khan" in done.stdout
    assert "status: current" in done.stdout
    done = verify(built, built.path("site") / SUPERSEDED)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "superseded by version 1.1; the version in force is 1.1" in done.stdout


def test_verify_refuses_a_stranger(built: HandbookDir, tmp_path: Path) -> None:
    from sms_handbook.core.site.pdf_copies import render_pdf

    plain = tmp_path / "plain.pdf"
    plain.write_bytes(render_pdf("<p>Every change is recorded.</p>", None))
    done = verify(built, plain)
    assert done.returncode == 1
    assert "no metadata of a controlled copy" in done.stdout
    # A stranger's PDF with a genuine copy's metadata, copied.
    meta = info(built.path("site") / CURRENT)
    tags = "".join(
        f'<meta name="{k}" content="{v}">' for k, v in meta.items() if k.startswith("smsh")
    )
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(render_pdf(f"<head>{tags}</head><p>Changes need no approval.</p>", None))
    done = verify(built, forged)
    assert done.returncode == 1
    assert "the line that opens the approved text is missing" in done.stdout
    text = tmp_path / "not.pdf"
    text.write_text("%PDF-1.7 not really")
    assert "cannot be read" in verify(built, text).stdout
    assert "not a PDF" in verify(built, built.path("mkdocs.yml")).stdout


def test_verify_refuses_a_copy_whose_text_was_changed(built: HandbookDir, tmp_path: Path) -> None:
    """The genuine copy's metadata (commit, digest) with one word of its text changed."""
    from sms_handbook.core.site import pdf_copies
    from sms_handbook.core.site.archive_cache import no_cache
    from sms_handbook.core.site.archive_markdown import archive_converter
    from sms_handbook.core.site.pages import Renderer
    from sms_handbook.core.site.pipeline import Pipeline
    from sms_handbook.project import open_project

    project = open_project(built.path("mkdocs.yml"))
    build = Pipeline().build(project.options, project.pages, environ=ENV)
    convert = archive_converter(project.options.markdown_extensions, project.options.mdx_configs)

    def edited(text: str, links):
        return convert(text.replace("17 is recorded", "17 is not recorded"), links)

    renderer = Renderer(build.site.with_revisions())
    docs = project.options.docs_dir
    jobs = pdf_copies.jobs(renderer, edited, no_cache, site_url=SITE_URL, docs_dir=docs)
    made = dict(job() for job in jobs)
    changed = tmp_path / "POL-001-1.1.pdf"
    changed.write_bytes(made[CURRENT])
    assert (
        info(changed)["smshandbooktextsha256"]
        == info(built.path("site") / CURRENT)["smshandbooktextsha256"]
    )
    done = verify(built, changed)
    assert done.returncode == 1
    assert "its text is not POL-001 version 1.1 as approved" in done.stdout
    assert "17 is not recorded" in done.stdout


def test_verify_refuses_a_copy_of_a_withheld_version_built_elsewhere(
    built: HandbookDir, tmp_path: Path
) -> None:
    elsewhere = new_handbook(tmp_path / "elsewhere", limit="confidential")
    done = elsewhere.build(env=ENV)
    assert done.returncode == 0, done.stderr
    copy = elsewhere.path("site/documents/sec-001/1.0/SEC-001-1.0.pdf")
    assert SECRET in " ".join(" ".join(sheets(copy)).split())
    assert verify(elsewhere, copy).returncode == 0  # genuine where it may be published
    done = verify(built, copy)
    assert done.returncode == 1
    assert "SEC-001 is withheld here (classified confidential)" in done.stdout
    assert not built.path("site/documents/sec-001").exists()


def test_the_same_commit_gives_the_same_bytes(built: HandbookDir, tmp_path: Path) -> None:
    """Two clones, built apart on different days: every PDF the same, byte for byte."""
    copies = []
    for name, epoch in (("one", ENV["SOURCE_DATE_EPOCH"]), ("two", "1777600000")):
        clone = tmp_path / name
        assert run("git", "clone", "-q", str(built.root), str(clone), cwd=tmp_path).returncode == 0
        done = HandbookDir(clone).build(env={"SOURCE_DATE_EPOCH": epoch})
        assert done.returncode == 0, done.stderr
        copies.append({p.relative_to(clone): p.read_bytes() for p in clone.rglob("site/**/*.pdf")})
    assert copies[0] == copies[1]
    assert len(copies[0]) == 3
    assert copies[0][Path("site", CURRENT)] == built.path("site").joinpath(CURRENT).read_bytes()


def test_nothing_in_the_cache_changes_a_copy(built: HandbookDir, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    assert run("git", "clone", "-q", str(built.root), str(clone), cwd=tmp_path).returncode == 0
    handbook = HandbookDir(clone)
    assert handbook.build(env=ENV).returncode == 0
    before = handbook.path("site").joinpath(CURRENT).read_bytes()
    cache = handbook.path(".cache")
    kept = [p for p in cache.rglob("*") if p.is_file() and b"%PDF" in p.read_bytes()]
    assert len(kept) == 3  # the copies are kept between builds
    other = handbook.path("site").joinpath(DRAFT).read_bytes()
    for path in kept:  # each replaced by another PDF under its old seal
        path.write_bytes(path.read_bytes()[:65] + other)
    assert handbook.build(env=ENV).returncode == 0
    assert handbook.path("site").joinpath(CURRENT).read_bytes() == before


@pytest.mark.parametrize("how", ["not installed", "cannot be imported"])
def test_a_missing_engine_is_one_clear_error(tmp_path: Path, how: str) -> None:
    handbook = HandbookDir(tmp_path / "handbook")
    shutil.copytree(FIXTURES / "minimal", handbook.root)
    GitRepo.init(handbook.root).commit("Initial handbook", "2026-01-10T09:00:00+00:00")
    handbook.replace("mkdocs.yml", "  - sms-handbook\n", "  - sms-handbook:\n      pdf: true\n")
    hiding = tmp_path / "hiding"
    if how == "not installed":  # no module of that name can be found
        hiding.joinpath("sitecustomize.py").parent.mkdir()
        hiding.joinpath("sitecustomize.py").write_text(
            "import sys\n\n\nclass Hide:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name.split('.')[0] == 'weasyprint':\n"
            "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n\n\n"
            "sys.meta_path.insert(0, Hide())\n"
        )
    else:  # found, but its import fails (a library it loads is missing)
        hiding.joinpath("weasyprint").mkdir(parents=True)
        hiding.joinpath("weasyprint/__init__.py").write_text(
            "raise OSError(\"cannot load library 'libpango-1.0-0'\")\n"
        )
    path = f"{hiding}:{Path(__file__).parent.parent / 'plugin'}"
    done = handbook.build(env={**ENV, "PYTHONPATH": path})
    assert done.returncode != 0
    assert done.stderr.count("pip install sms-handbook[pdf]") == 1, done.stderr
    assert "Traceback" not in done.stderr
    if how == "not installed":
        assert "mkdocs.yml:9: error: pdf-engine: pdf: true needs WeasyPrint" in done.stderr


def test_the_text_is_compared_whatever_the_layout() -> None:
    from sms_handbook.core.copy_text import Fragment, Row, difference, units

    html = (
        "<h2>Scope<a class='headerlink' href='#s'>¶</a></h2><p>All changes are recorded.</p>"
        "<table><thead><tr><th>Role</th><th>Who</th></tr></thead>"
        "<tbody><tr><td>Change manager</td><td>Mo Khan, head of change</td></tr></tbody>"
        "</table><ol><li>First step.</li></ol>"
    )
    expected = units(html)
    assert expected == [
        "ScopeAllchangesarerecorded.",
        Row(["Role", "Who"], 1, header=True),
        Row(["Changemanager", "MoKhan,headofchange"], 1),
        "Firststep.",
    ]
    lines = [
        ("Head of the copy", 0), ("Start.", 1), ("Scope", 2), ("All changes", 3),
        ("are recorded.", 4), ("Role", 5), ("Who", 5),
        ("Role", 6), ("Who", 6),  # the header row again, on a new sheet
        ("Change", 7), ("Mo Khan, head", 7), ("manager", 8), ("of change", 8),
        ("1.", 9), ("First step.", 9),
    ]  # fmt: skip
    found = [Fragment(text, line) for text, line in lines]
    assert difference(expected, found, "Start.") is None
    moved = [*found[:3], found[4], found[3], *found[5:]]
    assert "the copy reads «are recorded.»" in (difference(expected, moved, "Start.") or "")
    added = [*found, Fragment("Second step.", 10)]
    assert "«Second step.»" in (difference(expected, added, "Start.") or "")
    assert "lacks" in (difference(expected, found[:-1], "Start.") or "")
    assert difference(expected, [replace(f, text="Begin.") for f in found], "Start.")
