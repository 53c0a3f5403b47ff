"""The Jinja environment the generated pages are rendered in, and its bytecode cache.

One environment per build (a Renderer's): what every page of the build shares is set
once as the environment's globals, so a render passes only what is the page's own.
Templates come from `sms_handbook/templates/pages/` with autoescaping on: data values
are HTML-escaped wherever they land; undefined names are errors.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from functools import cache
from types import CodeType
from typing import Any

from jinja2 import (
    BytecodeCache,
    Environment,
    FileSystemBytecodeCache,
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
    """The page templates compiled once per machine, not once per build (compiling
    them was a third of a small handbook's fixed cost), in the user's cache folder,
    and read from there once per process: each build's environment loads them from
    here. Keyed by each template's source, so an upgrade never uses a stale one; a
    folder that cannot be written is no folder."""

    def __init__(self, folder: str | None) -> None:
        self.folder = FileSystemBytecodeCache(folder) if folder is not None else None
        self.loaded: dict[tuple[str, str], CodeType] = {}  # by (template key, source checksum)

    @classmethod
    def in_user_cache(cls) -> CompiledTemplates:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        folder = os.path.join(base, "sms-handbook", "templates")
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError:
            return cls(None)
        return cls(folder)

    def load_bytecode(self, bucket: Any) -> None:
        code = self.loaded.get((bucket.key, bucket.checksum))
        if code is not None:
            bucket.code = code
            return
        if self.folder is not None:
            with contextlib.suppress(OSError, EOFError, ValueError):
                self.folder.load_bytecode(bucket)
            if bucket.code is not None:
                self.loaded[(bucket.key, bucket.checksum)] = bucket.code

    def dump_bytecode(self, bucket: Any) -> None:
        self.loaded[(bucket.key, bucket.checksum)] = bucket.code
        if self.folder is not None:
            with contextlib.suppress(OSError):
                self.folder.dump_bytecode(bucket)


@cache
def _shared() -> tuple[PackageLoader, CompiledTemplates]:
    """What every build's environment shares: the loader and the compiled templates."""
    return PackageLoader("sms_handbook", "templates/pages"), CompiledTemplates.in_user_cache()


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
