"""Publication control across versions: a version classified above the limit when it
was made (or now) is never published, in the site, in `render`'s folder or in any
export, and the next version's archive does not show the changes from it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import EPOCH_2026_11_27, GitRepo, HandbookDir

POLICY = "content/policies/change.md"
#: Today for these builds: 2026-04-01.
ENV = {"SOURCE_DATE_EPOCH": "1775000000"}
#: Sentences only withheld versions hold.
WITHHELD = ("Cross-trained deputies hold the keys", "the DC2 door code is 4711")
SHOWN = "Every change is recorded before work starts."


def version(handbook: HandbookDir, number: str, classification: str, text: str) -> None:
    """POL-001 as an approved version with this classification and purpose text."""
    page = handbook.read(POLICY)
    page = re.sub(r'version: "[^"]+"', f'version: "{number}"', page)
    page = re.sub(r"\n  classification: \w+", "", page)
    page = page.replace(
        "  approver: mkhan\n", f"  approver: mkhan\n  classification: {classification}\n"
    )
    purpose = f"## Purpose\n\n{text}\n\n## Scope"
    page = re.sub(r"## Purpose\n\n.*?\n\n## Scope", purpose, page, flags=re.S)
    handbook.write(POLICY, page)


@pytest.fixture
def history(minimal: HandbookDir) -> HandbookDir:
    """POL-001: 1.1 restricted, 1.2 confidential, 1.3 public, 1.4 internal, each approved."""
    repo = GitRepo(minimal.root)
    steps = [
        ("1.1", "restricted", WITHHELD[0] + ".", "2026-02-01"),
        ("1.2", "confidential", f"{WITHHELD[0]}; {WITHHELD[1]}.", "2026-02-10"),
        ("1.3", "public", "Why we control changes: public text QV7.", "2026-02-20"),
        ("1.4", "internal", "Why we control changes, for staff.", "2026-03-01"),
    ]
    for number, classification, text, day in steps:
        version(minimal, number, classification, text)
        repo.commit(
            f"Change policy {number}\n\nApproved-by: Mo Khan <mo.khan@example.org>",
            f"{day}T10:00:00+00:00",
        )
    return minimal


def every_text(folder: Path) -> str:
    return "\n".join(
        p.read_bytes().decode("utf-8", "replace") for p in folder.rglob("*") if p.is_file()
    )


def test_withheld_versions_reach_no_output(history: HandbookDir) -> None:
    done = history.build(env=ENV)
    assert done.returncode == 0, done.stderr
    site = history.path("site")
    archives = site / "documents/pol-001"
    assert sorted(p.name for p in archives.iterdir() if p.is_dir()) == ["1.0", "1.3", "1.4"]
    text = every_text(site)
    for marker in WITHHELD:
        assert marker not in text
    first_public = (archives / "1.3/index.html").read_text()
    assert "Not shown: version 1.2 is not published" in first_public
    assert "Changes from version 1.3" in (archives / "1.4/index.html").read_text()
    page = (site / "policies/change/index.html").read_text()
    assert "1.2 (not published)" in page and "1.1 (not published)" in page
    # render's folder, and every export, hold none of it either.
    out = history.path("plain")
    assert history.cli("render", "--out", str(out), env=ENV).returncode == 0
    assert (out / "docs/documents/pol-001/1.3").exists()
    assert not (out / "docs/documents/pol-001/1.2").exists()
    exports = [
        history.cli("export", "--format", fmt, "--what", what, env=ENV).stdout
        for fmt in ("json", "csv") for what in ("register", "compliance")
    ]  # fmt: skip
    for marker in WITHHELD:
        assert marker not in every_text(out)
        assert all(marker not in e for e in exports)
    assert SHOWN in text  # the check can fail: the published text is there


def test_a_document_withheld_now_publishes_no_version(history: HandbookDir) -> None:
    version(history, "1.5", "confidential", "Why we control changes, for staff.")
    GitRepo(history.root).commit(
        "Change policy 1.5\n\nApproved-by: Mo Khan <mo.khan@example.org>",
        "2026-03-10T10:00:00+00:00",
    )
    assert history.build(env=ENV).returncode == 0
    assert not history.path("site/documents/pol-001").exists()
    assert "public text QV7" not in every_text(history.path("site"))


PLAN = "content/plans/service-continuity-plan.md"  # PLN-003, confidential
PAGE = "content/about/authoring.md"


@pytest.mark.parametrize(
    "include",
    [
        '{% include "plans/service-continuity-plan.md" %}',  # mkdocs-macros (Jinja)
        '{%- include "content/plans/service-continuity-plan.md" -%}',
        '--8<-- "content/plans/service-continuity-plan.md"',  # pymdownx.snippets
        '--8<-- "content/plans/service-continuity-plan.md:1:20"',
        "--8<--\ncontent/plans/service-continuity-plan.md\n--8<--",
    ],
)
def test_a_page_including_a_withheld_page_is_refused(exemplar: HandbookDir, include) -> None:
    exemplar.replace(
        "mkdocs.yml", "markdown_extensions:\n", "markdown_extensions:\n  - pymdownx.snippets\n"
    )
    exemplar.write(PAGE, exemplar.read(PAGE) + f"\n\n{include}\n")
    lines = exemplar.read(PAGE).splitlines()
    line = max(i for i, text in enumerate(lines, 1) if "service-continuity-plan.md" in text)
    expected = (
        f"{PAGE}:{line}: error: withheld-include: includes {PLAN} (PLN-003 Service continuity "
        "plan, confidential), which is not published"
    )
    done = exemplar.cli("check")
    assert done.returncode == 1
    assert expected in done.stdout
    built = exemplar.build(env={"SOURCE_DATE_EPOCH": EPOCH_2026_11_27})
    assert built.returncode == 1
    assert expected in built.stderr + built.stdout
    assert "Traceback" not in built.stderr


def test_escaped_snippets_and_links_to_a_withheld_page_are_fine(exemplar: HandbookDir) -> None:
    exemplar.write(PAGE, exemplar.read(PAGE) + (
        '\n\n;--8<-- "content/plans/service-continuity-plan.md"\n\n'
        "See the [continuity plan](../plans/service-continuity-plan.md).\n"
    ))  # fmt: skip
    done = exemplar.cli("check")
    assert done.returncode == 0, done.stdout
