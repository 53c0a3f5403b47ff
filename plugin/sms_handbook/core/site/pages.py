"""Generated pages as Markdown: phases, the compliance matrix, the dashboard fragment.

The pages are declared in page_specs.py; :class:`Renderer` walks the declarations and
renders each template in its build's Jinja environment (environment.py), where what
every page shares is set once as globals. Tables and badges are raw HTML inside the
Markdown (so a `|` in a title cannot break a table) with URLs computed by
:class:`~sms_handbook.core.layout.Layout`; headings stay Markdown so they reach the
table of contents and the search index. Markdown written in the data (objectives,
notes, scope) is rendered by the templates' filters (data_markdown.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from html import escape
from typing import Any

import yaml
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from .. import control, copies, coverage, fields, improvement, management_review, progress, risks
from ..model import Activity
from ..register import Entry, allowed
from . import charts, markers, rows
from .environment import environment
from .page_specs import PageSpec, page_specs
from .site_data import SiteData


@dataclass(frozen=True)
class GeneratedPage:
    src_uri: str  # path under docs_dir
    title: str
    markdown: str
    source: str  # the data file it comes from, relative to the project root
    in_nav: bool = True  # False: reachable by links only, kept out of the navigation
    #: HTML blocks by marker ("" each when rendered without blocks)
    fragments: dict[str, str] = field(default_factory=dict)


class Renderer:
    """Renders templates for one build; holds what every page shares, computed once,
    as its environment's globals."""

    def __init__(self, site: SiteData) -> None:
        self.site = site
        self.handbook = site.handbook
        self.layout = site.layout
        self.org = site.handbook.organization
        self.coverage = coverage.clause_coverage(site.handbook, site.today)
        self.progress = [coverage.phase_progress(p) for p in site.handbook.phases]
        self.environment = environment(self._globals())

    def _globals(self) -> dict[str, Any]:
        """What every template of the build sees. A render adds only what is its page's:
        `link` (relative to the page) and `html` (its blocks), and the page's values."""
        layout, today = self.layout, self.site.today

        # The rows that link: from the page being rendered (its `link`).
        @pass_context
        def exception_rows(context: Context, *args: Any) -> Markup:
            return rows.exception_rows(
                *args, link=context["link"], commit_url=layout.commit_url, labels=control.LABELS
            )

        @pass_context
        def evidence_rows(context: Context, *args: Any) -> Markup:
            return rows.evidence_rows(
                *args, link=context["link"], person=self.person, commit_url=layout.commit_url,
                pull_request_url=layout.pull_request_url,
            )  # fmt: skip

        return {
            "hb": self.handbook,
            "org": self.org,
            "today": today,
            "layout": layout,
            "person": self.person,
            "document": self.handbook.documents.get,
            "entry": self.site.entry,
            "coverage": self.coverage,
            "progress": self.progress,
            "clause_states": coverage.CLAUSE_STATES,
            "is_overdue": lambda a: coverage.is_overdue(a, today),
            "open_work": lambda phase: coverage.open_work(phase, today),
            "held_up": self.held_up,
            "revision_rows": partial(
                rows.revision_rows,
                show_emails=layout.show_emails,
                commit_url=layout.commit_url,
                pull_request_url=layout.pull_request_url,
                labels=control.LABELS,
            ),
            "exception_rows": exception_rows,
            "evidence_rows": evidence_rows,
            "badge_html": rows.badge,
            "commit_cell": partial(rows.commit_cell, url=layout.commit_url),
            "pull_request_cell": partial(rows.pull_request_cell, url=layout.pull_request_url),
            "block_cells": block_cells,
            "exception_labels": control.LABELS,
            "conformity_labels": coverage.CONFORMITY_LABELS,
            "fields": fields.BY_NAME,
            "copy_pdf": partial(copies.copy_path, layout),  # a document's PDF, if any
            "in_copy": False,  # rendering a controlled copy (PDF): no links to itself
        }

    def render(self, template: str, page: str, **extra: Any) -> str:
        """Render a template for `page` (links are relative to it); HTML blocks inline."""
        return self._render(template, page, extra)

    def render_page(self, template: str, page: str, **extra: Any) -> tuple[str, dict[str, str]]:
        """Render a page template whose `{% call html() %}` blocks skip Markdown.

        Returns the Markdown, with a marker in place of each HTML block, and the blocks
        by marker: the plugin puts them back into the page's HTML after Markdown has
        run, so big tables cost nothing to convert.
        """
        fragments: dict[str, str] = {}
        return self._render(template, page, extra, fragments), fragments

    def _render(
        self,
        template: str,
        page: str,
        values: Mapping[str, Any],
        fragments: dict[str, str] | None = None,
        blocks: bool = True,
    ) -> str:
        """`fragments`: where the HTML blocks go (None: inline); without `blocks`, they
        are left empty (their markers stay)."""
        layout = self.layout

        def link(to_src: str, anchor: str = "") -> str:
            return layout.link(page, to_src, anchor)

        def html(caller: Callable[[], str]) -> Markup:
            if fragments is None:
                return Markup(caller())
            marker = markers.marker(f"{page}#{len(fragments)}")
            fragments[marker] = str(caller()) if blocks else ""
            return Markup(f"\n\n{marker}\n\n")

        return self.environment.get_template(template).render(link=link, html=html, **values)

    def person(self, key: str | None) -> str:
        if key is None:
            return ""
        person = self.org.people.get(key)
        return person.label if person else key

    def metadata_block(self, entry: Entry, page: str) -> str:
        """The document-control block shown at the top of a document's page."""
        return self.render("metadata.html.j2", page, e=entry)

    def revision_table(self, entry: Entry, page: str) -> str:
        """The revision history table of a document's page."""
        return self.render("revisions.html.j2", page, e=entry)

    def dashboard(self, page: str) -> str:
        """The dashboard fragment (HTML) for a page that places the marker."""
        register = self.site.register
        by_status: dict[str, int] = {}
        for e in register:
            by_status[e.doc.status] = by_status.get(e.doc.status, 0) + 1
        return self.render(
            "dashboard.html.j2",
            page,
            **self.reality,
            late_phases=[
                (p, work)
                for p in self.handbook.phases
                if (work := coverage.open_work(p, self.site.today))
            ],
            stuck=self.held_up(self.handbook.activities),
            overdue=sorted(
                (e for e in register if e.review_state == "overdue"),
                key=lambda e: (e.next_review, e.doc.id),
            ),
            by_status=by_status,
            check_act=self._check_and_act(),
        )

    def _check_and_act(self) -> dict[str, Any] | None:
        """The dashboard's Check and Act card (None without any of its data files)."""
        hb, today = self.handbook, self.site.today
        files = set(hb.data_files)
        if not files & {"nonconformities", "actions", "risks", "management-reviews"}:
            return None
        tracker = self.tracker
        org = hb.organization
        criteria = hb.risk_criteria
        grades = {g: 0 for g in improvement.GRADES}
        for n in hb.nonconformities:
            if n.status == "open":
                grades[n.grade] += 1
        return {
            "pages": bool(files & {"nonconformities", "actions"}),
            "grades": grades,
            "overdue": tracker.listed(("overdue",)),
            "above": [r.risk for r in risks.rated(criteria, hb.risks) if r.above_appetite]
            if criteria is not None else None,
            "schedule": management_review.schedule(
                hb.management_reviews, org.management_review_interval_months, today
            ) if "management-reviews" in files else None,
            "unaudited": len(management_review.unaudited(
                hb.standard, hb.assessments, org.audit_cycle_months, today
            )),
            "cycle": org.audit_cycle_months,
        }  # fmt: skip

    @cached_property
    def tracker(self) -> improvement.Tracker:
        """The actions as of today, with what raised each (the Check and Act pages'
        and the dashboard's)."""
        return improvement.tracker(self.handbook, self.site.today)

    def shown(self, classification: str) -> bool:
        """Whether a Check and Act entry of this classification is shown in full."""
        return allowed(classification, self.site.max_classification)

    def held_up(self, activities: Sequence[Activity]) -> list[Activity]:
        """The activities that are blocked or overdue."""
        today = self.site.today
        return [a for a in activities if a.status == "blocked" or coverage.is_overdue(a, today)]

    @cached_property
    def reality(self) -> dict[str, Any]:
        """Plan and reality: what the compliance page and the dashboard show (worked
        out once for both)."""
        rows = self.coverage
        totals = progress.assessment_totals(self.handbook, self.handbook.standard)
        return {
            "totals": coverage.state_totals(rows),
            "gaps": [r for r in rows if r.state == "gap"],
            "conformity": coverage.conformity_totals(rows),
            "attention": coverage.needing_attention(rows),
            "assessment_totals": totals,
            "months": self.site.months,
            "conformity_chart": Markup(charts.conformity_svg(totals)),
            "months_chart": Markup(charts.months_svg(self.site.months)),
            "open_ncs": improvement.open_by_clause(self.handbook),
            "shown": self.shown,
        }

    def pages(self, *, blocks: bool = True) -> list[GeneratedPage]:
        """Every page the handbook adds to the site (page_specs.py), rendered to Markdown.

        Without `blocks`, the HTML blocks (the big tables) are left out: they are
        rendered elsewhere with the same data, and their markers are numbered the same.
        """
        return [self._page(spec, blocks) for spec in page_specs(self)]

    def _page(self, spec: PageSpec, blocks: bool) -> GeneratedPage:
        """A page with front matter: its title, and no macro rendering of data values."""
        fragments: dict[str, str] = {}
        text = self._render(spec.template, spec.src, spec.values, fragments, blocks)
        meta = {"title": theme_title(spec.title), "render_macros": False}
        front = yaml.safe_dump(meta, allow_unicode=True)
        return GeneratedPage(
            spec.src, spec.title, f"---\n{front}---\n\n{text}", spec.source, spec.in_nav,
            fragments,
        )  # fmt: skip

    def standalone_pages(self) -> list[tuple[str, str]]:
        """(site path, HTML) of the pages of documents that have no page in docs_dir.

        Plain HTML like the archives: a themed page per register entry would make every
        page's navigation, and so the whole build, grow with the register.
        """
        pages = []
        for entry in self.site.register:
            if entry.page.endswith(".html"):
                template = "document.html.j2" if entry.published else "unpublished.html.j2"
                pages.append((entry.page, self.render(template, entry.page, e=entry)))
        return pages


#: A record series shows these only when it gives them.
_RECORD_OPTIONAL = ("version", "approver", "approved_on", "next_review")


def block_cells(entry: Entry) -> list[fields.Field]:
    """The document-control block's cells (the place where it is kept has a row of its
    own): a record series adds its own fields, and leaves out those it does not give."""
    doc = entry.doc
    if not doc.is_record:
        return _DOCUMENT_CELLS
    return [
        f for f in fields.RECORD_BLOCK
        if f.name != "location"
        and not (
            f.name in _RECORD_OPTIONAL and getattr(doc, f.name) is None
            and not (f.name == "next_review" and entry.next_review)
        )
    ]  # fmt: skip


_DOCUMENT_CELLS = [f for f in fields.BLOCK if f.name != "location"]


def theme_title(title: str) -> str:
    """A page title as themes print it (unescaped, in the nav and in `<title>`).

    Material prints titles raw and strips tags with entity decoding, so angle brackets
    become look-alike single quotes (U+2039, U+203A) and `&` an entity: inert
    everywhere, and still readable as written.
    """
    return escape(title.replace("<", "\u2039").replace(">", "\u203a"), quote=False)
