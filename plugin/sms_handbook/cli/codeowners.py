"""`sms-handbook codeowners`: CODEOWNERS written (or checked) so that approvers own
their documents' pages and the forge enforces it (core/codeowners.py)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..core.atomic import write_atomically
from ..core.git import repository
from ..core.git.history import GitError
from ..core.people import FORGES
from .common import EXIT_OK, EXIT_PROBLEMS, Refused, UsageError, add_command, loaded


def register(commands: argparse._SubParsersAction) -> None:
    codeowners = add_command(
        commands,
        "codeowners",
        "write CODEOWNERS: approvers own their documents' pages (forge-enforced)",
    )
    codeowners.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="PATH",
        help="the file to write (default: .github/CODEOWNERS if .github/ exists, else "
        "CODEOWNERS, at the top of the repository)",
    )
    codeowners.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 unless the file is current"
    )
    codeowners.add_argument(
        "--forge",
        choices=FORGES,
        help="whose usernames to use (default: from PATH, else from people's usernames)",
    )
    codeowners.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..core import codeowners
    from ..core.data.loader import display_path

    project, result = loaded(args.config_file)
    hb = result.handbook
    assert hb is not None
    o = project.options
    try:
        top = repository.top(o.root)
    except GitError as exc:
        raise UsageError(str(exc)) from None
    output = args.output or repository.codeowners_file(top)
    if output.is_dir():
        raise UsageError(f"{output} is a folder; give the CODEOWNERS file to write with -o")
    at = repository.from_top(output, top)
    templates = None
    if o.templates_dir is not None:
        templates = _required_from_top(o.root / o.templates_dir, top, "templates_dir")
    organization = o.root / o.data_dir / "organization.yml"
    made = codeowners.build(
        hb,
        forge=codeowners.choose_forge(args.forge, at, hb.organization.people.values()),
        data_dir=_required_from_top(o.root / o.data_dir, top, "data_dir"),
        docs_dir=_required_from_top(o.docs_dir, top, "docs_dir"),
        config_file=repository.from_top(project.config_file, top),
        templates_dir=templates,
        output=at,
        where=codeowners.organization_where(
            organization.read_bytes(), display_path(organization, o.root)
        ),
    )
    for problem in made.problems:
        print(problem, file=sys.stderr)
    shown = os.path.relpath(output)
    if not made.complete:
        print(f"sms-handbook: {shown} not written: fix the errors above", file=sys.stderr)
        return EXIT_PROBLEMS
    current = _read_text(output)
    if args.check:
        return _check(shown, current, made.text)
    if current is not None and not codeowners.is_generated(current):
        raise Refused(
            f"{shown} was not written by `sms-handbook codeowners`; not overwriting it "
            "(move it away, or pass -o PATH to write elsewhere)"
        )
    if current == made.text:
        print(f"{shown} is current", file=sys.stderr)
        return EXIT_OK
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(output, made.text.encode("utf-8"), replace=current is not None)
    except FileExistsError:
        raise Refused(f"{shown} appeared meanwhile; not overwriting it") from None
    except OSError as exc:
        raise Refused(f"cannot write {shown}: {exc.strerror}") from None
    print(f"wrote {shown} ({len(made.rules)} rules, {made.forge} usernames)", file=sys.stderr)
    return EXIT_OK


def _check(shown: str, current: str | None, expected: str) -> int:
    """`codeowners --check`: 0 when the file on disk is what would be written."""
    import difflib

    from ..core.codeowners import is_generated

    if current == expected:
        print(f"{shown} is current", file=sys.stderr)
        return EXIT_OK
    if current is None:
        why = "does not exist"
    elif not is_generated(current):
        why = "was not written by `sms-handbook codeowners` (move it away, or use -o PATH)"
    else:
        why = "is out of date"
        diff = difflib.unified_diff(
            current.splitlines(keepends=True),
            expected.splitlines(keepends=True),
            shown,
            f"{shown} (as it should be)",
        )
        sys.stdout.writelines(diff)
    print(
        f"sms-handbook: {shown} {why}: run `sms-handbook codeowners` and commit the result",
        file=sys.stderr,
    )
    return EXIT_PROBLEMS


def _required_from_top(path: Path, top: Path, what: str) -> str:
    found = repository.from_top(path, top)
    if found is None:
        raise UsageError(f"{what} {path} lies outside the repository at {top}")
    return found


def _read_text(path: Path) -> str | None:
    """A text file's content with Unix line ends, or None when there is none."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise Refused(f"cannot read {path}: {exc.strerror}") from None
    return data.decode("utf-8", errors="replace").replace("\r\n", "\n")
