"""Where the pipeline's later stage runs: beside the page rendering, in a worker process
where that is safe, else in the build's own process.

The later stage (:meth:`Build.blocks` and :meth:`Build.files`: the documents' revisions,
the HTML the pages' markers stand for, the exports, the pages of documents kept elsewhere
and the archives) is needed by no page while MkDocs converts it. :func:`start` chooses,
once per build, one of two ways to run it, with one interface (:class:`Later`):

- :class:`Worker`: one process forked for it. It sends the blocks back as soon as they
  are made (a thread here receives them, so it never waits for the first page to ask),
  then writes the files into the site itself, one after the other; the build waits for
  it when its pages are written.
- :class:`Here`: in this process: the blocks when a page first needs them, the files
  when the pages are written.

A worker is forked only where that is safe: on Linux (CPython does not fork by default
on macOS, and cannot on Windows), with the `concurrency` option above 1, outside `mkdocs
serve` (its server's threads are alive, and a rebuild reuses the last build's later
stage) and when no other thread is alive in this process at that moment (a forked child
gets a copy of every lock, but not the threads that would release them).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Protocol, TypeVar

from ..core.site.pipeline import Blocks, Build, Outputs
from ..core.site.site_files import write_files

T = TypeVar("T")


class BackgroundError(Exception):
    """The later stage failed; the message says why (the cause's type and text)."""


class Later(Protocol):
    """One build's later stage, running beside its pages."""

    where: str  # for the log: where it runs

    def blocks(self) -> Blocks:
        """The blocks (waits for them)."""
        ...

    def finish(self) -> Outputs | None:
        """Wait until every file is in the site, and end: the outputs, when they were
        made in this process to be kept (for the next `mkdocs serve` rebuild)."""
        ...

    def cancel(self) -> None:
        """End now (the build has failed): nothing of the stage outlives the build."""
        ...


def start(build: Build, site_dir: Path, *, concurrency: int, serving: bool) -> Later:
    """Start `build`'s later stage: in a worker where that is safe, else here."""
    if concurrency > 1 and not serving and fork_is_safe():
        return Worker(build, site_dir)
    return Here(build, site_dir, keep=serving)


def fork_is_safe() -> bool:
    """Whether this process may fork now: on Linux, with no other thread alive."""
    return sys.platform.startswith("linux") and threading.active_count() == 1


class Here:
    """The later stage in the build's own process, each part when first needed."""

    where = "in the build's own process"

    def __init__(self, build: Build, site_dir: Path, *, keep: bool = False) -> None:
        self._build, self._site_dir, self._keep = build, site_dir, keep
        self._blocks: Blocks | None = None

    def blocks(self) -> Blocks:
        if self._blocks is None:
            self._blocks = _reported(self._build.blocks)
        return self._blocks

    def finish(self) -> Outputs | None:
        blocks = self.blocks()
        if not self._keep:  # each file written as it is made
            _reported(write_files, self._site_dir, self._build.files())
            return None
        files = _reported(list, self._build.files())
        write_files(self._site_dir, files)
        return Outputs(blocks, files)

    def cancel(self) -> None:
        pass  # nothing runs while the build does not ask for it


def _reported(work: Callable[..., T], *args: object) -> T:
    """`work(*args)`; its failure as a BackgroundError, as the worker reports it."""
    try:
        return work(*args)
    except Exception as exc:
        raise BackgroundError(f"{type(exc).__name__}: {exc}") from exc


class Worker:
    """The later stage in one process forked for it, sending back the blocks and writing
    the files itself."""

    def __init__(self, build: Build, site_dir: Path) -> None:
        context = multiprocessing.get_context("fork")  # the child gets `build` as it is
        received, sent = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_work, args=(build, site_dir, received, sent), daemon=True
        )
        self._process.start()
        sent.close()  # the worker's end: once it has ended, receiving here ends too
        self._received = received
        self.where = f"in worker process {self._process.pid}"
        # One thread receives the worker's two messages as they come, in order.
        self._receiver = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sms-handbook")
        self._blocks = self._receiver.submit(received.recv)
        self._done = self._receiver.submit(received.recv)
        self._ended = False

    def blocks(self) -> Blocks:
        return _message(self._blocks)

    def finish(self) -> None:
        try:
            _message(self._blocks)
            _message(self._done)
        finally:
            self._end(stop=False)

    def cancel(self) -> None:
        self._end(stop=True)

    def _end(self, *, stop: bool) -> None:
        """Wait for the worker to end (stopping it first with `stop`), then for the
        thread receiving from it; close what is left."""
        if self._ended:
            return
        self._ended = True
        if stop and self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._receiver.shutdown(wait=True)  # its reads end at the worker's end
        self._received.close()
        self._process.close()


def _message(future: Future) -> Blocks:  # (or None: the files are written)
    """What the worker sent: the blocks, or None once the files are written."""
    try:
        kind, value = future.result()
    except EOFError:
        raise BackgroundError("the worker process ended without a result") from None
    if kind == "error":
        raise BackgroundError(value)
    return value


def _work(build: Build, site_dir: Path, received: Connection, sent: Connection) -> None:
    """The worker: sends the blocks, writes the files, then says it is done (or sends
    why it failed, with the cause's text)."""
    received.close()  # this process's copy of the other end
    with sent:
        try:
            sent.send(("blocks", build.blocks()))
            write_files(site_dir, build.files())
            sent.send(("done", None))
        except BaseException as exc:  # reported by the build
            with contextlib.suppress(OSError):  # (nobody is left to report to)
                sent.send(("error", f"{type(exc).__name__}: {exc}"))
