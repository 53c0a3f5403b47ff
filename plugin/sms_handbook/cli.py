"""The `sms-handbook` command: a thin layer over `sms_handbook.core`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .core.loader import HandbookLoader
from .core.problems import Problem

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad invocation or no handbook found: exit status 2."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sms-handbook",
        description="Check, scaffold and export an SMS handbook kept in Git.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = commands.add_parser(
        "check",
        help="validate the data files and document front matter",
        description="Validate data files and front matter; print one problem per line.",
    )
    check.add_argument(
        "-f",
        "--config-file",
        default="mkdocs.yml",
        type=Path,
        metavar="FILE",
        help="the handbook's mkdocs.yml (default: ./mkdocs.yml)",
    )
    return parser


def _loader(config_file: Path) -> tuple[HandbookLoader, list[str]]:
    """Read mkdocs.yml the way `mkdocs build` does; return a loader and the page list."""
    if not config_file.is_file():
        raise UsageError(f"no handbook found: {config_file} does not exist (use -f FILE)")
    # Imported here: `--help` and usage errors stay fast.
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException
    from mkdocs.structure.files import get_files

    from .plugin import SmsHandbookPlugin

    try:
        config = load_config(str(config_file))
    except (MkDocsException, OSError) as exc:
        raise UsageError(f"{config_file}: {exc}") from None
    plugin = next((p for p in config.plugins.values() if isinstance(p, SmsHandbookPlugin)), None)
    if plugin is None:
        raise UsageError(
            f"no handbook found: {config_file} does not enable the sms-handbook plugin"
        )
    root = config_file.resolve().parent
    loader = HandbookLoader(root, Path(plugin.config.data_dir), Path(config.docs_dir))
    pages = [f.src_uri for f in get_files(config).documentation_pages()]
    return loader, pages


def _print(problems: Sequence[Problem]) -> None:
    for problem in problems:
        print(problem)


def cmd_check(args: argparse.Namespace) -> int:
    loader, pages = _loader(args.config_file)
    result = loader.load(pages)
    _print(result.problems)
    if result.problems:
        errors = sum(p.severity == "error" for p in result.problems)
        warnings = len(result.problems) - errors
        print(f"{errors} error(s), {warnings} warning(s)", file=sys.stderr)
        return EXIT_PROBLEMS
    handbook = result.handbook
    assert handbook is not None
    print(
        f"ok: {handbook.organization.name}: {len(handbook.phases)} phases, "
        f"{len(handbook.activities)} activities, {len(handbook.documents)} documents "
        f"({handbook.standard.title})",
        file=sys.stderr,
    )
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return {"check": cmd_check}[args.command](args)
    except UsageError as exc:
        print(f"sms-handbook: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
