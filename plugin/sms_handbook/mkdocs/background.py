"""Work done in a second process while MkDocs renders the pages.

Revision history (each document's versions, read from past commits), the revision
tables, the document-control blocks, the generated pages' tables, the as-approved
archives, the pages of documents kept outside the repository and the exports are needed
by no page while MkDocs converts it: they run beside the build on another core. The
work comes in two parts: the blocks, which the plugin fills into each page as it is
written, and the files, which the worker writes into the site itself. Where `fork` is
unavailable, or while `mkdocs serve` runs (its threads are alive), the work runs in
this process instead, when first needed, and the files are written when the build ends.

Archives are most of the work of a small handbook with a long history, whose pages are
done long before: once the main process has nothing left but to wait, the worker forks
a helper and the two share the remaining archives (:class:`Sharing`).

A `mkdocs serve` rebuild that reuses the last build's files has them written by a child
process started for that alone (:func:`write_elsewhere`).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from pathlib import Path

from ..core.site.pipeline import Blocks, Outputs, in_order
from ..core.site.site_files import Files, write_files

#: A job yields the blocks, then the files.
Job = Callable[[], Iterator[Blocks | Files]]


#: The job for the forked worker: inherited through fork, never pickled.
_JOB: Job | None = None


#: The worker's thread sending its last part (see _send).
_sending: threading.Thread | None = None


def _work(connection: Connection) -> None:
    assert _JOB is not None
    try:
        for part in _JOB():
            _send(connection, ("ok", part))
    except BaseException as exc:  # reported by the parent, with the cause's text
        _send(connection, ("error", f"{type(exc).__name__}: {exc}"))
    finally:
        if _sending is not None:
            _sending.join()
        connection.close()


def _send(connection: Connection, message: tuple[str, object]) -> None:
    """Send a part from a thread, after the one before, and go on: the parent reads the
    blocks only when its first page needs one, and a send blocks until then once the
    pipe is full, so the files are made meanwhile."""
    global _sending
    if _sending is not None:
        _sending.join()
    _sending = threading.Thread(target=connection.send, args=(message,))
    _sending.start()


#: The child that writes files: the package's own writer, imported from where this
#: process imports it (after the standard library, which it may not shadow), with
#: nothing else (no site packages) to load.
_WRITER = (
    "import sys; sys.path.append({root!r}); "
    "from sms_handbook.core.site.site_files import main; main()"
)


def write_elsewhere(folder: Path, files: Files) -> None:
    """Write files into a folder from a child process (a `mkdocs serve` rebuild's kept
    files: thousands of them at 1,000 documents). Written from a thread, their system
    calls took turns with the page rendering for the interpreter lock; a child writes
    them on another core. Here when no child can be started or it fails."""
    root = str(Path(__file__).resolve().parents[2])  # holds sms_handbook/
    try:
        child = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _WRITER.format(root=root)],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    except (OSError, ValueError):  # no interpreter to start (an embedded Python)
        write_files(folder, files)
        return
    try:
        assert child.stdin is not None
        with child.stdin:
            pickle.dump((str(folder), files), child.stdin, protocol=pickle.HIGHEST_PROTOCOL)
    except BrokenPipeError:
        pass  # the child has ended: its status says how
    if child.wait() != 0:  # written here, where a real error is raised as it is
        write_files(folder, files)


class BackgroundError(Exception):
    """The background work failed; the message says why."""


class Background:
    """Work started in on_files: blocks when the first page needs one, files at the end."""

    def __init__(self, job: Job, *, inline: bool, sharing: Sharing | None = None) -> None:
        self._sharing = sharing  # the job's archives, shared once the main process is idle
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

    def main_idle(self) -> None:
        """The main process only waits from here: the worker may share its archives."""
        if self._sharing is not None:
            self._sharing.main_idle()

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


class Sharing:
    """Independent jobs (archives) shared between the worker and a helper it forks once
    the main process says it is idle; made before the worker is forked."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")
        self._idle = context.Event()
        self._next = context.Value("i", 0)  # the next job to take, for both processes

    def main_idle(self) -> None:
        """Called by the main process when it only waits for the worker."""
        self._idle.set()

    def _take(self) -> int:
        with self._next.get_lock():
            taken = self._next.value
            self._next.value = taken + 1
        return taken

    def run(self, jobs: list[Callable[[], tuple[str, str]]], write_to: Path | None) -> Files:
        """Run the jobs, each writing its file to `write_to`; nothing is returned."""
        if write_to is None:
            return in_order(jobs, write_to)
        helper = 0
        while (index := self._take()) < len(jobs):
            if not helper and len(jobs) - index > 1 and self._idle.is_set():
                if _sending is not None:  # (sent: the parent has read the blocks)
                    _sending.join()  # no thread may be running when the worker forks
                helper = os.fork()
                if helper == 0:  # the helper: the same loop, then gone
                    code = 1
                    try:
                        while (mine := self._take()) < len(jobs):
                            write_files(write_to, [jobs[mine]()])
                        code = 0
                    except BaseException as exc:  # the worker reports that it failed
                        print(f"sms-handbook: {type(exc).__name__}: {exc}", file=sys.stderr)
                    finally:
                        os._exit(code)
            write_files(write_to, [jobs[index]()])
        if helper:
            _, status = os.waitpid(helper, 0)
            if status != 0:
                raise RuntimeError(f"the helper rendering archives failed (status {status})")
        return []
