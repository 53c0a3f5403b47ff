"""New controlled documents: a draft page with document-control front matter and the
sections of its template, guidance kept as HTML comments for the author (none may be
left once the document is in review: see placeholders.py)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import yaml

from .model import Organization
from .policy_templates import PolicyTemplate

TYPE_FOLDERS = {
    "policy": "policies",
    "plan": "plans",
    "process": "processes",
    "procedure": "procedures",
    "work-instruction": "work-instructions",
    "form": "forms",
    "record": "records",
    "agreement": "agreements",
    "catalogue": "catalogue",
    "external": "external",
    "other": "documents",
}

#: Sections of a new document that follows no template.
SECTIONS = {
    "policy": ("Purpose", "Scope", "Policy statements", "Roles and responsibilities",
               "Compliance and exceptions", "Review and approval", "Related documents"),
    "plan": ("Purpose", "Scope", "Objectives", "Approach", "Resources and responsibilities",
             "Measures", "Related documents"),
    "process": ("Purpose", "Scope", "Inputs and outputs", "Activities", "Roles", "Measures",
                "Related documents"),
    "procedure": ("Purpose", "Scope", "Roles", "Steps", "Records", "Related documents"),
    "work-instruction": ("Purpose", "Before you start", "Steps", "Related documents"),
}  # fmt: skip
_DEFAULT_SECTIONS = ("Purpose", "Content", "Related documents")


def slugify(title: str) -> str:
    """A file name from a title: lower case ASCII words joined by dashes."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "document"


def default_path(doc_type: str, title: str) -> str:
    return f"{TYPE_FOLDERS[doc_type]}/{slugify(title)}.md"


def comment(text: str) -> str:
    """Guidance as the HTML comment a new page holds it in."""
    return "<!-- " + text.strip().replace("--", "- -") + " -->"


def intro(template: PolicyTemplate) -> str:
    """The guidance at the top of a page drafted from a template."""
    return (
        f"Drafted from the '{template.title}' template. Each section's guidance is in "
        "a comment like this one: write your own text, then delete the comments. Keep "
        "the section headings, in this order. Set status to in-review when ready."
    )


def section_guidance(heading: str) -> str:
    """The guidance under a heading of a new document that follows no template."""
    return f"Write the {heading.lower()} here."


def guidance_comments(templates: Iterable[PolicyTemplate]) -> set[str]:
    """Every guidance comment :func:`new_page` writes, with these templates or none."""
    found = {comment(section_guidance(h)) for h in _DEFAULT_SECTIONS}
    found |= {comment(section_guidance(h)) for headings in SECTIONS.values() for h in headings}
    for template in templates:
        found.add(comment(intro(template)))
        found |= {comment(s.guidance) for s in template.sections if s.guidance.strip()}
    return found


def new_page(
    organization: Organization,
    *,
    doc_type: str,
    doc_id: str,
    title: str,
    owner: str,
    template: PolicyTemplate | None = None,
) -> str:
    """The Markdown of a new draft document."""
    document: dict[str, object] = {
        "id": doc_id,
        "type": doc_type,
        "version": "0.1",
        "status": "draft",
        "owner": owner,
        "review_interval_months": organization.review_interval_months,
    }
    if template is not None:
        document["template"] = template.id
        document["clauses"] = list(template.clauses.get(organization.standard, ()))
    meta = yaml.safe_dump(
        {"title": title, "document": document}, sort_keys=False, allow_unicode=True
    )
    lines = [f"---\n{meta}---", f"# {title}", ""]
    if template is not None:
        lines += [comment(intro(template)), ""]
        for section in template.sections:
            lines += [f"## {section.heading}", ""]
            if section.guidance.strip():
                lines += [comment(section.guidance), ""]
            if section.skeleton.strip():
                lines += [section.skeleton.strip(), ""]
    else:
        for heading in SECTIONS.get(doc_type, _DEFAULT_SECTIONS):
            lines += [f"## {heading}", "", comment(section_guidance(heading)), ""]
    return "\n".join(lines).rstrip() + "\n"


def default_owner(organization: Organization) -> tuple[str, str] | None:
    """Who owns a new document when no owner is given, and where that came from: the
    SMS manager; None when the organization names none (nobody is guessed)."""
    if organization.sms_manager is not None:
        return organization.sms_manager, "the organization's sms_manager"
    return None
