"""`sms-handbook reviews`: the documents whose review is overdue or due soon."""

from __future__ import annotations

import argparse
import sys

from .common import EXIT_OK, UsageError, add_command, loaded


def register(commands: argparse._SubParsersAction) -> None:
    reviews = add_command(commands, "reviews", "list documents whose review is overdue or due soon")
    reviews.add_argument(
        "--within",
        type=int,
        metavar="DAYS",
        help="due within DAYS from today (default: the organization's review_warning_days)",
    )
    reviews.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..core import clock
    from ..core.problems import escape
    from ..core.reviews import review_state

    _, result = loaded(args.config_file)
    hb = result.handbook
    assert hb is not None
    organization = hb.organization
    try:
        today = clock.today(organization.timezone)
    except ValueError as exc:  # SOURCE_DATE_EPOCH
        raise UsageError(str(exc)) from None
    within = organization.review_warning_days if args.within is None else args.within
    if within < 0:
        raise UsageError("--within must be 0 or more days")
    due = []  # each document's next review and its state, as the register has them
    for doc in hb.documents.values():
        when, state = review_state(doc, organization, today)
        if when is not None and (when - today).days <= within:
            due.append((when, state, doc))
    for when, state, doc in sorted(due, key=lambda d: (d[0], d[2].id)):
        owner = organization.people.get(doc.owner)
        fields = [
            str(when),
            "overdue" if state == "overdue" else "due-soon",
            doc.id,
            doc.title,
            owner.name if owner else doc.owner,
            owner.email if owner else "",
        ]
        # A tab, a line break or a control character inside a field is escaped (`\x1b`):
        # it would break the columns, or drive the terminal.
        print("\t".join(escape(field) for field in fields))
    print(f"{len(due)} document(s) due within {within} days of {today}", file=sys.stderr)
    return EXIT_OK
