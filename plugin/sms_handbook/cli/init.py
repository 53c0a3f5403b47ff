"""`sms-handbook init`: start a new handbook repository (never overwrites)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from ..core.atomic import write_atomically
from ..core.people import FORGES
from .common import EXIT_OK, EXIT_PROBLEMS, Refused, UsageError


def register(commands: argparse._SubParsersAction) -> None:
    # No -f: there is no handbook yet.
    init = commands.add_parser(
        "init",
        help="start a new handbook repository in DIR (never overwrites)",
        description="start a new handbook repository in DIR (never overwrites)",
    )
    init.add_argument(
        "dir", nargs="?", default=Path("."), type=Path, metavar="DIR", help="default: ."
    )
    init.add_argument(
        "--forge",
        choices=FORGES,
        default="github",
        help="whose CI configuration to write (default: github)",
    )
    init.add_argument(
        "--requirement",
        default="sms-handbook",
        metavar="SPEC",
        help="what CI installs with pip: a requirement (sms-handbook==1.0), a release "
        "wheel's URL or git+https://HOST/REPO.git@TAG (default: %(default)s)",
    )
    init.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..core import clock, starter
    from ..core.git import repository

    folder: Path = args.dir
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is not a folder")
    try:
        today = clock.today("UTC")
    except ValueError as exc:  # SOURCE_DATE_EPOCH
        raise UsageError(str(exc)) from None
    name = starter.organization_name(folder.resolve().name)
    try:
        made = starter.starter_files(
            args.forge, name=name, today=today, requirement=args.requirement
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    paths = [f.path for f in made]
    handbook = [n for n in starter.CONFIG_FILES if os.path.lexists(folder / n)]
    if handbook:
        raise Refused(f"{folder} already holds a handbook ({', '.join(handbook)}); wrote nothing")
    taken = [p for p in paths if _taken(folder, p)]
    if taken:
        raise Refused(
            f"{folder} already holds {', '.join(taken)}; init never overwrites, so it "
            "wrote nothing (start in an empty folder)"
        )
    _write_all(folder, {f.path: f.text for f in made})
    told, failed = repository.start(folder, paths)
    _tell(folder, paths, told, args.forge)
    if failed is not None:
        print(f"sms-handbook: error: git: {failed}", file=sys.stderr)
        return EXIT_PROBLEMS
    return EXIT_OK


def _tell(folder: Path, paths: Sequence[str], told: Sequence[str], forge: str) -> None:
    """What `init` made, and what to do next (on standard output)."""
    here = os.path.relpath(folder)
    print(f"created an SMS handbook in {here}:")
    print(*(f"  {p}" for p in paths), *told, sep="\n")
    option = "" if forge == "github" else " --forge gitlab"
    steps = [
        ("edit data/organization.yml", f"the name, the scope, people and their {forge} usernames"),
        ("sms-handbook check", "validate the data and the pages"),
        ("mkdocs serve", "preview the handbook at http://127.0.0.1:8000/"),
        (f"sms-handbook codeowners{option}", "approvers own their pages (CI checks it)"),
        ("sms-handbook new policy --id POL-001 ...", "write the first policy"),
    ]
    lines = [] if here == "." else [f"  cd {here}"]
    lines += [f"  {do:<42} {what}" for do, what in steps]
    print("next:", *lines, sep="\n")


def _taken(folder: Path, relative: str) -> bool:
    """Whether writing `relative` under `folder` would replace or pass through something:
    the file exists, or a folder on its way is a file or a symbolic link."""
    if os.path.lexists(folder / relative):
        return True
    for parent in list(Path(relative).parents)[:-1]:
        path = folder / parent
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            return True
    return False


def _write_all(folder: Path, texts: dict[str, str]) -> None:
    """Write every file or none: what was written is removed when one cannot be."""
    written: list[Path] = []
    target = folder
    try:
        for relative, text in texts.items():
            target = folder / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(target, text.encode("utf-8"), replace=False)
            written.append(target)
    except OSError as exc:
        for path in written:
            path.unlink(missing_ok=True)
        if isinstance(exc, FileExistsError):
            raise Refused(f"{target} appeared meanwhile; wrote nothing") from None
        raise Refused(f"cannot write {target}: {exc.strerror}; wrote nothing") from None
