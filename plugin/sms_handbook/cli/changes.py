"""`sms-handbook changes`: what a branch (or the work tree) changes in controlled
documents, judged by the change-control rules (core/changes.py)."""

from __future__ import annotations

import argparse
import sys

from ..core.people import FORGES
from .common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    UsageError,
    add_command,
    opened,
    print_problems,
    read_input,
)


def register(commands: argparse._SubParsersAction) -> None:
    changes = add_command(
        commands,
        "changes",
        "check what a branch (or the work tree) changes in controlled documents",
    )
    changes.add_argument(
        "--base",
        metavar="REF",
        help="compare with REF (default: the merge base of HEAD with origin's default "
        "branch, else with main or master)",
    )
    changes.add_argument(
        "--head", metavar="REF", help="the change to check (default: the work tree)"
    )
    changes.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    changes.add_argument(
        "--reviews",
        metavar="FILE",
        help="the forge's reviews of the pull request as JSON, as record-approvals reads "
        "them ('-': standard input); counted beside the branch's Approved-by: trailers",
    )
    changes.add_argument("--forge", choices=FORGES, default="github", help="default: github")
    changes.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..core import changes
    from ..core.approvals import ForgeDataError
    from ..core.git.history import GitError
    from ..core.git.snapshot import NoBase

    project = opened(args.config_file)
    o = project.options
    reviews = None
    if args.reviews is not None:
        text, shown = read_input(args.reviews)
        reviews = changes.ForgeReviews(text, args.forge, shown)
    try:
        found = changes.pending(
            o.root, o.data_dir, o.docs_dir, o.templates_dir, project.pages,
            base=args.base, head=args.head, reviews=reviews,
        )  # fmt: skip
    except (GitError, NoBase) as exc:
        raise UsageError(str(exc)) from None
    except ForgeDataError as exc:
        raise UsageError(f"{args.reviews}: {exc}") from None
    except changes.BaseUnreadable as exc:
        print_problems(exc.problems)
        raise UsageError(f"{exc}; check it out and run `sms-handbook check`") from None
    if args.format == "json":
        sys.stdout.write(changes.as_json(found.changes, found.base, found.head, found.problems))
    elif args.format == "markdown":
        sys.stdout.write(
            changes.as_markdown(found.changes, found.organization, found.label, found.problems)
        )
    else:
        sys.stderr.write(changes.as_text(found.changes, found.organization, found.label))
        print_problems(found.problems)
    errors = [p for p in found.problems if p.severity == "error"]
    if errors:
        print(f"{len(errors)} error(s): the change is not ready", file=sys.stderr)
        return EXIT_PROBLEMS
    return EXIT_OK
