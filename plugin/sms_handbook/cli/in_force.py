"""`sms-handbook in-force`: each document's version in force on a date."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from .common import EXIT_OK, UsageError, add_command, built, opened


def register(commands: argparse._SubParsersAction) -> None:
    command = add_command(
        commands, "in-force", "list each document's version in force on a date"
    )
    command.add_argument("--date", required=True, metavar="DATE", help="YYYY-MM-DD")
    command.add_argument("--format", choices=("text", "json", "csv"), default="text")
    command.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..core import in_force, json_text
    from ..core.problems import escape
    from ..core.site.exports import table_csv

    try:
        day = date.fromisoformat(args.date)
    except ValueError:
        raise UsageError(f"--date '{escape(args.date)}' is not a date (YYYY-MM-DD)") from None
    project = opened(args.config_file)
    register = built(project, project.options).site.with_revisions().register
    found = in_force.on(register, day)
    if args.format == "json":
        sys.stdout.write(json_text.indented([f.as_json() for f in in_force.in_force(found)]))
    elif args.format == "csv":
        rows = [f.as_json() for f in in_force.in_force(found)]
        sys.stdout.write(table_csv(in_force.COLUMNS, rows))
    else:
        for f in found:
            doc = f.entry.doc
            if f.version is None:
                fields = [doc.id, doc.title, f"({f.state})"]
            else:
                when = f.published_on.isoformat() if f.published_on else ""
                fields = [
                    doc.id, doc.title, f.version, f"approved {f.approved_on or '?'}",
                    f"published {when}", (f.commit or "")[:8],
                ]  # fmt: skip
            print("\t".join(escape(field) for field in fields))
    print(f"{len(in_force.in_force(found))} document(s) in force on {day}", file=sys.stderr)
    return EXIT_OK
