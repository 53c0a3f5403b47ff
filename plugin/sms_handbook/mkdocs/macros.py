"""mkdocs-macros integration: document(), clause(), documents_table(), phase_progress()
and the `sms` variables, registered when the macros plugin is enabled (before or after
`sms-handbook` in mkdocs.yml). Every value placed in a page is escaped."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

if TYPE_CHECKING:
    from .plugin import SmsHandbookPlugin


class SmsVariables:
    """`{{ sms.organization }}`, `{{ sms.standard }}`, `{{ sms.edition }}`, `{{ sms.today }}`."""

    def __init__(self, plugin: SmsHandbookPlugin) -> None:
        self._plugin = plugin

    def _site(self) -> Any:
        if self._plugin.site is None:
            raise RuntimeError("sms-handbook has not loaded the handbook yet")
        return self._plugin.site

    @property
    def organization(self) -> str:
        return self._site().handbook.organization.name

    @property
    def standard(self) -> str:
        return self._site().handbook.standard.title

    @property
    def edition(self) -> str:
        return self._site().edition or ""

    @property
    def today(self) -> date:
        return self._site().today

    @property
    def scope(self) -> str:
        return self._site().handbook.organization.scope

    @property
    def documents(self) -> int:
        return len(self._site().handbook.documents)


def register(plugin: SmsHandbookPlugin, macros: Any) -> None:
    """Register the handbook's macros and variables with the mkdocs-macros plugin."""

    def fragment(kind: str, **context: Any) -> str:
        renderer = plugin.renderer
        if renderer is None or plugin.current_page is None:
            raise RuntimeError("sms-handbook macros work only in pages of a handbook build")
        html = renderer.render("inline.html.j2", plugin.current_page, kind=kind, **context)
        return str(Markup(html.strip()))

    def document(doc_id: str) -> str:
        """A link to a controlled document, with its title and version."""
        site = plugin.site
        if site is None or doc_id not in site.handbook.documents:
            raise KeyError(f"document(): there is no document {doc_id!r}")
        return fragment("document", e=site.entry(doc_id))

    def clause(number: str) -> str:
        """A clause's number and title, linked to the compliance matrix."""
        site = plugin.site
        if site is None or str(number) not in site.handbook.standard:
            raise KeyError(f"clause(): {number!r} is not a clause of the organization's standard")
        return fragment("clause", clause=site.handbook.standard.by_number[str(number)])

    def documents_table(
        type: str | None = None, status: str | None = None, owner: str | None = None,
        phase: str | None = None,
    ) -> str:  # fmt: skip
        """A table of the documents matching every filter given."""
        site = plugin.site
        if site is None:
            raise RuntimeError("sms-handbook has not loaded the handbook yet")
        wanted = {"type": type, "status": status, "owner": owner, "phase": phase}
        entries = [
            e for e in site.register
            if all(v is None or getattr(e.doc, k) == v for k, v in wanted.items())
        ]  # fmt: skip
        return "\n\n" + fragment("documents_table", entries=entries) + "\n\n"

    def phase_progress(phase_id: str) -> str:
        """A phase's progress: activities done of all, as a bar and in words."""
        renderer = plugin.renderer
        progress = (
            next((p for p in renderer.progress if p.phase.id == phase_id), None)
            if renderer
            else None
        )
        if progress is None:
            raise KeyError(f"phase_progress(): there is no phase {phase_id!r}")
        return fragment("phase_progress", p=progress)

    macros.register_macros(
        {
            "document": document,
            "clause": clause,
            "documents_table": documents_table,
            "phase_progress": phase_progress,
        }
    )
    macros.register_variables({"sms": SmsVariables(plugin)})
