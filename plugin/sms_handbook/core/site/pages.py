"""Generated pages as Markdown: phases, the compliance matrix, the dashboard fragment.

Pages are Jinja templates from `sms_handbook/templates/pages/` with autoescaping on:
data values are HTML-escaped wherever they land. Tables and badges are raw HTML inside
the Markdown (so a `|` in a title cannot break a table) with URLs computed by
:class:`~sms_handbook.core.layout.Layout`; headings stay Markdown so they reach the
table of contents and the search index. Markdown written in the data (objectives,
notes, scope) is rendered here with raw HTML escaped and unsafe link schemes dropped.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import posixpath
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property, partial
from html import escape
from typing import Any
from xml.etree.ElementTree import Element

import markdown as md
import yaml
from jinja2 import Environment, FileSystemBytecodeCache, PackageLoader, StrictUndefined
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

from .. import control, coverage, fields, progress, records
from ..data import frontmatter
from ..model import Activity, Handbook, Phase
from ..register import Entry
from . import archives, charts, markers, rows
from .archive_cache import Memo, no_cache
from .site_data import SiteData
from .timeline import timeline_svg

_WHITESPACE = re.compile(r"\s+")
_NUMBERED = re.compile(r"^(\d+)\.")  # would start a numbered list
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")
_SAFE_SCHEMES = ("http:", "https:", "mailto:", "#", "/", ".")


@dataclass(frozen=True)
class GeneratedPage:
    src_uri: str  # path under docs_dir
    title: str
    markdown: str
    source: str  # the data file it comes from, relative to the project root
    in_nav: bool = True  # False: reachable by links only, kept out of the navigation
    #: HTML blocks by marker ("" each when rendered without blocks)
    fragments: dict[str, str] = field(default_factory=dict)


def _has_scheme(url: str) -> bool:
    return ":" in url.split("/")[0]


class _DropUnsafeLinks(Treeprocessor):
    def run(self, root: Element) -> None:
        for element in root.iter():
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value and _has_scheme(value) and not value.lower().startswith(_SAFE_SCHEMES):
                    element.set(attribute, "#")


class _RewriteLinks(Treeprocessor):
    """Relative links handed to `links` (set per conversion): its URL, or None to keep."""

    links: Callable[[str], str | None] = staticmethod(lambda href: None)

    def run(self, root: Element) -> None:
        for element in root.iter("a"):
            href = element.get("href") or ""
            if href and not href.startswith(("#", "/")) and not _has_scheme(href):
                new = self.links(href)
                if new is not None:
                    element.set("href", new)


class _ArchiveLinks(Extension):
    def __init__(self) -> None:
        super().__init__()
        self.processor: _RewriteLinks | None = None

    def extendMarkdown(self, md_: md.Markdown) -> None:
        self.processor = _RewriteLinks(md_)
        md_.treeprocessors.register(self.processor, "smsh_archive_links", 0)


def archive_converter(
    extensions: Sequence[Any], configs: Mapping[str, Any]
) -> Callable[[str, Callable[[str], str | None]], str]:
    """Markdown to HTML with the site's extensions, for archives; the second argument
    rewrites each relative link (its new URL, or None to keep it)."""
    links = _ArchiveLinks()
    converter = md.Markdown(extensions=[*extensions, links], extension_configs=dict(configs))

    def convert(text: str, rewrite: Callable[[str], str | None]) -> str:
        assert links.processor is not None
        links.processor.links = rewrite
        return converter.reset().convert(text)

    return convert


class _SafeLinks(Extension):
    def extendMarkdown(self, md_: md.Markdown) -> None:
        md_.treeprocessors.register(_DropUnsafeLinks(md_), "smsh_safe_links", 0)


@cache
def _markdown() -> md.Markdown:
    return md.Markdown(extensions=["sane_lists", _SafeLinks()])


def render_markdown(text: str) -> Markup:
    """Markdown from the data, as HTML: raw HTML in it is shown as text, never run."""
    converter = _markdown()
    converter.reset()
    return Markup(converter.convert(escape(text or "", quote=False)))


def inline_html(text: str) -> Markup:
    """A line of Markdown from the data as inline HTML (no paragraph around it)."""
    html = str(render_markdown(_WHITESPACE.sub(" ", str(text)).strip()))
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)


def md_inline(text: str) -> Markup:
    """Text safe inside a Markdown heading, paragraph or table cell: on one line, with
    HTML and Markdown escaped (and no list or code block where it starts a line)."""
    flat = _WHITESPACE.sub(" ", str(text)).strip()
    escaped = _MD_SPECIAL.sub(r"\\\1", escape(flat, quote=False))
    return Markup(_NUMBERED.sub(r"\1\\.", escaped))


class _CompiledTemplates(FileSystemBytecodeCache):
    """The page templates compiled once per machine, not once per build (compiling
    them was a third of a small handbook's fixed cost). Keyed by each template's
    source, so an upgrade never uses a stale one; a cache that cannot be written is
    no cache."""

    @classmethod
    def in_user_cache(cls) -> _CompiledTemplates | None:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        folder = os.path.join(base, "sms-handbook", "templates")
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError:
            return None
        return cls(folder)

    def load_bytecode(self, bucket: Any) -> None:
        with contextlib.suppress(OSError, EOFError, ValueError):
            super().load_bytecode(bucket)

    def dump_bytecode(self, bucket: Any) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("sms_handbook", "templates/pages"),
        bytecode_cache=_CompiledTemplates.in_user_cache(),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
    )
    env.filters["markdown"] = render_markdown
    env.filters["md_inline"] = md_inline
    env.filters["inline_html"] = inline_html
    env.filters["slug"] = lambda value: str(value).lower()
    return env


class Renderer:
    """Renders templates for one build; holds what every page shares, computed once."""

    def __init__(self, site: SiteData) -> None:
        self.site = site
        self.blocks = True  # False: pages carry markers only, their blocks are not rendered
        self.handbook = site.handbook
        self.layout = site.layout
        self.org = site.handbook.organization
        self.coverage = coverage.clause_coverage(site.handbook, site.today)
        self.progress = [coverage.phase_progress(p) for p in site.handbook.phases]

    def render(self, template: str, page: str, **extra: Any) -> str:
        """Render a template for `page` (links are relative to it); HTML blocks inline."""
        return self._render(template, page, None, extra)

    def render_page(self, template: str, page: str, **extra: Any) -> tuple[str, dict[str, str]]:
        """Render a page template whose `{% call html() %}` blocks skip Markdown.

        Returns the Markdown, with a marker in place of each HTML block, and the blocks
        by marker: the plugin puts them back into the page's HTML after Markdown has
        run, so big tables cost nothing to convert.
        """
        fragments: dict[str, str] = {}
        return self._render(template, page, fragments, extra), fragments

    def _render(
        self, template: str, page: str, fragments: dict[str, str] | None, extra: dict[str, Any]
    ) -> str:
        layout = self.layout

        def link(to_src: str, anchor: str = "") -> str:
            return layout.link(page, to_src, anchor)

        def html(caller: Callable[[], str]) -> Markup:
            if fragments is None:
                return Markup(caller())
            marker = markers.marker(f"{page}#{len(fragments)}")
            fragments[marker] = str(caller()) if self.blocks else ""
            return Markup(f"\n\n{marker}\n\n")

        return (
            _environment()
            .get_template(template)
            .render(
                hb=self.handbook,
                org=self.org,
                today=self.site.today,
                layout=layout,
                link=link,
                html=html,
                person=self.person,
                document=self.handbook.documents.get,
                entry=self.site.entry,
                coverage=self.coverage,
                progress=self.progress,
                clause_states=coverage.CLAUSE_STATES,
                is_overdue=lambda a: coverage.is_overdue(a, self.site.today),
                open_work=lambda phase: coverage.open_work(phase, self.site.today),
                held_up=self._held_up,
                revision_rows=partial(
                    rows.revision_rows,
                    show_emails=layout.show_emails,
                    commit_url=layout.commit_url,
                    pull_request_url=layout.pull_request_url,
                    labels=control.LABELS,
                ),
                exception_rows=partial(
                    rows.exception_rows,
                    link=link,
                    commit_url=layout.commit_url,
                    labels=control.LABELS,
                ),
                evidence_rows=partial(
                    rows.evidence_rows,
                    link=link,
                    person=self.person,
                    commit_url=layout.commit_url,
                    pull_request_url=layout.pull_request_url,
                ),
                badge_html=rows.badge,
                commit_cell=partial(rows.commit_cell, url=layout.commit_url),
                pull_request_cell=partial(rows.pull_request_cell, url=layout.pull_request_url),
                block_cells=block_cells,
                exception_labels=control.LABELS,
                conformity_labels=coverage.CONFORMITY_LABELS,
                fields=fields.BY_NAME,
                **extra,
            )
        )

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

    def archives(
        self,
        to_html: Callable[[str, Callable[[str], str | None]], str],
        memo: Memo = no_cache,
    ) -> list[Callable[[], tuple[str, str]]]:
        """Every approved version of every published page document, as jobs that each
        render one archive: (site path, HTML). Jobs are independent of each other.

        `to_html` converts Markdown the way the site does; the page's own links to other
        pages (`../x.md`) are rewritten to work from the archive's place. `memo` keeps
        the text's HTML and the changes between builds (see archive_cache), by blob:
        only the versions it does not hold are read from Git, in one batch.
        """
        found = []
        for entry in self.site.register:
            if not entry.published or not (entry.doc.source or "").endswith(".md"):
                continue
            previous = None
            for approved in entry.approved_versions:
                if approved.blob is not None:
                    if approved.published:  # a withheld version has no archive
                        found.append((entry, approved, previous))
                    previous = approved
        # The blobs whose texts make each key the memo lacks: read in one batch.
        missing = {
            key: blobs for job in found for key, blobs in self._archive_keys(*job).items()
            if not memo.has(key)
        }  # fmt: skip
        texts = self.site.texts(blob for blobs in missing.values() for blob in blobs)
        return [
            partial(self._archive, entry, approved, previous, to_html, memo, texts)
            for entry, approved, previous in found
            if approved.blob in texts
            or not missing.keys() & self._archive_keys(entry, approved, previous).keys()
        ]

    def _archive_keys(
        self, entry: Entry, approved: Any, previous: Any
    ) -> dict[tuple[str, ...], tuple[str, ...]]:
        """The memo's keys of an archive's text and (after its first version) of its
        changes, each with the blobs whose texts make it."""
        uri, source = self.layout.archive(entry.doc, approved.version), entry.doc.source or ""
        keys = {("text", uri, source, approved.blob): (approved.blob,)}
        if previous is not None and previous.published:  # never a withheld version's text
            labels = f"version {previous.version}", f"version {approved.version}"
            changes = ("changes", previous.blob, approved.blob, *labels)
            keys[changes] = (previous.blob, approved.blob)
        return keys

    def _archive(
        self,
        entry: Entry,
        approved: Any,
        previous: Any,
        to_html: Callable[[str, Callable[[str], str | None]], str],
        memo: Memo,
        texts: Mapping[str, str],
    ) -> tuple[str, str]:
        def body(blob: str) -> str:
            text = texts.get(blob)
            if text is None:  # held by the memo when the job was made, and lost since
                text = self.site.texts([blob]).get(blob, "")
            return frontmatter.body(text)

        # ("text", uri, source, blob), then ("changes", blob before, blob, *labels)
        text_key, *changes_key = self._archive_keys(entry, approved, previous)
        changes = None
        if changes_key:
            (key,) = changes_key
            before, after, labels = previous.blob, approved.blob, key[3:]
            changes = Markup(
                memo(key, lambda: archives.diff_html(body(before), body(after), *labels))
            )
        historic = dataclasses.replace(
            entry,
            doc=archives.document_as_of(entry.doc, approved.meta),
            next_review=None,
            review_state="none",
        )
        _, uri, source, _ = text_key
        links = partial(self._link_from_archive, uri, source)
        content = memo(text_key, lambda: to_html(body(approved.blob), links))
        html = self.render(
            "archive.html.j2", uri, e=historic, current=entry, approved=approved,
            previous=previous, content=Markup(content), changes=changes,
        )  # fmt: skip
        return uri, html

    def _link_from_archive(self, archive: str, source: str, href: str) -> str | None:
        """A link of a page's text to another page, as seen from the page's archive."""
        path, _, anchor = href.partition("#")
        if not path.endswith(".md"):
            return None
        target = posixpath.normpath(posixpath.join(posixpath.dirname(source), path))
        return self.layout.link(archive, target, anchor)

    def dashboard(self, page: str) -> str:
        """The dashboard fragment (HTML) for a page that places the marker."""
        register = self.site.register
        by_status: dict[str, int] = {}
        for e in register:
            by_status[e.doc.status] = by_status.get(e.doc.status, 0) + 1
        return self.render(
            "dashboard.html.j2",
            page,
            **self._reality,
            late_phases=[
                (p, work)
                for p in self.handbook.phases
                if (work := coverage.open_work(p, self.site.today))
            ],
            stuck=self._held_up(self.handbook.activities),
            overdue=sorted(
                (e for e in register if e.review_state == "overdue"),
                key=lambda e: (e.next_review, e.doc.id),
            ),
            by_status=by_status,
        )

    def _held_up(self, activities: Sequence[Activity]) -> list[Activity]:
        """The activities that are blocked or overdue."""
        today = self.site.today
        return [a for a in activities if a.status == "blocked" or coverage.is_overdue(a, today)]

    @cached_property
    def _reality(self) -> dict[str, Any]:
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
        }

    def pages(self, *, blocks: bool = True) -> list[GeneratedPage]:
        """Every page the handbook adds to the site, rendered to Markdown.

        Without `blocks`, the HTML blocks (the big tables) are left out: they are
        rendered elsewhere with the same data, and their markers are numbered the same.
        """
        self.blocks = blocks
        try:
            return self._pages()
        finally:
            self.blocks = True

    def _pages(self) -> list[GeneratedPage]:
        handbook, layout, register = self.handbook, self.layout, self.site.register
        phases_source = handbook.phases[0].where.path if handbook.phases else ""
        timeline = Markup(timeline_svg(handbook.phases, self.site.today))
        src = layout.phases_index
        body = self.render_page("phases.md.j2", src, timeline=timeline)
        pages = [_page(src, "Implementation phases", body, phases_source)]
        for phase, done in zip(handbook.phases, self.progress, strict=True):
            src = layout.phase(phase)
            body = self.render_page(
                "phase.md.j2", src, phase=phase, p=done, groups=_by_clause(handbook, phase)
            )
            pages.append(_page(src, f"{phase.id} {phase.title}", body, phase.where.path))
        src = layout.compliance
        body = self.render_page("compliance.md.j2", src, **self._reality)
        pages.append(_page(src, "Compliance matrix", body, phases_source))
        src = layout.documents_index
        body = self.render_page("documents.md.j2", src, register=register, counts=_counts(register))
        pages.append(_page(src, "Controlled documents", body, ""))
        if handbook.project is not None:
            src = layout.project
            body = self.render_page(
                "project.md.j2", src, project=handbook.project, raci=progress.raci(handbook),
                gate_labels=GATE_LABELS,
            )  # fmt: skip
            pages.append(_page(src, "Implementation project", body, handbook.project.path))
        src = layout.records
        body = self.render_page(
            "records.md.j2", src, groups=records.by_retention(register),
            disposals=handbook.disposals,
        )  # fmt: skip
        disposals_source = handbook.disposals[0].where.path if handbook.disposals else ""
        pages.append(_page(src, "Records", body, disposals_source))
        src = layout.control
        body = self.render_page(
            "control.md.j2", src, recording=self.site.recording,
            control_exceptions=self._exceptions, control_evidence=self._evidence,
        )  # fmt: skip
        pages.append(_page(src, "Change control", body, ""))
        src = layout.reviews
        groups = {
            state: sorted(
                (e for e in register if e.review_state == state),
                key=lambda e: (e.next_review, e.doc.id),
            )
            for state in ("overdue", "due-soon", "ok")
        }
        unscheduled = [e for e in register if e.review_state == "none"]
        body = self.render_page("reviews.md.j2", src, groups=groups, unscheduled=unscheduled)
        pages.append(_page(src, "Review schedule", body, ""))
        templates = list(handbook.templates.values())
        followers = {
            t.id: [d for d in handbook.documents.values() if d.template == t.id] for t in templates
        }
        src = layout.templates_index
        body = self.render_page(
            "policy-templates.md.j2", src, templates=templates, followers=followers
        )
        pages.append(_page(src, "Policy templates", body, ""))
        for template in templates:
            src = layout.template(template)
            body = self.render_page(
                "policy-template.md.j2", src, t=template, followers=followers[template.id]
            )
            origin = "" if template.origin == "package" else template.origin
            pages.append(_page(src, template.title, body, origin, in_nav=False))
        for entry in register:
            doc = entry.doc
            if entry.page.endswith(".md") and entry.page == doc.source and not entry.published:
                # An unpublished page: a stub takes its place (same URL, same nav entry).
                body = self.render_page("unpublished.md.j2", entry.page, e=entry)
                pages.append(_page(entry.page, f"{doc.id} {doc.title}", body, doc.where["id"].path))
        return pages

    def _exceptions(self) -> list[tuple[Entry, Any, Any]]:
        """(entry, revision, finding) of every published document, newest first."""
        found = [(e, r, f) for e in self.site.register if e.published for r, f in e.exceptions]
        return sorted(found, key=lambda x: (x[1].date, x[0].doc.id), reverse=True)

    def _evidence(self) -> list[tuple[Entry, Any]]:
        """(entry, revision) of each revision that made a version approved or carries
        approvals, exceptions first, then newest first."""
        found = [
            (e, r)
            for e in self.site.register
            if e.published
            for r in e.revisions
            if r.needs_approval or r.evidence
        ]
        return sorted(found, key=lambda x: (not x[1].findings, -x[1].date.toordinal(), x[0].doc.id))

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
GATE_LABELS = {
    "passed": "passed",
    "passed-with-conditions": "passed with conditions",
    "failed": "failed",
    "pending": "pending",
}


def _counts(register: list[Entry]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {"type": {}, "status": {}}
    for entry in register:
        for key, values in counts.items():
            value = getattr(entry.doc, key)
            values[value] = values.get(value, 0) + 1
    return {k: dict(sorted(v.items())) for k, v in counts.items()}


def theme_title(title: str) -> str:
    """A page title as themes print it (unescaped, in the nav and in `<title>`).

    Material prints titles raw and strips tags with entity decoding, so angle brackets
    become look-alike single quotes (U+2039, U+203A) and `&` an entity: inert
    everywhere, and still readable as written.
    """
    return escape(title.replace("<", "\u2039").replace(">", "\u203a"), quote=False)


def _page(
    src_uri: str, title: str, body: tuple[str, dict[str, str]], source: str, in_nav: bool = True
) -> GeneratedPage:
    """A page with front matter: its title, and no macro rendering of data values."""
    meta = yaml.safe_dump({"title": theme_title(title), "render_macros": False}, allow_unicode=True)
    text, fragments = body
    return GeneratedPage(src_uri, title, f"---\n{meta}---\n\n{text}", source, in_nav, fragments)


def _by_clause(handbook: Handbook, phase: Phase) -> list[tuple[Any, list[Any]]]:
    """The phase's activities grouped under the main clauses they cite, in clause order."""
    groups: dict[str, list[Any]] = {}
    for activity in phase.activities:
        mains = dict.fromkeys(n.split(".")[0] for n in activity.clauses) or {"": None}
        for main in mains:
            groups.setdefault(main, []).append(activity)
    clauses = handbook.standard.by_number
    numbers = sorted(groups, key=lambda n: int(n) if n.isdigit() else 10_000)
    return [(clauses.get(n), groups[n]) for n in numbers]
