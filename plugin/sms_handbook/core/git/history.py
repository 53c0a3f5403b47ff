"""Revision history of every file, from one `git log` pass over the repository.

A *revision* is what landed on the main line (the first-parent chain from HEAD): a
direct commit, or a merge of a pull/merge request with the request's commits folded
into it. For each revision we keep the committer time of the main-line commit (when
the change took effect) as epoch seconds, the authors of the change, a summary, the
pull-request number, and its approvals and reviews: `Approved-by:` / `Reviewed-by:`
trailers on the merge and on the commits it brought in, and the same lines in Git notes
under `refs/notes/sms-approvals` (which `sms-handbook record-approvals` writes from a
forge's reviews), read in the same pass. Renames are followed.

Git runs without a shell, with `--` before paths, and never once per page.
"""

from __future__ import annotations

import gc
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain
from pathlib import Path

from ..data.frontmatter import front_matter_end
from .page_facts import PageFacts, body_digest

_GIT_OPTIONS = ("-c", "core.quotepath=off", "-c", "log.showSignature=false", "-c", "color.ui=never")
_RECORD = b"\x1eC\x1f"
#: Where `record-approvals` keeps approvals recorded from a forge.
NOTES_REF = "refs/notes/sms-approvals"
#: A commit's approval and review trailers, one a line (\x1d between them).
TRAILERS = "%(trailers:key=Approved-by,key=Reviewed-by,separator=%x1d)"
_FORMAT = (
    "--format=%x1eC%x1f%H%x1f%P%x1f%ct%x1f%aN%x1f%aE%x1f%s%x1f"
    f"{TRAILERS}%x1f%N%x1f%b%x1f"
)
_GITHUB = re.compile(r"^Merge pull request #(\d+) from ")
_GITLAB = re.compile(r"^See merge request \S*!(\d+)\s*$", re.MULTILINE)
_BITBUCKET = re.compile(r"\(pull request #(\d+)\)")
_SQUASHED = re.compile(r"\(#(\d+)\)\s*$")
_TRAILER_LINE = re.compile(r"^[A-Za-z-]+: ")
#: A commit's own summary of a change to the handbook, for a commit that also changed
#: other things (its subject then describes those): `Change-summary: ...`.
_CHANGE_SUMMARY = re.compile(r"^Change-summary:[ \t]*(\S.*?)[ \t]*$", re.MULTILINE | re.IGNORECASE)
#: An approval or review line of a trailer or a note: `Approved-by: Name <email>`,
#: in notes optionally followed by ` on <ISO time>` and ` via <forge>`.
_APPROVAL_LINE = re.compile(
    r"^(?P<key>Approved-by|Reviewed-by):[ \t]*(?P<name>[^<\n]*?)[ \t]*(?:<(?P<email>[^<>\n]*)>)?"
    r"(?:[ \t]+on[ \t]+(?P<on>\d{4}-\d\d-\d\dT[0-9:.]+(?:Z|[+-]\d\d:?\d\d)?))?"
    r"(?:[ \t]+via[ \t]+(?P<via>[\w.-]+))?[ \t]*$",
    re.MULTILINE | re.IGNORECASE,
)
_APPROVAL_KEY = re.compile(r"^[ \t]*(?:Approved-by|Reviewed-by)[ \t]*:", re.IGNORECASE)


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


def _env() -> dict[str, str]:
    return {**os.environ, **_AS_RECORDED}


def _git() -> str:
    git = shutil.which("git")
    if git is None:
        raise GitError("git is not installed", "Install Git, or build without history.")
    return git


def run_git(args: Sequence[str], cwd: Path) -> bytes:
    """Run git (no shell) and return its standard output as bytes."""
    done = subprocess.run(
        [_git(), *_GIT_OPTIONS, *args], cwd=cwd, capture_output=True, check=False, env=_env()
    )
    if done.returncode != 0:
        stderr = done.stderr.decode("utf-8", "replace").strip()
        raise _explain(stderr, args)
    return done.stdout


def _explain(stderr: str, args: Sequence[str]) -> GitError:
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


@dataclass(frozen=True, slots=True)
class Change:
    status: str  # A, M, D, R, C, T
    path: str
    old_path: str | None
    blob: str  # the file's blob after the change (zeros when deleted)


@dataclass(frozen=True, slots=True)
class Approval:
    """Someone's approval (or review) of a change, and where it was found."""

    name: str
    email: str
    time: int  # epoch seconds: when it was given, or the commit's time when unknown
    source: str  # "trailer", or "note" (recorded from a forge: "note:github")
    review: bool = False  # a `Reviewed-by:`: a review, not an approval


@dataclass(frozen=True, slots=True)
class Commit:
    sha: str
    parents: tuple[str, ...]
    time: int  # committer time, epoch seconds
    author: str
    email: str
    subject: str
    body: str
    approvals: tuple[Approval, ...]  # from trailers and notes, reviews too
    changes: tuple[Change, ...]
    unreadable: tuple[str, ...] = ()  # approval or review lines that cannot be read


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


@dataclass
class History:
    """Revisions of every file, by its path at HEAD (relative to the repository top)."""

    head: str
    shallow: bool
    toplevel: Path
    files: dict[str, list[Revision]] = field(default_factory=dict)  # newest first
    edition: str = ""  # `git describe --tags --always`: the tag, or the short commit
    #: Contents of the main line's versions of the files read_history was asked for;
    #: of those in `partial`, only the front matter.
    blobs: dict[str, bytes] = field(default_factory=dict, repr=False)
    partial: set[str] = field(default_factory=set, repr=False)
    #: The Markdown pages' versions (blob, page), newest first: read by `read_pages`,
    #: not with the log, since only the later stage of a build needs them.
    pages_wanted: list[tuple[str, str]] = field(default_factory=list, repr=False)
    pages_read: bool = field(default=False, repr=False)
    #: The digest of each page version's text after its front matter, by blob.
    digests: dict[str, str] = field(default_factory=dict, repr=False)
    #: The page versions' facts kept between builds (None: read every version).
    facts: PageFacts | None = field(default=None, repr=False)
    #: Whether any main-line change came by pull request, and whether any approval was
    #: recorded at all (trailer or note): pull requests without recorded approvals mean
    #: the forge's approvals are not being kept.
    pull_requests: bool = False
    approvals_recorded: bool = False
    #: (commit, line) of each approval or review line on the main line that cannot be read.
    unreadable: list[tuple[str, str]] = field(default_factory=list, repr=False)
    #: The main line's commits, oldest first (a revision's `position` indexes it).
    main_line: tuple[str, ...] = field(default=(), repr=False)

    def of(self, path: str) -> list[Revision]:
        return self.files.get(path, [])

    def read_pages(self) -> None:
        """Read the pages' past versions (`pages_wanted`), once, in one batch."""
        if self.pages_read or not self.pages_wanted:
            return
        reader = _BlobReader(_git(), self.toplevel, self.facts)
        for sha, page in self.pages_wanted:
            reader.want(sha, page)
        blobs, partial, digests = reader.result()
        self.blobs, self.partial = {**self.blobs, **blobs}, self.partial | partial
        self.digests.update(digests)
        self.pages_read = True
        if self.facts is not None:
            self.facts.save(sha for sha, _ in self.pages_wanted)

    def read_whole(self, shas: Iterable[str | None]) -> None:
        """Hold these versions whole: one read for all that are not (blobs missing
        from the repository stay missing)."""
        wanted = [
            s for s in dict.fromkeys(shas) if s and (s in self.partial or s not in self.blobs)
        ]
        if wanted:
            read = read_blobs(self.toplevel, wanted)
            self.blobs.update(read)
            self.partial.difference_update(read)

    def texts(self, shas: Iterable[str]) -> dict[str, str]:
        """Versions' whole texts by blob, read in one batch where not held whole."""
        shas = list(shas)
        self.read_whole(shas)
        return {
            s: self.blobs[s].decode("utf-8-sig", "replace")
            for s in shas
            if s in self.blobs and s not in self.partial
        }

    def forget_contents(self) -> None:
        """Free the pages' past versions (`read_pages` reads them again if needed); the
        data files' versions, which are small, are kept."""
        pages = {sha for sha, _ in self.pages_wanted}
        self.blobs = {sha: data for sha, data in self.blobs.items() if sha not in pages}
        self.partial = self.partial - pages
        self.pages_read = False


def approvals_in(text: str, time: int, source: str) -> list[Approval]:
    """The `Approved-by:` / `Reviewed-by:` lines of a commit's trailers or of a note."""
    found = []
    for match in _APPROVAL_LINE.finditer(text):
        name, email = match["name"].strip(), (match["email"] or "").strip()
        if not (name or email):
            continue
        when = time
        if match["on"]:
            with suppress(ValueError):
                when = int(datetime.fromisoformat(match["on"].replace("Z", "+00:00")).timestamp())
        via = f"{source}:{match['via'].lower()}" if match["via"] else source
        review = match["key"].lower() == "reviewed-by"
        found.append(Approval(name or email, email, when, via, review))
    return found


def unreadable_in(text: str) -> list[str]:
    """The lines that say `Approved-by:` or `Reviewed-by:` (in any case, as Git reads
    trailer keys) but cannot be read as `Name <email>`."""
    found = []
    for line in text.splitlines():
        if _APPROVAL_KEY.match(line):
            match = _APPROVAL_LINE.fullmatch(line.strip())
            if match is None or not (match["name"].strip() or match["email"]):
                found.append(line.strip())
    return found


def _commit(record: bytes) -> Commit:
    """One commit of the log: its fields, then its raw changes (NUL-separated)."""
    parts = record.split(b"\x1f", 9)
    sha, parents, time, author, email, subject, trailers, note, body = (
        p.decode("utf-8", "replace") for p in parts[:9]
    )
    changes = []
    tokens = parts[9].split(b"\0")
    i = 0
    while i < len(tokens):
        meta = tokens[i].lstrip(b"\n")
        if not meta.startswith(b":"):
            i += 1
            continue
        fields = meta.decode("ascii", "replace").split()
        status, blob = fields[4][0], fields[3]
        if status in "RC":
            old, new = tokens[i + 1].decode(), tokens[i + 2].decode()
            changes.append(Change(status, new, old, blob))
            i += 3
        else:
            changes.append(Change(status, tokens[i + 1].decode(), None, blob))
            i += 2
    seconds = int(time)
    trailers = trailers.replace("\x1d", "\n")
    approvals = (
        *approvals_in(trailers, seconds, "trailer"),
        *(approvals_in(note, seconds, "note") if note else ()),
    )
    return Commit(
        sha, tuple(parents.split()), seconds, author, email, subject, body, approvals,
        tuple(changes), (*unreadable_in(trailers), *unreadable_in(note)),
    )  # fmt: skip


def pull_request(commit: Commit) -> int | None:
    """The pull/merge request a main-line commit landed, from its message."""
    for pattern, text in (
        (_GITHUB, commit.subject),
        (_GITLAB, commit.body),
        (_BITBUCKET, commit.subject),
        (_SQUASHED, commit.subject),
    ):
        match = pattern.search(text)
        if match:
            return int(match.group(1))
    return None


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
            if line and not _TRAILER_LINE.match(line) and not _GITLAB.match(line):
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
    accepts are read too (`History.blobs`), by `git cat-file` while the log streams in;
    with `pages_later`, those of Markdown pages only when `History.read_pages` is
    called (by a build's later stage in its forked worker: the first stage need not
    wait for them). Of a page's versions with the same front matter only the oldest is
    kept whole, as it is where an approved version starts; of the others, only the
    front matter (`History.partial`). Memory stays small, and the texts of approved
    versions rarely need a second read. Page versions known to `facts` (from an earlier
    build: see page_facts) are not read at all; their front matter stands in for them.
    """
    git, top = _git(), info.toplevel
    describe = subprocess.Popen(
        [git, *_GIT_OPTIONS, *_DESCRIBE], cwd=top, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, env=_env(),
    )  # fmt: skip
    batch = _BlobReader(git, top, facts) if contents is not None else None
    pages: dict[str, str] = {}  # blob -> page, newest first
    commits: dict[str, Commit] = {}
    main_line = info.head  # the next main-line commit: git lists children before parents
    with tempfile.TemporaryFile() as errors:
        log = subprocess.Popen(
            [git, *_GIT_OPTIONS, *_LOG], cwd=top, stdout=subprocess.PIPE, stderr=errors,
            env=_env(),
        )
        assert log.stdout is not None
        pending = b""
        try:
            for chunk in chain(iter(lambda: log.stdout.read1(1 << 16), b""), [_RECORD]):
                *records, pending = (pending + chunk).split(_RECORD)
                for record in filter(None, records):
                    commit = _commit(record)
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
        raise _explain(stderr, _LOG)
    history = fold(commits, info)
    history.edition, history.blobs, history.partial = edition, blobs, partial
    history.pages_wanted, history.pages_read = list(pages.items()), not pages_later
    history.digests, history.facts = digests, facts
    if facts is not None and not pages_later:
        facts.save(pages)
    return history


class _BlobReader:
    """`git cat-file --batch`, asked for blobs while the log streams; a thread reads its
    answers as they come. Blobs asked for with a Markdown path are versions of a page,
    asked for newest first: of those with the same front matter, the oldest is kept
    whole and the others are cut to their front matter. Versions of pages known to
    `facts` are not asked for: their front matter stands in for them."""

    def __init__(self, git: str, cwd: Path, facts: PageFacts | None = None) -> None:
        self.command, self.cwd = [git, *_GIT_OPTIONS, "cat-file", "--batch", "--buffer"], cwd
        self.process: subprocess.Popen | None = None  # started by the first blob asked for
        self.asked: deque[tuple[str, str | None]] = deque()  # (sha, page path), in order
        self.seen: set[str] = set()
        self.blobs: dict[str, bytes] = {}
        self.partial: set[str] = set()
        self.digests: dict[str, str] = {}  # page versions' text after the front matter
        self.facts = facts
        #: (page path, front matter) -> the oldest version so far and its front matter's end
        self.oldest: dict[tuple[str, bytes], tuple[str, int]] = {}
        self.thread = threading.Thread(target=self._read, daemon=True)

    def _read(self) -> None:
        assert self.process is not None
        out = self.process.stdout
        assert out is not None
        for header in iter(out.readline, b""):
            sha, page = self.asked.popleft()
            fields = header.split()
            if len(fields) < 3:  # "<sha> missing"
                continue
            data = out.read(int(fields[2]) + 1)[:-1]
            self.blobs[sha] = data
            if page is None:
                continue
            bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
            front = front_matter_end(data[bom:])
            end = 0 if front is None else bom + front + 3  # with the closing dashes
            self.digests[sha] = digest = body_digest(data[end:])
            if self.facts is not None:
                self.facts.add(sha, data[:end], digest)
            if front is None:
                continue
            newer = self.oldest.get((page, data[:end]))
            if newer is not None:  # a newer version with the same front matter
                newer_sha, newer_end = newer
                if newer_end < len(self.blobs[newer_sha]):
                    self.blobs[newer_sha] = self.blobs[newer_sha][:newer_end]
                    self.partial.add(newer_sha)
            self.oldest[(page, data[:end])] = (sha, end)

    def want(self, sha: str, page: str | None = None) -> None:
        """Ask for a blob; `page`: it is a version of this Markdown page."""
        if sha and sha not in self.seen and sha.strip("0"):
            self.seen.add(sha)
            known = self.facts.known.get(sha) if self.facts and page is not None else None
            if known is not None:
                self.blobs[sha], self.digests[sha] = known
                self.partial.add(sha)
                return
            self.asked.append((sha, page))
            if self.process is None:
                self.process = subprocess.Popen(
                    self.command, cwd=self.cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL, env=_env(),
                )  # fmt: skip
                self.thread.start()
            assert self.process.stdin is not None
            self.process.stdin.write(sha.encode("ascii") + b"\n")

    def result(self) -> tuple[dict[str, bytes], set[str], dict[str, str]]:
        if self.process is not None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            self.thread.join()
            self.process.wait()
            if self.process.stdout is not None:
                self.process.stdout.close()
        return self.blobs, self.partial, self.digests


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


def read_blobs(toplevel: Path, shas: Iterable[str]) -> dict[str, bytes]:
    """Contents of many blobs, whole, in one `git cat-file --batch` call."""
    reader = _BlobReader(_git(), toplevel)
    for sha in shas:
        reader.want(sha)
    return reader.result()[0]
