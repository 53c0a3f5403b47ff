"""`sms-handbook new`: a draft controlled document from its type (never overwrites)."""

from __future__ import annotations

import argparse
import os
import re
import sys

from ..core.atomic import write_atomically
from ..core.scaffold import TYPE_FOLDERS
from .common import EXIT_OK, Refused, UsageError, add_command, loaded


def register(commands: argparse._SubParsersAction) -> None:
    new = add_command(commands, "new", "create a draft controlled document (never overwrites)")
    new.add_argument(
        "type",
        metavar="TYPE",
        choices=sorted(TYPE_FOLDERS),
        help="document type: " + ", ".join(sorted(TYPE_FOLDERS)),
    )
    new.add_argument(
        "--id", required=True, dest="doc_id", help="the new document's id, e.g. POL-008"
    )
    new.add_argument("--title", required=True)
    new.add_argument("--template", help="the policy template to follow (see policies/templates/)")
    new.add_argument("--owner", help="a key under people (default: the organization's sms_manager)")
    new.add_argument(
        "--path", help="where to create it, relative to docs_dir (default: from type and title)"
    )
    new.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..core import scaffold
    from ..core.problems import did_you_mean

    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", args.doc_id):
        raise UsageError(f"--id '{args.doc_id}': use letters, digits, '.', '-' and '_'")
    project, result = loaded(args.config_file)
    hb = result.handbook
    assert hb is not None
    template = None
    if args.template is not None:
        template = hb.templates.get(args.template)
        if template is None:
            hint = did_you_mean(args.template, hb.templates)
            raise UsageError(
                f"unknown template '{args.template}'{hint}; available: "
                + ", ".join(sorted(hb.templates))
            )
    people = hb.organization.people
    owner, chosen = args.owner, None  # chosen: where a default owner came from
    if owner is None:
        default = scaffold.default_owner(hb.organization)
        if default is None:
            raise UsageError(
                "who owns the new document? pass --owner KEY, or set sms_manager in "
                "organization.yml"
            )
        owner, chosen = default
    if owner not in people:
        raise UsageError(
            f"--owner '{owner}' is not a key under people{did_you_mean(owner, people)}"
        )
    if args.doc_id in hb.documents:
        where = hb.documents[args.doc_id].where["id"]
        raise Refused(f"document id {args.doc_id} is already used at {where}")
    docs_dir = project.options.docs_dir
    relative = args.path or scaffold.default_path(args.type, args.title)
    target = (docs_dir / relative).resolve()
    if not target.is_relative_to(docs_dir.resolve()) or target.suffix != ".md":
        raise UsageError(f"--path '{relative}' must be a .md file inside docs_dir")
    text = scaffold.new_page(
        hb.organization,
        doc_type=args.type,
        doc_id=args.doc_id,
        title=args.title,
        owner=owner,
        template=template,
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        write_atomically(target, text.encode("utf-8"), replace=False)
    except FileExistsError:
        raise Refused(f"{target} exists; not overwriting it") from None
    shown = os.path.relpath(target)
    print(shown)
    print(
        f"created {args.doc_id} ({args.type}, draft 0.1, owner {people[owner].label}).\n"
        "Next: write the text (guidance is in HTML comments), run `sms-handbook check`,\n"
        "add the page to the nav if mkdocs.yml lists pages, then open a pull request.",
        file=sys.stderr,
    )
    if chosen is not None:
        print(f"note: owner set to '{owner}' ({chosen}); change it with --owner", file=sys.stderr)
    return EXIT_OK
