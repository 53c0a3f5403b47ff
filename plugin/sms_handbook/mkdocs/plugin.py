"""The MkDocs plugin: a thin adapter over `sms_handbook.core`."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from html import escape
from importlib.resources import files as package_files
from pathlib import Path

from ..compat import unsupported_mkdocs

try:
    from mkdocs.config import base
    from mkdocs.config import config_options as c
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.exceptions import PluginError
    from mkdocs.livereload import LiveReloadServer
    from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
    from mkdocs.structure.files import File, Files, InclusionLevel
    from mkdocs.structure.pages import Page
except ImportError as exc:  # MkDocs 2 has none of these
    raise ImportError(unsupported_mkdocs() or str(exc)) from None

from ..core.data.loader import HandbookLoader
from ..core.model import CLASSIFICATIONS
from ..core.problems import Problem
from ..core.site import exports
from ..core.site.layout import Layout, repo_links
from ..core.site.pages import DASHBOARD_MARKER, GeneratedPage, Renderer, fragment_marker
from ..core.site.pipeline import HistoryCache, SiteData, handbook_file, prepare
from .background import Background, BackgroundError, Outputs, markdown_converter, write_files

log = get_plugin_logger("sms_handbook")

ASSETS = {
    "assets/sms-handbook/sms-handbook.css": "sms-handbook.css",
    "assets/sms-handbook/sms-handbook.js": "sms-handbook.js",
}
#: Material's offline plugin needs this shim for search from file:// and would load it
#: from a CDN; the plugin ships it (MIT, vendored in assets/vendor/).
SHIM = "assets/sms-handbook/iframe-worker-shim.js"
_H1 = re.compile(r"^# .*$", re.MULTILINE)
#: Where a document's control block and revision table go, filled in as the page is
#: written (after search has indexed it; the register page is where ids are searched).
#: Each names its page, so a page combining others (print-site's) is filled too.
METADATA, REVISIONS = "document control", "revision history"
_DOCUMENT_MARKER = re.compile(r"<!-- smsh-fragment (?:document control|revision history) .*? -->")
#: A generated block this long (the document index, the review schedule, the compliance
#: matrix) reaches search as its text alone, followed by this comment: parsing their
#: markup for the index was most of search's time. The block replaces its stand-in as
#: the page is written.
_BIG = 20_000
_STAND_IN_END = "<!-- smsh-stand-in end -->"
_TAG, _SPACE = re.compile(r"<[^>]*>"), re.compile(r"\s+")


class SmsHandbookConfig(base.Config):
    """Options of the `sms-handbook` plugin in mkdocs.yml."""

    enabled = c.Type(bool, default=True)
    """Turn the plugin off, e.g. `enabled: !ENV [SMS_HANDBOOK, true]`."""
    data_dir = c.Dir(exists=True, default="data")
    """Folder holding organization.yml, phases.yml and the registers, relative to mkdocs.yml."""
    templates_dir = c.Optional(c.Dir(exists=True))
    """The organization's own policy templates (`*.yml`, relative to mkdocs.yml); they add
    to the built-in Annex C templates, or replace one with the same id."""
    phases_dir = c.Type(str, default="phases")
    """Where the phase pages go in the site: `phases/` and `phases/<id>/`."""
    compliance_page = c.Type(str, default="compliance")
    """Where the compliance (gap) matrix goes: `compliance/`."""
    documents_dir = c.Type(str, default="documents")
    """Where the document index and generated document pages go: `documents/`."""
    reviews_page = c.Type(str, default="reviews")
    """Where the review schedule goes: `reviews/`."""
    templates_page = c.Type(str, default="policies/templates")
    """Where the policy templates and their guidance go: `policies/templates/`."""
    publish_max_classification = c.Choice(CLASSIFICATIONS, default="internal")
    """Documents classified above this are not published: no text on any page, in search
    or in the exports; the index lists them by id, title and owner."""
    history = c.Type(bool, default=True)
    """Read revision history from Git. Without a repository the build warns (so `--strict`
    fails); set false to build without history on purpose."""
    commit_url = c.Optional(c.Type(str))
    """Link commits in revision tables, e.g. `https://git.example.org/sms/-/commit/{sha}`.
    Default: derived from `repo_url`."""
    pull_request_url = c.Optional(c.Type(str))
    """Link pull requests, e.g. `https://git.example.org/sms/-/merge_requests/{number}`.
    Default: derived from `repo_url`."""
    show_emails = c.Type(bool, default=False)
    """Publish authors' e-mail addresses in revision tables (off: names only)."""
    archives = c.Type(bool, default=True)
    """Publish every approved version as it was approved, at `documents/<id>/<version>/`,
    with the changes from the version before."""


def layout_for(options: SmsHandbookConfig, config: MkDocsConfig) -> Layout:
    """Where the plugin's pages go and how they link out, from its options."""
    commit_url, pull_request_url = repo_links(config.repo_url)
    return Layout(
        phases_dir=options.phases_dir.strip("/"),
        compliance_page=options.compliance_page.strip("/"),
        documents_dir=options.documents_dir.strip("/"),
        reviews_page=options.reviews_page.strip("/"),
        templates_page=options.templates_page.strip("/"),
        use_directory_urls=config.use_directory_urls,
        commit_url=options.commit_url or commit_url,
        pull_request_url=options.pull_request_url or pull_request_url,
        show_emails=options.show_emails,
        archives=options.archives,
    )


class SmsHandbookPlugin(BasePlugin[SmsHandbookConfig]):
    """Validates the handbook's data, adds the generated pages and document control."""

    def __init__(self) -> None:
        self.loader: HandbookLoader | None = None
        self.history = HistoryCache()
        self.site: SiteData | None = None
        self.renderer: Renderer | None = None
        self.background: Background | None = None
        # What the last build made, for `mkdocs serve` rebuilds with the same fingerprint.
        self._fingerprint = 0
        self._pages: list[GeneratedPage] = []
        self._kept: Outputs | None = None  # the background work, for serve rebuilds
        self._writing: ThreadPoolExecutor | None = None  # writing the kept files
        self._written: Future | None = None
        self._fragments: dict[str, list[str]] = {}  # generated pages' block markers
        self._stand_ins: dict[str, str] = {}  # big blocks' text, by marker
        self._serving = False
        self.current_page: str | None = None  # src_uri of the page being rendered
        self._held_meta: object = None  # the page's `document:` front matter, while macros run
        self._offline = False  # Material's offline plugin is on

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Defining on_startup keeps this instance (the loader's file cache and the Git
        # history) alive across `mkdocs serve` rebuilds.
        self._serving = command == "serve"

    # Early (60): before Material's offline plugin (0) would add its search shim from a
    # CDN; the intranet site must load nothing from another host.
    @event_priority(60)
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return None
        self._offline = _offline_enabled(config)
        if self._offline:
            polyfills = config.extra.setdefault("polyfills", [])
            if not any("iframe-worker" in str(url) for url in polyfills):
                polyfills.append(SHIM)
        root = Path(config.config_file_path or ".").resolve().parent
        data_dir, docs_dir = Path(self.config.data_dir), Path(config.docs_dir)
        templates = Path(self.config.templates_dir) if self.config.templates_dir else None
        loader = self.loader
        wanted = (root, data_dir, docs_dir, templates)
        if (
            loader is None
            or (loader.root, loader.data_dir, loader.docs_dir, loader.templates_dir) != wanted
        ):
            self.loader = HandbookLoader(*wanted)
        macros_plugin = config.plugins.get("macros")
        if macros_plugin is not None:
            from .macros import register

            register(self, macros_plugin)
        for uri in ASSETS:
            target = config.extra_css if uri.endswith(".css") else config.extra_javascript
            if uri not in target:
                target.append(uri)
        return None

    # Early (50): generated pages must exist before macros (0) and Material's blog and
    # tags (-50) look at the files, and before links between pages are validated.
    @event_priority(50)
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled or self.loader is None:
            return None
        pages = [f.src_uri for f in files.documentation_pages() if not f.generated_by]
        history, history_problems = None, []
        with ThreadPoolExecutor(max_workers=1) as pool:
            # Git reads the log in its own process while the data is validated here.
            # It reads past versions of pages and data too, for the background work.
            reading = (
                pool.submit(self.history.get, self.loader.root, _config_name(config), handbook_file)
                if self.config.history
                else None
            )
            result = self.loader.load(pages)
            if reading is not None:
                history, history_problems = reading.result()
        report(result.problems)
        handbook = result.handbook
        assert handbook is not None  # report() raised otherwise
        report(history_problems)
        try:
            arguments = (
                handbook, layout_for(self.config, config), self.loader.root, Path(config.docs_dir)
            )  # fmt: skip
            options = {"max_classification": self.config.publish_max_classification}
            # The pages need no past versions: those are read in the background.
            site = self.site = prepare(*arguments, **options, history=history, revisions=False)
        except ValueError as exc:  # SOURCE_DATE_EPOCH
            raise PluginError(f"sms-handbook: {exc}") from None
        renderer = self.renderer = Renderer(site)
        edition = escape(site.edition_line)
        if edition not in (config.copyright or ""):
            config.copyright = f"{config.copyright} · {edition}" if config.copyright else edition
        self._withhold(files, site)
        docs_dir = Path(config.docs_dir)
        # The generated pages and the background work depend on the history, the data
        # and the options only: a `mkdocs serve` rebuild after a text edit reuses them.
        fingerprint = hash(
            (history.head if history else None, repr(handbook), repr(site.register),
             repr(dict(self.config)), site.today, config.site_url, config.use_directory_urls,
             repr(config.markdown_extensions))
        )  # fmt: skip
        same = self._fingerprint == fingerprint
        # Their big blocks are rendered in the background, beside the documents' blocks.
        pages = self._pages if same else renderer.pages(blocks=False)
        self._pages, self._fingerprint = pages, fingerprint
        if not same:
            self._kept = None  # until this build's background work is done
            self._stand_ins = {}
        self._fragments = {}
        for page in pages:
            self._fragments[page.src_uri] = list(page.fragments)
            if page.src_uri in files.src_uris:
                raise PluginError(
                    f"sms-handbook: {docs_dir.name}/{page.src_uri} exists, but the plugin "
                    f"generates that page ({page.title}); move the file or change the "
                    "plugin option that places it"
                )
            inclusion = InclusionLevel.UNDEFINED if page.in_nav else InclusionLevel.NOT_IN_NAV
            file = File.generated(config, page.src_uri, content=page.markdown, inclusion=inclusion)
            file.edit_uri = _edit_uri(page.source, self.loader.root, docs_dir)
            files.append(file)

        for name in EXPORTS:
            if name in files.src_uris:
                raise PluginError(f"sms-handbook: {name} is generated; remove it from docs_dir")
        site_dir = Path(config.site_dir)  # MkDocs has cleaned it by now
        if same and self._kept is not None:
            self.background = Background.finished(self._kept)
            # Written while the pages are built: writing is mostly waiting on the disk.
            self._writing = ThreadPoolExecutor(max_workers=1)
            self._written = self._writing.submit(write_files, site_dir, self._kept.files)
        else:
            make_site = partial(prepare, *arguments, **options, history=history)
            # A forked worker writes its files itself, on its own core.
            write_to = site_dir if Background.forks(inline=self._serving) else None
            self.background = Background(
                lambda: _background(make_site, config, write_to), inline=self._serving
            )
            if history is not None and self.background.forked:
                history.forget_contents()  # the worker has them
        assets = dict(ASSETS)
        if self._offline:
            assets[SHIM] = "vendor/iframe-worker-shim.js"
        for uri, name in assets.items():
            if uri not in files.src_uris:
                text = (package_files("sms_handbook") / "assets" / name).read_text("utf-8")
                files.append(File.generated(config, uri, content=text))
        return files

    def _withhold(self, files: Files, site: SiteData) -> None:
        """Take unpublished documents' sources out of the site; a stub page replaces pages."""
        for entry in site.register:
            source = entry.doc.source
            if not entry.published and source is not None and source in files.src_uris:
                files.remove(files.src_uris[source])

    # Early (100): before mkdocs-macros (0) renders the page, so our macros know which
    # page their links start from, and the front matter's `document:` mapping (which
    # macros would expose as a variable) does not hide the `document()` macro. It is
    # put back at -50.
    @event_priority(100)
    def _remember_page(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> None:
        self.current_page = page.file.src_uri
        self._held_meta = page.meta.pop("document", None)

    # Late (-50): after mkdocs-macros (0) has rendered the page, so values from the data
    # placed here are never read as Jinja.
    @event_priority(-50)
    def _add_document_control(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        if self._held_meta is not None:
            page.meta["document"], self._held_meta = self._held_meta, None
        site, renderer = self.site, self.renderer
        if site is None or renderer is None or page.file.generated_by:
            return None
        src = page.file.src_uri
        history = site.page_history(src)
        if history:
            zone_dates = site.dates(history)
            page.meta["git_revision_date_localized"] = zone_dates[0]
            page.meta["git_creation_date_localized"] = zone_dates[-1]
        entry = site.entry_for_page(src)
        if entry is None:
            return None
        # Markers only: the HTML goes in after Markdown (on_page_content, on_post_page).
        heading = _H1.search(markdown)
        at = heading.end() if heading else 0
        body = markdown[at:].lstrip("\n").rstrip()
        return (
            f"{markdown[:at]}\n\n{fragment_marker(f'{METADATA} {src}')}\n\n{body}\n\n"
            f"## Revision history\n\n{fragment_marker(f'{REVISIONS} {src}')}\n"
        )

    def on_page_content(
        self, html: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        site, renderer = self.site, self.renderer
        if site is None or renderer is None:
            return None
        src = page.file.src_uri
        markers = self._fragments.get(src, [])
        blocks = self._blocks() if markers else {}
        for marker in markers:
            block = blocks.get(marker, "")
            if len(block) > _BIG:
                if marker not in self._stand_ins:
                    self._stand_ins[marker] = _stand_in(block)
                html = html.replace(marker, marker + self._stand_ins[marker], 1)
            else:
                html = html.replace(marker, block, 1)
        if DASHBOARD_MARKER in html:
            html = html.replace(DASHBOARD_MARKER, renderer.dashboard(src))
        return html

    # Early (100): the markers are HTML comments, which minifiers (mkdocs-minify-plugin
    # at 0) would strip before they are filled.
    @event_priority(100)
    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        src = page.file.src_uri
        if page.file.generated_by:
            markers = self._fragments.get(src)
            return _put_back_big_blocks(output, self._blocks(), markers) if markers else None
        if self.background is None:
            return None
        # A page's own markers are in its content, after the navigation: found from the end.
        found = sorted(
            (at, marker)
            for marker in (fragment_marker(f"{kind} {src}") for kind in (METADATA, REVISIONS))
            if (at := output.rfind(marker)) >= 0
        )
        if not found:
            return None
        blocks = self._blocks()
        parts, done = [], 0
        for at, marker in found:
            parts += [output[done:at], blocks.get(marker, "")]
            done = at + len(marker)
        return "".join([*parts, output[done:]])

    def _blocks(self) -> dict[str, str]:
        """The blocks rendered in the background (waits for them)."""
        if self.background is None:
            return {}
        try:
            return self.background.blocks()
        except BackgroundError as exc:  # a failed worker must not pass silently
            raise _worker_failed(exc) from None

    on_page_markdown = CombinedEvent(_remember_page, _add_document_control)

    # Late (-50): the exports, archives and pages of documents kept elsewhere are plain
    # files written beside the built site; no other plugin's post-build work needs them.
    @event_priority(-50)
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.background is None:
            return
        job, self.background = self.background, None
        try:
            outputs = job.result()
        except BackgroundError as exc:
            raise _worker_failed(exc) from None
        if self.site is not None and self.site.history is not None:
            self.site.history.forget_contents()  # past versions are rendered
        if self._written is not None:  # kept from the last build, written meanwhile
            self._finish_writing()
        elif not job.forked:  # (a forked worker has written its files)
            write_files(Path(config.site_dir), outputs.files)
            self._kept = outputs  # for the next `mkdocs serve` rebuild
        # print-site writes its page of all pages at its own post_build (0), from the
        # pages' content: the documents' markers are filled there.
        print_page = getattr(config.plugins.get("print-site"), "print_page", None)
        built = Path(print_page.file.abs_dest_path) if print_page is not None else None
        if built is not None and built.is_file():
            html = _fill_documents(built.read_text("utf-8"), outputs.blocks)
            markers = (m for ms in self._fragments.values() for m in ms)
            built.write_text(_put_back_big_blocks(html, outputs.blocks, markers), "utf-8")

    def _finish_writing(self) -> None:
        written, writing = self._written, self._writing
        self._written = self._writing = None
        try:
            if written is not None:
                written.result()
        finally:
            if writing is not None:
                writing.shutdown()

    def on_build_error(self, *, error: Exception) -> None:
        if self.background is not None:
            self.background.cancel()
            self.background = None
        with contextlib.suppress(OSError):  # the build has failed already
            self._finish_writing()

    def on_serve(self, server: LiveReloadServer, *, config: MkDocsConfig, builder) -> None:
        if self.config.enabled:
            server.watch(self.config.data_dir, recursive=True)
            if self.config.templates_dir:
                server.watch(self.config.templates_dir, recursive=True)


EXPORTS = ("documents.json", "documents.csv", "reviews.ics")


def _background(
    make_site: Callable[[], SiteData], config: MkDocsConfig, write_to: Path | None
) -> Iterator:
    """What is rendered beside the build: the documents' blocks and the generated pages'
    tables, then exports, document pages kept elsewhere and archives (written to
    `write_to` when given, else returned)."""
    site = make_site()
    handbook, layout, url = site.handbook, site.layout, config.site_url or ""
    register, renderer = site.register, Renderer(site)
    blocks = {}
    for e in register:
        if e.published and e.page == e.doc.source:
            blocks[fragment_marker(f"{METADATA} {e.page}")] = renderer.metadata_block(e, e.page)
            blocks[fragment_marker(f"{REVISIONS} {e.page}")] = renderer.revision_table(e, e.page)
    for page in renderer.pages():  # the generated pages' big tables
        blocks.update(page.fragments)
    yield blocks
    files: list = [
        (
            "documents.json",
            exports.documents_json(register, handbook, layout, site.now, url, site.edition),
        ),
        ("documents.csv", exports.documents_csv(register, handbook, layout, url)),
        ("reviews.ics", exports.reviews_ics(register, handbook, layout, site.now, url)),
        *renderer.standalone_pages(),
    ]
    if layout.archives:
        convert = markdown_converter(config.markdown_extensions, config.mdx_configs)
        files.extend(renderer.archives(convert))
    if write_to is not None:
        write_files(write_to, files)
        files = []
    yield files


def _worker_failed(exc: BackgroundError) -> PluginError:
    return PluginError(
        f"sms-handbook: the work beside the build (revision history, archives, exports) "
        f"failed: {exc}"
    )


def _stand_in(block: str) -> str:
    """A big block's text without its markup, for search to index in its place."""
    text = _SPACE.sub(" ", _TAG.sub(" ", block)).strip()
    return f"<p>{text}</p>{_STAND_IN_END}"


def _put_back_big_blocks(html: str, blocks: dict[str, str], markers: Iterable[str]) -> str:
    """The big blocks in place of their stand-ins."""
    for marker in markers:
        block = blocks.get(marker, "")
        start = html.find(marker) if len(block) > _BIG else -1
        end = html.find(_STAND_IN_END, start) if start >= 0 else -1
        if end >= 0:
            html = f"{html[:start]}{block}{html[end + len(_STAND_IN_END) :]}"
    return html


def _fill_documents(html: str, blocks: dict[str, str]) -> str:
    """Each document's control block and revision table in place of its markers."""
    return _DOCUMENT_MARKER.sub(lambda match: blocks.get(match.group(0), ""), html)


def _offline_enabled(config: MkDocsConfig) -> bool:
    plugin = config.plugins.get("material/offline") or config.plugins.get("offline")
    return plugin is not None and bool(getattr(plugin, "config", {}).get("enabled", True))


def _config_name(config: MkDocsConfig) -> str:
    return Path(config.config_file_path or "mkdocs.yml").name


def _edit_uri(source: str, root: Path, docs_dir: Path) -> str | None:
    """The edit path of a generated page: its data file, relative to docs_dir."""
    if not source:
        return None
    return Path(os.path.relpath(root / source, docs_dir)).as_posix()


def report(problems: list[Problem]) -> None:
    """Log warnings (counted by --strict) and raise one PluginError listing every error."""
    for problem in problems:
        if problem.severity == "warning":
            log.warning(str(problem))
    errors = [str(p) for p in problems if p.severity == "error"]
    if errors:
        count = f"{len(errors)} error{'s' if len(errors) > 1 else ''}"
        raise PluginError(
            f"sms-handbook found {count} in the handbook's data:\n" + "\n".join(errors)
        )
