"""One case per validation rule (tests/bad_inputs.py), through the core: the code, the
file and the line of the problem it reports."""

from __future__ import annotations

import time

import pytest

from bad_inputs import CASES, Case
from conftest import HandbookDir


def test_the_fixture_is_clean(minimal: HandbookDir) -> None:
    result = minimal.load()
    assert result.problems == []
    assert result.handbook is not None
    assert set(result.handbook.documents) == {"POL-001", "PRC-001", "REC-001"}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_rule(minimal: HandbookDir, case: Case) -> None:
    case.edit(minimal)
    result = minimal.load()
    line = minimal.line_of(case.path, case.needle) if case.needle else 1
    found = [p for p in result.problems if p.code == case.code]
    assert found, f"no {case.code} in {[str(p) for p in result.problems]}"
    located = [p for p in found if (p.path, p.line) == (case.path, line)]
    assert located, f"expected {case.path}:{line}, got {[str(p) for p in found]}"
    assert case.message in located[0].message
    assert located[0].severity == case.severity
    if case.severity == "error":
        assert result.handbook is None


def test_every_data_code_has_a_case() -> None:
    from sms_handbook.core.problems import CODES

    # Tested in test_history, test_cli, test_render, test_change_control(_edges),
    # test_codeowners_init, test_controlled_copies:
    found_while_building = {
        "no-history", "shallow-clone", "review-overdue", "macro", "unknown-username",
        "uncontrolled-change", "version-decreased", "document-removed", "no-username",
        "approval-by-other", "no-approval", "control-since", "unreadable-approval",
        "withheld-include", "pdf-engine",
    }  # fmt: skip
    assert {c.code for c in CASES.values()} == set(CODES) - found_while_building


def test_alias_bomb_is_rejected_within_a_second(minimal: HandbookDir) -> None:
    CASES["alias bomb"].edit(minimal)  # a billion laughs: 10^9 values from 9 lines
    start = time.perf_counter()
    result = minimal.load()
    assert time.perf_counter() - start < 1.0
    assert "yaml-too-complex" in [p.code for p in result.problems]


def test_sources_are_compared_as_normalised_paths(minimal: HandbookDir) -> None:
    minimal.replace("data/policies.yml", "policies/change.md", "./policies/../policies/change.md")
    result = minimal.load()
    assert result.problems == []
    assert result.handbook is not None
    assert result.handbook.documents["POL-001"].source == "policies/change.md"
