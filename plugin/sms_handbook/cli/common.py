"""What every command shares: exit statuses and refusals, its parser's common option,
the project opened, the handbook loaded (its problems printed), and the site as the
pipeline builds it."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ..core.data.loader import HandbookLoader, LoadResult
from ..core.problems import Problem
from ..project import Project, ProjectError, open_project

if TYPE_CHECKING:
    from ..core.site.pipeline import Build, Options

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad invocation or no handbook found: exit status 2."""


class Refused(Exception):
    """The command would overwrite or lose something: exit status 1."""


class NotLoaded(Exception):
    """The handbook has errors (already printed): exit status 1."""


def add_command(
    commands: argparse._SubParsersAction, name: str, help: str
) -> argparse.ArgumentParser:
    """A command's parser (`commands`: what `add_subparsers` returned), with the option
    every command over a handbook takes (-f)."""
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


def opened(config_file: Path) -> Project:
    """The project of this mkdocs.yml; UsageError when there is no handbook."""
    try:
        return open_project(config_file)
    except ProjectError as exc:
        raise UsageError(str(exc)) from None


def loader_of(project: Project) -> HandbookLoader:
    """A loader of the project's handbook."""
    o = project.options
    return HandbookLoader(o.root, o.data_dir, o.docs_dir, o.templates_dir)


def load(project: Project, loader: HandbookLoader | None = None) -> LoadResult:
    """The handbook loaded and validated; its problems printed (standard output)."""
    result = (loader if loader is not None else loader_of(project)).load(project.pages)
    print_problems(result.problems)
    return result


def failed(result: LoadResult) -> bool:
    """Whether the handbook has errors; the count of problems, if any, printed
    (standard error)."""
    if result.handbook is None or result.problems:
        _count(result.problems)
        return result.handbook is None
    return False


def loaded(config_file: Path) -> tuple[Project, LoadResult]:
    """The project and its validated handbook; NotLoaded (after printing the problems)
    when it has errors."""
    project = opened(config_file)
    result = load(project)
    if failed(result):
        raise NotLoaded
    return project, result


def built(project: Project, options: Options) -> Build:
    """The pipeline's first stage for `options` (the project's, or as the command
    changes them): the site the plugin and `render` build, with its register, today,
    publication control and renderer.

    The handbook's problems print as `load` prints them (NotLoaded on errors); the
    build's others (Git's history, change control) go to standard error, where they
    never mix with what a command writes on standard output.
    """
    from ..core.site.pipeline import HandbookError, Pipeline

    # No command makes the controlled copies (`render` builds its own): none needs the
    # PDF engine, whatever the `pdf` option says.
    options = dataclasses.replace(options, pdf=False)
    pipeline = Pipeline()
    # The pipeline's own loader, loaded here first: the build reuses its result.
    pipeline.loader = loader_of(project)
    result = load(project, pipeline.loader)
    if failed(result):
        raise NotLoaded
    seen = set(result.problems)
    try:
        build = pipeline.build(options, project.pages)
    except HandbookError as exc:
        others = [p for p in exc.problems if p not in seen]
        print_problems(others, file=sys.stderr)
        _count(others)
        raise NotLoaded from None
    except ValueError as exc:  # SOURCE_DATE_EPOCH
        raise UsageError(str(exc)) from None
    print_problems([p for p in build.problems if p not in seen], file=sys.stderr)
    return build


def print_problems(problems: Sequence[Problem], file: TextIO | None = None) -> None:
    """One a line, `PATH:LINE: severity: code: message` (standard output unless told)."""
    for problem in problems:
        print(problem, file=file)


def _count(problems: Sequence[Problem]) -> None:
    errors = sum(p.severity == "error" for p in problems)
    print(f"{errors} error(s), {len(problems) - errors} warning(s)", file=sys.stderr)


def read_input(source: str) -> tuple[str, str]:
    """A file's text, or standard input's for '-', and how to name it."""
    try:
        if source == "-":
            return sys.stdin.read(), "<stdin>"
        return Path(source).read_text(encoding="utf-8"), source
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {source}: {exc}") from None
