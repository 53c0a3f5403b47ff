"""Git notes under `refs/notes/sms-approvals`: read one commit's, replace it."""

from __future__ import annotations

import tempfile
from pathlib import Path

from .history import NOTES_REF, GitError, run_git


def read(top: Path, commit: str) -> str:
    """The commit's approvals note ("" when it has none)."""
    try:
        return run_git(["notes", f"--ref={NOTES_REF}", "show", commit], top).decode("utf-8")
    except GitError:
        return ""


def write(top: Path, commit: str, text: str) -> None:
    """Set the commit's approvals note (GitError when git cannot, e.g. no identity)."""
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt") as note:
        note.write(text)
        note.flush()
        try:
            run_git(["notes", f"--ref={NOTES_REF}", "add", "-f", "-F", note.name, commit], top)
        except GitError as exc:
            if "identity" in exc.stderr:
                raise GitError(
                    "git cannot write the note: it has no user identity",
                    "Set one first, e.g. `git config user.name 'Handbook bot'` and "
                    "`git config user.email bot@example.org` in the CI job.",
                ) from None
            raise
