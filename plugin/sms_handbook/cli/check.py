"""`sms-handbook check`: validate the data files and the pages' front matter."""

from __future__ import annotations

import argparse
import sys

from ..core.data.loader import DATA_FILES
from .common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    UsageError,
    add_command,
    failed,
    load,
    loader_of,
    opened,
    print_problems,
)


def register(commands: argparse._SubParsersAction) -> None:
    check = add_command(commands, "check", "validate the data files and document front matter")
    check.add_argument(
        "--fail-on-overdue", action="store_true", help="exit 1 when a review is overdue"
    )
    check.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..core.site.pipeline import publication_problems

    project = opened(args.config_file)
    loader = loader_of(project)
    result = load(project, loader)
    if failed(result) or result.problems:
        return EXIT_PROBLEMS
    assert result.handbook is not None
    hb = result.handbook
    found = publication_problems(project.options, loader, hb, project.pages, project.assets)
    if found:
        print_problems(found)
        return EXIT_PROBLEMS
    if args.fail_on_overdue:
        from ..core import clock
        from ..core.reviews import overdue_problems

        try:
            today = clock.today(hb.organization.timezone)
        except ValueError as exc:  # SOURCE_DATE_EPOCH
            raise UsageError(str(exc)) from None
        overdue = overdue_problems(hb, today)
        print_problems(overdue)
        if overdue:
            print(f"{len(overdue)} review(s) overdue", file=sys.stderr)
            return EXIT_PROBLEMS
    print(
        f"ok: {hb.organization.name}: {len(hb.phases)} phases, {len(hb.activities)} activities, "
        f"{len(hb.documents)} documents ({hb.standard.title})",
        file=sys.stderr,
    )
    absent = [f"{name}.yml" for name in DATA_FILES if name not in hb.data_files]
    read = ", ".join(f"{name}.yml" for name in hb.data_files)
    print(
        f"read {read}" + (f"; optional, not present: {', '.join(absent)}" if absent else ""),
        file=sys.stderr,
    )
    return EXIT_OK
