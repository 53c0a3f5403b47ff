"""`sms-handbook render`: the whole handbook as a plain folder that any Markdown site
generator builds without this plugin (MkDocs, ProperDocs, Zensical).

`DIR/docs/` holds every page of docs_dir with its document-control block and revision
table put in and our macros expanded, every generated page as Markdown, the archives,
exports and assets; `DIR/mkdocs.yml` is the user's config pointing at it, without our
plugin and mkdocs-macros. Publication control is the pipeline's: a withheld page's
text is never written, its stub page takes its place.

Links between pages are written for `use_directory_urls: false`: Zensical resolves
every relative link in raw HTML against the page's source file, MkDocs against its
URL, and only without directory URLs are the two the same.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import traceback
from collections.abc import Callable
from importlib.resources import files as package_files
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, StrictUndefined, TemplateError

from .assets import ASSETS, add_to_site
from .core.data import frontmatter
from .core.data.yamlio import YamlError
from .core.problems import Problem
from .core.site import markers
from .core.site.macros import MacroContext
from .core.site.pipeline import Build, Files, Pipeline, write_files
from .project import PLUGIN, Project, plugin_name

#: A file in DIR saying that a render made it, so that a later render may replace it.
STAMP = ".sms-handbook-render"
#: Plugins whose work the rendered folder already holds.
_DONE = (PLUGIN, "macros")


class RenderError(Exception):
    """The folder cannot be written; the message says why (problems: each located)."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


def render(project: Project, out: Path, *, environ: dict[str, str] | None = None) -> Build:
    """Write the handbook as a plain folder at `out` (refused if `out` holds anything
    that an earlier render did not write)."""
    options = project.options
    where = out.resolve()
    if where == options.root or where.is_relative_to(options.docs_dir.resolve()):
        raise RenderError(f"{out} is the project or inside docs_dir; choose another folder")
    if out.exists() and any(out.iterdir()) and not (out / STAMP).is_file():
        raise RenderError(f"{out} exists and was not written by `sms-handbook render`")
    options = dataclasses.replace(
        options, layout=dataclasses.replace(options.layout, use_directory_urls=False)
    )
    build = Pipeline().build(options, project.pages, environ=environ)
    outputs = build.outputs()
    docs = out / "docs"
    if docs.exists():
        shutil.rmtree(docs)
    docs.mkdir(parents=True)
    (out / STAMP).write_text("Written by sms-handbook render; rendered again, it is replaced.\n")
    context = MacroContext()
    context.bind(build.renderer)
    expand = _expander(project, context) if _macros_wanted(project) else None
    problems: list[Problem] = []
    pages: Files = []
    withheld = set(build.withheld)
    docs_dir = options.docs_dir
    for src in project.files:
        if src in withheld:
            continue
        if not src.endswith(".md"):
            (docs / src).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(docs_dir / src, docs / src)
            continue
        text = (docs_dir / src).read_text("utf-8-sig")
        head, body = _split(text)
        if expand is not None and _renders_macros(head):
            context.page = src
            body, problem = expand(body, src, text.count("\n", 0, len(head)))
            if problem is not None:
                problems.append(problem)
                continue
        head = _with_dates(head, build.page_dates(src))
        body = markers.fill(build.document_page(src, body) or body, outputs.blocks)
        if markers.DASHBOARD in body:
            body = body.replace(markers.DASHBOARD, build.dashboard(src))
        pages.append((src, head + body))
    if problems:
        raise RenderError("macros could not be expanded", problems)
    pages += [(p.src_uri, markers.fill(p.markdown, outputs.blocks)) for p in build.pages]
    assets = package_files("sms_handbook") / "assets"
    write_files(docs, [
        *pages, *outputs.files,
        *((uri, (assets / name).read_bytes()) for uri, name in ASSETS.items()),
    ])  # fmt: skip
    _write_config(project, out, build)
    return build


def _split(text: str) -> tuple[str, str]:
    """A page's front matter (with its lines, as written) and its body."""
    body = frontmatter.body(text)
    return text[: len(text) - len(body)], body


def _with_dates(head: str, dates: tuple[str, str] | None) -> str:
    """The front matter with the page's dates from Git, under the keys Material's
    footer shows ("Last update", "Created"), as the plugin sets them."""
    if dates is None:
        return head
    lines = (
        f"git_revision_date_localized: '{dates[0]}'\ngit_creation_date_localized: '{dates[1]}'\n"
    )
    if not head:
        return f"---\n{lines}---\n"
    close = head.rstrip("\r\n").rfind("\n") + 1  # the closing line's start
    return head[:close] + lines + head[close:]


def _renders_macros(head: str) -> bool:
    """Whether a page's front matter leaves macros on (`render_macros: false` turns
    them off, as in mkdocs-macros)."""
    try:
        meta = frontmatter.split(head + "\n").meta
    except YamlError:
        return True
    return meta is None or meta.get("render_macros", True) is not False


def _macros_wanted(project: Project) -> bool:
    plugins = project.config.plugins
    macros = plugins.get("macros")
    return macros is not None and bool(getattr(macros, "config", {}).get("render_by_default", True))


def _expander(
    project: Project, context: MacroContext
) -> Callable[[str, str, int], tuple[str, Problem | None]]:
    """Expands our macros in a page's body as mkdocs-macros would: (body, src, the line
    where the body starts) to the expanded body, or the body and the located problem."""
    env = Environment(undefined=StrictUndefined, keep_trailing_newline=True)
    names = {**dict(project.config.extra), **context.variables(), **context.macros()}

    def expand(body: str, src: str, offset: int) -> tuple[str, Problem | None]:
        try:
            return env.from_string(body).render(**names), None
        except (TemplateError, KeyError, RuntimeError) as exc:
            # A syntax error knows its line; an error while rendering is found in the
            # traceback, whose template frames Jinja maps back to the page's lines.
            frames = traceback.extract_tb(exc.__traceback__)
            lines = [f.lineno for f in frames if f.filename == "<template>" and f.lineno]
            line = offset + (getattr(exc, "lineno", None) or (lines[-1] if lines else 1))
            path = Path(os.path.relpath(project.options.docs_dir / src, project.options.root))
            message = f"{type(exc).__name__}: {exc}".replace("\n", " ")
            return body, Problem(path.as_posix(), line, "error", "macro", message)

    return expand


def _write_config(project: Project, out: Path, build: Build) -> None:
    """DIR/mkdocs.yml: the user's config, pointing at DIR/docs, without our plugin."""
    source = project.config_file.resolve()
    config = yaml.load(source.read_text("utf-8"), Loader=_ConfigLoader) or {}
    here = source.parent

    def moved(path: str) -> str:  # a path of the config, as seen from DIR
        return Path(os.path.relpath(here / path, out.resolve())).as_posix()

    config["docs_dir"] = "docs"
    config["use_directory_urls"] = False
    config.pop("site_dir", None)
    theme = config.get("theme")
    if isinstance(theme, dict) and isinstance(theme.get("custom_dir"), str):
        theme["custom_dir"] = moved(theme["custom_dir"])
    for key in ("hooks", "watch"):
        if isinstance(config.get(key), list):
            config[key] = [moved(p) if isinstance(p, str) else p for p in config[key]]
    plugins = config.get("plugins")
    if isinstance(plugins, dict):
        config["plugins"] = {k: v for k, v in plugins.items() if plugin_name(k) not in _DONE}
    elif isinstance(plugins, list):
        config["plugins"] = [p for p in plugins if plugin_name(_listed_name(p)) not in _DONE]
    css, scripts = list(config.get("extra_css") or []), list(config.get("extra_javascript") or [])
    add_to_site(css, scripts)
    config["extra_css"], config["extra_javascript"] = css, scripts
    config["copyright"] = build.site.copyright(config.get("copyright"))
    (out / "mkdocs.yml").write_text(
        "# Written by `sms-handbook render`: the handbook as a plain folder.\n"
        + yaml.safe_dump(config, allow_unicode=True, sort_keys=False, width=100),
        "utf-8",
    )


def _listed_name(item: Any) -> str:
    """The key of a plugin given in a list: `- search` or `- search: {...}`."""
    return str(
        item if isinstance(item, str) else next(iter(item), "") if isinstance(item, dict) else ""
    )


class _ConfigLoader(yaml.SafeLoader):
    """mkdocs.yml's YAML: `!ENV` resolved as MkDocs resolves it."""


def _env(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        names, default = [loader.construct_scalar(node)], None
    else:
        items = loader.construct_sequence(node)  # type: ignore[arg-type]
        names, default = items[:-1], items[-1]
    for name in names:
        if str(name) in os.environ:
            return yaml.safe_load(os.environ[str(name)])
    return default


_ConfigLoader.add_constructor("!ENV", _env)
