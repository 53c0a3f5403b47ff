"""The MkDocs plugin: events only, over the one pipeline (`sms_handbook.core.site.pipeline`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..compat import unsupported_mkdocs

try:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.exceptions import PluginError
    from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
    from mkdocs.structure.files import Files
    from mkdocs.structure.nav import Navigation
    from mkdocs.structure.pages import Page
    from mkdocs.utils.templates import TemplateContext
except ImportError as exc:  # MkDocs 2 has none of these
    raise ImportError(unsupported_mkdocs() or str(exc)) from None

from ..assets import add_to_site
from ..core.site import markers
from ..core.site.macros import MacroContext
from ..core.site.pipeline import Build, HandbookError, Options, Pipeline
from ..project import options_for
from . import glue
from .background import BackgroundError, Later, start
from .config import SmsHandbookConfig

if TYPE_CHECKING:  # imported by `mkdocs serve` only: a build need not pay for it
    from mkdocs.livereload import LiveReloadServer

#: What the plugin puts in page.meta for the theme's "last update" and "created" dates.
DATE_KEYS = ("git_revision_date_localized", "git_creation_date_localized")


class SmsHandbookPlugin(BasePlugin[SmsHandbookConfig]):
    """Validates the handbook's data, adds the generated pages and document control."""

    def __init__(self) -> None:
        self.pipeline = Pipeline()  # kept across `mkdocs serve` rebuilds
        self.macros = MacroContext()
        self.options: Options | None = None
        self.build: Build | None = None
        self.later: Later | None = None  # the build's later stage, beside its pages
        self._serving = self._offline = False
        self._held_meta: object = None  # the page's `document:` front matter, while macros run

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Defining on_startup keeps this instance (and its pipeline) across rebuilds.
        self._serving = command == "serve"

    # Early (60): before Material's offline plugin (0) would add its search shim from a
    # CDN; the intranet site must load nothing from another host.
    @event_priority(60)
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return None
        self._offline = glue.with_offline_shim(config)
        self.options = options_for(self.config, config)
        # Git's history is read while MkDocs gathers the files (on_files takes it up).
        self.pipeline.start(self.options)
        if (macros_plugin := config.plugins.get("macros")) is not None:
            from .macros import register

            register(self.macros, macros_plugin)
        add_to_site(config.extra_css, config.extra_javascript)
        return None

    # Early (50): generated pages must exist before macros (0) and Material's blog and
    # tags (-50) look at the files, and before links between pages are validated.
    @event_priority(50)
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if self.options is None:
            return None
        pages = [f.src_uri for f in files.documentation_pages() if not f.generated_by]
        assets = [f.src_uri for f in files if not f.is_documentation_page() and not f.generated_by]
        try:
            build = self.build = self.pipeline.build(self.options, pages, assets=assets)
        except HandbookError as exc:
            glue.report(exc.problems)
            raise PluginError("sms-handbook: the handbook could not be loaded") from None
        except ValueError as exc:  # SOURCE_DATE_EPOCH
            raise PluginError(f"sms-handbook: {exc}") from None
        glue.report(build.problems, build.notices)
        self.macros.bind(build.renderer)
        config.copyright = build.site.copyright(config.copyright)
        glue.add_pages(files, build, config)
        # Where the later stage runs is decided here, once: beside the pages in a worker
        # where that is safe, else here. Its files go into site_dir (cleaned by now).
        self.later = start(
            build, Path(config.site_dir), concurrency=self.config.concurrency,
            serving=self._serving,
        )  # fmt: skip
        glue.log.debug("sms-handbook: the later stage runs %s", self.later.where)
        glue.add_assets(files, config, offline=self._offline)
        return files

    # Early (100): before mkdocs-macros (0) renders the page, so our macros know which
    # page their links start from, and the front matter's `document:` mapping (which
    # macros would expose as a variable) does not hide the `document()` macro.
    @event_priority(100)
    def _remember_page(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> None:
        self.macros.page = page.file.src_uri
        self._held_meta = page.meta.pop("document", None)

    # Late (-50): after mkdocs-macros (0) has rendered the page, so values from the data
    # placed here are never read as Jinja; the `document:` mapping is put back.
    @event_priority(-50)
    def _add_document_control(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        if self._held_meta is not None:
            page.meta["document"], self._held_meta = self._held_meta, None
        if self.build is None or page.file.generated_by:
            return None
        if dates := self.build.page_dates(page.file.src_uri):
            page.meta.update(zip(DATE_KEYS, dates, strict=True))
        return self.build.document_page(page.file.src_uri, markdown)

    on_page_markdown = CombinedEvent(_remember_page, _add_document_control)

    def on_page_content(
        self, html: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        if self.build is None or markers.DASHBOARD not in html:
            return None
        return html.replace(markers.DASHBOARD, self.build.dashboard(page.file.src_uri))

    # Early (10): before search (0) indexes the page's content, the generated pages' big
    # tables go in as text. Not sooner: every page is converted before the first context,
    # so the worker has that long to make them.
    @event_priority(10)
    def _before_search(
        self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> None:
        if self.build is not None and page.file.generated_by and markers.PREFIX in page.content:
            page.content = markers.fill(page.content, self._blocks(), for_search=True)

    # Late (-10): once search (0) has indexed the page, every block goes into its content,
    # before the theme renders it (so no minifier at post_page ever sees a marker).
    @event_priority(-10)
    def _fill_blocks(
        self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> None:
        if self.later is not None and page.content and markers.PREFIX in page.content:
            page.content = markers.fill(page.content, self._blocks())

    on_page_context = CombinedEvent(_before_search, _fill_blocks)

    def _blocks(self) -> dict[str, str]:
        """The blocks of the later stage (waits for them)."""
        try:
            return self.later.blocks() if self.later else {}
        except BackgroundError as exc:  # a failed later stage must not pass silently
            raise glue.worker_failed(exc) from None

    # Late (-50): the exports, archives and pages of documents kept elsewhere are plain
    # files written beside the built site; no other plugin's post-build work needs them.
    @event_priority(-50)
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.later is None or self.build is None:
            return
        later, self.later = self.later, None
        try:
            kept = later.finish()  # (the stage has ended when this returns or raises)
            blocks = later.blocks()
        except BackgroundError as exc:
            raise glue.worker_failed(exc) from None
        if self.build.site.history is not None:
            self.build.site.history.forget_contents()  # past versions are rendered
        if kept is not None:
            self.pipeline.keep(self.build, kept)  # for the next `mkdocs serve` rebuild
        glue.fill_print_page(config, blocks)

    def on_build_error(self, *, error: Exception) -> None:
        if self.later is not None:
            self.later.cancel()
            self.later = None

    def on_serve(self, server: LiveReloadServer, *, config: MkDocsConfig, builder) -> None:
        if self.config.enabled:
            server.watch(self.config.data_dir, recursive=True)
            if self.config.templates_dir:
                server.watch(self.config.templates_dir, recursive=True)
