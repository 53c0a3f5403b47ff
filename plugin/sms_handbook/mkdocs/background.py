"""Where the pipeline's later stage runs: beside the page rendering, in a worker process
where that is safe, else in the build's own process.

The later stage (:meth:`Build.blocks`, :meth:`Build.files` and :meth:`Build.archive_jobs`:
the documents' revisions, the HTML the pages' markers stand for, the exports, the pages of
documents kept elsewhere and the archives) is needed by no page while MkDocs converts it.
:func:`start` chooses, once per build, one of two ways to run it, with one interface
(:class:`Later`):

- :class:`Worker`: a process forked for it. It sends the blocks back as soon as they are
  made (a thread here receives them, so it never waits for the first page to ask), then
  writes the files into the site itself, the archives last. Once the build's own process
  only waits for it (its pages are written), the worker forks one helper and the two
  take the remaining archives one by one from a shared count (:class:`_Sharing`: a
  small handbook's archives are most of its build). The build waits for the worker, and
  the worker for its helper; a failure in either is reported with its cause's text.
- :class:`Here`: in this process: the blocks when a page first needs them, the files
  when the pages are written.

A process is forked only where that is safe: on Linux (CPython does not fork by default
on macOS, and cannot on Windows), with the `concurrency` option above 1, outside `mkdocs
serve` (its server's threads are alive, and a rebuild reuses the last build's later
stage) and when no other thread is alive in the forking process at that moment (a forked
child gets a copy of every lock, but not the threads that would release them).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from itertools import chain
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Protocol, TypeVar

from ..core.site.pipeline import Blocks, Build, Outputs
from ..core.site.site_files import write_files

T = TypeVar("T")
Job = Callable[[], tuple[str, str | bytes]]  # makes one archive or PDF: (site path, content)
Send = Callable[[Any], None]
Work = Callable[[Send], None]  # run in a forked process, sending back what it makes


class BackgroundError(Exception):
    """The later stage failed; the message says why (the cause's type and text)."""


class Later(Protocol):
    """One build's later stage, running beside its pages."""

    where: str  # for the log: where it runs

    def blocks(self) -> Blocks:
        """The blocks (waits for them)."""
        ...

    def finish(self) -> Outputs | None:
        """The build only waits from here: wait until every file is in the site, and
        end. The outputs, when they were made in this process to be kept (for the next
        `mkdocs serve` rebuild)."""
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
        return _reported(self._write, blocks)

    def _write(self, blocks: Blocks) -> Outputs | None:
        archives = self._build.archive_jobs()
        files = chain(self._build.files(), (job() for job in archives.jobs))
        kept = list(files) if self._keep else None  # (else each is written as it is made)
        write_files(self._site_dir, files if kept is None else kept)
        archives.done()
        return Outputs(blocks, kept) if kept is not None else None

    def cancel(self) -> None:
        pass  # nothing runs unless the build asks for it


def _reported(work: Callable[..., T], *args: Any) -> T:
    """`work(*args)`; its failure as a BackgroundError, as a worker reports it."""
    try:
        return work(*args)
    except Exception as exc:
        raise BackgroundError(_cause(exc)) from exc


def _cause(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, BackgroundError) else f"{type(exc).__name__}: {exc}"


class Worker:
    """The later stage in a process forked for it: it sends back the blocks and writes
    the files itself (with a helper for the archives, once the build only waits)."""

    def __init__(self, build: Build, site_dir: Path) -> None:
        self._sharing = _Sharing()
        work = partial(_later, build, site_dir, self._sharing)
        self._forked = _Forked("worker", work, daemon=False)  # (a daemon may not fork a helper)
        self.where = f"in worker process {self._forked.process.pid}"
        # One thread receives the worker's two messages as they come, in order.
        self._receiver = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sms-handbook")
        self._blocks = self._receiver.submit(self._forked.receive)
        self._done = self._receiver.submit(self._forked.receive)
        self._ended = False

    def blocks(self) -> Blocks:
        return self._blocks.result()

    def finish(self) -> None:
        self._sharing.idle.set()  # the build only waits from here: a helper may join in
        try:
            self._blocks.result()
            self._done.result()
        finally:
            self._end(stop=False)

    def cancel(self) -> None:
        self._end(stop=True)

    def _end(self, *, stop: bool) -> None:
        """Wait for the worker to end (stopped first with `stop`), then for the thread
        receiving from it (its reads end with the worker); close what is left."""
        if not self._ended:
            self._ended = True
            self._forked.join(stop=stop)
            self._receiver.shutdown(wait=True)
            self._forked.close()


def _later(build: Build, site_dir: Path, sharing: _Sharing, send: Send) -> None:
    """The worker's work: the blocks sent, the files written, the archives shared."""
    send(build.blocks())
    write_files(site_dir, build.files())
    archives = build.archive_jobs()
    sharing.run(archives.jobs, site_dir)
    archives.done()
    send(None)


class _Sharing:
    """Jobs shared by the worker and, once the build's own process only waits (`idle`),
    one helper that the worker forks: each takes the next job from one count. Made by
    the build's own process before the worker is forked, so all three share it."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")
        self.idle = context.Event()
        self._next = context.Value("i", 0)

    def _take(self) -> int:
        with self._next.get_lock():
            taken = self._next.value
            self._next.value = taken + 1
        return taken

    def run(self, jobs: list[Job], site_dir: Path) -> None:
        """In the worker: every job, each writing its file; a helper joins in once the
        build only waits, and is waited for (its failure raised here)."""
        helper: _Forked | None = None
        try:
            while (index := self._take()) < len(jobs):
                more = index + 1 < len(jobs)
                if helper is None and more and self.idle.is_set() and fork_is_safe():
                    helper = _Forked("helper", partial(self._help, jobs, site_dir), daemon=True)
                write_files(site_dir, [jobs[index]()])
        except BaseException:
            if helper is not None:
                helper.join(stop=True)
                helper.close()
            raise
        if helper is not None:
            try:
                helper.receive()  # that it is done, or why not
            finally:
                helper.join(stop=False)
                helper.close()

    def _help(self, jobs: list[Job], site_dir: Path, send: Send) -> None:
        """In the helper: the jobs left, while the worker lives."""
        worker = multiprocessing.parent_process()
        while worker is not None and worker.is_alive() and (index := self._take()) < len(jobs):
            write_files(site_dir, [jobs[index]()])
        send(None)


class _Forked:
    """`work(send)` in a process forked for it: it gets everything as it is here (nothing
    is pickled); what it sends, and its failure with the cause's text, come back
    through a pipe, read here in order (:meth:`receive`)."""

    def __init__(self, name: str, work: Work, *, daemon: bool) -> None:
        self.name = name
        context = multiprocessing.get_context("fork")
        received, sent = context.Pipe(duplex=False)
        self.process = context.Process(target=_run, args=(work, received, sent), daemon=daemon)
        self.process.start()
        sent.close()  # the process's end: once it has ended, receiving here ends too
        self._received = received

    def receive(self) -> Any:
        """The next thing sent (waits for it); BackgroundError when the work failed or
        the process ended without sending it."""
        try:
            kind, value = self._received.recv()
        except EOFError:
            raise BackgroundError(f"the {self.name} process ended without a result") from None
        if kind == "error":
            raise BackgroundError(value)
        return value

    def join(self, *, stop: bool) -> None:
        """Wait for the process to end (terminated first with `stop`)."""
        if stop and self.process.is_alive():
            self.process.terminate()
        self.process.join()

    def close(self) -> None:
        """Close the pipe and release the process (once it has ended, and nothing reads)."""
        self._received.close()
        self.process.close()


def _run(work: Work, received: Connection, sent: Connection) -> None:
    """In the forked process: `work`, sending through `sent`; its failure sent too."""
    received.close()  # this process's copy of the other end
    with sent:
        try:
            work(lambda value: sent.send(("ok", value)))
        except BaseException as exc:  # reported by the process that started this one
            with contextlib.suppress(OSError):  # (nobody is left to report to)
                sent.send(("error", _cause(exc)))
