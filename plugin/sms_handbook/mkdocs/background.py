"""Work done in a second process while MkDocs renders the pages.

Revision history (each document's versions, read from past commits), the revision
tables, the document-control blocks, the generated pages' tables, the as-approved
archives, the pages of documents kept outside the repository and the exports are needed
by no page while MkDocs converts it: they run beside the build on another core. The
work comes in two parts: the blocks, which the plugin fills into each page as it is
written, and the files, which the worker writes into the site itself. Where `fork` is
unavailable, or while `mkdocs serve` runs (its threads are alive), the work runs in
this process instead, when first needed, and the files are written when the build ends.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection

from ..core.site.pipeline import Blocks, Files, Outputs

#: A job yields the blocks, then the files.
Job = Callable[[], Iterator[Blocks | Files]]


#: The job for the forked worker: inherited through fork, never pickled.
_JOB: Job | None = None


def _work(connection: Connection) -> None:
    assert _JOB is not None
    try:
        for part in _JOB():
            connection.send(("ok", part))
    except BaseException as exc:  # reported by the parent, with the cause's text
        connection.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        connection.close()


class BackgroundError(Exception):
    """The background work failed; the message says why."""


class Background:
    """Work started in on_files: blocks when the first page needs one, files at the end."""

    def __init__(self, job: Job, *, inline: bool) -> None:
        self._parts: list = []
        self._inline: Iterator | None = None
        self._process = None
        self._connection: Connection | None = None
        self.forked = False  # True: the work runs in a forked process
        if not self.forks(inline=inline):
            self._inline = job()
            return
        global _JOB
        _JOB = job
        context = multiprocessing.get_context("fork")
        self._connection, child = context.Pipe(duplex=False)
        self._process = context.Process(target=_work, args=(child,), daemon=True)
        self._process.start()
        self.forked = True
        child.close()
        _JOB = None  # the worker has its own copy

    @staticmethod
    def forks(*, inline: bool) -> bool:
        """Whether work started with this `inline` runs in a forked process."""
        return not inline and "fork" in multiprocessing.get_all_start_methods()

    @classmethod
    def finished(cls, outputs: Outputs) -> Background:
        """Work already done (kept from an earlier `mkdocs serve` rebuild)."""
        return cls(lambda: iter((outputs.blocks, outputs.files)), inline=True)

    def _part(self, index: int):
        while len(self._parts) <= index:
            if self._inline is not None:
                try:
                    self._parts.append(next(self._inline))
                except Exception as exc:  # as the worker reports it
                    raise BackgroundError(f"{type(exc).__name__}: {exc}") from exc
                continue
            assert self._connection is not None
            try:
                status, value = self._connection.recv()
            except EOFError:
                raise BackgroundError("the worker process ended without a result") from None
            if status != "ok":
                raise BackgroundError(value)
            self._parts.append(value)
        return self._parts[index]

    def blocks(self) -> Blocks:
        """The blocks (waits for them)."""
        return self._part(0)

    def result(self) -> Outputs:
        """Everything (waits for the work to finish)."""
        outputs = Outputs(self._part(0), self._part(1))
        self.cancel()
        return outputs

    def cancel(self) -> None:
        """Stop the worker (nothing happens if it has finished)."""
        if self._process is not None:
            if self._process.is_alive():
                self._process.terminate()
            self._process.join()
            self._process = None
        if self._connection is not None:
            self._connection.close()
            self._connection = None
