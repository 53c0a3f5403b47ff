"""The MkDocs plugin: a thin adapter over `sms_handbook.core`."""

from __future__ import annotations

import os
from importlib.resources import files as package_files
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from .core import clock, render
from .core.layout import Layout
from .core.loader import HandbookLoader
from .core.model import Handbook
from .core.problems import Problem

log = get_plugin_logger("sms_handbook")


class SmsHandbookConfig(base.Config):
    """Options of the `sms-handbook` plugin in mkdocs.yml."""

    enabled = c.Type(bool, default=True)
    """Turn the plugin off, e.g. `enabled: !ENV [SMS_HANDBOOK, true]`."""
    data_dir = c.Dir(exists=True, default="data")
    """Folder holding organization.yml, phases.yml and the registers, relative to mkdocs.yml."""
    phases_dir = c.Type(str, default="phases")
    """Where the phase pages go in the site: `phases/` and `phases/<id>/`."""
    compliance_page = c.Type(str, default="compliance")
    """Where the compliance (gap) matrix goes: `compliance/`."""


CSS = "assets/sms-handbook/sms-handbook.css"


class SmsHandbookPlugin(BasePlugin[SmsHandbookConfig]):
    """Loads and validates the handbook's data once per build."""

    def __init__(self) -> None:
        self.loader: HandbookLoader | None = None
        self.handbook: Handbook | None = None
        self.layout = Layout()
        self.today = None

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Defining on_startup keeps this instance (and the loader's file cache) alive
        # across `mkdocs serve` rebuilds.
        self.loader = None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return None
        root = Path(config.config_file_path or ".").resolve().parent
        data_dir, docs_dir = Path(self.config.data_dir), Path(config.docs_dir)
        loader = self.loader
        if loader is None or (loader.root, loader.data_dir, loader.docs_dir) != (
            root,
            data_dir,
            docs_dir,
        ):
            self.loader = HandbookLoader(root, data_dir, docs_dir)
        self.layout = Layout(
            phases_dir=self.config.phases_dir.strip("/"),
            compliance_page=self.config.compliance_page.strip("/"),
            use_directory_urls=config.use_directory_urls,
        )
        if CSS not in config.extra_css:
            config.extra_css.append(CSS)
        return None

    # Early (50): later capabilities add generated pages here, and macros (0) and
    # Material's blog and tags (-50) must see them.
    @event_priority(50)
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled or self.loader is None:
            return None
        pages = [f.src_uri for f in files.documentation_pages() if not f.generated_by]
        result = self.loader.load(pages)
        report(result.problems)
        handbook = self.handbook = result.handbook
        assert handbook is not None  # report() raised otherwise
        try:
            self.today = clock.today(handbook.organization.timezone)
        except ValueError as exc:
            raise PluginError(f"sms-handbook: {exc}") from None
        docs_dir = Path(config.docs_dir)
        for page in render.generated_pages(handbook, self.layout, self.today):
            if page.src_uri in files.src_uris:
                raise PluginError(
                    f"sms-handbook: {docs_dir.name}/{page.src_uri} exists, but the plugin "
                    f"generates that page ({page.title}); move the file or change the "
                    "plugin's phases_dir / compliance_page option"
                )
            file = File.generated(config, page.src_uri, content=page.markdown)
            file.edit_uri = _edit_uri(page.source, self.loader.root, docs_dir)
            files.append(file)
        if CSS not in files.src_uris:
            css = (package_files("sms_handbook") / "assets" / "sms-handbook.css").read_text()
            files.append(File.generated(config, CSS, content=css))
        return files

    # Late (-50): after mkdocs-macros (0) has rendered the page, so values from the data
    # placed here are never read as Jinja.
    @event_priority(-50)
    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        if self.handbook is None or self.today is None or render.DASHBOARD_MARKER not in markdown:
            return None
        fragment = render.dashboard(self.handbook, self.layout, self.today, page.file.src_uri)
        return markdown.replace(render.DASHBOARD_MARKER, fragment)

    def on_serve(self, server: LiveReloadServer, *, config: MkDocsConfig, builder) -> None:
        if self.config.enabled:
            server.watch(self.config.data_dir, recursive=True)


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
