"""The bad-input suite: every case in tests/bad_inputs.py, through the real commands.

Each broken handbook must make `sms-handbook check` exit 1 and `mkdocs build` fail, both
with a one-line message naming the file and line (and the problem's code), and neither
may print a traceback. Warnings fail `check` and `mkdocs build --strict`.
"""

from __future__ import annotations

import subprocess

import pytest

from bad_inputs import CASES, Case
from conftest import HandbookDir, run


def _lines(done: subprocess.CompletedProcess) -> list[str]:
    output = done.stdout + done.stderr
    assert "Traceback" not in output, output
    return output.splitlines()


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_bad_input_fails_check_and_build(minimal: HandbookDir, case: Case) -> None:
    case.edit(minimal)
    if case.path.startswith("templates/"):
        option = "  - sms-handbook:\n      templates_dir: templates\n"
        minimal.replace("mkdocs.yml", "  - sms-handbook\n", option)
    line = minimal.line_of(case.path, case.needle) if case.needle else 1
    where = f"{case.path}:{line}: {case.severity}: {case.code}: "

    check = minimal.cli("check")
    assert check.returncode == 1, check.stdout + check.stderr
    said = [text for text in _lines(check) if text.startswith(where)]
    assert said, f"no line starting {where!r} in:\n{check.stdout}{check.stderr}"
    assert case.message in said[0]

    strict = ("--strict",) if case.severity == "warning" else ()
    build = run("mkdocs", "build", *strict, cwd=minimal.root)
    assert build.returncode == 1, build.stdout + build.stderr
    said = [text for text in _lines(build) if where in text]
    assert said, f"no line with {where!r} in:\n{build.stderr}"
    assert case.message in said[0]
