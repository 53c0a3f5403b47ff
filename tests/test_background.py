"""The work beside the build, in a real forked process: its results, and its failures
reported as one line each, never lost."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from sms_handbook.core.site.pipeline import write_files
from sms_handbook.mkdocs.background import Background, BackgroundError


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
