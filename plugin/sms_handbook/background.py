"""Work done in a second process while MkDocs renders the pages.

Revision history (each document's versions, read from past commits), the revision
tables, the as-approved archives, the pages of documents kept outside the repository
and the exports are needed by no page while MkDocs renders it: they run beside the
build on another core, and the plugin writes them (and fills the revision tables into
the written pages) when the build ends. Where `fork` is unavailable, or while `mkdocs
serve` runs (its threads are alive), the work runs in this process instead.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Outputs:
    files: list[tuple[str, str | bytes]]  # (path in the site, content)
    revision_tables: dict[str, str]  # by the src_uri of the document's page


#: The job for the forked worker: inherited through fork, never pickled.
_JOB: Callable[[], Outputs] | None = None


def _run() -> Outputs:
    assert _JOB is not None
    return _JOB()


class Background:
    """Work started in on_files and collected in on_post_build."""

    def __init__(self, job: Callable[[], Outputs], *, inline: bool) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._future: Future | None = None
        self._outputs: Outputs | None = None
        if inline or "fork" not in multiprocessing.get_all_start_methods():
            self._outputs = job()
            return
        global _JOB
        _JOB = job
        context = multiprocessing.get_context("fork")
        self._pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
        self._future = self._pool.submit(_run)
        _JOB = None  # the worker has its own copy

    @classmethod
    def finished(cls, outputs: Outputs) -> Background:
        """Work already done (kept from an earlier `mkdocs serve` rebuild)."""
        return cls(lambda: outputs, inline=True)

    def result(self) -> Outputs:
        """Wait for the work to finish."""
        if self._outputs is None:
            assert self._future is not None and self._pool is not None
            try:
                self._outputs = self._future.result()
            finally:
                self._pool.shutdown()
        return self._outputs


def write_files(site_dir: Path, files: list[tuple[str, str | bytes]]) -> None:
    for uri, content in files:
        target = site_dir / uri
        os.makedirs(target.parent, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")

    def cancel(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)


def markdown_converter(extensions: list, configs: dict) -> Callable[[str], str]:
    """Markdown to HTML with the site's extensions."""
    import markdown

    converter = markdown.Markdown(extensions=extensions, extension_configs=configs)
    return lambda text: converter.reset().convert(text)
