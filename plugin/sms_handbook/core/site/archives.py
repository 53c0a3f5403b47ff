"""As-approved archives: each approved version of a document, as it read when approved.

Archives are plain HTML files (no theme, no navigation) so they stay cheap to build:
a banner naming the current version, the metadata block as it stood, the text, and
the changes from the previously approved version as a unified diff.
"""

from __future__ import annotations

import dataclasses
import difflib
from datetime import date
from typing import Any

from markupsafe import Markup

from .. import fields
from ..model import Document


def document_as_of(doc: Document, meta: dict[str, Any]) -> Document:
    """The document with the metadata it had at a past revision (bad old values ignored)."""
    changes: dict[str, Any] = {}
    for field in fields.HISTORIC:
        value = meta.get(field.name)
        if field.kind == "date":
            try:
                changes[field.name] = date.fromisoformat(value) if value is not None else None
            except (TypeError, ValueError):
                changes[field.name] = None
        elif field.kind == "clauses":
            if isinstance(value, list) and all(isinstance(c, str) for c in value):
                changes[field.name] = tuple(value)
        elif field.kind == "months":
            if isinstance(value, int) and not isinstance(value, bool):
                changes[field.name] = value
        elif isinstance(value, str):
            changes[field.name] = value
    return dataclasses.replace(doc, **changes)


def diff_html(before: str, after: str, before_label: str, after_label: str) -> Markup:
    """A unified diff of two texts as escaped HTML lines."""
    lines = difflib.unified_diff(
        before.splitlines(), after.splitlines(), before_label, after_label, lineterm="", n=2
    )
    out = []
    for line in lines:
        kind = (
            "head" if line.startswith(("---", "+++")) else
            "hunk" if line.startswith("@@") else
            "add" if line.startswith("+") else
            "del" if line.startswith("-") else "same"
        )  # fmt: skip
        out.append(Markup('<span class="smsh-diff-{}">{}</span>').format(kind, line))
    if not out:
        return Markup('<p class="smsh-note">The text did not change; only its metadata did.</p>')
    return Markup('<pre class="smsh-diff"><code>{}</code></pre>').format(Markup("").join(out))
