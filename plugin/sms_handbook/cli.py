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
from .core.people import FORGES
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
    new.add_argument("--owner", help="a key under people (default: the organization's sms_manager)")
    new.add_argument(
        "--path", help="where to create it, relative to docs_dir (default: from type and title)"
    )
    exported = {  # each choice of --what: the help and the command's description say them all
        "register": "the document register",
        "compliance": "the compliance matrix",
        "disposals": "the disposal log",
    }
    *others, last = exported.values()
    export = command("export", f"export {', '.join(others)} or {last}")
    export.add_argument(
        "--what",
        choices=tuple(exported),
        default="register",
        help="what to export: "
        + ", ".join(f"{name} ({what})" for name, what in exported.items())
        + "; default: %(default)s",
    )
    export.add_argument("--format", required=True, choices=("json", "csv", "xlsx"))
    export.add_argument(
        "--all",
        action="store_true",
        help="include the documents the site withholds (for the document controller's "
        "own use: never publish the result)",
    )
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
    changes = command(
        "changes", "check what a branch (or the work tree) changes in controlled documents"
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
    approvals = command(
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
    codeowners = command(
        "codeowners", "write CODEOWNERS: approvers own their documents' pages (forge-enforced)"
    )
    codeowners.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="PATH",
        help="the file to write (default: .github/CODEOWNERS if .github/ exists, else "
        "CODEOWNERS, at the top of the repository)",
    )
    codeowners.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 unless the file is current"
    )
    codeowners.add_argument(
        "--forge",
        choices=FORGES,
        help="whose usernames to use (default: from PATH, else from people's usernames)",
    )
    init = commands.add_parser(
        "init",
        help="start a new handbook repository in DIR (never overwrites)",
        description="start a new handbook repository in DIR (never overwrites)",
    )
    init.add_argument(
        "dir", nargs="?", default=Path("."), type=Path, metavar="DIR", help="default: ."
    )
    init.add_argument(
        "--forge",
        choices=FORGES,
        default="github",
        help="whose CI configuration to write (default: github)",
    )
    init.add_argument(
        "--requirement",
        default="sms-handbook",
        metavar="SPEC",
        help="what CI installs with pip: a requirement (sms-handbook==1.0), a release "
        "wheel's URL or git+https://HOST/REPO.git@TAG (default: %(default)s)",
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


class NotLoaded(Exception):
    """The handbook has errors (already printed): exit status 1."""


def _loaded(config_file: Path) -> tuple[Project, LoadResult]:
    """The project and its validated handbook; NotLoaded (after printing the problems)
    when it has errors."""
    project = _open(config_file)
    result = _load(project)
    if _failed(result):
        raise NotLoaded
    return project, result


def _site(
    project: Project,
    result: LoadResult,
    *,
    with_history: bool,
    max_classification: str | None = None,
) -> SiteData:
    """Today, publication control (as the site's, unless `max_classification` says
    otherwise) and the register, with revisions when asked."""
    assert result.handbook is not None
    options, history = project.options, None
    if with_history and options.history:
        history, problems = HistoryCache().get(options.root, options.config_name, handbook_file)
        for problem in problems:
            print(problem, file=sys.stderr)
    try:
        return prepare(
            result.handbook, options.layout, options.root, options.docs_dir,
            max_classification=max_classification or options.max_classification,
            history=history,
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
    from .core.site.pipeline import include_problems

    project = _open(args.config_file)
    result = _load(project)
    if _failed(result) or result.problems:
        return EXIT_PROBLEMS
    assert result.handbook is not None
    hb = result.handbook
    others = sorted(set(project.files) - set(project.pages))
    found = _loader(project).refused_files(others)
    found += include_problems(project.options, hb, project.pages)
    if found:
        _print(found)
        return EXIT_PROBLEMS
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
    from .core.data.loader import DATA_FILES

    absent = [f"{name}.yml" for name in DATA_FILES if name not in hb.data_files]
    read = ", ".join(f"{name}.yml" for name in hb.data_files)
    print(
        f"read {read}" + (f"; optional, not present: {', '.join(absent)}" if absent else ""),
        file=sys.stderr,
    )
    return EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    from .core import scaffold
    from .core.problems import did_you_mean

    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", args.doc_id):
        raise UsageError(f"--id '{args.doc_id}': use letters, digits, '.', '-' and '_'")
    project, result = _loaded(args.config_file)
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


def cmd_export(args: argparse.Namespace) -> int:
    from .core.site import exports

    if args.format == "xlsx" and args.output is None:
        raise UsageError("--format xlsx needs -o FILE")
    if args.output is not None and args.output.exists() and not args.force:
        raise Refused(f"{args.output} exists; not overwriting it (use --force to replace it)")
    project, result = _loaded(args.config_file)
    site = _site(
        project, result, with_history=args.what != "disposals",
        max_classification="restricted" if args.all else None,
    )  # fmt: skip
    url = project.options.site_url
    register, hb = site.register, site.handbook
    data: str | bytes
    if args.what == "compliance":
        from .core.coverage import clause_coverage

        matrix = clause_coverage(hb, site.today)
        if args.format == "json":
            data = exports.compliance_json(matrix, hb, site.months, site.now)
        else:
            columns, table = exports.COMPLIANCE_COLUMNS, exports.compliance_table(matrix)
            data = (
                exports.table_csv(columns, table)
                if args.format == "csv"
                else exports.table_xlsx(columns, table, "Compliance", ("assessed_on",))
            )
    elif args.what == "disposals":
        rows = exports.disposal_rows(register, hb)
        if args.format == "json":
            data = exports.disposals_json(register, hb, site.now)
        elif args.format == "csv":
            data = exports.table_csv(exports.DISPOSAL_COLUMNS, rows)
        else:
            data = exports.table_xlsx(exports.DISPOSAL_COLUMNS, rows, "Disposals", ("date",))
    elif args.format == "json":
        data = exports.documents_json(register, hb, site.layout, site.now, url, site.edition)
    elif args.format == "csv":
        data = exports.documents_csv(register, hb, site.layout, url)
    else:
        data = exports.documents_xlsx(register, hb, site.layout, url)
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
        count, what = {
            "disposals": (len(hb.disposals), "disposals"),
            "compliance": (len(hb.standard.clauses), "clauses"),
        }.get(args.what, (len(register), "documents"))
        print(f"wrote {args.output} ({count} {what})", file=sys.stderr)
    return EXIT_OK


def cmd_reviews(args: argparse.Namespace) -> int:
    from .core.problems import escape

    project, result = _loaded(args.config_file)
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
        fields = [
            str(entry.next_review),
            state,
            entry.doc.id,
            entry.doc.title,
            owner.name if owner else entry.doc.owner,
            owner.email if owner else "",
        ]
        # A tab, a line break or a control character inside a field is escaped (`\x1b`):
        # it would break the columns, or drive the terminal.
        print("\t".join(escape(field) for field in fields))
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
    for notice in build.notices:
        print(f"sms-handbook: {notice}", file=sys.stderr)
    print(
        f"wrote {args.out}: {len(project.pages) + len(build.pages)} pages, "
        f"{len(build.site.register)} documents. Build it with `cd {args.out} && mkdocs build`, "
        "`properdocs build` or `zensical build`.",
        file=sys.stderr,
    )
    return EXIT_OK


def cmd_changes(args: argparse.Namespace) -> int:
    from .core import changes
    from .core.approvals import ForgeDataError
    from .core.git.history import GitError
    from .core.git.snapshot import NoBase

    project = _open(args.config_file)
    o = project.options
    reviews = None
    if args.reviews is not None:
        text, shown = _read_input(args.reviews)
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
        _print(exc.problems)
        raise UsageError(f"{exc}; check it out and run `sms-handbook check`") from None
    if args.format == "json":
        sys.stdout.write(changes.as_json(found.changes, found.base, found.head, found.problems))
    elif args.format == "markdown":
        sys.stdout.write(
            changes.as_markdown(found.changes, found.organization, found.label, found.problems)
        )
    else:
        sys.stderr.write(changes.as_text(found.changes, found.organization, found.label))
        _print(found.problems)
    errors = [p for p in found.problems if p.severity == "error"]
    if errors:
        print(f"{len(errors)} error(s): the change is not ready", file=sys.stderr)
        return EXIT_PROBLEMS
    return EXIT_OK


def _read_input(source: str) -> tuple[str, str]:
    """A file's text, or standard input's for '-', and how to name it."""
    try:
        if source == "-":
            return sys.stdin.read(), "<stdin>"
        return Path(source).read_text(encoding="utf-8"), source
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {source}: {exc}") from None


def cmd_record_approvals(args: argparse.Namespace) -> int:
    from .core import approvals
    from .core.git import notes, snapshot
    from .core.git.history import GitError, repo_info

    project = _open(args.config_file)
    try:  # the commit first: whatever the forge says, it is recorded on that one
        top = repo_info(project.options.root).toplevel
        commit = snapshot.resolve(top, args.commit)
    except GitError as exc:
        raise UsageError(str(exc)) from None
    result = _load(project)
    if _failed(result):
        raise NotLoaded
    assert result.handbook is not None
    text, shown = _read_input(args.source)
    try:
        found, problems = approvals.from_forge(
            text, args.forge, result.handbook.organization, shown
        )
    except approvals.ForgeDataError as exc:
        raise UsageError(f"{shown}: {exc}") from None
    _print(problems)
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


def cmd_codeowners(args: argparse.Namespace) -> int:
    from .core import codeowners
    from .core.data.loader import display_path

    project, result = _loaded(args.config_file)
    hb = result.handbook
    assert hb is not None
    o = project.options
    top = _repository_top(o.root)
    output = args.output or _default_codeowners(top)
    if output.is_dir():
        raise UsageError(f"{output} is a folder; give the CODEOWNERS file to write with -o")
    at = _from_top(output, top)
    templates = None
    if o.templates_dir is not None:
        templates = _required_from_top(o.root / o.templates_dir, top, "templates_dir")
    organization = o.root / o.data_dir / "organization.yml"
    made = codeowners.build(
        hb,
        forge=codeowners.choose_forge(args.forge, at, hb.organization.people.values()),
        data_dir=_required_from_top(o.root / o.data_dir, top, "data_dir"),
        docs_dir=_required_from_top(o.docs_dir, top, "docs_dir"),
        config_file=_from_top(project.config_file, top),
        templates_dir=templates,
        output=at,
        where=codeowners.organization_where(
            organization.read_bytes(), display_path(organization, o.root)
        ),
    )
    for problem in made.problems:
        print(problem, file=sys.stderr)
    shown = os.path.relpath(output)
    if not made.complete:
        print(f"sms-handbook: {shown} not written: fix the errors above", file=sys.stderr)
        return EXIT_PROBLEMS
    current = _read_text(output)
    if args.check:
        return _check_codeowners(shown, current, made.text)
    if current is not None and not codeowners.is_generated(current):
        raise Refused(
            f"{shown} was not written by `sms-handbook codeowners`; not overwriting it "
            "(move it away, or pass -o PATH to write elsewhere)"
        )
    if current == made.text:
        print(f"{shown} is current", file=sys.stderr)
        return EXIT_OK
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(output, made.text.encode("utf-8"), replace=current is not None)
    except FileExistsError:
        raise Refused(f"{shown} appeared meanwhile; not overwriting it") from None
    except OSError as exc:
        raise Refused(f"cannot write {shown}: {exc.strerror}") from None
    print(f"wrote {shown} ({len(made.rules)} rules, {made.forge} usernames)", file=sys.stderr)
    return EXIT_OK


def _check_codeowners(shown: str, current: str | None, expected: str) -> int:
    """`codeowners --check`: 0 when the file on disk is what would be written."""
    import difflib

    from .core.codeowners import is_generated

    if current == expected:
        print(f"{shown} is current", file=sys.stderr)
        return EXIT_OK
    if current is None:
        why = "does not exist"
    elif not is_generated(current):
        why = "was not written by `sms-handbook codeowners` (move it away, or use -o PATH)"
    else:
        why = "is out of date"
        diff = difflib.unified_diff(
            current.splitlines(keepends=True),
            expected.splitlines(keepends=True),
            shown,
            f"{shown} (as it should be)",
        )
        sys.stdout.writelines(diff)
    print(
        f"sms-handbook: {shown} {why}: run `sms-handbook codeowners` and commit the result",
        file=sys.stderr,
    )
    return EXIT_PROBLEMS


def _repository_top(folder: Path) -> Path:
    """The top of the Git repository holding `folder`; `folder` itself outside one."""
    from .core.git.history import GitError, run_git

    try:
        out = run_git(["rev-parse", "--show-toplevel"], folder)
    except GitError as exc:
        if exc.stderr and "not a git repository" not in exc.stderr:
            raise UsageError(str(exc)) from None
        return folder.resolve()  # not a repository, or no git at all
    return Path(os.fsdecode(out.rstrip(b"\r\n")))


def _default_codeowners(top: Path) -> Path:
    github = top / ".github"
    return github / "CODEOWNERS" if github.is_dir() else top / "CODEOWNERS"


def _from_top(path: Path, top: Path) -> str | None:
    """`path` from the repository top (POSIX), or None when it lies outside."""
    where = path.absolute().parent.resolve() / path.name if path.name else path.resolve()
    try:
        return where.relative_to(top.resolve()).as_posix()
    except ValueError:
        return None


def _required_from_top(path: Path, top: Path, what: str) -> str:
    found = _from_top(path, top)
    if found is None:
        raise UsageError(f"{what} {path} lies outside the repository at {top}")
    return found


def _read_text(path: Path) -> str | None:
    """A text file's content with Unix line ends, or None when there is none."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise Refused(f"cannot read {path}: {exc.strerror}") from None
    return data.decode("utf-8", errors="replace").replace("\r\n", "\n")


FIRST_COMMIT = "Start the SMS handbook"


def cmd_init(args: argparse.Namespace) -> int:
    from .core import clock, starter

    folder: Path = args.dir
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is not a folder")
    try:
        today = clock.today("UTC")
    except ValueError as exc:  # SOURCE_DATE_EPOCH
        raise UsageError(str(exc)) from None
    name = starter.organization_name(folder.resolve().name)
    try:
        made = starter.starter_files(
            args.forge, name=name, today=today, requirement=args.requirement
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    paths = [f.path for f in made]
    handbook = [n for n in starter.CONFIG_FILES if os.path.lexists(folder / n)]
    if handbook:
        raise Refused(f"{folder} already holds a handbook ({', '.join(handbook)}); wrote nothing")
    taken = [p for p in paths if _taken(folder, p)]
    if taken:
        raise Refused(
            f"{folder} already holds {', '.join(taken)}; init never overwrites, so it "
            "wrote nothing (start in an empty folder)"
        )
    _write_all(folder, {f.path: f.text for f in made})
    told, failed = _start_repository(folder, paths)
    _tell_init(folder, paths, told, args.forge)
    if failed is not None:
        print(f"sms-handbook: error: git: {failed}", file=sys.stderr)
        return EXIT_PROBLEMS
    return EXIT_OK


def _tell_init(folder: Path, paths: Sequence[str], told: Sequence[str], forge: str) -> None:
    """What `init` made, and what to do next (on standard output)."""
    here = os.path.relpath(folder)
    print(f"created an SMS handbook in {here}:")
    print(*(f"  {p}" for p in paths), *told, sep="\n")
    option = "" if forge == "github" else " --forge gitlab"
    steps = [
        ("edit data/organization.yml", f"the name, the scope, people and their {forge} usernames"),
        ("sms-handbook check", "validate the data and the pages"),
        ("mkdocs serve", "preview the handbook at http://127.0.0.1:8000/"),
        (f"sms-handbook codeowners{option}", "approvers own their pages (CI checks it)"),
        ("sms-handbook new policy --id POL-001 ...", "write the first policy"),
    ]
    lines = [] if here == "." else [f"  cd {here}"]
    lines += [f"  {do:<42} {what}" for do, what in steps]
    print("next:", *lines, sep="\n")


def _taken(folder: Path, relative: str) -> bool:
    """Whether writing `relative` under `folder` would replace or pass through something:
    the file exists, or a folder on its way is a file or a symbolic link."""
    if os.path.lexists(folder / relative):
        return True
    for parent in list(Path(relative).parents)[:-1]:
        path = folder / parent
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            return True
    return False


def _write_all(folder: Path, texts: dict[str, str]) -> None:
    """Write every file or none: what was written is removed when one cannot be."""
    written: list[Path] = []
    target = folder
    try:
        for relative, text in texts.items():
            target = folder / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(target, text.encode("utf-8"), replace=False)
            written.append(target)
    except OSError as exc:
        for path in written:
            path.unlink(missing_ok=True)
        if isinstance(exc, FileExistsError):
            raise Refused(f"{target} appeared meanwhile; wrote nothing") from None
        raise Refused(f"cannot write {target}: {exc.strerror}; wrote nothing") from None


def _start_repository(folder: Path, paths: Sequence[str]) -> tuple[list[str], str | None]:
    """Make `folder` a Git repository unless it is inside one, and commit the new files
    when the repository has no commits yet and Git knows who commits. Returns what to
    tell the user, and Git's error when it failed."""
    from .core.git.history import GitError, run_git

    told = []
    try:
        try:
            run_git(["rev-parse", "--show-toplevel"], folder)
        except GitError as exc:
            if not exc.stderr:  # no git
                return [f"note: {exc.message}: install Git, run `git init -b main`, commit"], None
            if "not a git repository" not in exc.stderr:
                raise
            run_git(["init", "-q", "-b", "main"], folder)
            told.append("made it a Git repository (branch main)")
        try:
            run_git(["rev-parse", "--quiet", "--verify", "HEAD"], folder)
        except GitError:
            pass  # no commits yet: ours is the first
        else:
            told.append("the repository has commits already: review the files, then commit")
            return told, None
        return [*told, *_first_commit(folder, paths)], None
    except GitError as exc:
        return told, str(exc)


def _first_commit(folder: Path, paths: Sequence[str]) -> list[str]:
    """Commit `paths` (and nothing else) when Git knows who commits; else say how to."""
    from .core.git.history import GitError, run_git

    try:
        run_git(["var", "GIT_AUTHOR_IDENT"], folder)
        run_git(["var", "GIT_COMMITTER_IDENT"], folder)
    except GitError:
        return [
            "not committed: Git does not know who you are. Tell it, then commit:",
            '  git config --global user.name "Your Name"',
            "  git config --global user.email you@example.org",
            f'  git add -A && git commit -m "{FIRST_COMMIT}"',
        ]
    run_git(["add", "--", *paths], folder)
    run_git(["commit", "-q", "-m", FIRST_COMMIT, "--", *paths], folder)
    return [f'committed them: "{FIRST_COMMIT}"']


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
    from .core.problems import escape

    def said(exc: Exception) -> str:
        """A refusal's message as printed: its lines kept, control characters escaped."""
        return "\n".join(escape(line) for line in str(exc).split("\n"))

    args = _parser().parse_args(argv)
    why = unsupported_mkdocs()
    if why is not None:
        print(why, file=sys.stderr)
        return EXIT_USAGE
    commands = {
        "check": cmd_check, "new": cmd_new, "export": cmd_export, "reviews": cmd_reviews,
        "render": cmd_render, "changes": cmd_changes, "record-approvals": cmd_record_approvals,
        "codeowners": cmd_codeowners, "init": cmd_init,
    }  # fmt: skip
    try:
        try:
            status = commands[args.command](args)
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


if __name__ == "__main__":
    sys.exit(main())
