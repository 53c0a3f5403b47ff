"""The plugin under ProperDocs 1.6 (the drop-in fork of MkDocs 1.6), and refused by MkDocs 2.
Zensical, which runs no plugins, builds the folder of `sms-handbook render`
(tests/test_render.py).

Each runs from its own environment, made by scripts/setup-platforms (scripts/test
makes them). Outside CI a missing environment skips these tests; in CI it fails them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import EPOCH_2026_11_27, PROJECT, HandbookDir, run


def _environment(name: str) -> Path:
    folder = PROJECT / name
    if not (folder / "bin" / "python").exists():
        if os.environ.get("CI"):
            pytest.fail(f"{name} is missing: scripts/test makes it with scripts/setup-platforms")
        pytest.skip(f"{name} is missing: run scripts/setup-platforms")
    return folder / "bin"


def test_properdocs_builds_the_handbook(exemplar: HandbookDir) -> None:
    properdocs = _environment(".venv-properdocs") / "properdocs"
    env = {"SOURCE_DATE_EPOCH": EPOCH_2026_11_27}
    done = run(properdocs, "build", "--strict", cwd=exemplar.root, env=env)
    assert done.returncode == 0, done.stderr
    assert "properdocs.yml" in done.stderr  # ProperDocs built it, not MkDocs
    site = exemplar.path("site")
    policy = (site / "policies/change-management/index.html").read_text("utf-8")
    assert "smsh-docmeta" in policy and "smsh-history" in policy
    assert (site / "documents.json").is_file() and (site / "compliance/index.html").is_file()

    # Our warnings reach ProperDocs' counter: --strict fails on them.
    exemplar.replace("data/documents.yml", "    retention: 3 years after closure\n", "")
    assert run(properdocs, "build", cwd=exemplar.root, env=env).returncode == 0
    strict = run(properdocs, "build", "--strict", cwd=exemplar.root, env=env)
    assert strict.returncode == 1
    assert "warning: missing-retention" in strict.stderr
    assert "Traceback" not in strict.stderr


def test_mkdocs_2_is_refused_with_a_clear_message(minimal: HandbookDir) -> None:
    bin_dir = _environment(".venv-mkdocs2")
    code = "import mkdocs; print(mkdocs.__version__)"
    version = run(bin_dir / "python", "-c", code, cwd=minimal.root)
    assert version.stdout.startswith("2."), version.stdout
    check = run(bin_dir / "sms-handbook", "check", cwd=minimal.root)
    assert check.returncode == 2
    assert "needs MkDocs 1.6 or ProperDocs 1.6, but MkDocs 2." in check.stderr
    assert "pip install 'mkdocs<2'" in check.stderr
    assert "Traceback" not in check.stderr
    imported = run(bin_dir / "python", "-c", "import sms_handbook.mkdocs.plugin", cwd=minimal.root)
    assert imported.returncode == 1
    assert "ImportError: sms-handbook needs MkDocs 1.6 or ProperDocs 1.6" in imported.stderr
