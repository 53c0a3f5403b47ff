"""The Git repository a handbook lives in: its top, paths as seen from there, and a
new repository started with the handbook's first commit (`init`)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from .history import GitError, run_git

#: The message of the commit `init` makes.
FIRST_COMMIT = "Start the SMS handbook"


def top(folder: Path) -> Path:
    """The top of the Git repository holding `folder`; `folder` itself (resolved) when it
    is in none or Git is missing. GitError when Git fails for another reason."""
    try:
        out = run_git(["rev-parse", "--show-toplevel"], folder)
    except GitError as exc:
        if exc.stderr and "not a git repository" not in exc.stderr:
            raise
        return folder.resolve()  # not a repository, or no git at all
    return Path(os.fsdecode(out.rstrip(b"\r\n")))


def from_top(path: Path, top: Path) -> str | None:
    """`path` from the repository top (POSIX), or None when it lies outside."""
    where = path.absolute().parent.resolve() / path.name if path.name else path.resolve()
    try:
        return where.relative_to(top.resolve()).as_posix()
    except ValueError:
        return None


def codeowners_file(top: Path) -> Path:
    """Where CODEOWNERS goes unless told: `.github/CODEOWNERS` when the repository has
    a `.github/` folder, else `CODEOWNERS` at its top."""
    github = top / ".github"
    return github / "CODEOWNERS" if github.is_dir() else top / "CODEOWNERS"


def start(folder: Path, paths: Sequence[str]) -> tuple[list[str], str | None]:
    """Make `folder` a Git repository unless it is inside one, and commit the new files
    when the repository has no commits yet and Git knows who commits. Returns what to
    tell the user, and Git's error when it failed."""
    told = []
    try:
        try:
            run_git(["rev-parse", "--show-toplevel"], folder)
        except GitError as exc:
            if not exc.stderr:  # no git
                return [f"note: {exc.message}: install Git, run `git init -b main`, commit"], None
            if "not a git repository" not in exc.stderr:
                raise
            run_git(["init", "-q", "-b", "main"], folder)
            told.append("made it a Git repository (branch main)")
        try:
            run_git(["rev-parse", "--quiet", "--verify", "HEAD"], folder)
        except GitError:
            pass  # no commits yet: ours is the first
        else:
            told.append("the repository has commits already: review the files, then commit")
            return told, None
        return [*told, *_first_commit(folder, paths)], None
    except GitError as exc:
        return told, str(exc)


def _first_commit(folder: Path, paths: Sequence[str]) -> list[str]:
    """Commit `paths` (and nothing else) when Git knows who commits; else say how to."""
    try:
        run_git(["var", "GIT_AUTHOR_IDENT"], folder)
        run_git(["var", "GIT_COMMITTER_IDENT"], folder)
    except GitError:
        return [
            "not committed: Git does not know who you are. Tell it, then commit:",
            '  git config --global user.name "Your Name"',
            "  git config --global user.email you@example.org",
            f'  git add -A && git commit -m "{FIRST_COMMIT}"',
        ]
    run_git(["add", "--", *paths], folder)
    run_git(["commit", "-q", "-m", FIRST_COMMIT, "--", *paths], folder)
    return [f'committed them: "{FIRST_COMMIT}"']
