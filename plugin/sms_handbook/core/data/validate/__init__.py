"""Validation of a loaded handbook: schemas first, then the rules that span files; the
model is built only when no error was found.

Schema checks (types, allowed values, unknown keys) come from the JSON Schemas; this
package adds what a schema cannot say: unique ids, references between files, merging a
register entry with a page's front matter, and where sources may point. Cross-file rules
look only at values of the right type, so one bad value is reported once.

One module a data file: organization, phases, registers (the documents' declarations,
merged), disposals, assessments, project, and Check and Act's improvement (actions and
nonconformities), risks and management_reviews; a document's own rules in documents, its
fields by kind in kinds, the pages that follow a template in templates; what they share
in checker; the model, from the checked line maps, in build.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path

from ... import placeholders, standards
from ..frontmatter import Heading
from ..inputs import DataFile, LoadResult, PageRecord
from ..yamlio import LineMap
from . import build
from .assessments import check_assessments
from .checker import Checker, Known, check_controls, control_problem, records_at
from .disposals import check_disposals
from .documents import check_approval, check_document
from .improvement import check_actions, check_nonconformities, check_raised
from .management_reviews import check_reviews
from .organization import check_organization, today
from .phases import check_phases
from .project import check_project
from .registers import document_records, merge
from .risks import check_risks
from .templates import check_headings, check_placeholders, load_templates

__all__ = ["control_problem", "validate"]


def validate(
    data: Mapping[str, DataFile],
    pages: Sequence[PageRecord],
    docs_dir: Path,
    root: Path,
    template_files: Sequence[DataFile] = (),
    headings: Callable[[str], list[Heading] | None] = lambda src_uri: None,
) -> LoadResult:
    """Check everything; build the :class:`Handbook` only when no error was found.

    `template_files` are the organization's own policy templates; `headings` reads a
    page's headings, for pages that follow a template.
    """
    check = Checker()
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
    _check_and_act(check, data, known, day, entries)

    problems = sorted(set(check.problems))
    if any(p.severity == "error" for p in problems) or standard is None:
        return LoadResult(None, problems, {i: build.sketch(merged[i]) for i in sorted(merged)})
    handbook = build.handbook(data, standard, merged, templates)
    return LoadResult(handbook, problems, handbook.documents)


def _check_and_act(
    check: Checker,
    data: Mapping[str, DataFile],
    known: Known,
    day: date | None,
    assessments: list[LineMap],
) -> None:
    """risks, nonconformities, actions and management reviews, and what ties them to the
    assessments."""
    actions_file, risks_file = data["actions"], data["risks"]
    found, reviews = data["nonconformities"], data["management-reviews"]
    actions = check_actions(check, records_at(actions_file.data, "actions"), actions_file.path,
                            known, day)  # fmt: skip
    nonconformities = records_at(found.data, "nonconformities")
    ids = {a.get("id") for a in assessments if isinstance(a.get("id"), str)}
    check_nonconformities(check, nonconformities, found.path, known, day, actions, ids)
    if isinstance(risks_file.data, LineMap):
        check_risks(check, risks_file.data, risks_file.path, known, actions, day)
    entries = records_at(reviews.data, "management_reviews")
    check_reviews(check, entries, reviews.path, known, actions, day)
    if found.data is not None:  # an organization not yet recording them is not told off
        check_raised(check, assessments, data["assessments"].path, nonconformities)
