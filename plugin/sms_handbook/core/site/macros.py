"""The handbook's macros for pages: `document()`, `clause()`, `documents_table()`,
`phase_progress()` and the `sms` variables. Faces bind them to a build: mkdocs-macros
(through `sms_handbook.mkdocs.macros`) and `render`, which expands them in the copies.
Every value placed in a page is escaped."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from markupsafe import Markup

from .pages import Renderer
from .site_data import SiteData


class MacroContext:
    """What the macros need: the build's renderer (and through it the site), and the
    page being rendered (links start from it). A face binds the renderer once per build
    and sets `page` before each page."""

    def __init__(self) -> None:
        self.renderer: Renderer | None = None
        self.page: str | None = None

    def bind(self, renderer: Renderer) -> None:
        self.renderer = renderer

    def _site(self) -> SiteData:
        if self.renderer is None:
            raise RuntimeError("sms-handbook has not loaded the handbook yet")
        return self.renderer.site

    def _fragment(self, kind: str, **context: Any) -> str:
        if self.renderer is None or self.page is None:
            raise RuntimeError("sms-handbook macros work only in pages of a handbook build")
        html = self.renderer.render("inline.html.j2", self.page, kind=kind, **context)
        return str(Markup(html.strip()))

    def document(self, doc_id: str) -> str:
        """A link to a controlled document, with its title and version."""
        site = self._site()
        if doc_id not in site.handbook.documents:
            raise KeyError(f"document(): there is no document {doc_id!r}")
        return self._fragment("document", e=site.entry(doc_id))

    def clause(self, number: str) -> str:
        """A clause's number and title, linked to the compliance matrix."""
        standard = self._site().handbook.standard
        if str(number) not in standard:
            raise KeyError(f"clause(): {number!r} is not a clause of the organization's standard")
        return self._fragment("clause", clause=standard.by_number[str(number)])

    def documents_table(
        self, type: str | None = None, status: str | None = None, owner: str | None = None,
        phase: str | None = None,
    ) -> str:  # fmt: skip
        """A table of the documents matching every filter given."""
        wanted = {"type": type, "status": status, "owner": owner, "phase": phase}
        entries = [
            e for e in self._site().register
            if all(v is None or getattr(e.doc, k) == v for k, v in wanted.items())
        ]  # fmt: skip
        return "\n\n" + self._fragment("documents_table", entries=entries) + "\n\n"

    def phase_progress(self, phase_id: str) -> str:
        """A phase's progress: activities done of all, as a bar and in words."""
        progress = self.renderer.progress if self.renderer else []
        found = next((p for p in progress if p.phase.id == phase_id), None)
        if found is None:
            raise KeyError(f"phase_progress(): there is no phase {phase_id!r}")
        return self._fragment("phase_progress", p=found)

    def macros(self) -> dict[str, Callable[..., str]]:
        return {
            "document": self.document,
            "clause": self.clause,
            "documents_table": self.documents_table,
            "phase_progress": self.phase_progress,
        }

    def variables(self) -> dict[str, Any]:
        return {"sms": SmsVariables(self)}


class SmsVariables:
    """`{{ sms.organization }}`, `{{ sms.standard }}`, `{{ sms.edition }}`, `{{ sms.today }}`,
    `{{ sms.scope }}`, `{{ sms.documents }}`."""

    def __init__(self, context: MacroContext) -> None:
        self._context = context

    @property
    def organization(self) -> str:
        return self._context._site().handbook.organization.name

    @property
    def standard(self) -> str:
        return self._context._site().handbook.standard.title

    @property
    def edition(self) -> str:
        return self._context._site().edition or ""

    @property
    def today(self) -> date:
        return self._context._site().today

    @property
    def scope(self) -> str:
        return self._context._site().handbook.organization.scope

    @property
    def documents(self) -> int:
        return len(self._context._site().handbook.documents)
