"""Revision history of every file, from one `git log` pass over the repository: a value.

A *revision* is what landed on the main line (the first-parent chain from HEAD): a
direct commit, or a merge of a pull/merge request with the request's commits folded
into it. For each revision we keep the committer time of the main-line commit (when
the change took effect) as epoch seconds, the authors of the change, a summary, the
pull-request number, and its approvals and reviews: `Approved-by:` / `Reviewed-by:`
trailers on the merge and on the commits it brought in, and the same lines in Git notes
under `refs/notes/sms-approvals` (which `sms-handbook record-approvals` writes from a
forge's reviews), read in the same pass (see commits.py). Renames are followed.

:class:`History` is the value: the revisions per file, the main line, the edition,
whether approvals are being recorded, the lines that cannot be read as approvals. The
past versions' contents are not part of it: they are in its `store` (blobs.py), which
reads them from Git in batches and caches their facts.

Git runs without a shell, with `--` before paths, and never once per page.
"""

from __future__ import annotations

import dataclasses
import gc
import re
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from .blobs import BlobReader, BlobStore, read_blobs
from .command import (
    GIT_OPTIONS,
    GitError,
    RepoInfo,
    explain,
    git_env,
    git_program,
    repo_info,
    run_git,
)
from .commits import (
    GITLAB,
    NOTES_REF,
    TRAILERS,
    Approval,
    Change,
    Commit,
    approvals_in,
    parse_commit,
    pull_request,
)
from .page_facts import PageFacts

#: What other modules import from here: the history, and (for the callers that knew
#: them here) names whose homes are now command.py, commits.py and blobs.py.
__all__ = [
    "NOTES_REF", "TRAILERS", "Approval", "Commit", "GitError", "History", "RepoInfo",
    "Revision", "approvals_in", "gc_paused", "pull_request", "read_blobs", "read_history",
    "repo_info", "run_git",
]  # fmt: skip

_RECORD = b"\x1eC\x1f"
_FORMAT = (
    "--format=%x1eC%x1f%H%x1f%P%x1f%ct%x1f%aN%x1f%aE%x1f%s%x1f"
    f"{TRAILERS}%x1f%N%x1f%b%x1f"
)
_TRAILER_LINE = re.compile(r"^[A-Za-z-]+: ")
#: A commit's own summary of a change to the handbook, for a commit that also changed
#: other things (its subject then describes those): `Change-summary: ...`.
_CHANGE_SUMMARY = re.compile(r"^Change-summary:[ \t]*(\S.*?)[ \t]*$", re.MULTILINE | re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Revision:
    """One change to one file on the main line."""

    commit: str
    position: int  # index on the main line, oldest first: orders revisions of all files
    time: int  # epoch seconds: when it landed on the main line
    authors: tuple[str, ...]
    emails: tuple[str, ...]  # aligned with authors
    summary: str
    approvals: tuple[Approval, ...]  # approvals and reviews of the change
    pull_request: int | None
    path: str  # the file's path in that revision (before later renames)
    blob: str

    @property
    def approved_by(self) -> tuple[str, ...]:
        return _unique([a.name for a in self.approvals if not a.review])

    @property
    def reviewed_by(self) -> tuple[str, ...]:
        return _unique([a.name for a in self.approvals if a.review])


@dataclass(frozen=True)
class History:
    """Revisions of every file, by its path at HEAD (relative to the repository top)."""

    head: str
    shallow: bool
    toplevel: Path
    files: dict[str, list[Revision]] = field(default_factory=dict)  # newest first
    edition: str = ""  # `git describe --tags --always`: the tag, or the short commit
    #: Whether any main-line change came by pull request, and whether any approval was
    #: recorded at all (trailer or note): pull requests without recorded approvals mean
    #: the forge's approvals are not being kept.
    pull_requests: bool = False
    approvals_recorded: bool = False
    #: (commit, line) of each approval or review line on the main line that cannot be read.
    unreadable: list[tuple[str, str]] = field(default_factory=list, repr=False)
    #: The main line's commits, oldest first (a revision's `position` indexes it).
    main_line: tuple[str, ...] = field(default=(), repr=False)
    #: The past versions' contents, read from Git as they are needed (not part of the
    #: value: see blobs.py).
    store: BlobStore = field(kw_only=True, repr=False, compare=False)

    def of(self, path: str) -> list[Revision]:
        return self.files.get(path, [])

    # The store's, by the names its callers knew before it was a store of its own.

    @property
    def blobs(self) -> dict[str, bytes]:
        return self.store.blobs

    def read_pages(self) -> None:
        self.store.read_pages()

    def read_whole(self, shas: Iterable[str | None]) -> None:
        self.store.read_whole(shas)

    def forget_contents(self) -> None:
        self.store.forget_contents()


def _summary(commit: Commit, brought: list[Commit]) -> str:
    """A revision's summary: a `Change-summary:` trailer when one is given (on the
    commit, else on a commit it brought in), else the commit's subject (a merge's: the
    first line of its body, else the newest commit it brought)."""
    for c in (commit, *brought):
        match = _CHANGE_SUMMARY.search(c.body)
        if match:
            return match.group(1)
    if len(commit.parents) > 1:
        for line in commit.body.splitlines():
            line = line.strip()
            if line and not _TRAILER_LINE.match(line) and not GITLAB.match(line):
                return line
        if brought:
            return brought[0].subject
    return commit.subject


#: The one log pass: `--` ends the revisions, so a file named HEAD is not one.
_LOG = (
    "log", "--raw", "-z", "--no-abbrev", "-M", "--diff-merges=first-parent", "--no-notes",
    f"--notes={NOTES_REF}", _FORMAT, "HEAD", "--",
)  # fmt: skip
_DESCRIBE = ("describe", "--tags", "--always", "--abbrev=8", "HEAD")


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a long history turns into many small objects
    (none of them cyclic): its full passes over the growing heap were a fifth of the time
    at 10,000 documents / 100,000 commits."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@gc_paused()
def read_history(
    info: RepoInfo,
    *,
    contents: Callable[[str], bool] | None = None,
    pages_later: bool = False,
    facts: PageFacts | None = None,
) -> History:
    """Run the one `git log` pass and fold it into revisions per file; name the edition.

    With `contents`, the contents of every main-line version of each file whose path it
    accepts are read too (into `History.store`: see blobs.py), by `git cat-file` while
    the log streams in; with `pages_later`, those of Markdown pages only when
    `BlobStore.read_pages` is called (by a build's later stage in its forked worker: the
    first stage need not wait for them). Of a page's versions with the same front matter
    only the oldest is kept whole, as it is where an approved version starts; of the
    others, only the front matter (`BlobStore.partial`). Memory stays small, and the
    texts of approved versions rarely need a second read. Page versions known to `facts`
    (from an earlier build: see page_facts) are not read at all; their front matter
    stands in for them.
    """
    git, top = git_program(), info.toplevel
    describe = subprocess.Popen(
        [git, *GIT_OPTIONS, *_DESCRIBE], cwd=top, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, env=git_env(),
    )  # fmt: skip
    batch = BlobReader(git, top, facts) if contents is not None else None
    pages: dict[str, str] = {}  # blob -> page, newest first
    commits: dict[str, Commit] = {}
    main_line = info.head  # the next main-line commit: git lists children before parents
    with tempfile.TemporaryFile() as errors:
        log = subprocess.Popen(
            [git, *GIT_OPTIONS, *_LOG], cwd=top, stdout=subprocess.PIPE, stderr=errors,
            env=git_env(),
        )
        assert log.stdout is not None
        pending = b""
        try:
            for chunk in chain(iter(lambda: log.stdout.read1(1 << 16), b""), [_RECORD]):
                *records, pending = (pending + chunk).split(_RECORD)
                for record in filter(None, records):
                    commit = parse_commit(record)
                    commits[commit.sha] = commit
                    if commit.sha != main_line:
                        continue
                    main_line = commit.parents[0] if commit.parents else ""
                    if batch is not None and contents is not None:
                        for change in commit.changes:
                            if change.status == "D" or not contents(change.path):
                                continue
                            if not change.path.endswith(".md"):
                                batch.want(change.blob)
                            elif change.blob not in pages:
                                pages[change.blob] = change.path
                                if not pages_later:
                                    batch.want(change.blob, change.path)
        except BaseException:
            log.kill()
            if batch is not None and batch.process is not None:
                batch.process.kill()
            raise
        finally:
            log.stdout.close()
        returncode = log.wait()
        errors.seek(0)
        stderr = errors.read().decode("utf-8", "replace").strip()
    edition = describe.communicate()[0].decode("utf-8", "replace").strip()
    blobs, partial, digests = batch.result() if batch is not None else ({}, set(), {})
    if returncode != 0:
        raise explain(stderr, _LOG)
    store = BlobStore(top, blobs, partial, list(pages.items()), not pages_later, digests, facts)
    if facts is not None and not pages_later:
        facts.save(pages)
    return dataclasses.replace(fold(commits, info), edition=edition, store=store)


def fold(commits: dict[str, Commit], info: RepoInfo) -> History:
    """Revisions per file from parsed commits (pure: no git)."""
    main: list[Commit] = []
    sha: str | None = info.head
    while sha is not None and sha in commits:
        commit = commits[sha]
        main.append(commit)
        sha = commit.parents[0] if commit.parents else None
    main.reverse()  # oldest first
    seen = {c.sha for c in main}
    lineage: dict[str, list[Revision]] = {}
    any_request = any_approval = False
    unreadable: list[tuple[str, str]] = []
    for position, commit in enumerate(main):
        brought = _brought_in(commit, commits, seen)
        pr = pull_request(commit)
        approvals = tuple(
            dict.fromkeys([*commit.approvals, *(a for c in brought for a in c.approvals)])
        )
        any_request = any_request or pr is not None
        any_approval = any_approval or any(not a.review for a in approvals)
        unreadable += [(c.sha, line) for c in (commit, *brought) for line in c.unreadable]
        summary = _summary(commit, brought)
        for change in commit.changes:
            if change.status == "D":
                lineage.pop(change.path, None)
                continue
            touching = [c for c in brought if any(_touches(x, change) for x in c.changes)]
            people = dict.fromkeys((c.author, c.email) for c in touching or brought or [commit])
            revision = Revision(
                commit=commit.sha,
                position=position,
                time=commit.time,
                authors=tuple(name for name, _ in people),
                emails=tuple(email for _, email in people),
                summary=summary,
                approvals=approvals,
                pull_request=pr,
                path=change.path,
                blob=change.blob,
            )
            if change.old_path is not None and change.status == "R":
                lineage[change.path] = lineage.pop(change.old_path, [])
            lineage.setdefault(change.path, []).append(revision)
    files = {path: revisions[::-1] for path, revisions in lineage.items()}
    return History(
        info.head, info.shallow, info.toplevel, files,
        pull_requests=any_request, approvals_recorded=any_approval,
        main_line=tuple(c.sha for c in main), unreadable=unreadable,
        store=BlobStore(info.toplevel),
    )  # fmt: skip


def _touches(change: Change, target: Change) -> bool:
    return bool({change.path, change.old_path} & {target.path, target.old_path} - {None})


def _brought_in(merge: Commit, commits: dict[str, Commit], seen: set[str]) -> list[Commit]:
    """Commits a merge brings to the main line (newest first); marks them seen."""
    found: list[Commit] = []
    stack = list(merge.parents[1:])
    while stack:
        sha = stack.pop()
        if sha in seen or sha not in commits:
            continue
        seen.add(sha)
        commit = commits[sha]
        found.append(commit)
        stack.extend(commit.parents)
    found.sort(key=lambda c: c.time, reverse=True)
    return found


def _unique(items: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in items if i))
