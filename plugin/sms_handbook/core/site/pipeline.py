"""The one pipeline: everything a build of the handbook needs, computed once.

Every face (the MkDocs plugin, the macros, the command line, `render`) runs it and
decides nothing about the domain itself. A build has two stages:

1. :meth:`Pipeline.build`, before any page is rendered: the data and front matter
   loaded and validated (while Git's history is read beside it), today, publication
   control, the register, and the generated pages as Markdown with markers.
2. The later stage, which no page needs while it is converted, in three parts that
   depend on nothing else and on each other only through the documents' revisions
   (read once): :meth:`Build.blocks`, what the markers stand for,
   :meth:`Build.files`, the exports and the pages of documents kept elsewhere, and
   :meth:`Build.archive_jobs`, the archives (and the PDFs), as jobs independent of each
   other. A face may run them wherever it likes; the MkDocs plugin runs them beside the
   page rendering (see mkdocs/background.py), `render` here (:meth:`Build.outputs`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from .. import includes
from ..control import FROM_THE_START, ControlStart
from ..data.loader import HandbookLoader
from ..git.cache import HistoryCache, handbook_file
from ..git.history import History
from ..model import Handbook, Location
from ..problems import Problem
from ..register import Entry, is_published
from ..stable_key import stable_key
from . import archives, check_act_exports, exports, markers, pdf_copies
from .archive_cache import ArchiveCache, no_cache, salt
from .archive_markdown import archive_converter
from .layout import Layout
from .pages import GeneratedPage, Renderer
from .site_data import Recording, SiteData, prepare
from .site_files import Files
from .site_files import write_files as write_files  # (for the faces)

Blocks = dict[str, str]  # HTML by the marker it replaces (and generated ones' text, for search)
#: Files written at the site's root, which no page of docs_dir may take.
EXPORTS = (
    "documents.json", "documents.csv", "reviews.ics", "compliance.json", "compliance.csv",
    "improvement.json", "risks.json",
)  # fmt: skip


@dataclass(frozen=True)
class Options:
    """What a build is asked for, as plain values (the faces read them from mkdocs.yml)."""

    root: Path  # the project folder: mkdocs.yml's
    data_dir: Path
    docs_dir: Path
    layout: Layout
    templates_dir: Path | None = None
    max_classification: str = "internal"
    history: bool = True
    config_name: str = "mkdocs.yml"  # where problems of the history are reported
    site_url: str = ""
    #: The site's Markdown extensions and their configs, for the archives' text.
    markdown_extensions: Sequence[Any] = ()
    mdx_configs: Mapping[str, Any] = field(default_factory=dict)
    #: Where the archives' HTML and the page versions' facts are kept between builds
    #: (None: made anew each build).
    cache_dir: Path | None = None
    #: Where change control begins: a date, `YYYY-MM-DD`, or a commit (None: from the
    #: start of the history).
    control_since: str | date | None = None
    #: Every exception after `control_since` is a warning (so a strict build fails).
    strict_change_control: bool = False
    #: A controlled copy (PDF) of every published approved version, and of drafts.
    pdf: bool = False


class HandbookError(Exception):
    """The handbook has errors (each a located problem); nothing can be built."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


@dataclass
class Outputs:
    """What the later stage made."""

    blocks: Blocks
    files: Files


@dataclass(frozen=True)
class ArchiveJobs:
    """Every approved version's archive (and PDF), as jobs that each make one file
    (site path, HTML or a PDF's bytes): independent of each other, so they run in any
    order, in any process. Once every job has run, :meth:`done` removes the kept
    archives and PDFs no job used."""

    jobs: list[Callable[[], tuple[str, str | bytes]]]
    cache: ArchiveCache | None = None

    def done(self) -> None:
        if self.cache is not None:
            self.cache.prune()


@dataclass
class Build:
    """One build's first stage; :meth:`blocks`, :meth:`files` and :meth:`archive_jobs`
    make the rest (:meth:`outputs`: all of it, here)."""

    options: Options
    site: SiteData
    renderer: Renderer
    problems: list[Problem]  # warnings (errors raise HandbookError)
    pages: list[GeneratedPage]  # Markdown with markers
    kept: Outputs | None = None  # the later stage of an identical earlier build

    @property
    def withheld(self) -> list[str]:
        """Sources under docs_dir of documents that are not published."""
        return [e.doc.source for e in self.site.register if not e.published and e.doc.source]

    @property
    def notices(self) -> list[str]:
        """What a build says for information (not warnings: they fail --strict)."""
        return [Recording.NOTICE] if self.site.recording.missing else []

    def document_page(self, src_uri: str, markdown: str) -> str | None:
        """A controlled document's page with markers where its control block and
        revision history go; None for a page that is not a published document."""
        if self.site.entry_for_page(src_uri) is None:
            return None
        return markers.with_document_control(markdown, src_uri)

    def page_dates(self, src_uri: str) -> tuple[str, str] | None:
        """When a page under docs_dir last changed and when it was created (from Git)."""
        history = self.site.page_history(src_uri)
        if not history:
            return None
        dates = self.site.dates(history)
        return dates[0], dates[-1]

    def dashboard(self, page: str) -> str:
        return self.renderer.dashboard(page)

    @cached_property
    def _revised(self) -> tuple[SiteData, Renderer]:
        """The site with each document's revisions read from the history, and its
        renderer: what every part of the later stage starts from (made once)."""
        site = self.site.with_revisions()
        return site, Renderer(site)

    def blocks(self) -> Blocks:
        """The later stage's first part: the HTML the pages' markers stand for (each
        controlled document's control block and revision table, the generated pages'
        tables and their text for search). Needs no page, nor the other parts."""
        if self.kept is not None:
            return self.kept.blocks
        site, renderer = self._revised
        register = site.register
        blocks: Blocks = {}
        for e in register:
            if e.published and e.page == e.doc.source:
                metadata, revisions = markers.document_markers(e.page)
                blocks[metadata] = renderer.metadata_block(e, e.page)
                blocks[revisions] = renderer.revision_table(e, e.page)
        for page in renderer.pages():  # the generated pages' tables, and their text
            blocks.update(markers.with_search_texts(page.fragments))
        return blocks

    def files(self) -> Files:
        """The later stage's second part: the exports and the pages of documents kept
        elsewhere, (site path, content). Needs no page, nor the other parts."""
        if self.kept is not None:
            return self.kept.files  # (and the archives: all the kept build wrote)
        site, renderer = self._revised
        layout, url = site.layout, self.options.site_url
        handbook, register = site.handbook, site.register
        limit = site.max_classification  # what the Check and Act exports withhold
        return [
            (
                "documents.json",
                exports.documents_json(register, handbook, layout, site.now, url, site.edition),
            ),
            ("documents.csv", exports.documents_csv(register, handbook, layout, url)),
            (
                "reviews.ics",
                exports.reviews_ics(
                    register, handbook, layout, site.now, url, max_classification=limit
                ),
            ),
            (
                "compliance.json",
                exports.compliance_json(renderer.coverage, handbook, site.months, site.now),
            ),
            (
                "compliance.csv",
                exports.table_csv(
                    exports.COMPLIANCE_COLUMNS, exports.compliance_table(renderer.coverage)
                ),
            ),
            (
                "improvement.json",
                check_act_exports.improvement_json(handbook, site.today, site.now, limit),
            ),
            ("risks.json", check_act_exports.risks_json(handbook, site.now, limit)),
            *renderer.standalone_pages(),
        ]

    def archive_jobs(self) -> ArchiveJobs:
        """The later stage's third part: every approved version's archive, and with
        the `pdf` option its controlled copy (and the drafts'), as jobs independent of
        each other (none when kept). Needs no page, nor the other parts."""
        options, archived = self.options, self.site.layout.archives
        if self.kept is not None or not (archived or options.pdf):
            return ArchiveJobs([])
        renderer = self._revised[1]
        convert = archive_converter(options.markdown_extensions, options.mdx_configs)
        cache = _archive_cache(options)
        memo = cache or no_cache
        made: list[Callable[[], tuple[str, str | bytes]]] = []
        if archived:
            made += archives.jobs(renderer, convert, memo)
        if options.pdf:
            made += pdf_copies.jobs(
                renderer, convert, memo, site_url=options.site_url, docs_dir=options.docs_dir
            )
        return ArchiveJobs(made, cache)

    def outputs(self) -> Outputs:
        """The whole later stage, here, one part after the other."""
        blocks, files, made = self.blocks(), self.files(), self.archive_jobs()
        files = [*files, *(job() for job in made.jobs)]
        made.done()
        return Outputs(blocks, files)


class Pipeline:
    """Builds one handbook; lives as long as its face, so `mkdocs serve` rebuilds reuse
    the loader's file cache, the history and, when nothing they depend on changed, the
    generated pages and the later stage."""

    def __init__(self) -> None:
        self.loader: HandbookLoader | None = None
        self.history = HistoryCache()
        self._last: tuple[str, list[GeneratedPage]] | None = None
        self._kept: tuple[str, Outputs] | None = None
        self._reading: _Reading | None = None

    def start(self, options: Options) -> None:
        """Begin reading Git's history for a build with these options, in a thread, while
        the face does other work; the next :meth:`build` with the same options takes it
        up (and one with others reads the history anew)."""
        if options.history:
            self._reading = _Reading(self.history, options)

    def _take_reading(self, options: Options) -> _Reading | None:
        """The reading started for this build, else a new one (None without history)."""
        started, self._reading = self._reading, None
        if started is not None:
            if started.options == options:
                return started
            started.result()  # not this build's: no thread outlives the first stage
        return _Reading(self.history, options) if options.history else None

    def build(
        self,
        options: Options,
        pages: list[str],
        *,
        environ: Mapping[str, str] | None = None,
        assets: Sequence[str] = (),
    ) -> Build:
        """The first stage. `pages` are docs_dir's Markdown pages (src_uris), `assets`
        its other files the site copies (each must be a regular file in the repository).
        The pages' past versions are read by the later stage, which needs them: this
        stage does not wait for them.

        Raises HandbookError when the handbook has errors; ValueError for a bad
        SOURCE_DATE_EPOCH.
        """
        wanted = (options.root, options.data_dir, options.docs_dir, options.templates_dir)
        loader = self.loader
        if loader is None or (
            loader.root, loader.data_dir, loader.docs_dir, loader.templates_dir
        ) != wanted:  # fmt: skip
            loader = self.loader = HandbookLoader(*wanted)
        # Git reads the log in its own process while the data is validated here.
        reading = self._take_reading(options)
        result = loader.load(pages)
        history, history_problems = reading.result() if reading is not None else (None, [])
        problems = [*result.problems, *history_problems]
        since = _control_start(options, history, problems)
        if options.pdf and (why := pdf_copies.engine_problem()) is not None:
            where = option_line(options.root / options.config_name, "pdf")
            problems.append(Problem(options.config_name, where, "error", "pdf-engine", why))
        if result.handbook is not None:
            problems += publication_problems(options, loader, result.handbook, pages, assets)
        if result.handbook is None or any(p.severity == "error" for p in problems):
            raise HandbookError(problems)
        handbook = result.handbook
        site = prepare(
            handbook, replace(options.layout, pdfs=options.pdf), options.root, options.docs_dir,
            max_classification=options.max_classification, history=history,
            environ=environ, revisions=False, since=since,
        )  # fmt: skip
        renderer = Renderer(site)
        # The generated pages and the later stage depend on the history, the data and
        # the options only: a `mkdocs serve` rebuild after a text edit reuses them.
        fingerprint = stable_key(
            (history.head if history else None, repr(handbook), repr(site.register),
             options, site.today)
        )  # fmt: skip
        if self._last is not None and self._last[0] == fingerprint:
            generated = self._last[1]
        else:
            # Their tables are rendered in the later stage, beside the documents' blocks.
            generated = renderer.pages(blocks=False)
            self._last, self._kept = (fingerprint, generated), None
        kept = self._kept[1] if self._kept and self._kept[0] == fingerprint else None
        build = Build(options, site, renderer, problems, generated, kept)
        if options.strict_change_control:  # the revisions the later stage reuses
            build.problems += exception_problems(build._revised[0].register)
        return build

    @property
    def kept(self) -> Outputs | None:
        """The later stage kept for the next identical build, if any."""
        return self._kept[1] if self._kept else None

    def keep(self, build: Build, outputs: Outputs) -> None:
        """Remember a build's later stage for an identical next build (`mkdocs serve`)."""
        if build.kept is None and self._last is not None and self._last[1] is build.pages:
            self._kept = (self._last[0], outputs)


class _Reading:
    """Git's history and its problems, read in a thread of its own (the past versions of
    data files with the log; those of pages are left to the later stage, which needs
    them). The thread ends when its result is taken: none outlives the first stage."""

    def __init__(self, history: HistoryCache, options: Options) -> None:
        self.options = options
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sms-handbook-git")
        self._read = self._thread.submit(
            history.get, options.root, options.config_name, handbook_file,
            cache_dir=options.cache_dir,
        )  # fmt: skip

    def result(self) -> tuple[History | None, list[Problem]]:
        """The history and its problems (or the reading's exception, raised here)."""
        try:
            return self._read.result()
        finally:
            self._thread.shutdown(wait=True)


def publication_problems(
    options: Options,
    loader: HandbookLoader,
    handbook: Handbook,
    pages: Sequence[str],
    assets: Sequence[str],
) -> list[Problem]:
    """What keeps a valid handbook from being published safely: files of docs_dir that
    lead outside the repository or are no regular files, and published pages that
    include a withheld page (see core/includes.py)."""
    withheld = [
        d.source for d in handbook.documents.values()
        if d.source and not is_published(d, options.max_classification)
    ]  # fmt: skip
    bases = includes.snippet_bases(options.root, options.mdx_configs)
    return loader.refused_files(assets) + includes.withheld_includes(
        handbook, withheld, pages, options.docs_dir, options.root, bases
    )


def _control_start(
    options: Options, history: History | None, problems: list[Problem]
) -> ControlStart:
    """The `control_since` option as a ControlStart; a located error when it is wrong."""
    value = options.control_since
    if history is None and not isinstance(value, date):
        value = None  # without history nothing is judged, and no commit can be found
    try:
        return ControlStart.parse(value, history.main_line if history else ())
    except ValueError as exc:
        path = options.root / options.config_name
        problems.append(
            Problem(
                options.config_name, option_line(path, "control_since"), "error",
                "control-since", f"control_since: {exc}",
            )
        )
        return FROM_THE_START


def exception_problems(register: list[Entry]) -> list[Problem]:
    """Each change-control exception as a warning at its document (strict gate)."""
    found = []
    for e in register:
        where = e.doc.where.get("id") or Location(e.doc.source or "", 1)
        for r, f in e.exceptions:
            found.append(
                Problem(
                    where.path, where.line, "warning", f.code,
                    f"{f.message} (commit {r.commit[:8]}, {r.date.isoformat()})",
                )
            )
    return found


def option_line(config_file: Path, name: str) -> int:
    """The line of mkdocs.yml where an option is set (1 when it cannot be found)."""
    try:
        text = config_file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return 1
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith(f"{name}:"):
            return number
    return 1


def _archive_cache(options: Options) -> ArchiveCache | None:
    """The folder keeping the archives' HTML between builds, if the options ask for it."""
    if options.cache_dir is None:
        return None
    made_by = ("sms_handbook.core.site.archive_markdown", "sms_handbook.core.site.archives")
    return ArchiveCache(
        options.cache_dir,
        salt(
            options.markdown_extensions, options.mdx_configs, made_by,
            directory_urls=options.layout.use_directory_urls,
        ),
    )  # fmt: skip
