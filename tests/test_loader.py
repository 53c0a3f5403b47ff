"""The loader: positions of values, and its cache across `mkdocs serve` rebuilds."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from bad_inputs import CASES
from conftest import PROJECT, HandbookDir, run
from sms_handbook.core.data import schema_passes, schemas, yamlio
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


LOAD_TWICE = """
import sys
from pathlib import Path
from sms_handbook.core.data.loader import HandbookLoader
root, kept = Path(sys.argv[1]), Path(sys.argv[2])
result = HandbookLoader(root, root / "data", root / "content", cache_dir=kept).load()
print(len(result.problems), "jsonschema" in sys.modules)
"""


def test_values_that_passed_are_not_checked_again(minimal: HandbookDir, tmp_path: Path) -> None:
    """A load keeps the digests of the values that passed their schema; the next load of
    the same data never loads jsonschema. A file not of the shape written is no cache;
    a value that fails is never kept."""
    kept = tmp_path / "cache"
    file = kept / schema_passes.FILE

    def load() -> str:
        done = run(sys.executable, "-c", LOAD_TWICE, minimal.root, kept, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        return done.stdout.split()  # type: ignore[return-value]

    assert load() == ["0", "True"]
    passes = json.loads(file.read_text())["passes"]
    assert len(passes) == 6  # four data files, two document pages' front matter
    assert load() == ["0", "False"]
    for broken in ("not the cache's", json.dumps({"format": 1, "passes": [1, 2]})):
        file.write_text(broken)
        assert load() == ["0", "True"]
        assert json.loads(file.read_text())["passes"] == passes
    CASES["bad username"].edit(minimal)
    assert load() == ["1", "True"]
    after = json.loads(file.read_text())["passes"]
    assert len(after) == len(passes) - 1 and set(after) < set(passes)


def test_check_checks_every_value(minimal: HandbookDir) -> None:
    """`sms-handbook check` keeps no passes and trusts none: a planted one (the digest
    of a value that fails) hides nothing from it."""
    CASES["bad username"].edit(minimal)
    organization = yamlio.load_file_bytes(minimal.path("data/organization.yml").read_bytes())
    kept = minimal.path(".cache/plugin/sms-handbook")
    passes = schemas.passes_in(kept)
    key = passes.key("organization", organization)
    assert key is not None
    passes.passed(key)
    passes.save()
    assert json.loads((kept / schema_passes.FILE).read_text())["passes"] == [key]
    done = minimal.cli("check")
    assert done.returncode != 0 and "invalid-value" in done.stdout + done.stderr


def test_the_reference_lists_every_problem_code() -> None:
    readme = (PROJECT / "docs/problems.md").read_text(encoding="utf-8")
    for code in CODES:
        assert f"| `{code}` |" in readme, code
