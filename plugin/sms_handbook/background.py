"""Static outputs rendered in a second process while MkDocs renders the pages.

The as-approved archives, the pages of documents kept outside the repository, and the
exports (documents.json, documents.csv, reviews.ics) are plain files that no page's
rendering depends on. Their rendering (the Markdown conversion of every archived
version above all) runs beside the build on another core, and the files are written
to site_dir when the build ends. Where `fork` is unavailable, or while `mkdocs serve`
runs (its threads are alive), they are rendered in this process instead.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

Outputs = list[tuple[str, str | bytes]]  # (path in the site, content)

#: The job for the forked worker: inherited through fork, never pickled.
_JOB: Callable[[], Outputs] | None = None


def _run() -> Outputs:
    assert _JOB is not None
    return _JOB()


class BackgroundOutputs:
    """Outputs being rendered: started in on_files, written in on_post_build."""

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

    def write(self, site_dir: Path) -> int:
        """Wait for the outputs and write them; returns how many files were written."""
        outputs = self._outputs
        if outputs is None:
            assert self._future is not None and self._pool is not None
            try:
                outputs = self._future.result()
            finally:
                self._pool.shutdown()
        for uri, content in outputs:
            target = site_dir / uri
            os.makedirs(target.parent, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")
        return len(outputs)

    def cancel(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)


def markdown_converter(extensions: list, configs: dict) -> Callable[[str], str]:
    """Markdown to HTML with the site's extensions."""
    import markdown

    converter = markdown.Markdown(extensions=extensions, extension_configs=configs)
    return lambda text: converter.reset().convert(text)
