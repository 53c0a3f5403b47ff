"""MkDocs glue for the plugin's events: the pipeline's pages and the assets into MkDocs'
files, the blocks into print-site's page, problems into MkDocs' log (so `--strict`
counts the warnings)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from importlib.resources import files as package_files
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel

from ..assets import ASSETS
from ..core.problems import Problem
from ..core.site import markers
from ..core.site.pipeline import EXPORTS, Build
from .background import BackgroundError

log = get_plugin_logger("sms_handbook")


def add_pages(files: Files, build: Build, config: MkDocsConfig) -> None:
    """Withheld pages out (their stubs replace them), the generated pages in."""
    for source in build.withheld:
        if source in files.src_uris:
            files.remove(files.src_uris[source])
    docs_dir = Path(config.docs_dir)
    for page in build.pages:
        if page.src_uri in files.src_uris:
            raise PluginError(
                f"sms-handbook: {docs_dir.name}/{page.src_uri} exists, but the plugin "
                f"generates that page ({page.title}); move the file or change the "
                "plugin option that places it"
            )
        inclusion = InclusionLevel.UNDEFINED if page.in_nav else InclusionLevel.NOT_IN_NAV
        file = File.generated(config, page.src_uri, content=page.markdown, inclusion=inclusion)
        if page.source:  # edit links point at the data file
            source = build.options.root / page.source
            file.edit_uri = Path(os.path.relpath(source, docs_dir)).as_posix()
        files.append(file)
    for name in EXPORTS:
        if name in files.src_uris:
            raise PluginError(f"sms-handbook: {name} is generated; remove it from docs_dir")


#: Material's offline plugin needs this shim for search from file:// and would load it
#: from a CDN; the plugin ships it (MIT, vendored in assets/vendor/).
SHIM, SHIM_FILE = "assets/sms-handbook/iframe-worker-shim.js", "vendor/iframe-worker-shim.js"


def with_offline_shim(config: MkDocsConfig, shim: str = SHIM) -> bool:
    """Whether Material's offline plugin is on; if so, its search shim is ours (it would
    load it from a CDN)."""
    plugin = config.plugins.get("material/offline") or config.plugins.get("offline")
    if plugin is None or not getattr(plugin, "config", {}).get("enabled", True):
        return False
    polyfills = config.extra.setdefault("polyfills", [])
    if not any("iframe-worker" in str(url) for url in polyfills):
        polyfills.append(shim)
    return True


def add_assets(files: Files, config: MkDocsConfig, *, offline: bool) -> None:
    """The package's assets (and, for the offline plugin, the shim), unless docs_dir
    has them."""
    for uri, name in {**ASSETS, **({SHIM: SHIM_FILE} if offline else {})}.items():
        if uri not in files.src_uris:
            text = (package_files("sms_handbook") / "assets" / name).read_text("utf-8")
            files.append(File.generated(config, uri, content=text))


def fill_print_page(config: MkDocsConfig, blocks: Mapping[str, str]) -> None:
    """print-site writes its page of all pages at its own post_build (0), from the pages'
    content as it was before the blocks went in: they go in there."""
    print_page = getattr(config.plugins.get("print-site"), "print_page", None)
    built = Path(print_page.file.abs_dest_path) if print_page is not None else None
    if built is not None and built.is_file():
        built.write_text(markers.fill(built.read_text("utf-8"), blocks), "utf-8")


def worker_failed(exc: BackgroundError) -> PluginError:
    return PluginError(
        f"sms-handbook: the work beside the build (revision history, archives, exports) "
        f"failed: {exc}"
    )


def report(problems: list[Problem], notices: Sequence[str] = ()) -> None:
    """Log notices (information), warnings (counted by --strict), and raise one
    PluginError listing every error."""
    for notice in notices:
        log.info("sms-handbook: %s", notice)
    for problem in problems:
        if problem.severity == "warning":
            log.warning(str(problem))
    errors = [str(p) for p in problems if p.severity == "error"]
    if errors:
        count = f"{len(errors)} error{'s' if len(errors) > 1 else ''}"
        raise PluginError(
            f"sms-handbook found {count} in the handbook's data:\n" + "\n".join(errors)
        )
