"""The repository's own handbook (Fernhill IT Services) is complete and builds clean."""

from __future__ import annotations

from collections import Counter

import pytest

from conftest import HandbookDir, committed, copy_exemplar
from sms_handbook.core.model import Handbook


@pytest.fixture
def fernhill(exemplar: HandbookDir) -> Handbook:
    result = exemplar.load()
    assert result.problems == [], [str(p) for p in result.problems]
    assert result.handbook is not None
    return result.handbook


def test_check_passes(exemplar: HandbookDir) -> None:
    done = exemplar.cli("check")
    assert done.returncode == 0, done.stdout + done.stderr


def test_builds_strict(tmp_path) -> None:
    """As it is, with its controlled copies (PDFs)."""
    exemplar = committed(copy_exemplar(tmp_path / "exemplar", pdf=True))
    done = exemplar.build()
    assert done.returncode == 0, done.stderr
    site = exemplar.path("site")
    assert (site / "documents/pol-002/1.1/POL-002-1.1.pdf").is_file()
    assert (site / "policies/change-management/index.html").is_file()
    assert (site / "procedures/incident-management/index.html").is_file()
    # Intranet first: no web fonts from another host.
    assert "fonts.googleapis.com" not in (site / "index.html").read_text(encoding="utf-8")


def test_people_and_phases(fernhill: Handbook) -> None:
    assert 6 <= len(fernhill.organization.people) <= 10
    assert len(fernhill.phases) == 3
    assert all(len(p.activities) >= 5 for p in fernhill.phases)


def test_activities_cover_every_2018_clause_from_4_to_10(fernhill: Handbook) -> None:
    covered = {c for a in fernhill.activities for c in a.clauses}
    required = {
        c.number
        for c in fernhill.standard.clauses
        if int(c.number.split(".")[0]) >= 4 and c.depth >= 2 and c.depth <= 3
    }
    # A parent counts as covered through its subclauses.
    missing = {
        n for n in required if n not in covered and not any(c.startswith(n + ".") for c in covered)
    }
    assert not missing, sorted(missing)


def test_policies_named_by_the_2018_edition(fernhill: Handbook) -> None:
    templates = {d.template for d in fernhill.documents.values() if d.type == "policy"}
    assert {"service-management", "change-management", "information-security"} <= templates


def test_register_size_and_types(fernhill: Handbook) -> None:
    assert len(fernhill.documents) >= 20
    types = Counter(d.type for d in fernhill.documents.values())
    for kind in ("policy", "plan", "procedure", "record", "agreement", "catalogue"):
        assert types[kind] >= 1, kind
    records = [d for d in fernhill.documents.values() if d.type == "record"]
    assert all(d.retention for d in records)


def test_every_document_is_a_deliverable(fernhill: Handbook) -> None:
    delivered = {d for a in fernhill.activities for d in a.deliverables}
    assert set(fernhill.documents) <= delivered
