"""A handbook project as its mkdocs.yml describes it: the pipeline's options, read the
way `mkdocs build` reads them, for every face (the plugin, the command, `render`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .core.site.layout import layout_for
from .core.site.pipeline import Options

#: The plugin's name in mkdocs.yml (its entry point).
PLUGIN = "sms-handbook"


def plugin_name(entry: str) -> str:
    """A plugin's name from its key in mkdocs.yml (`name #2` for a second instance)."""
    return entry.split(" #")[0]


class ProjectError(Exception):
    """No handbook found at the given mkdocs.yml; the message says why."""


@dataclass
class Project:
    config_file: Path
    config: Any  # MkDocs' validated config
    options: Options
    pages: list[str]  # docs_dir's Markdown pages (src_uris)
    files: list[str]  # every file of docs_dir that the site includes, pages too

    @property
    def assets(self) -> list[str]:
        """The files of docs_dir the site copies as they are (not pages)."""
        pages = set(self.pages)
        return [f for f in self.files if f not in pages]


def open_project(config_file: Path) -> Project:
    """Read mkdocs.yml as `mkdocs build` does; ProjectError when there is no handbook."""
    if not config_file.is_file():
        raise ProjectError(f"no handbook found: {config_file} does not exist (use -f FILE)")
    # Imported here: `--help` and usage errors stay fast.
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException
    from mkdocs.structure.files import get_files

    try:
        config = load_config(str(config_file))
    except (MkDocsException, OSError) as exc:
        raise ProjectError(f"{config_file}: {exc}") from None
    plugin = next((p for key, p in config.plugins.items() if plugin_name(key) == PLUGIN), None)
    if plugin is None:
        raise ProjectError(
            f"no handbook found: {config_file} does not enable the sms-handbook plugin"
        )
    files = get_files(config)  # as MkDocs finds them: exclude_docs and hidden files left out
    pages = [f.src_uri for f in files.documentation_pages()]
    included = [f.src_uri for f in files if f.inclusion.is_included()]
    return Project(config_file, config, options_for(plugin.config, config), pages, included)


def options_for(options: Mapping[str, Any], config: Any) -> Options:
    """What the pipeline is asked for, from the plugin's options and the site's config."""
    templates = options["templates_dir"]
    root = Path(config.config_file_path or ".").resolve().parent
    return Options(
        root=root,
        data_dir=Path(options["data_dir"]),
        docs_dir=Path(config.docs_dir),
        layout=layout_for(
            options, repo_url=config.repo_url, use_directory_urls=config.use_directory_urls
        ),
        templates_dir=Path(templates) if templates else None,
        max_classification=options["publish_max_classification"],
        history=options["history"],
        config_name=Path(config.config_file_path or "mkdocs.yml").name,
        site_url=config.site_url or "",
        markdown_extensions=tuple(config.markdown_extensions),
        mdx_configs=config.mdx_configs,
        cache_dir=root / options["cache_dir"] if options["cache"] else None,
        control_since=options.get("control_since"),
        strict_change_control=options.get("strict_change_control", False),
        pdf=options.get("pdf", False),
    )
