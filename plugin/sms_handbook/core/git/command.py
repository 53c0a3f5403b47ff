"""Running git: without a shell, with history as the objects record it, and errors
explained (how to fix them)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

GIT_OPTIONS = ("-c", "core.quotepath=off", "-c", "log.showSignature=false", "-c", "color.ui=never")


class GitError(Exception):
    """Git could not be run or answered with an error; `hint` says how to fix it."""

    def __init__(self, message: str, hint: str = "", stderr: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.stderr = stderr

    def __str__(self) -> str:
        return f"{self.message}. {self.hint}".strip() if self.hint else self.message


#: History as the objects record it: no git call honours replace refs or grafts, which
#: would let anyone with the repository rewrite what a commit says (an approval, say).
_AS_RECORDED = {"GIT_NO_REPLACE_OBJECTS": "1", "GIT_GRAFT_FILE": os.devnull}


def git_env() -> dict[str, str]:
    """The environment of every git call (see _AS_RECORDED)."""
    return {**os.environ, **_AS_RECORDED}


def git_program() -> str:
    """The git program."""
    found = shutil.which("git")
    if found is None:
        raise GitError("git is not installed", "Install Git, or build without history.")
    return found


def run_git(args: Sequence[str], cwd: Path) -> bytes:
    """Run git (no shell) and return its standard output as bytes."""
    command = [git_program(), *GIT_OPTIONS, *args]
    done = subprocess.run(command, cwd=cwd, capture_output=True, check=False, env=git_env())
    if done.returncode != 0:
        stderr = done.stderr.decode("utf-8", "replace").strip()
        raise explain(stderr, args)
    return done.stdout


def explain(stderr: str, args: Sequence[str]) -> GitError:
    """Git's complaint as a GitError that says how to fix it."""
    if "dubious ownership" in stderr:
        return GitError(
            "git refuses to read this repository because another user owns it",
            "Mark it safe with `git config --global --add safe.directory <path>` "
            "(common in containers and CI runners).",
            stderr,
        )
    if "not a git repository" in stderr:
        return GitError(
            "the handbook is not inside a Git repository",
            "Run `git init` and commit, or build without history.",
            stderr,
        )
    if "unknown revision" in stderr or "ambiguous argument 'HEAD'" in stderr:
        return GitError("the repository has no commits yet", "Commit the handbook first.", stderr)
    first = stderr.splitlines()[0] if stderr else "no message"
    return GitError(f"git {args[0]} failed: {first}", "", stderr)


@dataclass(frozen=True)
class RepoInfo:
    toplevel: Path
    head: str
    shallow: bool


def repo_info(path: Path) -> RepoInfo:
    """Where the repository is, its HEAD, and whether it is a shallow clone (one call)."""
    out = run_git(
        ["rev-parse", "--show-toplevel", "--is-shallow-repository", "--verify", "HEAD"], path
    )
    toplevel, shallow, head = out.decode("utf-8").splitlines()[:3]
    return RepoInfo(Path(toplevel), head, shallow == "true")
