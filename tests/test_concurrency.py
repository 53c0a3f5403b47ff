"""The `concurrency` option in real builds: the same site whether the later stage runs in
the build's own process or in a worker; no fork while another thread is alive; a
worker's failure fails the build with its cause; nothing outlives the build."""

from __future__ import annotations

import gzip
import logging
import multiprocessing
import sys
import threading
from pathlib import Path

import pytest

from conftest import EPOCH_2026_11_27, GitRepo, HandbookDir, run

linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="a worker is forked on Linux only"
)
IN_A_WORKER = "the later stage runs in worker process"
HERE = "the later stage runs in the build's own process"


def _with_concurrency(handbook: HandbookDir, value: int) -> None:
    plugin = "  - sms-handbook:\n"
    if "  - sms-handbook\n" in handbook.read("mkdocs.yml"):
        handbook.replace("mkdocs.yml", "  - sms-handbook\n", plugin)
    handbook.replace("mkdocs.yml", plugin, f"{plugin}      concurrency: {value}\n")


def _site(site: Path) -> dict[str, bytes]:
    """Every file of a built site; the compressed sitemap decompressed (gzip stores a
    time)."""
    files = {}
    for path in sorted(site.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            files[path.relative_to(site).as_posix()] = (
                gzip.decompress(data) if path.name.endswith(".gz") else data
            )
    return files


@linux_only
def test_the_site_is_the_same_in_process_and_in_a_worker(
    exemplar: HandbookDir, tmp_path: Path
) -> None:
    # A second commit raises a policy's version, so archives and diffs are built too.
    repo = GitRepo(exemplar.root)
    policy = "content/policies/change-management.md"
    exemplar.replace(policy, "\n## ", "\nOne more sentence.\n\n## ")
    repo.commit("Clarify the change policy", "2026-11-20T10:00:00+00:00")
    sites = {}
    for concurrency, where in ((1, HERE), (2, IN_A_WORKER)):
        clone = tmp_path / f"concurrency-{concurrency}"
        assert run("git", "clone", "-q", exemplar.root, clone, cwd=tmp_path).returncode == 0
        _with_concurrency(HandbookDir(clone), concurrency)
        done = HandbookDir(clone).build("-v", env={"SOURCE_DATE_EPOCH": EPOCH_2026_11_27})
        assert done.returncode == 0, done.stderr[-3000:]
        assert where in done.stderr
        sites[concurrency] = _site(clone / "site")
    here, elsewhere = sites[1], sites[2]
    assert len(here) > 100 and any("/1.0/index.html" in name for name in here)
    assert here.keys() == elsewhere.keys()
    assert [name for name in here if here[name] != elsewhere[name]] == []


@linux_only
def test_a_worker_leaves_no_pipe_open(git_handbook: tuple[HandbookDir, GitRepo]) -> None:
    handbook, _ = git_handbook
    _with_concurrency(handbook, 2)
    done = run(
        sys.executable, "-X", "dev", "-W", "always::ResourceWarning", "-m", "mkdocs", "build",
        "--strict", "-v", cwd=handbook.root,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert IN_A_WORKER in done.stderr
    assert "ResourceWarning" not in done.stderr
    assert "Approved" in handbook.read("site/documents/pol-001/1.0/index.html")


def _build(handbook: HandbookDir) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(str(handbook.path("mkdocs.yml")), site_dir=str(handbook.path("site")))
    config.plugins.on_startup(command="build", dirty=False)
    build(config)


def test_no_fork_while_another_thread_is_alive(
    git_handbook: tuple[HandbookDir, GitRepo], monkeypatch, caplog
) -> None:
    from sms_handbook.mkdocs import background

    def no_worker(*args, **kwargs):
        raise AssertionError("a worker was forked while another thread was alive")

    monkeypatch.setattr(background, "Worker", no_worker)
    caplog.set_level(logging.DEBUG, logger="mkdocs.plugins.sms_handbook")
    handbook, _ = git_handbook
    _with_concurrency(handbook, 4)
    waiting = threading.Event()
    other = threading.Thread(target=waiting.wait)
    other.start()
    try:
        _build(handbook)
    finally:
        waiting.set()
        other.join()
    assert HERE in caplog.text
    assert '"POL-001"' in handbook.read("site/documents.json")
    assert handbook.path("site/documents/pol-001/1.0/index.html").is_file()


@linux_only
def test_a_failing_worker_fails_the_build_with_its_cause(
    git_handbook: tuple[HandbookDir, GitRepo], monkeypatch, caplog
) -> None:
    from mkdocs.exceptions import Abort

    from sms_handbook.core.site.pipeline import Build

    if threading.active_count() != 1:
        pytest.skip(f"this process has other threads: {threading.enumerate()}")

    def no_space(self):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Build, "files", no_space)  # (the worker, a fork, has it too)
    caplog.set_level(logging.DEBUG, logger="mkdocs.plugins.sms_handbook")
    handbook, _ = git_handbook
    _with_concurrency(handbook, 2)
    with pytest.raises(Abort):
        _build(handbook)
    assert IN_A_WORKER in caplog.text
    assert "failed: OSError: [Errno 28] No space left on device" in caplog.text
    # Nothing outlives the build: no process, no thread.
    assert multiprocessing.active_children() == []
    assert threading.active_count() == 1, threading.enumerate()
