"""`sms-handbook render`: the pipeline's output as a plain folder (see ../render.py)."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from .common import EXIT_OK, EXIT_PROBLEMS, Refused, UsageError, add_command, opened, print_problems


def register(commands: argparse._SubParsersAction) -> None:
    render = add_command(
        commands,
        "render",
        "write the handbook as a plain folder any Markdown site generator builds",
    )
    render.add_argument(
        "--out", required=True, type=Path, metavar="DIR", help="the folder to write"
    )
    render.add_argument(
        "--as-of",
        metavar="DATE",
        help="the handbook as in force on DATE (YYYY-MM-DD): the data and history of that "
        "day, each document at its version in force then",
    )
    render.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..core.site.pipeline import HandbookError
    from ..render import RenderError, render

    day = None
    if args.as_of is not None:
        try:
            day = date.fromisoformat(args.as_of)
        except ValueError:
            raise UsageError(f"--as-of must be a date, YYYY-MM-DD, not {args.as_of!r}") from None
    project = opened(args.config_file)
    try:
        if day is not None:
            from ..as_of import render_as_of

            build = render_as_of(project, args.out, day)
        else:
            build = render(project, args.out)
    except HandbookError as exc:
        print_problems(exc.problems)
        return EXIT_PROBLEMS
    except RenderError as exc:
        print_problems(exc.problems)
        raise Refused(str(exc)) from None
    except ValueError as exc:  # SOURCE_DATE_EPOCH
        raise UsageError(str(exc)) from None
    print_problems(build.problems)
    for notice in build.notices:
        print(f"sms-handbook: {notice}", file=sys.stderr)
    print(
        f"wrote {args.out}: {len(project.pages) + len(build.pages)} pages, "
        f"{len(build.site.register)} documents. Build it with `cd {args.out} && mkdocs build`, "
        "`properdocs build` or `zensical build`.",
        file=sys.stderr,
    )
    return EXIT_OK
