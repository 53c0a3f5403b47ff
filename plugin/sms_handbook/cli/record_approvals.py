"""`sms-handbook record-approvals`: a merged pull request's approvals, as the forge
reports them, recorded as a Git note on its commit (refs/notes/sms-approvals)."""

from __future__ import annotations

import argparse
import sys

from ..core.people import FORGES
from .common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    NotLoaded,
    UsageError,
    add_command,
    failed,
    load,
    opened,
    print_problems,
    read_input,
)


def register(commands: argparse._SubParsersAction) -> None:
    approvals = add_command(
        commands,
        "record-approvals",
        "record a merged pull request's approvals from the forge as a Git note on its commit",
    )
    approvals.add_argument(
        "--commit", required=True, metavar="REF", help="the merge (or squash) commit"
    )
    approvals.add_argument(
        "--from",
        dest="source",
        required=True,
        metavar="FILE",
        help="the forge's answer as JSON: GitHub's reviews of the pull request, or "
        "GitLab's approvals of the merge request ('-': standard input)",
    )
    approvals.add_argument("--forge", choices=FORGES, default="github", help="default: github")
    approvals.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..core import approvals
    from ..core.git import notes, snapshot
    from ..core.git.history import GitError, repo_info

    project = opened(args.config_file)
    try:  # the commit first: whatever the forge says, it is recorded on that one
        top = repo_info(project.options.root).toplevel
        commit = snapshot.resolve(top, args.commit)
    except GitError as exc:
        raise UsageError(str(exc)) from None
    result = load(project)
    if failed(result):
        raise NotLoaded
    assert result.handbook is not None
    text, shown = read_input(args.source)
    try:
        found, problems = approvals.from_forge(
            text, args.forge, result.handbook.organization, shown
        )
    except approvals.ForgeDataError as exc:
        raise UsageError(f"{shown}: {exc}") from None
    print_problems(problems)
    if problems:
        print("nothing recorded: every approver must be a person", file=sys.stderr)
        return EXIT_PROBLEMS
    if not found:
        print("no approval to record: the forge reports none", file=sys.stderr)
        return EXIT_OK
    try:
        note = approvals.merged_note(notes.read(top, commit), found)
        notes.write(top, commit, note)
    except GitError as exc:
        raise UsageError(str(exc)) from None
    who = ", ".join(a.name for a in found) or "no approval"
    print(f"recorded on {commit[:8]}: {who}", file=sys.stderr)
    return EXIT_OK
