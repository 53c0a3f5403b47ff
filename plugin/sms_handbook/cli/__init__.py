"""The `sms-handbook` command: a thin layer over `sms_handbook.core`.

One module per command, each with `register(commands)`, which adds the command's
parser and sets its handler as `func`; a new command is a new module and a line in
COMMANDS. What the commands share (exit statuses, opening the project, loading the
handbook, building the site through the pipeline) is in `common`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from .. import __version__
from ..compat import unsupported_mkdocs
from . import (
    actions,
    changes,
    check,
    codeowners,
    export,
    in_force,
    init,
    new,
    record_approvals,
    render,
    reviews,
    verify,
)  # fmt: skip
from .common import EXIT_PROBLEMS, EXIT_USAGE, NotLoaded, Refused, UsageError

#: Every command, in the order `sms-handbook --help` lists them.
COMMANDS = (
    check, new, export, reviews, actions, render, changes, record_approvals, codeowners, init,
    in_force, verify,
)  # fmt: skip


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sms-handbook",
        description="Check, scaffold, export and render an SMS handbook kept in Git.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from ..core.problems import escape

    def said(exc: Exception) -> str:
        """A refusal's message as printed: its lines kept, control characters escaped."""
        return "\n".join(escape(line) for line in str(exc).split("\n"))

    args = _parser().parse_args(argv)
    why = unsupported_mkdocs()
    if why is not None:
        print(why, file=sys.stderr)
        return EXIT_USAGE
    try:
        try:
            status = args.func(args)
        except UsageError as exc:
            print(f"sms-handbook: error: {said(exc)}", file=sys.stderr)
            status = EXIT_USAGE
        except Refused as exc:
            print(f"sms-handbook: refused: {said(exc)}", file=sys.stderr)
            status = EXIT_PROBLEMS
        except NotLoaded:
            status = EXIT_PROBLEMS
        sys.stdout.flush()  # here, where a closed pipe can be caught
    except BrokenPipeError:
        # The reader went away (`sms-handbook check | head`): stop quietly, as a command
        # killed by SIGPIPE does; what is still buffered goes nowhere, not to a traceback.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return 141  # as a shell reports a command that SIGPIPE ended (128 + 13)
    return status
