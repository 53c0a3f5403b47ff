"""`sms-handbook render`: the whole handbook as a plain folder that any Markdown site
generator builds without this plugin (MkDocs, ProperDocs, Zensical).

`DIR/docs/` holds every page of docs_dir with its document-control block and revision
table put in and our macros expanded, every generated page as Markdown, the archives,
exports and assets; `DIR/mkdocs.yml` is the user's config pointing at it, without our
plugin and mkdocs-macros. Publication control is the pipeline's: a withheld page's
text is never written, its stub page takes its place.

The folder travels: what DIR/mkdocs.yml needs from the project besides docs_dir (the
theme's custom_dir, hooks, `!relative $config_dir/...` paths) is copied into DIR, where
the config points at it; nothing from outside the repository is ever copied, and
`watch` (for `serve` in the project) is left out.

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
from dataclasses import dataclass, field
from importlib.resources import files as package_files
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, StrictUndefined, TemplateError
from mkdocs.exceptions import ConfigurationError
from mkdocs.utils.yaml import yaml_load

from .assets import ASSETS, add_to_site
from .core.data import frontmatter
from .core.data.yamlio import YamlError
from .core.git.command import GitError, run_git
from .core.problems import Problem
from .core.site import markers
from .core.site.macros import MacroContext
from .core.site.pipeline import Build, Files, Pipeline, write_files
from .project import PLUGIN, Project, plugin_name

#: A file in DIR saying that a render made it, so that a later render may replace it.
STAMP = ".sms-handbook-render"
#: Plugins whose work the rendered folder already holds.
_DONE = (PLUGIN, "macros")
#: What render writes in DIR itself: a carried path starting with one goes under `carried/`.
_OWN = ("docs", "site", "mkdocs.yml", STAMP, "carried")


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
    if out.exists() and not out.is_dir():
        raise RenderError(f"{out} exists and is not a folder")
    if out.exists() and any(out.iterdir()) and not (out / STAMP).is_file():
        raise RenderError(f"{out} exists and was not written by `sms-handbook render`")
    _check_own(out)
    config, carried = _plan_config(project, where)
    options = dataclasses.replace(
        options, layout=dataclasses.replace(options.layout, use_directory_urls=False)
    )
    build = Pipeline().build(options, project.pages, environ=environ, assets=project.assets)
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
    carried.copy()
    _write_config(config, out, build)
    return build


def _check_own(out: Path) -> None:
    """Refuse, before anything is written, an earlier output whose own entries render
    would replace are not what it wrote: a symbolic link (replacing it would write, or
    delete, wherever it leads) or a file where a folder goes, or the other way round."""
    for name, folder in (("docs", True), ("mkdocs.yml", False), (STAMP, False)):
        place = out / name
        if place.is_symlink():
            raise RenderError(
                f"{place} is a symbolic link; render replaces only what it wrote itself: "
                "remove the link, or render to another folder"
            )
        if place.exists() and place.is_dir() != folder:
            what = "a file" if folder else "a folder"
            raise RenderError(
                f"{place} is {what}, not what render writes there: remove it, or render "
                "to another folder"
            )


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


def _plan_config(project: Project, out: Path) -> tuple[dict[str, Any], _Carried]:
    """DIR/mkdocs.yml's content (without the build's copyright) and what it needs copied
    from the project; RenderError, before anything is written, when a path cannot be
    carried."""
    source = project.config_file.resolve()
    carried = _Carried(source.parent, _repository_top(source.parent), out)
    config = _relative_carried(_read_config(source), carried)
    config["docs_dir"] = "docs"
    config["use_directory_urls"] = False
    for key in ("site_dir", "watch"):  # the site goes in DIR; `watch` serves the project
        config.pop(key, None)
    theme = config.get("theme")
    if isinstance(theme, dict) and isinstance(theme.get("custom_dir"), str):
        theme["custom_dir"] = carried.path(theme["custom_dir"], "theme.custom_dir")
    if isinstance(config.get("hooks"), list):
        config["hooks"] = [carried.path(p, "hooks") for p in config["hooks"]]
    plugins = config.get("plugins")
    if isinstance(plugins, dict):
        config["plugins"] = {k: v for k, v in plugins.items() if plugin_name(k) not in _DONE}
    elif isinstance(plugins, list):
        config["plugins"] = [p for p in plugins if plugin_name(_listed_name(p)) not in _DONE]
    css, scripts = list(config.get("extra_css") or []), list(config.get("extra_javascript") or [])
    add_to_site(css, scripts)
    config["extra_css"], config["extra_javascript"] = css, scripts
    return config, carried


def _write_config(config: dict[str, Any], out: Path, build: Build) -> None:
    """DIR/mkdocs.yml: the user's config, pointing at DIR/docs, without our plugin."""
    config["copyright"] = build.site.copyright(config.get("copyright"))
    text = yaml.dump(config, Dumper=_ConfigDumper, allow_unicode=True, sort_keys=False, width=100)
    (out / "mkdocs.yml").write_text(
        "# Written by `sms-handbook render`: the handbook as a plain folder.\n" + text, "utf-8"
    )


def _read_config(source: Path) -> dict[str, Any]:
    """mkdocs.yml as MkDocs reads it (`INHERIT` merged, `!ENV` resolved), other tags kept."""
    try:
        with source.open("rb") as stream:
            config = yaml_load(stream, _ConfigLoader)
    except (ConfigurationError, yaml.YAMLError, OSError) as exc:
        raise RenderError(f"{source}: {exc}".replace("\n", " ")) from None
    if not isinstance(config, dict):
        raise RenderError(f"{source}: not a mapping of settings")
    return config


def _relative_carried(value: Any, carried: _Carried) -> Any:
    """`value` with each `!relative $config_dir/PATH` in it carried into DIR (`!relative`
    alone and `$docs_dir/...` mean the same in DIR)."""
    if isinstance(value, _Tagged) and value.tag == "!relative" and isinstance(value.value, str):
        head, _, rest = value.value.partition("/")
        if head == "$config_dir":
            return _Tagged(value.tag, f"$config_dir/{carried.path(rest or '.', '!relative')}")
        return value
    if isinstance(value, dict):
        return {k: _relative_carried(v, carried) for k, v in value.items()}
    if isinstance(value, list):
        return [_relative_carried(v, carried) for v in value]
    return value


def _repository_top(folder: Path) -> Path:
    """The top of the Git repository holding `folder`; `folder` outside one."""
    try:
        top = run_git(["rev-parse", "--show-toplevel"], folder)
    except GitError:
        return folder
    return Path(os.fsdecode(top.rstrip(b"\r\n"))).resolve()


@dataclass
class _Carried:
    """The project's files that DIR/mkdocs.yml refers to, each with its place in DIR
    (its path from the repository's top). Only files inside the repository are carried:
    a path or a symbolic link leading out of it is refused."""

    here: Path  # the config file's folder, where the config's paths start
    top: Path  # the repository's top
    out: Path  # DIR, resolved
    roots: list[Path] = field(default_factory=list)  # each carried path, in DIR
    files: dict[Path, Path] = field(default_factory=dict)  # place in DIR -> the file

    def path(self, text: str, what: str) -> str:
        """Carry the file or folder `text` (as the config gives it); its path in DIR."""
        given = Path(os.path.normpath(self.here / text))
        real = given.resolve()
        if not real.is_relative_to(self.top):
            raise RenderError(
                f"{what} '{text}' is outside the repository ({self.top}); render copies "
                "nothing from outside it: move it into the repository"
            )
        if not real.exists():
            raise RenderError(f"{what} '{text}' does not exist")
        name = (given if given.is_relative_to(self.top) else real).relative_to(self.top)
        if not name.parts:
            raise RenderError(f"{what} '{text}' is the whole repository; render cannot copy it")
        if name.parts[0] in _OWN:
            name = Path("carried", name)
        self._walk(real, name, f"{what} '{text}'", frozenset())
        self.roots.append(name)
        return name.as_posix()

    def _walk(self, real: Path, name: Path, what: str, seen: frozenset[Path]) -> None:
        if real == self.out or self.out.is_relative_to(real):
            raise RenderError(f"{what} holds {self.out}, the folder being written")
        if real.is_file():
            self.files[name] = real
            return
        if not real.is_dir():
            return  # a broken link, a socket: nothing to copy
        if real in seen:
            raise RenderError(f"{what}: {name} is a symbolic link that loops back to {real}")
        for child in sorted(real.iterdir()):
            target = child.resolve()
            if not target.is_relative_to(self.top):
                raise RenderError(
                    f"{what}: {child} is a symbolic link to {target}, outside the repository; "
                    "render never follows links out of it"
                )
            self._walk(target, name / child.name, what, seen | {real})

    def copy(self) -> None:
        """Copy every carried file into DIR, replacing what an earlier render copied."""
        for root in self.roots:
            place = self.out / root
            if place.is_dir() and not place.is_symlink():
                shutil.rmtree(place)
            else:
                place.unlink(missing_ok=True)
        for name, real in self.files.items():
            (self.out / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(real, self.out / name)


def _listed_name(item: Any) -> str:
    """The key of a plugin given in a list: `- search` or `- search: {...}`."""
    return str(
        item if isinstance(item, str) else next(iter(item), "") if isinstance(item, dict) else ""
    )


@dataclass(frozen=True)
class _Tagged:
    """A value with a tag that only the site generator reads (`!relative`,
    `!!python/name:...`): written back into DIR/mkdocs.yml as it was."""

    tag: str
    value: Any


class _ConfigLoader(yaml.SafeLoader):
    """mkdocs.yml's YAML: `!ENV` resolved as MkDocs resolves it, other tags kept."""


class _ConfigDumper(yaml.SafeDumper):
    """Writes DIR/mkdocs.yml, the kept tags as they were."""


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


def _tagged(loader: yaml.SafeLoader, _suffix: str, node: yaml.Node) -> _Tagged:
    if isinstance(node, yaml.SequenceNode):
        return _Tagged(node.tag, loader.construct_sequence(node, deep=True))
    if isinstance(node, yaml.MappingNode):
        return _Tagged(node.tag, loader.construct_mapping(node, deep=True))
    return _Tagged(node.tag, loader.construct_scalar(node))  # type: ignore[arg-type]


def _represent(dumper: yaml.SafeDumper, data: _Tagged) -> yaml.Node:
    if isinstance(data.value, list):
        return dumper.represent_sequence(data.tag, data.value)
    if isinstance(data.value, dict):
        return dumper.represent_mapping(data.tag, data.value)
    return dumper.represent_scalar(data.tag, data.value)


_ConfigLoader.add_constructor("!ENV", _env)
_ConfigLoader.add_multi_constructor("", _tagged)
_ConfigDumper.add_representer(_Tagged, _represent)
