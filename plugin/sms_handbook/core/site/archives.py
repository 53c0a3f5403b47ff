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

from ..model import Document

_TEXT_FIELDS = ("title", "type", "owner", "approver", "version", "status", "classification",
                "retention", "phase", "template", "location")  # fmt: skip


def document_as_of(doc: Document, meta: dict[str, Any]) -> Document:
    """The document with the metadata it had at a past revision (bad old values ignored)."""
    changes: dict[str, Any] = {k: meta[k] for k in _TEXT_FIELDS if isinstance(meta.get(k), str)}
    for key in ("approved_on", "next_review"):
        try:
            changes[key] = date.fromisoformat(meta[key]) if key in meta else None
        except (TypeError, ValueError):
            changes[key] = None
    clauses = meta.get("clauses")
    if isinstance(clauses, list) and all(isinstance(c, str) for c in clauses):
        changes["clauses"] = tuple(clauses)
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
