"""Validation of a loaded handbook: schemas first, then the rules that span files.

Schema checks (types, allowed values, unknown keys) come from the JSON Schemas; this
module adds what a schema cannot say: unique ids, references between files, merging a
register entry with a page's front matter, and where sources may point. Cross-file rules
look only at values of the right type, so one bad value is reported once.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .. import clock, fields, placeholders, policy_templates, standards, versions
from ..model import (
    Activity,
    Assessment,
    BusinessCase,
    Decision,
    Disposal,
    Document,
    Gate,
    Handbook,
    Location,
    Member,
    Organization,
    Person,
    Phase,
    Project,
    Result,
    ScopeChange,
)
from ..people import FORGES
from ..policy_templates import PolicyTemplate
from ..problems import Problem, did_you_mean, escape, excerpt
from . import frontmatter, schemas
from .frontmatter import Heading
from .inputs import DataFile, LoadResult, PageRecord
from .schema_passes import SchemaPasses
from .yamlio import LineList, LineMap, YamlError, decode, file_kind, read_regular

_NEEDED = ("title", "type", "owner", "version", "status")
#: The control characters no value may hold (C0 and C1, DEL; not tab nor line feed):
#: printed, ESC and its kin would drive the terminal of whoever reads the output.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: The dates a handbook may give (as common.schema.json says).
_FIRST_DATE, _LAST_DATE = date(1900, 1, 1), date(2999, 12, 31)


@dataclass
class _Record:
    """One declaration of a document: a register entry or a page's `document:` mapping."""

    fields: LineMap
    path: str
    origin: str  # "policies", "documents" or "page"
    page: str | None = None  # src_uri of the declaring page
    page_title: str | None = None

    def at(self, key: str | None = None) -> Location:
        line = self.fields.line if key is None else self.fields.value_line(key)
        return Location(self.path, line)


class _Checker:
    def __init__(self, passes: SchemaPasses | None) -> None:
        self.problems: list[Problem] = []
        self.passes = passes

    def schema(self, name: str, instance: Any, path: str) -> list[Problem]:
        """Check a value against a schema; its problems are returned and kept."""
        problems = schemas.check(name, instance, path, self.passes)
        self.problems.extend(problems)
        return problems

    def error(self, where: Location, code: str, message: str) -> None:
        self.problems.append(Problem(where.path, where.line, "error", code, message))

    def warning(self, where: Location, code: str, message: str) -> None:
        self.problems.append(Problem(where.path, where.line, "warning", code, message))


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
    check = _Checker(passes)
    for item in [*data.values(), *pages, *template_files]:
        if item.problem is not None:
            check.problems.append(item.problem)
    for name, file in data.items():
        if file.data is not None:
            check.schema(name, file.data, file.path)
    for item in [*data.values(), *template_files]:
        if item.data is not None:
            _check_controls(check, item.data, item.path)
    for page in pages:
        if page.document is not None:
            _check_controls(check, page.document, page.path, "document")
    templates = _templates(check, template_files)

    org_file, phases_file = data["organization"], data["phases"]
    org = org_file.data if isinstance(org_file.data, LineMap) else LineMap()
    people = org.get("people") if isinstance(org.get("people"), LineMap) else LineMap()
    edition = org.get("standard")
    standard = standards.standard(edition) if edition in standards.EDITIONS else None
    if isinstance(org.get("timezone"), str):
        _check_timezone(check, org, org_file.path)
    _check_people(check, org, people, org_file.path)

    phase_list = _records_at(phases_file.data, "phases")
    records = _document_records(check, data, pages)
    merged = _merge(check, records, docs_dir)
    known_phases = {p.get("id") for p in phase_list if isinstance(p.get("id"), str)}
    today = _today(org)
    separation = org.get("separation_of_duties", True) is not False
    guidance = placeholders.guidance(templates.values())
    for doc in merged.values():
        _check_document(check, doc, people, standard, known_phases, docs_dir, templates)
        _check_approval(check, doc, today, separation=separation)
        _check_headings(check, doc, templates, headings, docs_dir, root)
        _check_placeholders(check, doc, templates, guidance, docs_dir, root)
    _check_phases(check, phase_list, phases_file.path, people, standard, set(merged))
    disposals_file = data["disposals"]
    disposal_list = _records_at(disposals_file.data, "disposals")
    _check_disposals(check, disposal_list, disposals_file.path, people, merged)
    assessments_file, project_file = data["assessments"], data["project"]
    assessment_list = _records_at(assessments_file.data, "assessments")
    _check_assessments(check, assessment_list, assessments_file.path, people, standard, merged)
    project = project_file.data if isinstance(project_file.data, LineMap) else None
    if project is not None:
        _check_project(check, project, project_file.path, people, known_phases)

    problems = sorted(set(check.problems))
    if any(p.severity == "error" for p in problems) or standard is None:
        return LoadResult(None, problems, {i: _sketch(merged[i]) for i in sorted(merged)})
    organization = _organization(org, people)
    phases = tuple(_phase(p, phases_file.path) for p in phase_list)
    documents = {i: _document(merged[i], organization) for i in sorted(merged)}
    handbook = Handbook(
        organization, standard, phases, documents, templates,
        disposals=tuple(_disposal(d, disposals_file.path) for d in disposal_list),
        data_files=tuple(name for name, file in data.items() if file.data is not None),
        assessments=tuple(
            sorted((_assessment(a, assessments_file.path) for a in assessment_list),
                   key=lambda a: (a.date, a.id))
        ),
        project=_project(project, project_file.path) if project is not None else None,
    )  # fmt: skip
    return LoadResult(handbook, problems, documents)


def control_problem(path: str, line: int, what: str, text: str) -> Problem | None:
    """A `control-character` problem when `text` holds one (None when it holds none)."""
    found = _CONTROL.search(text)
    if found is None:
        return None
    char = found.group()
    return Problem(
        path, line, "error", "control-character",
        f"{what} holds the control character {excerpt(char)} (U+{ord(char):04X}); delete it",
    )  # fmt: skip


def _check_controls(check: _Checker, data: Any, path: str, what: str = "value") -> None:
    """No key nor text value of a file holds a control character (each mapping and list
    once, however many aliases repeat it). Each one's keys, and its text values, are
    searched at once: one by one only where something was found."""
    search, seen = _CONTROL.search, set()
    stack: list[tuple[Any, str]] = [(data, what)]
    found: list[Problem | None] = []
    while stack:
        node, name = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, LineMap):
            texts = [v for v in node.values() if isinstance(v, str)]
            if search("".join(node)) or search("".join(texts)):
                for key, value in node.items():
                    found.append(control_problem(path, node.key_line(key), "a key", key))
                    if isinstance(value, str):
                        line = node.value_line(key)
                        found.append(control_problem(path, line, excerpt(key), value))
            stack.extend((v, k) for k, v in node.items() if isinstance(v, (LineMap, LineList)))
        elif isinstance(node, LineList):
            if search("".join(v for v in node if isinstance(v, str))):
                for index, value in enumerate(node):
                    if isinstance(value, str):
                        line = node.item_line(index)
                        found.append(control_problem(path, line, excerpt(name), value))
            stack.extend((v, name) for v in node if isinstance(v, (LineMap, LineList)))
    check.problems.extend(p for p in found if p is not None)


def _records_at(data: Any, key: str) -> list[LineMap]:
    items = data.get(key) if isinstance(data, LineMap) else None
    return [r for r in items if isinstance(r, LineMap)] if isinstance(items, LineList) else []


def _check_people(check: _Checker, org: LineMap, people: LineMap, path: str) -> None:
    """The SMS manager is a person; no two people share a forge username."""
    manager = org.get("sms_manager")
    if isinstance(manager, str) and manager not in people:
        check.error(
            Location(path, org.value_line("sms_manager")),
            "unknown-person",
            f"sms_manager '{excerpt(manager)}' is not a key under people"
            f"{did_you_mean(manager, people)}",
        )
    for forge in FORGES:
        seen: dict[str, str] = {}
        for key, person in people.items():
            name = person.get(forge) if isinstance(person, LineMap) else None
            if not isinstance(name, str):
                continue
            name = name.lstrip("@").lower()
            if name in seen:
                check.error(
                    Location(path, person.value_line(forge)),
                    "duplicate-username",
                    f"{forge} username '{excerpt(name)}' is given for both {seen[name]} and {key}",
                )
            seen[name] = key


def _check_timezone(check: _Checker, org: LineMap, path: str) -> None:
    name = org["timezone"]
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        from zoneinfo import available_timezones

        hint = did_you_mean(name, available_timezones())
        check.error(
            Location(path, org.value_line("timezone")),
            "invalid-timezone",
            f"timezone '{excerpt(name)}' is not an IANA zone name{hint}; e.g. Europe/London or UTC",
        )


# --- documents -------------------------------------------------------------------------


def _document_records(
    check: _Checker, data: Mapping[str, DataFile], pages: Sequence[PageRecord]
) -> list[_Record]:
    records = []
    for name in ("policies", "documents"):
        file = data[name]
        for item in _records_at(file.data, name):
            records.append(_Record(item, file.path, name))
    for page in pages:
        if page.problem is not None and page.document is None:
            continue  # it could not be read (its problem says why)
        if not isinstance(page.document, LineMap):
            check.error(
                Location(page.path, page.document_line),
                "wrong-shape",
                "document: in front matter must be a mapping of document-control fields",
            )
            continue
        check.schema("document", page.document, page.path)
        records.append(_Record(page.document, page.path, "page", page.src_uri, page.title))
    return records


def _same(a: Any, b: Any) -> bool:
    return list(a) == list(b) if isinstance(a, list) and isinstance(b, list) else a == b


def _merge(check: _Checker, records: list[_Record], docs_dir: Path) -> dict[str, list[_Record]]:
    """Group declarations by id, reporting duplicates and disagreements."""
    by_id: dict[str, list[_Record]] = {}
    for record in records:
        doc_id = record.fields.get("id")
        if isinstance(doc_id, str):
            by_id.setdefault(doc_id, []).append(record)
    page_ids = {r.page: r.fields["id"] for group in by_id.values() for r in group if r.page}

    merged: dict[str, list[_Record]] = {}
    for doc_id, group in by_id.items():
        registers = [r for r in group if r.origin != "page"]
        declared_pages = [r for r in group if r.origin == "page"]
        for dupes in (registers, declared_pages):
            for extra in dupes[1:]:
                check.error(
                    extra.at("id"),
                    "duplicate-id",
                    f"document id {excerpt(doc_id)} is already declared at {dupes[0].at('id')}",
                )
        keep = registers[:1] + declared_pages[:1]
        register = registers[0] if registers else None
        page = declared_pages[0] if declared_pages else None
        if register is not None:
            source = register.fields.get("source")
            if page is not None and isinstance(source, str) and _norm(source) != page.page:
                check.error(
                    register.at("source"),
                    "conflict",
                    f"{excerpt(doc_id)}: the register's source is '{excerpt(source)}', but "
                    f"{page.path} declares {excerpt(doc_id)} in its front matter",
                )
            other = page_ids.get(_norm(source)) if isinstance(source, str) else None
            if other is not None and other != doc_id:
                check.error(
                    register.at("source"),
                    "conflict",
                    f"{excerpt(doc_id)}: source '{excerpt(source)}' declares document "
                    f"{excerpt(other)} in its front matter",
                )
        if page is not None:
            own = page.fields.get("source")
            if isinstance(own, str) and _norm(own) != page.page:
                check.error(
                    page.at("source"),
                    "conflict",
                    f"{excerpt(doc_id)}: a page's front matter cannot name another source "
                    f"('{excerpt(own)}')",
                )
        if register is not None and page is not None:
            for key in fields.NAMES:
                if key in ("id", "source") or key not in page.fields or key not in register.fields:
                    continue
                a, b = page.fields[key], register.fields[key]
                if not _same(a, b):
                    check.error(
                        page.at(key),
                        "conflict",
                        f"{excerpt(doc_id)}: {key} is {_show(a)} here but {_show(b)} in "
                        f"{register.at(key)}",
                    )
        merged[doc_id] = keep
    return merged


def _norm(path: str) -> str:
    """A source path as MkDocs names pages: `./a/../b.md` is `b.md`; `.x/a.md` stays."""
    return posixpath.normpath(path.replace("\\", "/")) if path else path


def _show(value: Any) -> str:
    return excerpt(f"[{', '.join(map(str, value))}]" if isinstance(value, list) else f"'{value}'")


def _field(group: list[_Record], key: str) -> tuple[Any, _Record | None]:
    for record in group:
        if key in record.fields:
            return record.fields[key], record
    return None, None


def _check_document(
    check: _Checker,
    group: list[_Record],
    people: LineMap,
    standard: standards.Standard | None,
    phases: set[Any],
    docs_dir: Path,
    templates: Mapping[str, PolicyTemplate],
) -> None:
    first = group[0]
    doc_id = first.fields["id"]
    kind, kind_at = _field(group, "type")
    for record in group:
        declared = record.fields.get("type")
        if record.origin == "policies" and isinstance(declared, str) and declared != "policy":
            check.error(
                record.at("type"),
                "not-a-policy",
                f"{excerpt(doc_id)} is in the policy register but declares type "
                f"'{excerpt(declared)}'; move it to documents.yml or make it a policy",
            )
    implied_policy = any(r.origin == "policies" for r in group) or _field(group, "template")[0]
    for key in _NEEDED:
        if _field(group, key)[1] is not None:
            continue
        if key == "version" and kind == "record":
            continue
        if key == "title" and any(r.page_title for r in group):
            continue
        if key == "type" and implied_policy:
            continue
        check.error(first.at(), "missing-field", f"{excerpt(doc_id)} has no {key}")

    for key in ("owner", "approver"):
        key_value, record = _field(group, key)
        if isinstance(key_value, str) and key_value not in people and record is not None:
            check.error(
                record.at(key),
                "unknown-person",
                f"{key} '{excerpt(key_value)}' is not a key under people in organization.yml"
                f"{did_you_mean(key_value, people)}",
            )
    clauses, record = _field(group, "clauses")
    if standard is not None and isinstance(clauses, LineList) and record is not None:
        _check_clauses(check, clauses, record.path, standard)
    phase, record = _field(group, "phase")
    if isinstance(phase, str) and phase not in phases and record is not None:
        check.error(
            record.at("phase"),
            "unknown-phase",
            f"phase '{excerpt(phase)}' is not defined in phases.yml{did_you_mean(phase, phases)}",
        )
    template, record = _field(group, "template")
    if isinstance(template, str) and record is not None:
        known = templates
        if template not in known:
            check.error(
                record.at("template"),
                "unknown-template",
                f"template '{excerpt(template)}' does not exist{did_you_mean(template, known)}; "
                f"available: {', '.join(sorted(known))}",
            )

    source, source_record = _field(group, "source")
    location, location_record = _field(group, "location")
    if isinstance(source, str) and source_record is not None and source_record.origin != "page":
        _check_source(check, source, source_record, docs_dir)
    has_source = source is not None or any(r.page for r in group)
    if has_source and location is not None and location_record is not None:
        check.error(
            location_record.at("location"),
            "source-and-location",
            f"{excerpt(doc_id)} gives both a source in the repository and a location outside "
            "it; keep one",
        )
    version, version_record = _field(group, "version")
    if isinstance(version, str) and version_record is not None:
        record_na = kind == "record" and version.strip().lower() == "n/a"
        if versions.parse(version) is None and not record_na:
            check.error(
                version_record.at("version"),
                "invalid-value",
                f"version '{excerpt(version)}' fits no version scheme; write it as {versions.FORMS}"
                + (', or "n/a" for a record' if kind == "record" else ""),
            )
    status, status_record = _field(group, "status")
    if status == "approved" and status_record is not None:
        for key in ("approver", "approved_on"):
            if _field(group, key)[1] is None and kind != "record":  # optional for records
                check.error(
                    status_record.at("status"),
                    "missing-approval",
                    f"{excerpt(doc_id)} is approved but gives no {key}",
                )
        if not has_source and location is None:
            check.error(
                first.at(),
                "no-location",
                f"{excerpt(doc_id)} is approved but has neither a source page nor a location",
            )
    retention = _field(group, "retention")[0]
    if kind == "record" and retention is None and kind_at is not None:
        check.warning(
            kind_at.at("type"),
            "missing-retention",
            f"{excerpt(doc_id)} is a record but does not say how long it is kept (retention)",
        )
    approved_on = _field(group, "approved_on")[0]
    next_review, record = _field(group, "next_review")
    if (
        isinstance(approved_on, str)
        and isinstance(next_review, str)
        and record is not None
        and _date(next_review) is not None
        and _date(approved_on) is not None
        and _date(next_review) < _date(approved_on)  # type: ignore[operator]
    ):
        check.error(
            record.at("next_review"),
            "review-before-approval",
            f"{excerpt(doc_id)}: next_review {next_review} is before approved_on {approved_on}",
        )


def _today(org: LineMap) -> date | None:
    """Today in the organization's timezone (None when it cannot be told: the timezone
    or SOURCE_DATE_EPOCH is reported elsewhere)."""
    zone = org.get("timezone", "UTC")
    try:
        return clock.today(zone if isinstance(zone, str) else "UTC")
    except (ValueError, ZoneInfoNotFoundError):
        return None


def _check_approval(
    check: _Checker, group: list[_Record], today: date | None, *, separation: bool
) -> None:
    """Nobody approves their own document, and no approval is dated after today."""
    doc_id = group[0].fields["id"]
    owner, approver_record = _field(group, "owner")[0], _field(group, "approver")[1]
    approver = _field(group, "approver")[0]
    if separation and isinstance(owner, str) and owner == approver and approver_record:
        check.error(
            approver_record.at("approver"),
            "self-approval",
            f"{excerpt(doc_id)}: {owner} is both owner and approver; separation_of_duties in "
            "organization.yml asks for another approver",
        )
    approved_on, record = _field(group, "approved_on")
    when = _date(approved_on)
    if today is not None and when is not None and when > today and record is not None:
        check.error(
            record.at("approved_on"),
            "approval-in-future",
            f"{excerpt(doc_id)}: approved_on {when} is after today ({today})",
        )


def _check_source(check: _Checker, source: str, record: _Record, docs_dir: Path) -> None:
    where = record.at("source")
    candidate = Path(source)
    if candidate.is_absolute() or source.startswith(("/", "\\")):
        check.error(
            where, "source-outside", f"source '{excerpt(source)}' must be relative to docs_dir"
        )
        return
    base = docs_dir.resolve()
    target = (docs_dir / candidate).resolve()
    if not target.is_relative_to(base):
        check.error(
            where,
            "source-outside",
            f"source '{excerpt(source)}' leads outside docs_dir ({docs_dir.name}/)"
            + (" through a symbolic link" if ".." not in candidate.parts else ""),
        )
    elif target.exists() and not target.is_file():
        kind = file_kind(target.stat().st_mode)
        check.error(where, "not-a-file", f"source '{excerpt(source)}' is {kind}, not a page")
    elif not target.is_file():
        check.error(
            where, "source-missing", f"source '{excerpt(source)}' does not exist in docs_dir"
        )


def _check_clauses(
    check: _Checker, clauses: LineList, path: str, standard: standards.Standard
) -> None:
    for index, number in enumerate(clauses):
        if isinstance(number, str) and number not in standard:
            check.error(
                Location(path, clauses.item_line(index)),
                "unknown-clause",
                f"clause {excerpt(number)} is not in {standard.title}"
                f"{did_you_mean(number, standard.by_number)}",
            )


def _templates(check: _Checker, files: Sequence[DataFile]) -> dict[str, PolicyTemplate]:
    """Built-in templates, extended or overridden by the organization's valid ones."""
    templates = dict(policy_templates.builtin())
    seen: dict[str, Location] = {}
    for file in files:
        if file.data is None:
            continue
        if check.schema("policy-template", file.data, file.path):
            continue
        template = policy_templates.parse(file.data, file.path)
        here = Location(file.path, file.data.value_line("id"))
        if template.id in seen:
            check.error(
                here,
                "duplicate-id",
                f"template id {template.id} is already used at {seen[template.id]}",
            )
            continue
        seen[template.id] = here
        templates[template.id] = template
    return templates


def _check_headings(
    check: _Checker,
    group: list[_Record],
    templates: Mapping[str, PolicyTemplate],
    headings: Callable[[str], list[Heading] | None],
    docs_dir: Path,
    root: Path,
) -> None:
    """A page that follows a template has the template's section headings, in order."""
    template_id = _field(group, "template")[0]
    page, path = _page(group, docs_dir, root)
    if not isinstance(template_id, str) or template_id not in templates or page is None:
        return
    found = headings(page)
    if found is None:
        return
    level = min((h.level for h in found if h.level > 1), default=2)
    sections = [h for h in found if h.level == level]
    texts = [_heading_key(h.text) for h in sections]
    last_line = max((h.line for h in found), default=1)
    position = 0
    template_sections = templates[template_id].sections
    for index, section in enumerate(template_sections):
        key = _heading_key(section.heading)
        if key in texts[position:]:
            position = texts.index(key, position) + 1
            continue
        expected = sections[position].line if position < len(sections) else last_line
        if key in texts[:position]:
            line = sections[texts.index(key)].line
            check.error(
                Location(path, line),
                "heading-order",
                f"heading '{section.heading}' is out of order: template {template_id} "
                f"puts it after '{template_sections[index - 1].heading}'"
                if index
                else f"heading '{section.heading}' is out of order: it comes first",
            )
        else:
            check.error(
                Location(path, expected),
                "missing-heading",
                f"missing heading '{section.heading}' (template {template_id} needs its "
                "sections in order)",
            )


def _page(group: list[_Record], docs_dir: Path, root: Path) -> tuple[str | None, str]:
    """A document's Markdown page (src_uri, None when it has none) and its path as shown."""
    page = next((r.page for r in group if r.page), None)
    source = _field(group, "source")[0]
    if page is None and isinstance(source, str) and source.endswith(".md"):
        page = _norm(source)
    if page is None:
        return None, ""
    return page, next((r.path for r in group if r.page), None) or _shown(docs_dir / page, root)


#: The statuses that say a document is finished (as written in a message).
_FINISHED = {"in-review": "in review", "approved": "approved"}


def _check_placeholders(
    check: _Checker,
    group: list[_Record],
    templates: Mapping[str, PolicyTemplate],
    guidance: frozenset[str],
    docs_dir: Path,
    root: Path,
) -> None:
    """A document in review or approved holds no placeholder of its template and no
    guidance comment (drafts may)."""
    status = _field(group, "status")[0]
    page, path = _page(group, docs_dir, root)
    if status not in _FINISHED or page is None:
        return
    try:
        text = decode(read_regular(docs_dir / page), allow_bom=True)
        front = frontmatter.split(text)
    except (OSError, YamlError):
        return  # reported elsewhere: the page is missing or unreadable
    doc_id, template = group[0].fields["id"], _field(group, "template")[0]
    bracketed = (
        placeholders.of_template(templates[template])
        if isinstance(template, str) and template in templates
        else frozenset()
    )
    for leftover in placeholders.leftovers(front.body, bracketed, guidance):
        where = Location(path, front.body_line + leftover.line - 1)
        if leftover.kind == "placeholder":
            message = f'still holds the template placeholder "{leftover.text}"; replace it'
        else:
            message = f'still holds the guidance comment "{leftover.text}"; delete it'
        check.error(
            where,
            "placeholder",
            f"{excerpt(doc_id)} is {_FINISHED[status]} but {message}, or keep the document a draft",
        )


def _shown(path: Path, root: Path) -> str:
    return Path(os.path.relpath(path, root)).as_posix()


def _heading_key(text: str) -> str:
    return " ".join(text.replace("\\", "").split()).casefold()


# --- phases ----------------------------------------------------------------------------


def _check_phases(
    check: _Checker,
    phase_list: list[LineMap],
    path: str,
    people: LineMap,
    standard: standards.Standard | None,
    documents: set[str],
) -> None:
    seen_phases: dict[str, Location] = {}
    seen_activities: dict[str, Location] = {}
    for phase in phase_list:
        _unique(check, phase, path, seen_phases, "phase")
        start, end = _date(phase.get("start")), _date(phase.get("end"))
        if start and end and end < start:
            check.error(
                Location(path, phase.value_line("end")),
                "invalid-range",
                f"phase {phase.get('id')} ends ({end}) before it starts ({start})",
            )
        for activity in _records_at(phase, "activities"):
            _unique(check, activity, path, seen_activities, "activity")
            _check_people_at(check, activity, ("owner",), path, people)
            _check_people_at(
                check, activity, ("responsible", "consulted", "informed"), path, people
            )
            clauses = activity.get("clauses")
            if standard is not None and isinstance(clauses, LineList):
                _check_clauses(check, clauses, path, standard)
            _check_ids(check, activity.get("deliverables"), path, documents, "deliverable")


def _check_people_at(
    check: _Checker, item: LineMap, keys: Sequence[str], path: str, people: LineMap
) -> None:
    """Each of these keys names a person, or lists people."""
    for key in keys:
        value = item.get(key)
        named = list(enumerate(value)) if isinstance(value, LineList) else [(None, value)]
        for index, person in named:
            if isinstance(person, str) and person not in people:
                line = value.item_line(index) if index is not None else item.value_line(key)
                check.error(
                    Location(path, line),
                    "unknown-person",
                    f"{key} '{excerpt(person)}' is not a key under people in organization.yml"
                    f"{did_you_mean(person, people)}",
                )


def _check_ids(
    check: _Checker,
    ids: Any,
    path: str,
    known: Mapping[str, Any] | set[str],
    what: str,
    *,
    links: bool = False,
) -> None:
    """Each document id of a list resolves (with `links`, links are left alone)."""
    if not isinstance(ids, LineList):
        return
    for index, item in enumerate(ids):
        if isinstance(item, str) and not (links and _is_link(item)) and item not in known:
            check.error(
                Location(path, ids.item_line(index)),
                "unknown-document",
                f"{what} {excerpt(item)} is not a document in the registers or front matter"
                f"{', nor a link' if links else ''}{did_you_mean(item, known)}",
            )


def _is_link(text: str) -> bool:
    return text.startswith(("https://", "http://"))


def _check_assessments(
    check: _Checker,
    entries: list[LineMap],
    path: str,
    people: LineMap,
    standard: standards.Standard | None,
    documents: Mapping[str, list[_Record]],
) -> None:
    """Unique ids; a person assessed; each clause once, of the edition; evidence resolves."""
    seen: dict[str, Location] = {}
    for entry in entries:
        _unique(check, entry, path, seen, "assessment")
        _check_people_at(check, entry, ("assessor",), path, people)
        assessed: dict[str, int] = {}
        for result in _records_at(entry, "results"):
            number = result.get("clause")
            line = result.value_line("clause")
            if isinstance(number, str) and standard is not None and number not in standard:
                check.error(
                    Location(path, line),
                    "unknown-clause",
                    f"clause {excerpt(number)} is not in {standard.title}"
                    f"{did_you_mean(number, standard.by_number)}",
                )
            elif isinstance(number, str) and number in assessed:
                check.error(
                    Location(path, line),
                    "duplicate-id",
                    f"clause {excerpt(number)} is assessed twice in {entry.get('id')} (first at "
                    f"line {assessed[number]})",
                )
            if isinstance(number, str):
                assessed.setdefault(number, line)
            _check_ids(check, result.get("evidence"), path, documents, "evidence", links=True)


def _check_project(
    check: _Checker, project: LineMap, path: str, people: LineMap, phases: set[Any]
) -> None:
    """Everyone named is a person; every gate ends a phase that exists, once."""
    _check_people_at(check, project, ("sponsor",), path, people)
    case = project.get("business_case")
    if isinstance(case, LineMap) and isinstance(case.get("decision"), LineMap):
        _check_people_at(check, case["decision"], ("by",), path, people)
    for member in _records_at(project, "team"):
        _check_people_at(check, member, ("person",), path, people)
    gated: dict[str, Location] = {}
    for gate in _records_at(project, "gates"):
        phase = gate.get("phase")
        here = Location(path, gate.value_line("phase"))
        if isinstance(phase, str) and phase not in phases:
            check.error(
                here,
                "unknown-phase",
                f"gate phase '{excerpt(phase)}' is not defined in phases.yml"
                f"{did_you_mean(phase, phases)}",
            )
        elif isinstance(phase, str) and phase in gated:
            check.error(
                here, "duplicate-id", f"phase {excerpt(phase)} has a gate already at {gated[phase]}"
            )
        if isinstance(phase, str):
            gated.setdefault(phase, here)
        if isinstance(gate.get("decision"), LineMap):
            _check_people_at(check, gate["decision"], ("by",), path, people)
    for change in _records_at(project, "scope_changes"):
        _check_people_at(check, change, ("approved_by",), path, people)


def _check_disposals(
    check: _Checker,
    entries: list[LineMap],
    path: str,
    people: LineMap,
    documents: Mapping[str, list[_Record]],
) -> None:
    """Each disposal names a record series and the person who authorised it."""
    series = {doc_id for doc_id, group in documents.items() if _field(group, "type")[0] == "record"}
    for entry in entries:
        record = entry.get("record")
        if isinstance(record, str) and record not in series:
            what = "a record series (type: record)" if record in documents else "a document"
            check.error(
                Location(path, entry.value_line("record")),
                "unknown-document",
                f"record '{excerpt(record)}' is not {what} in the registers"
                f"{did_you_mean(record, series)}",
            )
        _check_people_at(check, entry, ("authorised_by",), path, people)


def _unique(
    check: _Checker, item: LineMap, path: str, seen: dict[str, Location], what: str
) -> None:
    item_id = item.get("id")
    if not isinstance(item_id, str):
        return
    here = Location(path, item.value_line("id"))
    if item_id in seen:
        check.error(
            here, "duplicate-id", f"{what} id {excerpt(item_id)} is already used at {seen[item_id]}"
        )
    else:
        seen[item_id] = here


# --- building the model (only reached when there are no errors) --------------------------


def _date(value: Any) -> date | None:
    """A date as written, if it is one from 1900 to 2999 (the schema's range: later ones
    would overflow the calendar once a review interval is added)."""
    if not isinstance(value, str):
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if _FIRST_DATE <= day <= _LAST_DATE else None


def _organization(org: LineMap, people: LineMap) -> Organization:
    return Organization(
        name=org["name"],
        standard=org["standard"],
        scope=org.get("scope", ""),
        timezone=org.get("timezone", "UTC"),
        review_interval_months=org.get("review_interval_months", 12),
        review_warning_days=org.get("review_warning_days", 30),
        people={
            key: Person(
                key,
                p["name"],
                p.get("role", ""),
                p.get("email", ""),
                p.get("github", "").lstrip("@"),
                p.get("gitlab", "").lstrip("@"),
            )
            for key, p in people.items()
        },
        sms_manager=org.get("sms_manager"),
        separation_of_duties=org.get("separation_of_duties", True),
    )


def _assessment(data: LineMap, path: str) -> Assessment:
    return Assessment(
        id=data["id"],
        date=_date(data["date"]),  # type: ignore[arg-type]
        kind=data["kind"],
        title=data["title"],
        assessor=data["assessor"],
        results=tuple(
            Result(r["clause"], r["conformity"], tuple(r.get("evidence", ())), r.get("notes", ""))
            for r in _records_at(data, "results")
        ),
        summary=data.get("summary", ""),
        where=Location(path, data.line),
    )


def _decision(data: Any) -> Decision | None:
    if not isinstance(data, LineMap):
        return None
    return Decision(data["outcome"], data.get("by"), _date(data.get("on")), data.get("notes", ""))


def _project(data: LineMap, path: str) -> Project:
    case = data.get("business_case")
    return Project(
        sponsor=data.get("sponsor"),
        business_case=BusinessCase(
            summary=case.get("summary", ""),
            drivers=tuple(case.get("drivers", ())),
            benefits=tuple(case.get("benefits", ())),
            costs=case.get("costs", ""),
            decision=_decision(case.get("decision")),
        )
        if isinstance(case, LineMap)
        else None,
        governance=data.get("governance", ""),
        team=tuple(
            Member(m["person"], m["role"], m.get("allocation", ""))
            for m in _records_at(data, "team")
        ),
        readiness=tuple(data.get("readiness", ())),
        gates=tuple(
            Gate(g["phase"], tuple(g.get("criteria", ())), _decision(g.get("decision")))
            for g in _records_at(data, "gates")
        ),
        scope_changes=tuple(
            ScopeChange(_date(c["date"]), c["change"], c["reason"], c["approved_by"])  # type: ignore[arg-type]
            for c in _records_at(data, "scope_changes")
        ),
        path=path,
    )


def _disposal(data: LineMap, path: str) -> Disposal:
    return Disposal(
        record=data["record"],
        date=_date(data["date"]),  # type: ignore[arg-type]
        what=data["what"],
        method=data["method"],
        authorised_by=data["authorised_by"],
        notes=data.get("notes", ""),
        where=Location(path, data.line),
    )


def _phase(data: LineMap, path: str) -> Phase:
    activities = tuple(
        Activity(
            id=a["id"],
            title=a["title"],
            phase=data["id"],
            owner=a["owner"],
            status=a["status"],
            clauses=tuple(a.get("clauses", ())),
            due=_date(a.get("due")),
            deliverables=tuple(a.get("deliverables", ())),
            notes=a.get("notes", ""),
            responsible=tuple(a.get("responsible", ())),
            consulted=tuple(a.get("consulted", ())),
            informed=tuple(a.get("informed", ())),
            where=Location(path, a.line),
        )
        for a in _records_at(data, "activities")
    )
    return Phase(
        id=data["id"],
        title=data["title"],
        start=_date(data["start"]),  # type: ignore[arg-type]
        end=_date(data["end"]),  # type: ignore[arg-type]
        objective=data.get("objective", ""),
        characteristics=tuple(data.get("characteristics", ())),
        components=tuple(data.get("components", ())),
        activities=activities,
        where=Location(path, data.line),
    )


def _sketch(group: list[_Record]) -> Document:
    """A document as declared, whatever its values (for comparing, not for building)."""
    values, where = _declared_values(group)
    known = {k: v for k, v in values.items() if k in fields.NAMES}
    for key, value in known.items():  # `changes` prints them: never a control character
        if isinstance(value, str) and _CONTROL.search(value):
            known[key] = escape(value)
    for key in ("title", "type", "owner", "status"):
        known[key] = known.get(key) or ""
    known["version"] = values["version"] if isinstance(values["version"], str) else None
    clauses = values["clauses"]
    known["clauses"] = tuple(str(c) for c in clauses) if isinstance(clauses, list | tuple) else ()
    return Document(**known, where=where, register=_register_of(group))


def _document(group: list[_Record], organization: Organization) -> Document:
    values, where = _declared_values(group)
    return Document(**values, where=where, register=_register_of(group))


def _register_of(group: list[_Record]) -> str | None:
    return next((r.path for r in group if r.origin != "page"), None)


def _declared_values(group: list[_Record]) -> tuple[dict[str, Any], dict[str, Location]]:
    """A document's values from its declarations (a register's first), and where each
    was written."""
    values: dict[str, Any] = {}
    where: dict[str, Location] = {}
    for record in group:
        for key, value in record.fields.items():
            if key not in values:
                values[key] = value
                where[key] = record.at(key)
    page = next((r for r in group if r.page), None)
    if page is not None:
        values["source"] = page.page
        where.setdefault("source", page.at())
        values.setdefault("title", page.page_title)
    if "type" not in values:
        values["type"] = "policy"
    values.setdefault("version", None)
    for key in ("approved_on", "next_review"):
        if key in values:
            values[key] = _date(values[key])
    if isinstance(values.get("source"), str):
        values["source"] = _norm(values["source"])
    clauses = values.get("clauses", ())
    values["clauses"] = tuple(clauses) if isinstance(clauses, list | tuple) else clauses
    return values, where
