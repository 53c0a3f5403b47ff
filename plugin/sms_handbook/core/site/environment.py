"""The Jinja environment the generated pages are rendered in, and its compiled templates.

One environment per build (a Renderer's): what every page of the build shares is set
once as the environment's globals, so a render passes only what is the page's own.
Templates come from `sms_handbook/templates/pages/` with autoescaping on: data values
are HTML-escaped wherever they land; undefined names are errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import CodeType
from typing import Any

from jinja2 import (
    BytecodeCache,
    Environment,
    PackageLoader,
    StrictUndefined,
)

from .data_markdown import inline_html, md_inline, render_markdown

FILTERS = {
    "markdown": render_markdown,
    "md_inline": md_inline,
    "inline_html": inline_html,
    "slug": lambda value: str(value).lower(),
}


class CompiledTemplates(BytecodeCache):
    """The page templates compiled once per process, not once per build: every build's
    environment (each `mkdocs serve` rebuild makes one) loads them from here. Keyed by
    each template's source, so an edited template is compiled again."""

    def __init__(self) -> None:
        self.loaded: dict[tuple[str, str], CodeType] = {}  # by (template key, source checksum)

    def load_bytecode(self, bucket: Any) -> None:
        bucket.code = self.loaded.get((bucket.key, bucket.checksum))

    def dump_bytecode(self, bucket: Any) -> None:
        self.loaded[(bucket.key, bucket.checksum)] = bucket.code


@cache
def _shared() -> tuple[PackageLoader, CompiledTemplates]:
    """What every build's environment shares: the loader and the compiled templates."""
    return PackageLoader("sms_handbook", "templates/pages"), CompiledTemplates()


def environment(shared: Mapping[str, Any]) -> Environment:
    """A new environment whose templates see `shared` as globals (besides Jinja's own)."""
    loader, compiled = _shared()
    env = Environment(
        loader=loader,
        bytecode_cache=compiled,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
    )
    env.filters.update(FILTERS)
    env.globals.update(shared)
    return env
