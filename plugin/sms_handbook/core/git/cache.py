"""The repository's history, kept across `mkdocs serve` rebuilds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..problems import Problem, excerpt
from .command import GitError, repo_info
from .history import History, read_history
from .page_facts import FILE, PageFacts


def handbook_file(path: str) -> bool:
    """Whether a file's past contents may be read for revisions: pages and YAML data."""
    return path.endswith((".md", ".yml", ".yaml"))


class HistoryCache:
    """The repository's history, re-read only when HEAD moves (`mkdocs serve`)."""

    def __init__(self) -> None:
        self._history: History | None = None
        self._facts: PageFacts | None = None

    def get(
        self,
        folder: Path,
        config_path: str,
        contents: Callable[[str], bool] | None = None,
        *,
        cache_dir: Path | None = None,
    ) -> tuple[History | None, list[Problem]]:
        """The history (see read_history for `contents`: only read when HEAD moved).
        The pages' past versions are read when first needed (`History.read_pages`, by a
        build's later stage), not with the log. `cache_dir`: where the page versions'
        facts are kept between builds (see page_facts)."""
        try:
            info = repo_info(folder)
        except GitError as exc:
            return None, [Problem(config_path, 1, "warning", "no-history", str(exc))]
        problems = []
        if info.shallow:
            problems.append(
                Problem(
                    config_path,
                    1,
                    "warning",
                    "shallow-clone",
                    "the repository is a shallow clone, so revision history is incomplete. "
                    "Fetch the whole history: GitHub Actions `fetch-depth: 0`, GitLab CI "
                    "`GIT_DEPTH: 0`, Bitbucket `clone: depth: full`, or `git fetch --unshallow`",
                )
            )
        cached = self._history
        if cached is None or (cached.head, cached.toplevel) != (info.head, info.toplevel):
            try:
                cached = read_history(
                    info, contents=contents, pages_later=True,
                    facts=self._facts_in(cache_dir),
                )  # fmt: skip
                self._history = cached
            except GitError as exc:
                return None, [*problems, Problem(config_path, 1, "warning", "no-history", str(exc))]
        problems += [
            Problem(
                config_path, 1, "warning", "unreadable-approval",
                f"commit {sha[:8]}: '{excerpt(line)}' cannot be read as an approval or a "
                "review, so it is not counted; write `Approved-by: Name <email>`",
            )
            for sha, line in cached.unreadable
        ]
        return cached, problems

    def _facts_in(self, cache_dir: Path | None) -> PageFacts | None:
        """The page versions' facts kept in this folder (read once while serving)."""
        if cache_dir is None:
            return None
        if self._facts is None or self._facts.path != cache_dir / FILE:
            self._facts = PageFacts(cache_dir / FILE)
        return self._facts
