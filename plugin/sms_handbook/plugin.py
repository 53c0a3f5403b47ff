"""The MkDocs plugin: a thin adapter over `sms_handbook.core`."""

from __future__ import annotations

from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import Files

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


class SmsHandbookPlugin(BasePlugin[SmsHandbookConfig]):
    """Loads and validates the handbook's data once per build."""

    def __init__(self) -> None:
        self.loader: HandbookLoader | None = None
        self.handbook: Handbook | None = None

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
        self.handbook = result.handbook
        return None

    def on_serve(self, server: LiveReloadServer, *, config: MkDocsConfig, builder) -> None:
        if self.config.enabled:
            server.watch(self.config.data_dir, recursive=True)


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
