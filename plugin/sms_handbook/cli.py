"""The `sms-handbook` command: a thin layer over `sms_handbook.core`."""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .compat import unsupported_mkdocs
from .core.data.loader import HandbookLoader, LoadResult
from .core.git.cache import HistoryCache, handbook_file
from .core.problems import Problem
from .core.scaffold import TYPE_FOLDERS
from .core.site.site_data import SiteData, prepare
from .project import Project, ProjectError, open_project

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad invocation or no handbook found: exit status 2."""


class Refused(Exception):
    """The command would overwrite or lose something: exit status 1."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sms-handbook",
        description="Check, scaffold, export and render an SMS handbook kept in Git.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        sub.add_argument(
            "-f",
            "--config-file",
            default="mkdocs.yml",
            type=Path,
            metavar="FILE",
            help="the handbook's mkdocs.yml (default: ./mkdocs.yml)",
        )
        return sub

    check = command("check", "validate the data files and document front matter")
    check.add_argument(
        "--fail-on-overdue", action="store_true", help="exit 1 when a review is overdue"
    )
    new = command("new", "create a draft controlled document (never overwrites)")
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
    new.add_argument("--owner", help="a key under people (default: the first person listed)")
    new.add_argument(
        "--path", help="where to create it, relative to docs_dir (default: from type and title)"
    )
    export = command("export", "export the document register")
    export.add_argument("--format", required=True, choices=("json", "csv", "xlsx"))
    export.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="write to FILE (default: standard output)"
    )
    export.add_argument("--force", action="store_true", help="replace FILE if it exists")
    reviews = command("reviews", "list documents whose review is overdue or due soon")
    reviews.add_argument(
        "--within",
        type=int,
        metavar="DAYS",
        help="due within DAYS from today (default: the organization's review_warning_days)",
    )
    render = command(
        "render", "write the handbook as a plain folder any Markdown site generator builds"
    )
    render.add_argument(
        "--out", required=True, type=Path, metavar="DIR", help="the folder to write"
    )
    return parser


def _open(config_file: Path) -> Project:
    try:
        return open_project(config_file)
    except ProjectError as exc:
        raise UsageError(str(exc)) from None


def _loader(project: Project) -> HandbookLoader:
    o = project.options
    return HandbookLoader(o.root, o.data_dir, o.docs_dir, o.templates_dir)


def _load(project: Project) -> LoadResult:
    result = _loader(project).load(project.pages)
    _print(result.problems)
    return result


def _site(project: Project, result: LoadResult, *, with_history: bool) -> SiteData:
    assert result.handbook is not None
    options, history = project.options, None
    if with_history and options.history:
        history, problems = HistoryCache().get(options.root, options.config_name, handbook_file)
        for problem in problems:
            print(problem, file=sys.stderr)
    try:
        return prepare(
            result.handbook, options.layout, options.root, options.docs_dir,
            max_classification=options.max_classification, history=history,
        )  # fmt: skip
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _print(problems: Sequence[Problem]) -> None:
    for problem in problems:
        print(problem)


def _failed(result: LoadResult) -> bool:
    if result.handbook is None or result.problems:
        errors = sum(p.severity == "error" for p in result.problems)
        warnings = len(result.problems) - errors
        print(f"{errors} error(s), {warnings} warning(s)", file=sys.stderr)
        return result.handbook is None
    return False


def cmd_check(args: argparse.Namespace) -> int:
    project = _open(args.config_file)
    result = _load(project)
    if _failed(result) or result.problems:
        return EXIT_PROBLEMS
    assert result.handbook is not None
    hb = result.handbook
    if args.fail_on_overdue:
        site = _site(project, result, with_history=False)
        overdue = [e for e in site.register if e.review_state == "overdue"]
        for entry in overdue:
            where = entry.doc.where.get("approved_on") or entry.doc.where["id"]
            assert entry.next_review is not None
            print(
                Problem(
                    where.path,
                    where.line,
                    "error",
                    "review-overdue",
                    f"{entry.doc.id} {entry.doc.title}: review was due {entry.next_review}",
                )
            )
        if overdue:
            print(f"{len(overdue)} review(s) overdue", file=sys.stderr)
            return EXIT_PROBLEMS
    print(
        f"ok: {hb.organization.name}: {len(hb.phases)} phases, {len(hb.activities)} activities, "
        f"{len(hb.documents)} documents ({hb.standard.title})",
        file=sys.stderr,
    )
    return EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    from .core import scaffold
    from .core.problems import did_you_mean

    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", args.doc_id):
        raise UsageError(f"--id '{args.doc_id}': use letters, digits, '.', '-' and '_'")
    project = _open(args.config_file)
    result = _load(project)
    if _failed(result):
        return EXIT_PROBLEMS
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
    owner = args.owner or next(iter(people))
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
    if args.owner is None:
        print(
            f"note: owner set to '{owner}' (the first person listed); change it with --owner",
            file=sys.stderr,
        )
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from .core.site import exports

    if args.format == "xlsx" and args.output is None:
        raise UsageError("--format xlsx needs -o FILE")
    if args.output is not None and args.output.exists() and not args.force:
        raise Refused(f"{args.output} exists; not overwriting it (use --force to replace it)")
    project = _open(args.config_file)
    result = _load(project)
    if _failed(result):
        return EXIT_PROBLEMS
    site = _site(project, result, with_history=True)
    url = project.options.site_url
    data: str | bytes
    if args.format == "json":
        data = exports.documents_json(
            site.register, site.handbook, site.layout, site.now, url, site.edition
        )
    elif args.format == "csv":
        data = exports.documents_csv(site.register, site.handbook, site.layout, url)
    else:
        data = exports.documents_xlsx(site.register, site.handbook, site.layout, url)
    if args.output is None:
        sys.stdout.write(data if isinstance(data, str) else data.decode())
    else:
        content = data if isinstance(data, bytes) else data.encode("utf-8")
        try:
            write_atomically(args.output, content, replace=args.force)
        except FileExistsError:
            raise Refused(
                f"{args.output} exists; not overwriting it (use --force to replace it)"
            ) from None
        except OSError as exc:
            raise Refused(f"cannot write {args.output}: {exc.strerror}") from None
        print(f"wrote {args.output} ({len(site.register)} documents)", file=sys.stderr)
    return EXIT_OK


def cmd_reviews(args: argparse.Namespace) -> int:
    project = _open(args.config_file)
    result = _load(project)
    if _failed(result):
        return EXIT_PROBLEMS
    site = _site(project, result, with_history=False)
    people = site.handbook.organization.people
    within = site.handbook.organization.review_warning_days if args.within is None else args.within
    if within < 0:
        raise UsageError("--within must be 0 or more days")
    due = [
        e
        for e in site.register
        if e.next_review is not None and (e.next_review - site.today).days <= within
    ]
    for entry in sorted(due, key=lambda e: (e.next_review, e.doc.id)):
        owner = people.get(entry.doc.owner)
        state = "overdue" if entry.review_state == "overdue" else "due-soon"
        print(
            "\t".join(
                [
                    str(entry.next_review),
                    state,
                    entry.doc.id,
                    entry.doc.title,
                    owner.name if owner else entry.doc.owner,
                    owner.email if owner else "",
                ]
            )
        )
    print(f"{len(due)} document(s) due within {within} days of {site.today}", file=sys.stderr)
    return EXIT_OK


def cmd_render(args: argparse.Namespace) -> int:
    from .core.site.pipeline import HandbookError
    from .render import RenderError, render

    project = _open(args.config_file)
    try:
        build = render(project, args.out)
    except HandbookError as exc:
        _print(exc.problems)
        return EXIT_PROBLEMS
    except RenderError as exc:
        _print(exc.problems)
        raise Refused(str(exc)) from None
    except ValueError as exc:  # SOURCE_DATE_EPOCH
        raise UsageError(str(exc)) from None
    _print(build.problems)
    print(
        f"wrote {args.out}: {len(project.pages) + len(build.pages)} pages, "
        f"{len(build.site.register)} documents. Build it with `cd {args.out} && mkdocs build`, "
        "`properdocs build` or `zensical build`.",
        file=sys.stderr,
    )
    return EXIT_OK


def write_atomically(path: Path, data: bytes, *, replace: bool) -> None:
    """Write a whole file or nothing: through a temporary file in the same folder.

    Without `replace`, an existing file (or one created meanwhile) is never touched:
    FileExistsError. Readers never see a half-written file either way.
    """
    folder = path.absolute().parent
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(handle, 0o666 & ~umask)  # as an ordinary new file, not mkstemp's 0600
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if replace:
            os.replace(temporary, path)
            return
        try:
            os.link(temporary, path)  # fails if the file exists: no race with a check
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links
            with path.open("xb") as out:
                out.write(data)
    finally:
        Path(temporary).unlink(missing_ok=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    why = unsupported_mkdocs()
    if why is not None:
        print(why, file=sys.stderr)
        return EXIT_USAGE
    commands = {
        "check": cmd_check, "new": cmd_new, "export": cmd_export, "reviews": cmd_reviews,
        "render": cmd_render,
    }  # fmt: skip
    try:
        return commands[args.command](args)
    except UsageError as exc:
        print(f"sms-handbook: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Refused as exc:
        print(f"sms-handbook: refused: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS


if __name__ == "__main__":
    sys.exit(main())
