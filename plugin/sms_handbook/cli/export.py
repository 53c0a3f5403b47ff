"""`sms-handbook export`: the register, the compliance matrix, the disposal log,
nonconformities and actions, or the risk register as JSON, CSV or Excel, from the site
the pipeline builds (the same data, through the same functions, as the site's
documents.json, compliance.json, improvement.json and risks.json)."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.atomic import write_atomically
from .common import EXIT_OK, Refused, UsageError, add_command, built, opened

if TYPE_CHECKING:
    from ..core.site.pipeline import Build

#: Each choice of --what: the help and the command's description say them all.
EXPORTED = {
    "register": "the document register",
    "compliance": "the compliance matrix",
    "disposals": "the disposal log",
    "improvement": "nonconformities and actions",
    "risks": "the risk register",
}


def register(commands: argparse._SubParsersAction) -> None:
    *others, last = EXPORTED.values()
    export = add_command(commands, "export", f"export {', '.join(others)} or {last}")
    export.add_argument(
        "--what",
        choices=tuple(EXPORTED),
        default="register",
        help="what to export: "
        + ", ".join(f"{name} ({what})" for name, what in EXPORTED.items())
        + "; default: %(default)s",
    )
    export.add_argument("--format", required=True, choices=("json", "csv", "xlsx"))
    export.add_argument(
        "--all",
        action="store_true",
        help="include what the site withholds (for the document controller's "
        "own use: never publish the result)",
    )
    export.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="write to FILE (default: standard output)"
    )
    export.add_argument("--force", action="store_true", help="replace FILE if it exists")
    export.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.format == "xlsx" and args.output is None:
        raise UsageError("--format xlsx needs -o FILE")
    if args.output is not None and args.output.exists() and not args.force:
        raise Refused(f"{args.output} exists; not overwriting it (use --force to replace it)")
    project = opened(args.config_file)
    options = project.options
    if args.all:  # the site as it would be with nothing withheld
        options = dataclasses.replace(options, max_classification="restricted")
    if args.what in ("disposals", "improvement", "risks"):  # these need no history
        options = dataclasses.replace(options, history=False)
    data, count = _exported(args.what, args.format, built(project, options))
    if args.output is None:
        sys.stdout.write(data if isinstance(data, str) else data.decode())
        return EXIT_OK
    content = data if isinstance(data, bytes) else data.encode("utf-8")
    try:
        write_atomically(args.output, content, replace=args.force)
    except FileExistsError:
        raise Refused(
            f"{args.output} exists; not overwriting it (use --force to replace it)"
        ) from None
    except OSError as exc:
        raise Refused(f"cannot write {args.output}: {exc.strerror}") from None
    print(f"wrote {args.output} ({count})", file=sys.stderr)
    return EXIT_OK


def _exported(what: str, format: str, build: Build) -> tuple[str | bytes, str]:
    """The file's content, and what it holds (`12 documents`)."""
    from ..core.site import exports

    site, url = build.site, build.options.site_url
    hb = site.handbook
    if what == "compliance":
        matrix = build.renderer.coverage  # the site's compliance.json's
        count = f"{len(hb.standard.clauses)} clauses"
        if format == "json":
            return exports.compliance_json(matrix, hb, site.months, site.now), count
        columns, table = exports.COMPLIANCE_COLUMNS, exports.compliance_table(matrix)
        if format == "csv":
            return exports.table_csv(columns, table), count
        return exports.table_xlsx(columns, table, "Compliance", ("assessed_on",)), count
    if what in ("improvement", "risks"):
        return _check_act(what, format, build)
    if what == "disposals":
        register, count = site.register, f"{len(hb.disposals)} disposals"
        if format == "json":
            return exports.disposals_json(register, hb, site.now), count
        rows = exports.disposal_rows(register, hb)
        if format == "csv":
            return exports.table_csv(exports.DISPOSAL_COLUMNS, rows), count
        return exports.table_xlsx(exports.DISPOSAL_COLUMNS, rows, "Disposals", ("date",)), count
    site = site.with_revisions()  # as the later stage reads them for documents.json
    register, layout = site.register, site.layout
    count = f"{len(register)} documents"
    if format == "json":
        return exports.documents_json(register, hb, layout, site.now, url, site.edition), count
    if format == "csv":
        return exports.documents_csv(register, hb, layout, url), count
    return exports.documents_xlsx(register, hb, layout, url), count


def _check_act(what: str, format: str, build: Build) -> tuple[str | bytes, str]:
    """Nonconformities and actions (CSV: the nonconformities; Excel: a sheet of each),
    or the risk register, as the site's improvement.json and risks.json hold them."""
    from ..core.site import check_act_exports as cae
    from ..core.site import exports

    site = build.site
    hb, today, limit = site.handbook, site.today, site.max_classification
    if what == "risks":
        count = f"{len(hb.risks)} risks"
        if format == "json":
            return cae.risks_json(hb, site.now, limit), count
        rows = cae.risk_rows(hb, limit)
        if format == "csv":
            return exports.table_csv(cae.RISK_COLUMNS, rows), count
        return exports.table_xlsx(cae.RISK_COLUMNS, rows, "Risks", cae.RISK_DATES), count
    count = f"{len(hb.nonconformities)} nonconformities, {len(hb.actions)} actions"
    if format == "json":
        return cae.improvement_json(hb, today, site.now, limit), count
    if format == "csv":
        rows = cae.improvement_rows(hb, today, limit)
        return exports.table_csv(cae.IMPROVEMENT_COLUMNS, rows), f"{len(rows)} nonconformities"
    return exports.workbook_xlsx(cae.improvement_sheets(hb, today, limit)), count
