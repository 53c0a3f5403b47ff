"""The loader: positions of values, and its cache across `mkdocs serve` rebuilds."""

from __future__ import annotations

import os
import time

from conftest import PROJECT, HandbookDir
from sms_handbook.core.data import yamlio
from sms_handbook.core.data.loader import HandbookLoader
from sms_handbook.core.problems import CODES


def test_values_keep_their_lines_and_literal_keys() -> None:
    data = yamlio.load_text("a: 1\nlist:\n  - x: 2026-02-30\n    no: yes\n  - 3\n")
    assert data.key_line("list") == 2
    assert data["list"].item_lines == [3, 5]
    assert data["list"][0].value_line("no") == 4
    assert "no" in data["list"][0]  # not False: keys keep their text
    assert data["list"][0]["x"] == "2026-02-30"  # dates stay text for the schema


def test_front_matter_lines_are_file_lines(minimal: HandbookDir) -> None:
    minimal.replace("content/policies/change.md", "approver: mkhan", "approver: zed")
    problem = next(p for p in minimal.load().problems if p.code == "unknown-person")
    assert (problem.path, problem.line) == ("content/policies/change.md", 8)


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ["a: &a [" + ",".join(["lol"] * 9) + "]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    started = time.perf_counter()
    try:
        yamlio.load_text("\n".join(lines))
    except yamlio.YamlError as exc:
        assert exc.code == "yaml-too-complex"
    else:
        raise AssertionError("alias bomb was accepted")
    assert time.perf_counter() - started < 1.0


def test_recursive_alias_and_deep_nesting_are_refused() -> None:
    cases = {
        "a: &a [*a]\n": "yaml-syntax",
        "x: " + "[" * 100 + "]" * 100 + "\n": "yaml-too-complex",
    }
    for text, code in cases.items():
        try:
            yamlio.load_text(text)
        except yamlio.YamlError as exc:
            assert exc.code == code
        else:
            raise AssertionError(f"accepted {text[:20]!r}")


def test_cache_rereads_only_changed_files(minimal: HandbookDir) -> None:
    loader = HandbookLoader(minimal.root, minimal.path("data"), minimal.path("content"))
    first = loader.load()
    assert first.handbook is not None
    cached = dict(loader._cache)
    second = loader.load()
    assert all(loader._cache[k][1] is cached[k][1] for k in cached)  # nothing re-read
    assert second.handbook == first.handbook

    phases = minimal.path("data/phases.yml")
    minimal.replace("data/phases.yml", "Foundations", "Foundations, revised")
    stat = phases.stat()
    os.utime(phases, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    third = loader.load()
    assert third.handbook is not None
    assert third.handbook.phases[0].title == "Foundations, revised"
    assert loader._cache[(phases, "")][1] is not cached[(phases, "")][1]
    organization = minimal.path("data/organization.yml")
    assert loader._cache[(organization, "")][1] is cached[(organization, "")][1]


def test_the_reference_lists_every_problem_code() -> None:
    readme = (PROJECT / "docs/problems.md").read_text(encoding="utf-8")
    for code in CODES:
        assert f"| `{code}` |" in readme, code
