"""The later stage beside the build, in a real forked worker and in this process: its
results, its failures reported with their text (never lost), a build that waits for it,
and nothing of it outliving the build."""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest

from sms_handbook.core.site.pipeline import ArchiveJobs
from sms_handbook.mkdocs import background
from sms_handbook.mkdocs.background import BackgroundError, Here, Worker, start

linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="a worker is forked on Linux only"
)

BLOCKS = {"<!-- a -->": "<p>A</p>"}
FILES = [("documents/pol-001/1.0/index.html", "<p>Approuvé, 1.0</p>"), ("reviews.ics", b"\r\n")]


Job = Callable[[], tuple[str, str]]


class Stage:
    """Stands for a Build: the three parts of its later stage."""

    def __init__(
        self,
        blocks: Callable[[], dict[str, str]] = lambda: dict(BLOCKS),
        archives: Callable[[], list[Job]] = list,
    ) -> None:
        self._blocks, self._archives = blocks, archives
        self.asked: list[str] = []

    def blocks(self) -> dict[str, str]:
        self.asked.append("blocks")
        return self._blocks()

    def files(self) -> list[tuple[str, str | bytes]]:
        self.asked.append("files")
        return list(FILES)

    def archive_jobs(self) -> ArchiveJobs:
        self.asked.append("archives")
        return ArchiveJobs(self._archives())


def _nothing_left(threads: int) -> None:
    """No process of the stage and no thread of it is alive."""
    assert multiprocessing.active_children() == []
    assert threading.active_count() == threads, threading.enumerate()


@linux_only
def test_the_worker_sends_the_blocks_and_writes_the_files(tmp_path: Path) -> None:
    threads = threading.active_count()
    later = Worker(Stage(), tmp_path)  # type: ignore[arg-type]
    assert later.where.startswith("in worker process ")
    assert later.blocks() == BLOCKS
    assert later.finish() is None  # written by the worker, nothing to keep here
    assert later.blocks() == BLOCKS  # (still there once it has ended)
    assert (tmp_path / FILES[0][0]).read_text("utf-8") == FILES[0][1]
    assert (tmp_path / "reviews.ics").read_bytes() == b"\r\n"
    _nothing_left(threads)


def _big_blocks() -> dict[str, str]:
    return {f"<!-- {n} -->": f"<p>{n}{'x' * 1000}</p>" for n in range(2000)}  # > a pipe


@linux_only
def test_files_are_made_before_the_blocks_are_asked_for(tmp_path: Path) -> None:
    """The pages ask for the blocks late (at the first generated page): meanwhile the
    worker goes on to the files rather than waiting for them to be taken."""
    later = Worker(Stage(blocks=_big_blocks), tmp_path)  # type: ignore[arg-type]
    deadline = time.monotonic() + 30
    while not (tmp_path / "reviews.ics").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert (tmp_path / "reviews.ics").exists()
    assert len(later.blocks()) == 2000
    later.finish()


def _archives(count: int, seconds: float = 0.02) -> list[Job]:
    def job(index: int) -> tuple[str, str]:
        time.sleep(seconds)
        return f"a/{index}.html", f"{index} by {os.getpid()}"

    return [partial(job, index) for index in range(count)]


@linux_only
def test_the_build_waits_for_the_worker(tmp_path: Path) -> None:
    threads = threading.active_count()
    later = Worker(Stage(archives=lambda: _archives(3, 0.3)), tmp_path)  # type: ignore[arg-type]
    assert later.blocks() == BLOCKS
    later.finish()
    assert sorted(p.name for p in tmp_path.glob("a/*.html")) == ["0.html", "1.html", "2.html"]
    _nothing_left(threads)


@linux_only
def test_once_the_build_only_waits_a_helper_shares_the_archives(tmp_path: Path) -> None:
    threads = threading.active_count()
    later = Worker(Stage(archives=lambda: _archives(40)), tmp_path)  # type: ignore[arg-type]
    later.finish()  # the build only waits from here
    written = sorted(tmp_path.glob("a/*.html"))
    assert len(written) == 40  # each once
    writers = {p.read_text().split(" by ")[1] for p in written}
    assert len(writers) == 2  # the worker and its helper
    _nothing_left(threads)


def _no_space_in_the_helper(test: int) -> list[Job]:
    """Archives that fail only in the helper (the worker's parent is the `test` process,
    the helper's the worker)."""

    def job(index: int) -> tuple[str, str]:
        time.sleep(0.02)
        parent = multiprocessing.parent_process()
        if parent is not None and parent.pid != test:
            raise OSError(28, "No space left on device")
        return f"a/{index}.html", f"made by {os.getpid()}"

    return [partial(job, index) for index in range(40)]


@linux_only
def test_a_failing_helper_fails_the_work_with_its_cause(tmp_path: Path) -> None:
    threads = threading.active_count()
    stage = Stage(archives=partial(_no_space_in_the_helper, os.getpid()))
    later = Worker(stage, tmp_path)  # type: ignore[arg-type]
    with pytest.raises(BackgroundError, match=r"^OSError: .*No space left on device"):
        later.finish()
    assert len(list(tmp_path.glob("a/*.html"))) > 1  # the worker made the rest
    _nothing_left(threads)


def test_here_each_part_runs_when_first_needed(tmp_path: Path) -> None:
    stage = Stage()
    later = Here(stage, tmp_path)  # type: ignore[arg-type]
    assert stage.asked == [] and not any(tmp_path.iterdir())
    assert later.blocks() == BLOCKS and later.blocks() == BLOCKS
    assert stage.asked == ["blocks"]  # made once
    assert later.finish() is None
    assert (tmp_path / FILES[0][0]).read_text("utf-8") == FILES[0][1]


def test_here_keeps_what_it_made_for_a_serve_rebuild(tmp_path: Path) -> None:
    outputs = Here(Stage(), tmp_path, keep=True).finish()  # type: ignore[arg-type]
    assert outputs is not None
    assert outputs.blocks == BLOCKS and outputs.files == FILES
    assert (tmp_path / "reviews.ics").read_bytes() == b"\r\n"


def _no_space() -> list[Job]:
    def job() -> tuple[str, str]:
        raise OSError(28, "No space left on device")

    return [lambda: ("one.txt", "made"), job]


def _broken() -> dict[str, str]:
    raise ValueError("no revisions for POL-001")


def _made(kind: str, stage: Stage, tmp: Path) -> Worker | Here:
    if kind == "worker" and not sys.platform.startswith("linux"):
        pytest.skip("a worker is forked on Linux only")
    return Worker(stage, tmp) if kind == "worker" else Here(stage, tmp)  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", ["worker", "here"])
def test_a_failure_in_the_files_is_reported_with_its_cause(kind: str, tmp_path: Path) -> None:
    threads = threading.active_count()
    later = _made(kind, Stage(archives=_no_space), tmp_path)
    assert later.blocks() == BLOCKS
    with pytest.raises(BackgroundError, match=r"^OSError: .*No space left on device"):
        later.finish()
    _nothing_left(threads)


@pytest.mark.parametrize("kind", ["worker", "here"])
def test_a_failure_in_the_blocks_is_reported_with_its_cause(kind: str, tmp_path: Path) -> None:
    threads = threading.active_count()
    later = _made(kind, Stage(blocks=_broken), tmp_path)
    with pytest.raises(BackgroundError, match=r"^ValueError: no revisions for POL-001$"):
        later.blocks()
    with pytest.raises(BackgroundError, match="no revisions for POL-001"):
        later.finish()
    assert not (tmp_path / "reviews.ics").exists()  # no file without the blocks
    _nothing_left(threads)


def _dying() -> dict[str, str]:
    os._exit(3)


@linux_only
def test_a_worker_that_dies_is_reported(tmp_path: Path) -> None:
    threads = threading.active_count()
    later = Worker(Stage(blocks=_dying), tmp_path)  # type: ignore[arg-type]
    with pytest.raises(BackgroundError, match="ended without a result"):
        later.blocks()
    with pytest.raises(BackgroundError, match="ended without a result"):
        later.finish()
    _nothing_left(threads)


def _endless() -> list[Job]:
    return _archives(100_000, 0.1)


@linux_only
def test_a_failed_build_stops_the_worker(tmp_path: Path) -> None:
    threads = threading.active_count()
    later = Worker(Stage(archives=_endless), tmp_path)  # type: ignore[arg-type]
    assert later.blocks() == BLOCKS
    began = time.monotonic()
    later.cancel()  # as on_build_error does
    later.cancel()  # (twice: nothing more)
    assert time.monotonic() - began < 10
    _nothing_left(threads)


def test_the_stage_runs_here_unless_a_fork_is_safe(tmp_path: Path, monkeypatch) -> None:
    stage = Stage()
    assert isinstance(start(stage, tmp_path, concurrency=1, serving=False), Here)  # type: ignore[arg-type]
    assert isinstance(start(stage, tmp_path, concurrency=4, serving=True), Here)  # type: ignore[arg-type]
    monkeypatch.setattr(sys, "platform", "darwin")  # CPython does not fork there by default
    assert isinstance(start(stage, tmp_path, concurrency=4, serving=False), Here)  # type: ignore[arg-type]
    assert stage.asked == []  # nothing made until asked for


@linux_only
def test_no_fork_while_another_thread_is_alive(tmp_path: Path) -> None:
    if threading.active_count() != 1:
        pytest.skip(f"this process has other threads: {threading.enumerate()}")
    later = start(Stage(), tmp_path, concurrency=2, serving=False)  # type: ignore[arg-type]
    assert isinstance(later, Worker)
    later.finish()
    waiting = threading.Event()
    other = threading.Thread(target=waiting.wait)
    other.start()
    try:
        assert not background.fork_is_safe()
        later = start(Stage(), tmp_path, concurrency=2, serving=False)  # type: ignore[arg-type]
        assert isinstance(later, Here)
    finally:
        waiting.set()
        other.join()


@linux_only
def test_a_failed_build_stops_the_helper_too(tmp_path: Path) -> None:
    later = Worker(Stage(archives=_endless), tmp_path)  # type: ignore[arg-type]
    later._sharing.idle.set()  # as finish() does: the build only waits, a helper joins
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        writers = {p.read_text().partition(" by ")[2] for p in tmp_path.glob("a/*.html")}
        writers.discard("")  # (a file being written)
        if len(writers) == 2:
            break
        time.sleep(0.05)
    assert len(writers) == 2
    later.cancel()
    time.sleep(0.3)  # (the helper ends its job under way, then takes no other)
    made = len(list(tmp_path.glob("a/*.html")))
    time.sleep(0.5)
    assert len(list(tmp_path.glob("a/*.html"))) == made
