"""The cache cannot change the site: whatever `cache_dir` holds (cut short, garbage, the
wrong shape, or entries planted well-formed), a build makes the same files as a build
without it, and mends the cache. Only entries sealed with the user's key are read."""

from __future__ import annotations

import functools
import gzip
import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import FIXTURES, GitRepo, HandbookDir
from sms_handbook.core import cache_files, stable_key
from sms_handbook.core.git import page_facts
from sms_handbook.project import open_project

EPOCH = "1775000000"
ATTACKER = b"not the user's key, but as long"
CACHE = ".cache/plugin/sms-handbook"
POLICY = "content/policies/change.md"


@pytest.fixture(scope="module")
def user_cache(tmp_path_factory) -> Path:
    """The user's cache folder of every build here (where the key is kept)."""
    return tmp_path_factory.mktemp("user-cache")


@pytest.fixture
def sealing(user_cache: Path, monkeypatch) -> Iterator[None]:
    """This process seals with the builds' key."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(user_cache))
    cache_files.key.cache_clear()
    yield
    cache_files.key.cache_clear()


@pytest.fixture
def attacker(monkeypatch) -> Iterator[None]:
    """This process seals with a key of its own, as whoever can write `cache_dir` (but
    not read the user's key) would."""
    monkeypatch.setattr(cache_files, "key", lambda: ATTACKER)
    yield


@pytest.fixture(scope="module")
def history(tmp_path_factory, user_cache: Path) -> tuple[HandbookDir, dict[str, bytes]]:
    """A handbook whose policy was approved as 1.0 and then as 1.1 (two archives and
    the changes between them), and the site built without the cache."""
    root = tmp_path_factory.mktemp("cache") / "handbook"
    shutil.copytree(FIXTURES / "minimal", root)
    handbook = HandbookDir(root)
    repo = GitRepo.init(root)
    repo.commit("Initial handbook", "2026-01-10T09:00:00+00:00")
    handbook.replace(POLICY, 'version: "1.0"', 'version: "1.1"')
    handbook.replace(POLICY, "Why we control changes.", "Why and how we control changes.")
    repo.commit("Raise the change policy to 1.1", "2026-02-01T10:00:00+00:00")
    config = handbook.read("mkdocs.yml")
    handbook.replace("mkdocs.yml", "  - sms-handbook\n", "  - sms-handbook:\n      cache: false\n")
    clean = _build(handbook, user_cache, "site-clean")
    handbook.write("mkdocs.yml", config)
    assert not handbook.path(CACHE).exists()
    return handbook, clean


def _build(handbook: HandbookDir, user_cache: Path, name: str) -> dict[str, bytes]:
    """Build into `name`; every file of the site (the sitemap's gzip unpacked: gzip
    stores the time it was made)."""
    env = {"SOURCE_DATE_EPOCH": EPOCH, "XDG_CACHE_HOME": str(user_cache)}
    done = handbook.build("-d", name, env=env)
    assert done.returncode == 0, done.stderr
    site = handbook.path(name)
    files = {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    files["sitemap.xml.gz"] = gzip.decompress(files["sitemap.xml.gz"])
    return files


def _cache(handbook: HandbookDir) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(handbook.path(CACHE).iterdir())}


@pytest.fixture(scope="module")
def cached(history, user_cache: Path) -> dict[str, bytes]:
    """The cache a first build leaves (that build's site is the clean one)."""
    handbook, clean = history
    assert _build(handbook, user_cache, "site-first") == clean
    files = _cache(handbook)
    archives = files.keys() - {page_facts.FILE}
    assert page_facts.FILE in files and len(archives) == 3  # 1.0, 1.1, the changes
    return files


def _restore(handbook: HandbookDir, files: dict[str, bytes]) -> Path:
    folder = handbook.path(CACHE)
    shutil.rmtree(folder)
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def _planted(folder: Path, name: str, data: bytes) -> None:
    """Well-formed entries, each sealed (under the attacker's key), saying what the
    site must not: a script in an archive, a version no commit had."""
    path = folder / name
    if name == page_facts.FILE:
        versions = json.loads(data)["versions"]
        for sha, (front, digest) in versions.items():
            versions[sha] = [front.replace('"1.0"', '"7.7"'), digest]
        assert cache_files.write_json(path, 2, {"versions": versions})
    else:
        text = data.decode().split("\n", 1)[1]
        assert "<h1" in text or "smsh-diff" in text
        planted = "<script>alert('planted')</script>"
        assert cache_files.write_text(path, text.replace("<", planted + "<", 1))


CORRUPTIONS: dict[str, Callable[[Path, str, bytes], None]] = {
    "truncated": lambda folder, name, data: (folder / name).write_bytes(data[: len(data) // 2]),
    "garbage": lambda folder, name, data: (folder / name).write_bytes(
        bytes((i * 131 + 7) % 256 for i in range(len(data)))
    ),
    "wrong shape": lambda folder, name, data: (folder / name).write_text('{"format": 1}'),
    "planted": _planted,
}


@pytest.mark.parametrize("how", CORRUPTIONS)
def test_a_corrupted_cache_changes_nothing(
    history, cached: dict[str, bytes], user_cache: Path, attacker, how: str
) -> None:
    """Every file of the cache corrupted one way: the site is byte for byte the one
    built without the cache, and the build leaves the cache as a clean build does."""
    handbook, clean = history
    folder = _restore(handbook, cached)
    for name, data in cached.items():
        CORRUPTIONS[how](folder, name, data)
        assert (folder / name).read_bytes() != data
    assert _build(handbook, user_cache, f"site-{how.replace(' ', '-')}") == clean
    assert _cache(handbook) == cached


def test_only_the_users_key_makes_an_entry_trusted(
    history, cached: dict[str, bytes], user_cache: Path, sealing
) -> None:
    """The cache is read: an entry sealed with the user's key is used as it is (so the
    key, outside `cache_dir`, is what the cache's trust rests on)."""
    handbook, _ = history
    folder = _restore(handbook, cached)
    entry = next(n for n, d in cached.items() if b"Why and how we control" in d)
    text = cache_files.read_text(folder / entry)
    assert text is not None
    assert cache_files.write_text(folder / entry, text.replace("Why and how", "Sealed by the key"))
    site = _build(handbook, user_cache, "site-sealed")
    assert b"Sealed by the key" in site["documents/pol-001/1.1/index.html"]
    _restore(handbook, cached)


def test_a_key_others_may_read_is_no_key(
    history, cached: dict[str, bytes], user_cache: Path, tmp_path: Path
) -> None:
    """The key is made readable by its owner alone; one that others may read, or a
    place where none can be made, means no cache: the same site, nothing kept."""
    handbook, clean = history
    key = user_cache / "sms-handbook" / "key"
    assert key.stat().st_mode & 0o777 == 0o600
    shutil.rmtree(handbook.path(CACHE))
    try:
        key.chmod(0o644)
        assert _build(handbook, user_cache, "site-open-key") == clean
        assert not handbook.path(CACHE).exists() or _cache(handbook) == {}
        blocked = tmp_path / "not-a-folder"
        blocked.write_text("")
        assert _build(handbook, blocked, "site-no-key") == clean
        assert not handbook.path(CACHE).exists() or _cache(handbook) == {}
    finally:
        key.chmod(0o600)


def test_a_sealed_file_of_the_wrong_shape_is_no_cache(tmp_path: Path, sealing) -> None:
    """Behind the seal every entry is still checked: a file of another shape holds
    nothing (`{"format": 1}` once raised a KeyError)."""
    facts = tmp_path / page_facts.FILE
    for members in ({}, {"versions": [1]}, {"versions": {"ab": ["---\n", "0" * 32]}}):
        assert cache_files.write_json(facts, 2, members)
        assert page_facts.PageFacts(facts).known == {}
    facts.write_text('{"format": 1}')
    assert page_facts.PageFacts(facts).known == {}


def test_unusual_files_in_the_cache_are_no_cache(tmp_path: Path, sealing) -> None:
    """A link, a folder or a pipe where a file should be is not followed or waited on."""
    target = tmp_path / "elsewhere"
    assert cache_files.write_text(target, "sealed elsewhere")
    assert cache_files.read_text(target) == "sealed elsewhere"
    renamed = tmp_path / "renamed"
    renamed.write_bytes(target.read_bytes())
    assert cache_files.read_text(renamed) is None  # sealed under another name
    link = tmp_path / "link"
    link.symlink_to(target)
    assert cache_files.read_text(link) is None
    (tmp_path / "folder").mkdir()
    assert cache_files.read_text(tmp_path / "folder") is None
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe")
        assert cache_files.read_json(tmp_path / "pipe", 2) is None


SLUGIFY = """
markdown_extensions:
  - toc:
      permalink: true
      slugify: !!python/object/apply:pymdownx.slugs.slugify {kwds: {case: %s}}
"""


def test_the_serve_fingerprint_is_stable_for_functions_in_the_config(
    minimal: HandbookDir,
) -> None:
    """Options holding a function (Material's toc `slugify`) give the same key each
    time they are read, and another key when the function is given other arguments."""
    config = minimal.read("mkdocs.yml")
    keys = []
    for case in ("lower", "lower", "upper"):
        minimal.write("mkdocs.yml", config + SLUGIFY % case)
        options = open_project(minimal.path("mkdocs.yml")).options
        assert callable(options.mdx_configs["toc"]["slugify"])
        keys.append(stable_key.stable_key(options))
    assert keys[0] == keys[1] != keys[2]
    # A closure made anew (its repr shows its address) has the same key too.
    first, second = functools.lru_cache(maxsize=16), functools.lru_cache(maxsize=16)
    assert repr(first) != repr(second)
    assert stable_key.stable_key(first) == stable_key.stable_key(second)
    assert stable_key.stable_key(first) != stable_key.stable_key(functools.lru_cache(maxsize=8))
