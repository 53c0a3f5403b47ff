"""Policy templates: the organization's own (templates_dir), and the pages that follow
one: its section headings in order, and none of its placeholders nor guidance left once
the document is in review or approved."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from ... import placeholders, policy_templates
from ...model import Location
from ...policy_templates import PolicyTemplate
from ...problems import excerpt
from .. import frontmatter
from ..frontmatter import Heading
from ..inputs import DataFile
from ..yamlio import YamlError, decode, read_regular
from .checker import Checker
from .registers import Group, field_of, norm

#: The statuses that say a document is finished (as written in a message).
_FINISHED = {"in-review": "in review", "approved": "approved"}


def load_templates(check: Checker, files: Sequence[DataFile]) -> dict[str, PolicyTemplate]:
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


def check_headings(
    check: Checker,
    group: Group,
    templates: Mapping[str, PolicyTemplate],
    headings: Callable[[str], list[Heading] | None],
    docs_dir: Path,
    root: Path,
) -> None:
    """A page that follows a template has the template's section headings, in order."""
    template_id = field_of(group, "template")[0]
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


def check_placeholders(
    check: Checker,
    group: Group,
    templates: Mapping[str, PolicyTemplate],
    guidance: frozenset[str],
    docs_dir: Path,
    root: Path,
) -> None:
    """A document in review or approved holds no placeholder of its template and no
    guidance comment (drafts may)."""
    status = field_of(group, "status")[0]
    page, path = _page(group, docs_dir, root)
    if status not in _FINISHED or page is None:
        return
    try:
        text = decode(read_regular(docs_dir / page), allow_bom=True)
        front = frontmatter.split(text)
    except (OSError, YamlError):
        return  # reported elsewhere: the page is missing or unreadable
    doc_id, template = group[0].fields["id"], field_of(group, "template")[0]
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


def _page(group: Group, docs_dir: Path, root: Path) -> tuple[str | None, str]:
    """A document's Markdown page (src_uri, None when it has none) and its path as shown."""
    page = next((r.page for r in group if r.page), None)
    source = field_of(group, "source")[0]
    if page is None and isinstance(source, str) and source.endswith(".md"):
        page = norm(source)
    if page is None:
        return None, ""
    return page, next((r.path for r in group if r.page), None) or _shown(docs_dir / page, root)


def _shown(path: Path, root: Path) -> str:
    return Path(os.path.relpath(path, root)).as_posix()


def _heading_key(text: str) -> str:
    return " ".join(text.replace("\\", "").split()).casefold()
