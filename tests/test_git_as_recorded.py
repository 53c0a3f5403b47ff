"""History as Git's objects record it: replace refs and grafts change nothing, trailers
are read as Git reads them, and a line that cannot be read is said, not dropped."""

from __future__ import annotations

import json
import sys

import pytest

from conftest import GitRepo, HandbookDir, run

POLICY = "content/policies/change.md"
ENV = {"SOURCE_DATE_EPOCH": "1775000000"}  # 2026-04-01


@pytest.fixture
def bumped(minimal: HandbookDir) -> tuple[HandbookDir, GitRepo, str]:
    """POL-001 raised to 1.1 in a commit that carries no approval."""
    repo = GitRepo(minimal.root)
    minimal.replace(POLICY, 'version: "1.0"', 'version: "1.1"')
    minimal.replace(POLICY, "Why we control changes.", "Why and how we control changes.")
    sha = repo.commit("Change policy 1.1", "2026-02-10T10:00:00+00:00")
    return minimal, repo, sha


def pol(handbook: HandbookDir, *args: str) -> dict:
    done = handbook.build(*args, env=ENV)
    assert done.returncode == 0, done.stderr
    data = json.loads(handbook.read("site/documents.json"))
    return next(d for d in data["documents"] if d["id"] == "POL-001")


def test_a_replace_ref_cannot_forge_an_approval(bumped) -> None:
    handbook, repo, sha = bumped
    tree, parent = repo.git("rev-parse", f"{sha}^{{tree}}"), repo.git("rev-parse", f"{sha}^")
    forged = repo.git(
        "commit-tree", tree, "-p", parent, "-m",
        "Change policy 1.1\n\nApproved-by: Mo Khan <mo.khan@example.org>",
        date="2026-02-10T10:00:00+00:00",
    )  # fmt: skip
    repo.git("replace", sha, forged)
    assert "Approved-by: Mo Khan" in repo.git("log", "-1", "--format=%B")  # git itself is fooled
    doc = pol(handbook)
    latest = doc["revisions"][0]
    assert latest["commit"] == sha and latest["approved_by"] == []
    assert [e["code"] for e in doc["exceptions"]] == ["no-approval"]


def test_grafts_do_not_rewrite_the_history(bumped) -> None:
    handbook, repo, sha = bumped
    before = pol(handbook)["revisions"]
    info = handbook.path(".git/info")
    info.mkdir(exist_ok=True)
    (info / "grafts").write_text(f"{sha}\n")  # HEAD without a parent: 1.0 would vanish
    assert len(repo.git("log", "--format=%H").splitlines()) == 1  # git honours it
    assert pol(handbook)["revisions"] == before
    assert len(before) == 2


def test_trailer_keys_are_read_in_any_case(bumped) -> None:
    handbook, repo, _ = bumped
    handbook.replace(POLICY, 'version: "1.1"', 'version: "1.2"')
    repo.commit("Change policy 1.2\n\napproved-by: Mo Khan <mo.khan@example.org>",
                "2026-02-20T10:00:00+00:00")  # fmt: skip
    doc = pol(handbook)
    assert doc["revisions"][0]["approved_by"] == ["Mo Khan"]
    assert [e["commit"] for e in doc["exceptions"]] == [repo.commits[-2]]  # 1.1's only


def test_an_unreadable_approval_line_is_a_warning_naming_the_commit(bumped) -> None:
    handbook, repo, _ = bumped
    handbook.replace(POLICY, 'version: "1.1"', 'version: "1.2"')
    sha = repo.commit("Change policy 1.2\n\nApproved-by: Mo <the boss> Khan <mo@example.org>",
                      "2026-02-20T10:00:00+00:00")  # fmt: skip
    done = handbook.build(env=ENV)
    assert done.returncode == 1  # a warning: --strict fails
    assert (
        f"warning: unreadable-approval: commit {sha[:8]}: 'Approved-by: Mo <the boss> Khan "
        "<mo@example.org>' cannot be read as an approval or a review" in done.stderr
    )


def test_no_pipe_is_left_open(bumped) -> None:
    handbook, _, _ = bumped
    done = run(
        sys.executable, "-X", "dev", "-W", "always::ResourceWarning", "-m", "mkdocs", "build",
        "--strict", cwd=handbook.root, env=ENV,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "ResourceWarning" not in done.stderr
