"""Validation of a loaded handbook: schemas first, then the rules that span files; the
model is built only when no error was found.

Schema checks (types, allowed values, unknown keys) come from the JSON Schemas; this
package adds what a schema cannot say: unique ids, references between files, merging a
register entry with a page's front matter, and where sources may point. Cross-file rules
look only at values of the right type, so one bad value is reported once.

One module a data file: organization, phases, registers (the documents' declarations,
merged), disposals, assessments, project; a document's own rules in documents, its
fields by kind in kinds, the pages that follow a template in templates; what they share
in checker; the model, from the checked line maps, in build.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from ... import placeholders, standards
from ..frontmatter import Heading
from ..inputs import DataFile, LoadResult, PageRecord
from ..schema_passes import SchemaPasses
from ..yamlio import LineMap
from . import build
from .assessments import check_assessments
from .checker import Checker, Known, check_controls, control_problem, records_at
from .disposals import check_disposals
from .documents import check_approval, check_document
from .organization import check_organization, today
from .phases import check_phases
from .project import check_project
from .registers import document_records, merge
from .templates import check_headings, check_placeholders, load_templates

__all__ = ["control_problem", "validate"]


def validate(
    data: Mapping[str, DataFile],
    pages: Sequence[PageRecord],
    docs_dir: Path,
    root: Path,
    template_files: Sequence[DataFile] = (),
    headings: Callable[[str], list[Heading] | None] = lambda src_uri: None,
    passes: SchemaPasses | None = None,
) -> LoadResult:
    """Check everything; build the :class:`Handbook` only when no error was found.

    `template_files` are the organization's own policy templates; `headings` reads a
    page's headings, for pages that follow a template; `passes`, the values that passed
    their schema before (see schema_passes).
    """
    check = Checker(passes)
    for item in [*data.values(), *pages, *template_files]:
        if item.problem is not None:
            check.problems.append(item.problem)
    for name, file in data.items():
        if file.data is not None:
            check.schema(name, file.data, file.path)
    for item in [*data.values(), *template_files]:
        if item.data is not None:
            check_controls(check, item.data, item.path)
    for page in pages:
        if page.document is not None:
            check_controls(check, page.document, page.path, "document")
    templates = load_templates(check, template_files)

    org_file, phases_file = data["organization"], data["phases"]
    org = org_file.data if isinstance(org_file.data, LineMap) else LineMap()
    people = org.get("people") if isinstance(org.get("people"), LineMap) else LineMap()
    edition = org.get("standard")
    standard = standards.standard(edition) if edition in standards.EDITIONS else None
    check_organization(check, org, people, org_file.path)

    phase_list = records_at(phases_file.data, "phases")
    merged = merge(check, document_records(check, data, pages))
    known_phases = {p.get("id") for p in phase_list if isinstance(p.get("id"), str)}
    known = Known(people, standard, known_phases, merged, templates)
    day = today(org)
    separation = org.get("separation_of_duties", True) is not False
    guidance = placeholders.guidance(templates.values())
    for group in merged.values():
        check_document(check, group, known, docs_dir)
        check_approval(check, group, day, separation=separation)
        check_headings(check, group, templates, headings, docs_dir, root)
        check_placeholders(check, group, templates, guidance, docs_dir, root)
    check_phases(check, phase_list, phases_file.path, known)
    disposals, assessments, project = data["disposals"], data["assessments"], data["project"]
    check_disposals(check, records_at(disposals.data, "disposals"), disposals.path, known)
    entries = records_at(assessments.data, "assessments")
    check_assessments(check, entries, assessments.path, known)
    if isinstance(project.data, LineMap):
        check_project(check, project.data, project.path, known)

    problems = sorted(set(check.problems))
    if any(p.severity == "error" for p in problems) or standard is None:
        return LoadResult(None, problems, {i: build.sketch(merged[i]) for i in sorted(merged)})
    handbook = build.handbook(data, standard, merged, templates)
    return LoadResult(handbook, problems, handbook.documents)
