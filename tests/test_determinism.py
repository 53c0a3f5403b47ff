"""Deterministic output: the same commit built twice gives identical files.

The two builds run from two clones in different folders, with different hash seeds
(so no set or dict order can leak) and the same SOURCE_DATE_EPOCH (so no clock can).
Only the compressed sitemap differs between any two builds (gzip stores a time).
"""

from __future__ import annotations

from pathlib import Path

from conftest import EPOCH_2026_11_27, GitRepo, HandbookDir, run


def _files(site: Path) -> dict[str, bytes]:
    return {
        path.relative_to(site).as_posix(): path.read_bytes()
        for path in sorted(site.rglob("*"))
        if path.is_file() and path.name != "sitemap.xml.gz"
    }


def test_the_same_commit_builds_to_identical_files(exemplar: HandbookDir, tmp_path: Path) -> None:
    # A second commit raises a policy's version, so archives and diffs are built too.
    repo = GitRepo(exemplar.root)
    policy = "content/policies/change-management.md"
    text = exemplar.read(policy)
    exemplar.write(policy, text.replace("\n## ", "\nOne more sentence.\n\n## ", 1))
    repo.commit("Clarify the change policy", "2026-11-20T10:00:00+00:00")
    sites = []
    for name, seed in (("first", "1"), ("second", "2")):
        clone = tmp_path / name
        assert run("git", "clone", "-q", exemplar.root, clone, cwd=tmp_path).returncode == 0
        env = {"SOURCE_DATE_EPOCH": EPOCH_2026_11_27, "PYTHONHASHSEED": seed}
        done = run("mkdocs", "build", "--strict", cwd=clone, env=env)
        assert done.returncode == 0, done.stderr
        sites.append(_files(clone / "site"))
    first, second = sites
    assert len(first) > 100
    assert first.keys() == second.keys()
    differing = [name for name in first if first[name] != second[name]]
    assert differing == []
