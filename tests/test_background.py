"""The work beside the build, in a real forked process: its results, and its failures
reported as one line each, never lost."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sms_handbook.core.site.pipeline import write_files
from sms_handbook.mkdocs import background
from sms_handbook.mkdocs.background import Background, BackgroundError, write_elsewhere


def _job(tmp: Path) -> Iterator:
    yield {"<!-- a -->": "<p>A</p>"}
    write_files(tmp, [("x/y/index.html", "written by the worker")])
    yield [("z.txt", b"returned")]


def test_forked_work_gives_blocks_then_files(tmp_path: Path) -> None:
    work = Background(lambda: _job(tmp_path), inline=False)
    assert work.forked
    assert work.blocks() == {"<!-- a -->": "<p>A</p>"}
    outputs = work.result()
    assert outputs.files == [("z.txt", b"returned")]
    assert (tmp_path / "x/y/index.html").read_text() == "written by the worker"


def _big_blocks(tmp: Path) -> Iterator:
    yield {f"<!-- {n} -->": f"<p>{n}{'x' * 1000}</p>" for n in range(2000)}  # > a pipe
    write_files(tmp, [("files.txt", "made")])
    yield []


def test_files_are_made_before_the_blocks_are_read(tmp_path: Path) -> None:
    """The pages read the blocks late (at the first generated page): meanwhile the
    worker goes on to the files rather than waiting for them to be read."""
    work = Background(lambda: _big_blocks(tmp_path), inline=False)
    deadline = time.monotonic() + 30
    while not (tmp_path / "files.txt").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert (tmp_path / "files.txt").exists()
    assert len(work.blocks()) == 2000 and work.result().files == []


def test_inline_work_runs_when_first_needed(tmp_path: Path) -> None:
    work = Background(lambda: _job(tmp_path), inline=True)
    assert not work.forked and not (tmp_path / "x").exists()
    assert work.result().files == [("z.txt", b"returned")]


def _failing() -> Iterator:
    yield {}
    raise OSError(28, "No space left on device")


def _dying() -> Iterator:
    os._exit(3)
    yield {}


@pytest.mark.parametrize("inline", [False, True])
def test_a_failure_is_reported_with_its_cause(inline: bool) -> None:
    work = Background(_failing, inline=inline)
    assert work.blocks() == {}
    with pytest.raises(BackgroundError, match=r"OSError: .*No space left on device"):
        work.result()


def test_a_worker_that_dies_is_reported() -> None:
    work = Background(_dying, inline=False)
    with pytest.raises(BackgroundError, match="ended without a result"):
        work.blocks()
    work.cancel()


def _archive_jobs(count: int) -> list:
    def job(index: int) -> tuple[str, str]:
        time.sleep(0.02)  # long enough for the helper to start taking jobs
        return f"a/{index}.html", f"{index} by {os.getpid()}"

    return [lambda i=i: job(i) for i in range(count)]


def test_shared_jobs_all_run_once_worker_and_helper_alike(tmp_path: Path) -> None:
    from sms_handbook.mkdocs.background import Sharing

    sharing = Sharing()
    sharing.main_idle()  # as the plugin does when it only waits: a helper joins
    work = Background(lambda: iter(({}, sharing.run(_archive_jobs(40), tmp_path))), inline=False)
    assert work.result().files == []  # written by the processes themselves
    written = sorted(tmp_path.glob("a/*.html"))
    assert len(written) == 40
    writers = {p.read_text().split(" by ")[1] for p in written}
    assert len(writers) == 2  # the worker and its helper shared them


def test_a_failing_helper_fails_the_work(tmp_path: Path) -> None:
    from sms_handbook.mkdocs.background import Sharing

    def broken() -> tuple[str, str]:
        raise OSError(28, "No space left on device")

    sharing = Sharing()
    sharing.main_idle()
    jobs = [broken] * 10
    work = Background(lambda: iter(({}, sharing.run(jobs, tmp_path))), inline=False)
    with pytest.raises(BackgroundError, match=r"No space left|helper rendering archives failed"):
        work.result()


FILES = [("documents/pol-001/1.0/index.html", "<p>Approuvé, 1.0</p>"), ("reviews.ics", b"\r\n")]


def test_files_are_written_by_a_child_process(tmp_path: Path, monkeypatch) -> None:
    def not_here(*args):
        raise AssertionError("written in this process")

    monkeypatch.setattr(background, "write_files", not_here)
    write_elsewhere(tmp_path, FILES)
    assert (tmp_path / FILES[0][0]).read_text("utf-8") == FILES[0][1]
    assert (tmp_path / "reviews.ics").read_bytes() == b"\r\n"


def test_without_a_child_the_files_are_written_here(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-python"))
    write_elsewhere(tmp_path, FILES)
    assert (tmp_path / FILES[0][0]).read_text("utf-8") == FILES[0][1]


def test_a_child_that_cannot_write_leaves_the_error_to_this_process(tmp_path: Path) -> None:
    (tmp_path / "documents").write_text("a file where a folder must go")
    with pytest.raises(OSError):
        write_elsewhere(tmp_path, FILES)
