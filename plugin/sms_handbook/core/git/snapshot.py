"""The handbook as it stood at a commit, and who changed which files since: what
`sms-handbook changes` compares. Git runs without a shell, with `--` after revisions."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Sequence
from pathlib import Path

from .history import TRAILERS, Approval, GitError, approvals_in, read_blobs, run_git


class NoBase(Exception):
    """No base to compare with was given or found."""


def resolve(top: Path, ref: str) -> str:
    """The commit a ref names (GitError when it names none)."""
    if ref.startswith("-"):
        raise GitError(f"'{ref}' is not a revision")
    try:
        out = run_git(
            ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], top
        )
    except GitError:
        raise GitError(f"'{ref}' does not name a commit in this repository") from None
    return out.decode().strip()


def default_base(top: Path) -> tuple[str, str]:
    """(the merge base of HEAD with the remote's default branch, else with `main` or
    `master`; what it was found from). NoBase when there is none."""
    candidates: list[str] = []
    try:
        remote = run_git(["symbolic-ref", "--quiet", "refs/remotes/origin/HEAD"], top)
        candidates.append(remote.decode().strip())
    except GitError:
        pass
    candidates += ["refs/remotes/origin/main", "refs/remotes/origin/master", "main", "master"]
    for ref in candidates:
        try:
            base = run_git(["merge-base", "HEAD", ref, "--"], top)
        except GitError:
            continue
        return base.decode().strip(), ref.removeprefix("refs/remotes/")
    raise NoBase(
        "no base to compare with: there is no origin/HEAD, main or master to take the merge "
        "base from; pass --base REF (e.g. --base origin/main)"
    )


def extract(top: Path, commit: str, folders: Sequence[str], into: Path) -> None:
    """Write the files of `folders` (relative to the repository top) as they were at
    `commit` under `into`, keeping their paths; one ls-tree and one batch read."""
    wanted = [f for f in folders if f not in ("", ".")] or ["."]
    listing = run_git(["ls-tree", "-r", "-z", "--full-tree", commit, "--", *wanted], top)
    blobs: dict[str, str] = {}
    for entry in filter(None, listing.split(b"\0")):
        meta, _, path = entry.partition(b"\t")
        mode, kind, sha = meta.decode().split()
        if kind == "blob" and mode != "120000":  # no symbolic links: nothing points out
            blobs[path.decode("utf-8", "surrogateescape")] = sha
    contents = read_blobs(top, blobs.values())
    for path, sha in blobs.items():
        target = into / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(contents.get(sha, b""))


def authors(
    top: Path, base: str, head: str | None, folders: Sequence[str]
) -> dict[str, set[tuple[str, str]]]:
    """Who changed each file (path relative to the repository top) after `base`, up to
    `head`, or up to the work tree when `head` is None (then the uncommitted changes
    are Git's configured author's)."""
    found: dict[str, set[tuple[str, str]]] = {}
    span = f"{base}..{head or 'HEAD'}"
    log = run_git(
        ["log", "-z", "--format=%x1e%aN%x1f%aE", "--name-only", span, "--", *folders], top
    )
    for record in filter(None, log.split(b"\x1e")):
        header, _, names = record.partition(b"\0")  # then "\n" and the NUL-ended paths
        name, _, email = header.decode("utf-8", "replace").partition("\x1f")
        for path in filter(None, names.split(b"\0")):
            name_of_file = path.decode("utf-8", "replace").strip("\n")
            if name_of_file:
                found.setdefault(name_of_file, set()).add((name, email))
    if head is None:
        me = _me(top)
        status = run_git(
            ["status", "--porcelain", "-z", "--untracked-files=all", "--", *folders], top
        )
        for path in _status_paths(status):
            if me is not None:
                found.setdefault(path, set()).add(me)
    return found


def approvals(top: Path, base: str, head: str | None) -> list[Approval]:
    """The approvals and reviews that the commits after `base`, up to `head` (or HEAD),
    carry in their trailers: what the merged change will carry into the history."""
    span = f"{base}..{head or 'HEAD'}"
    log = run_git(["log", f"--format=%x1e%ct%x1f{TRAILERS}", span, "--"], top)
    found: list[Approval] = []
    for record in filter(None, log.split(b"\x1e")):
        time, _, trailers = record.decode("utf-8", "replace").partition("\x1f")
        found += approvals_in(trailers.replace("\x1d", "\n"), int(time), "trailer")
    return list(dict.fromkeys(found))


def _me(top: Path) -> tuple[str, str] | None:
    """Git's configured author (name, e-mail), if any."""
    try:
        ident = run_git(["var", "GIT_AUTHOR_IDENT"], top).decode("utf-8", "replace")
    except GitError:
        return None
    name, _, rest = ident.partition("<")
    return name.strip(), rest.partition(">")[0].strip()


def _status_paths(status: bytes) -> Iterable[str]:
    """Paths of `git status --porcelain -z` (renames give both)."""
    items = status.split(b"\0")
    i = 0
    while i < len(items):
        item = items[i]
        if len(item) > 3:
            yield item[3:].decode("utf-8", "replace")
            if item[:1] in (b"R", b"C"):
                i += 1
                if i < len(items) and items[i]:
                    yield items[i].decode("utf-8", "replace")
        i += 1


def relative(folder: Path, top: Path) -> str:
    """A folder relative to the repository top ("" for the top itself)."""
    rel = posixpath.normpath(Path(folder).resolve().relative_to(top.resolve()).as_posix())
    return "" if rel == "." else rel
