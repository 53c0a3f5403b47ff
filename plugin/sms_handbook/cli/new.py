"""`sms-handbook new`: a draft controlled document from its type (never overwrites), or a
new entry of the risk register, the nonconformities or the actions (appended to its
data file, which must still validate)."""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from ..core.atomic import write_atomically
from ..core.data.loader import LoadResult
from ..core.entries import DUE_DAYS, OPPORTUNITY_PREFIXES, TYPES, EntryType
from ..core.improvement import ACTION_KINDS, GRADES
from ..core.model import Handbook, Organization
from ..core.risks import KINDS as RISK_KINDS
from ..core.scaffold import TYPE_FOLDERS
from ..project import Project
from .common import EXIT_OK, Refused, UsageError, add_command, loaded, loader_of

#: The `--kind` each entry type takes, its default first.
ENTRY_KINDS = {"risk": RISK_KINDS, "action": ACTION_KINDS}


def register(commands: argparse._SubParsersAction) -> None:
    new = add_command(
        commands,
        "new",
        "create a draft controlled document (never overwrites), or add a risk, "
        "nonconformity or action to its data file",
    )
    new.add_argument(
        "type",
        metavar="TYPE",
        choices=[*sorted(TYPE_FOLDERS), *TYPES],
        help="document type: " + ", ".join(sorted(TYPE_FOLDERS))
        + "; or an entry: " + ", ".join(TYPES),
    )  # fmt: skip
    new.add_argument(
        "--id",
        dest="doc_id",
        metavar="ID",
        help="the new document's id, e.g. POL-008 (required for a document); an entry's "
        "default: the next free id of its file (ACT-2026-006 -> ACT-2026-007)",
    )
    new.add_argument("--title", required=True, help="the title (a nonconformity's description)")
    new.add_argument("--template", help="the policy template to follow (see policies/templates/)")
    new.add_argument(
        "--owner",
        help="a key under people (default: the organization's sms_manager); a "
        "nonconformity's raised_by",
    )
    new.add_argument(
        "--path", help="where to create it, relative to docs_dir (default: from type and title)"
    )
    new.add_argument(
        "--kind",
        help="a risk's: " + "|".join(RISK_KINDS) + " (default risk); an action's: "
        + "|".join(ACTION_KINDS) + " (default corrective)",
    )  # fmt: skip
    new.add_argument(
        "--grade",
        choices=GRADES,
        metavar="GRADE",
        help="a nonconformity's grade: " + "|".join(GRADES) + " (default minor)",
    )
    new.add_argument(
        "--source",
        help="a nonconformity's source (required): an assessment id, or words (an "
        "incident, a complaint, a review)",
    )
    new.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.doc_id is not None and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", args.doc_id):
        raise UsageError(f"--id '{args.doc_id}': use letters, digits, '.', '-' and '_'")
    if args.type in TYPES:
        return _run_entry(args)
    given = [f"--{o}" for o in ("kind", "grade", "source") if getattr(args, o) is not None]
    if given:
        raise UsageError(f"{', '.join(given)}: not an option of a new {args.type}")
    if args.doc_id is None:
        raise UsageError(f"a new {args.type} needs --id, e.g. --id POL-008")
    return _run_document(args)


def _owner(args: argparse.Namespace, organization: Organization) -> tuple[str, str | None]:
    """The owner asked for, or the default, and where a default came from (None: given)."""
    from ..core import scaffold
    from ..core.problems import did_you_mean

    owner, chosen = args.owner, None
    if owner is None:
        default = scaffold.default_owner(organization)
        if default is None:
            raise UsageError(
                f"who owns the new {args.type}? pass --owner KEY, or set sms_manager in "
                "organization.yml"
            )
        owner, chosen = default
    people = organization.people
    if owner not in people:
        raise UsageError(
            f"--owner '{owner}' is not a key under people{did_you_mean(owner, people)}"
        )
    return owner, chosen


def _run_document(args: argparse.Namespace) -> int:
    from ..core import scaffold
    from ..core.problems import did_you_mean

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
    owner, chosen = _owner(args, hb.organization)
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


def _entry_options(args: argparse.Namespace) -> str | None:
    """The options checked against the entry type; its kind (None: a nonconformity)."""
    from ..core.problems import did_you_mean

    wrong = [f"--{o}" for o in ("template", "path") if getattr(args, o) is not None]
    if args.type == "nonconformity":
        wrong += ["--kind"] if args.kind is not None else []
    else:
        wrong += [f"--{o}" for o in ("grade", "source") if getattr(args, o) is not None]
    if wrong:
        raise UsageError(f"{', '.join(wrong)}: not an option of a new {args.type}")
    if not args.title.strip():
        raise UsageError("--title is empty")
    if args.type == "nonconformity":
        if args.source is None or not args.source.strip():
            raise UsageError(
                "a nonconformity needs --source: an assessment id, or words (an incident, "
                "a complaint, a review)"
            )
        return None
    kinds = ENTRY_KINDS[args.type]
    kind = kinds[0] if args.kind is None else args.kind
    if kind not in kinds:
        raise UsageError(
            f"--kind '{kind}' is not a kind of {args.type}{did_you_mean(kind, kinds)}; "
            f"use one of {', '.join(kinds)}"
        )
    return kind


def _run_entry(args: argparse.Namespace) -> int:
    from ..core import clock, entries

    kind = _entry_options(args)
    project, result = loaded(args.config_file)
    hb = result.handbook
    assert hb is not None
    owner, chosen = _owner(args, hb.organization)
    try:
        today = clock.today(hb.organization.timezone)
    except ValueError as exc:  # SOURCE_DATE_EPOCH
        raise UsageError(str(exc)) from None
    entry_type = entries.TYPES[args.type]
    items = _existing(hb, args.type)
    if args.doc_id is not None and args.doc_id in items:
        raise Refused(f"{args.type} id {args.doc_id} is already used at {items[args.doc_id]}")
    prefixes = OPPORTUNITY_PREFIXES if kind == "opportunity" else entry_type.prefixes
    entry_id = args.doc_id or entries.next_id(items, prefixes)
    if args.type == "risk":
        assert kind is not None
        criteria = hb.risk_criteria
        if criteria is None:  # a new risks.yml: its default criteria
            likelihood, impact = entries.DEFAULT_LIKELIHOOD, entries.DEFAULT_IMPACT
        else:
            likelihood, impact = criteria.likelihood, criteria.impact
        entry = entries.risk_entry(
            entry_id=entry_id, kind=kind, title=args.title, owner=owner,
            likelihood=likelihood, impact=impact, today=today,
        )  # fmt: skip
        what = (
            f"{kind}, likelihood {entry['likelihood']} and impact {entry['impact']} (the "
            f"middle of the scales), treatment {entry['treatment']}, owner {owner}"
        )
        after = "describe it, set its likelihood, impact and treatment, add clauses"
    elif args.type == "action":
        assert kind is not None
        entry = entries.action_entry(
            entry_id=entry_id, title=args.title, kind=kind, owner=owner, today=today
        )
        what = f"{kind}, owner {owner}, due {entry['due']}: {DUE_DAYS} days from today"
        after = (
            "set the due date, and list the action under the `actions:` of the risk, "
            "nonconformity or management review it was raised for"
        )
    else:
        entry = entries.nonconformity_entry(
            entry_id=entry_id, description=args.title, raised_by=owner,
            source=args.source, grade=args.grade or "minor", today=today,
        )  # fmt: skip
        what = f"{entry['grade']}, raised by {owner}, from {entry['source']}"
        after = "add clauses, documents, the correction and actions (`sms-handbook new action`)"
    path = project.options.data_dir / f"{entry_type.file}.yml"
    line = _append(project, result, path, entry_type, entry)
    print(f"{os.path.relpath(path)}:{line}")
    print(
        f"added {entry_id} ({what}) to {path.name}.\n"
        f"Next: {after}; run `sms-handbook check`, then open a pull request.",
        file=sys.stderr,
    )
    if chosen is not None:
        role = "raised_by" if args.type == "nonconformity" else "owner"
        print(f"note: {role} set to '{owner}' ({chosen}); change it with --owner", file=sys.stderr)
    return EXIT_OK


def _existing(hb: Handbook, entry_type: str) -> dict[str, str]:
    """The ids of the type's entries, each with where it is written."""
    listed = {"risk": hb.risks, "nonconformity": hb.nonconformities, "action": hb.actions}
    return {item.id: str(item.where) for item in listed[entry_type]}


def _append(
    project: Project,
    result: LoadResult,
    path: Path,
    entry_type: EntryType,
    entry: dict[str, object],
) -> int:
    """Append `entry` to its data file, which must still validate; the line it begins on.
    Refused, the file as it was, when it cannot take the entry or would not validate."""
    from ..core.entries import Unplaceable, add_entry
    from ..core.problems import escape

    shown = os.path.relpath(path)
    target = path.resolve() if path.is_symlink() else path  # a link stays a link
    original: bytes | None = None
    mode = None
    if os.path.lexists(path):
        try:
            original = target.read_bytes()
            mode = target.stat().st_mode & 0o7777
        except OSError as exc:
            raise Refused(f"cannot read {shown}: {exc.strerror}") from None
    try:
        added = add_entry(original, entry_type, entry)
    except Unplaceable as exc:
        raise Refused(f"{shown}: {exc}; nothing was written") from None

    def put(data: bytes) -> None:
        write_atomically(target, data, replace=True)
        if mode is not None and target.stat().st_mode & 0o7777 != mode:
            os.chmod(target, mode)

    def restore() -> None:
        if original is None:
            target.unlink(missing_ok=True)
        else:
            put(original)

    try:
        if original is None:
            write_atomically(target, added.data, replace=False)
        else:
            if target.read_bytes() != original:
                raise Refused(f"{shown} changed while the entry was made; run the command again")
            put(added.data)
    except FileExistsError:
        raise Refused(f"{shown} appeared while the entry was made; run the command again") from None
    except OSError as exc:
        raise Refused(f"cannot write {shown}: {exc.strerror}") from None
    try:
        after = loader_of(project).load(project.pages)
    except BaseException:
        restore()
        raise
    before = set(result.problems)
    new = [p for p in after.problems if p not in before]
    if after.handbook is None or new:
        restore()
        raise Refused(
            f"the new entry would not validate, so {shown} is left as it was:\n"
            + "\n".join(escape(str(p)) for p in new)
        )
    return added.line
