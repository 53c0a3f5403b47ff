"""Nothing assumes three phases, one edition or one timezone."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import HandbookDir, committed, run

ORGANIZATION = """\
name: Kookaburra Managed Services
standard: iso20000-1:2011
timezone: Australia/Sydney
review_interval_months: 24
people:
  bwong: {name: Bella Wong, role: Service manager}
  tsmith: {name: Tom Smith, role: Director}
"""

PHASE = """\
  - id: Q{n}
    title: Stage {n}
    start: 2027-0{n}-01
    end: 2027-0{n}-28
    activities:
      - id: Q{n}.1
        title: Work of stage {n}
        clauses: ["{clause}"]
        owner: bwong
        status: planned
"""

POLICY = """\
---
document:
  id: POL-1
  version: "1.0"
  status: approved
  owner: bwong
  approver: tsmith
  approved_on: 2026-11-20
  clauses: ["9.2"]
  template: change-management
---
# Change policy

## Purpose

## Scope

## Policy statements

## Roles and responsibilities

## Compliance and exceptions

## Review and approval

## Related documents
"""


@pytest.fixture
def kookaburra(tmp_path: Path) -> HandbookDir:
    handbook = HandbookDir(tmp_path / "kookaburra")
    handbook.write(
        "mkdocs.yml",
        "site_name: Kookaburra SMS\ndocs_dir: content\n"
        "theme:\n  name: material\n  font: false\nplugins:\n  - sms-handbook\n",
    )
    handbook.write("content/index.md", "# Kookaburra SMS\n")
    handbook.write("content/policies/change.md", POLICY)
    handbook.write("data/organization.yml", ORGANIZATION)
    clauses = ["4.1.1", "6.3.2", "9.2", "4.5.4.2"]  # 2011 numbers; all but 9.2 are absent from 2018
    phases = "".join(PHASE.format(n=n, clause=c) for n, c in enumerate(clauses, 1))
    handbook.write("data/phases.yml", "phases:\n" + phases)
    return committed(handbook)


def test_four_phases_on_the_2011_edition(kookaburra: HandbookDir) -> None:
    result = kookaburra.load()
    assert result.problems == []
    handbook = result.handbook
    assert handbook is not None
    assert [p.id for p in handbook.phases] == ["Q1", "Q2", "Q3", "Q4"]
    assert handbook.standard.id == "iso20000-1:2011"
    assert handbook.organization.timezone == "Australia/Sydney"
    assert handbook.documents["POL-1"].type == "policy"  # implied by its template
    assert handbook.documents["POL-1"].title == "Change policy"  # from the page's heading
    assert handbook.documents["POL-1"].source == "policies/change.md"


def test_it_builds_strict_without_registers(kookaburra: HandbookDir) -> None:
    assert kookaburra.cli("check").returncode == 0
    done = kookaburra.build()
    assert done.returncode == 0, done.stderr


def test_a_2018_only_clause_is_refused(kookaburra: HandbookDir) -> None:
    kookaburra.replace("data/phases.yml", '["9.2"]', '["8.5.1.1"]')
    done = kookaburra.cli("check")
    assert done.returncode == 1
    assert "unknown-clause: clause 8.5.1.1 is not in ISO/IEC 20000-1:2011" in done.stdout


def test_generated_pages_follow_the_organization(kookaburra: HandbookDir) -> None:
    from sms_handbook.core import standards

    assert kookaburra.build().returncode == 0
    site = kookaburra.path("site")
    assert sorted(p.name for p in (site / "phases").iterdir() if p.is_dir()) == [
        "q1",
        "q2",
        "q3",
        "q4",
    ]
    compliance = (site / "compliance/index.html").read_text()
    assert "ISO/IEC 20000-1:2011" in compliance
    for number in ("4.1.1", "4.5.4.2", "6.3.2", "9.2"):
        assert f'id="clause-{number}"' in compliance
    only_2018 = set(c.number for c in standards.standard("iso20000-1:2018").clauses) - set(
        c.number for c in standards.standard("iso20000-1:2011").clauses
    )
    assert "8.5.1.1" in only_2018
    for number in only_2018:
        assert f'id="clause-{number}"' not in compliance
    assert "2018 equivalent" in compliance
    row = compliance[compliance.index('id="clause-9.2"') :].split("</tr>")[0]
    assert "8.5.1" in row  # change management's 2018 clause, from the crosswalk


def test_render_builds_without_the_plugin(kookaburra: HandbookDir) -> None:
    from test_platforms import _environment

    out = kookaburra.root.parent / "plain"
    done = kookaburra.cli("render", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "Kookaburra" in (out / "docs/phases/index.md").read_text("utf-8")
    zensical = _environment(".venv-zensical") / "zensical"
    for command in (["mkdocs", "build", "--strict"], [zensical, "build"]):
        built = run(*command, cwd=out)
        assert built.returncode == 0, built.stderr
        assert "Q4" in (out / "site/phases/q4.html").read_text("utf-8")
        assert (out / "site/documents.json").is_file()
