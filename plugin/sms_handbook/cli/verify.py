"""`sms-handbook verify FILE.pdf`: whether a PDF is a controlled copy of an approved,
published version of this handbook, and whether that version is still in force.

Exit 0 for a genuine copy (what it is printed, from the repository); 1 for anything
else, with the reason (core/copies.py says what is checked). Reads the repository's
history and the handbook's data; builds no site and needs no network.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from .common import EXIT_OK, EXIT_PROBLEMS, UsageError, add_command, built, opened

if TYPE_CHECKING:
    from ..core.register import ApprovedVersion, Entry


def register(commands: argparse._SubParsersAction) -> None:
    command = add_command(
        commands, "verify", "check that a PDF is a controlled copy of an approved version"
    )
    command.add_argument("file", type=Path, metavar="FILE.pdf", help="the copy to check")
    command.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..core import copies
    from ..core.problems import escape
    from ..core.site import archives, pdf_copies
    from ..core.site.archive_cache import no_cache
    from ..core.site.archive_markdown import archive_converter

    name = escape(str(args.file))
    project = opened(args.config_file)
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        return _refused(name, f"cannot read it ({exc.strerror or exc})")
    try:
        copy = copies.read_copy(data)
    except ImportError as exc:
        raise UsageError(f"verify needs pdfminer.six ({exc}): {pdf_copies.INSTALL}") from None
    except copies.NotACopy as exc:
        return _refused(name, str(exc))
    options = project.options
    site = built(project, options).site.with_revisions()
    convert = archive_converter(options.markdown_extensions, options.mdx_configs)

    def html(entry: Entry, approved: ApprovedVersion) -> str:
        return archives.text_html(site, entry, approved, convert, no_cache, {})

    def blob(sha: str) -> bytes | None:
        return pdf_copies.blob_bytes(site, sha)

    try:
        verdict = copies.verify(copy, site.register, blob, html)
    except copies.NotACopy as exc:
        return _refused(name, str(exc))
    print(f"verified: {name} is a controlled copy of an approved version of this handbook")
    people = site.handbook.organization.people

    def person(key: str | None) -> str:
        found = people.get(key) if key else None
        return found.name if found else key or ""

    for line in verdict.lines(person):
        print(f"  {escape(line)}")
    return EXIT_OK


def _refused(name: str, reason: str) -> int:
    from ..core.problems import escape

    print(f"NOT verified: {name}: {escape(reason)}")
    return EXIT_PROBLEMS
