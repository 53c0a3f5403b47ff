"""`sms-handbook actions`: the actions from data/actions.yml with the state each is in
today, what needs attention first; `--overdue` for a scheduled reminder."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..core.improvement import ACTION_STATES, SETTLED
from .common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    NotLoaded,
    UsageError,
    add_command,
    failed,
    loader_of,
    opened,
    print_problems,
)

if TYPE_CHECKING:
    from ..core.improvement import Action, Tracker
    from ..core.model import Person


def register(commands: argparse._SubParsersAction) -> None:
    command = add_command(
        commands, "actions", "list the actions that are not settled, what needs attention first"
    )
    command.description = (
        "List the actions of data/actions.yml with their state today (overdue, not "
        "effective, awaiting verification, open first), each with its owner and what it "
        "was raised for. Every action is listed, those withheld from the site too (the "
        "document controller's own terminal): never publish the output."
    )
    which = command.add_mutually_exclusive_group()
    which.add_argument(
        "--overdue",
        action="store_true",
        help="only the overdue actions; exit 1 when there are any (for a scheduled reminder)",
    )
    which.add_argument(
        "--state",
        action="append",
        choices=list(ACTION_STATES),
        metavar="STATE",
        help="only actions in this state (repeat for more): " + ", ".join(ACTION_STATES),
    )
    which.add_argument(
        "--all", action="store_true", help="the settled ones too (" + " and ".join(SETTLED) + ")"
    )
    command.add_argument("--owner", metavar="KEY", help="only the actions of this person")
    command.add_argument("--format", choices=("text", "json"), default="text")
    command.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..core import clock, json_text
    from ..core.improvement import tracker
    from ..core.problems import did_you_mean

    project = opened(args.config_file)
    result = loader_of(project).load(project.pages)
    if failed(result):
        print_problems(result.problems)  # as `check` prints them
        raise NotLoaded
    # Warnings alone: on standard error, never into the list (or the JSON).
    print_problems(result.problems, file=sys.stderr)
    hb = result.handbook
    assert hb is not None
    people = hb.organization.people
    if args.owner is not None and args.owner not in people:
        raise UsageError(
            f"--owner '{args.owner}' is not a key under people{did_you_mean(args.owner, people)}"
        )
    try:
        today = clock.today(hb.organization.timezone)
    except ValueError as exc:  # SOURCE_DATE_EPOCH
        raise UsageError(str(exc)) from None
    if "actions" not in hb.data_files:
        if args.format == "json":
            sys.stdout.write(json_text.indented([]))
        print(
            "no actions: there is no actions.yml in the data folder (add the first with "
            "`sms-handbook new action`)",
            file=sys.stderr,
        )
        return EXIT_OK
    if args.overdue:
        states, what = ["overdue"], "overdue"
    elif args.state:
        states, what = args.state, "in state " + " or ".join(dict.fromkeys(args.state))
    elif args.all:
        states, what = None, "in all"
    else:
        states = [s for s in ACTION_STATES if s not in SETTLED]
        what = "not " + " or ".join(SETTLED)
    track = tracker(hb, today)
    listed = track.listed(states, args.owner)
    if args.format == "json":
        sys.stdout.write(json_text.indented([_as_json(track, a, people) for a in listed]))
    else:
        _print_text(track, listed, people, project.options.max_classification)
    whose = f" of {args.owner}" if args.owner else ""
    print(f"{len(listed)} action(s){whose} {what} on {today}", file=sys.stderr)
    return EXIT_PROBLEMS if args.overdue and listed else EXIT_OK


def _as_json(track: Tracker, action: Action, people: Mapping[str, Person]) -> dict[str, object]:
    person = people.get(action.owner)
    return {
        "id": action.id,
        "title": action.title,
        "kind": action.kind,
        "owner": action.owner,
        "owner_name": person.name if person else action.owner,
        "due": action.due.isoformat(),
        "status": action.status,
        "state": track.state(action),
        "done_on": action.done_on.isoformat() if action.done_on else None,
        "classification": action.classification,
        "origins": [{"kind": o.kind, "id": o.id} for o in track.origins.get(action.id, ())],
    }


def _print_text(
    track: Tracker, listed: list[Action], people: Mapping[str, Person], max_classification: str
) -> None:
    """One line per action, the columns aligned; a header first."""
    from ..core.problems import escape
    from ..core.register import allowed

    rows = []
    for action in listed:
        person = people.get(action.owner)
        when = f"done {action.done_on}" if action.done_on else f"due {action.due}"
        origins = "; ".join(
            f"{o.kind.replace('-', ' ')} {o.id}" for o in track.origins.get(action.id, ())
        )
        title = action.title + (f"  ({origins})" if origins else "")
        if not allowed(action.classification, max_classification):
            title += f"  [withheld: {action.classification}]"
        # A tab, a line break or a control character is escaped (`\x1b`): it would break
        # the columns, or drive the terminal.
        fields = [action.id, track.state(action), when, person.name if person else action.owner]
        rows.append([escape(field) for field in [*fields, title]])
    if not rows:
        return
    rows.insert(0, ["ID", "STATE", "DATE", "OWNER", "TITLE"])
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        print("  ".join([*(f.ljust(w) for f, w in zip(row, widths, strict=False)), row[4]]))
