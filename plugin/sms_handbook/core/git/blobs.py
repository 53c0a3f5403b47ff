"""Past versions' contents, read from Git by `git cat-file --batch`, and the facts
kept of them: the store a history's readers share (the history itself is a value:
see history.py).

Of a page's versions with the same front matter only the oldest is kept whole, as it
is where an approved version starts; of the others, only the front matter
(`BlobStore.partial`). Page versions known to `facts` (from an earlier build: see
page_facts) are not read at all; their front matter stands in for them.
"""

from __future__ import annotations

import subprocess
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..data.frontmatter import front_matter_end
from .command import GIT_OPTIONS, git_env, git_program
from .page_facts import PageFacts, body_digest


@dataclass
class BlobStore:
    """The contents of past versions by blob, read in batches and kept between the
    reads of one build (and of `mkdocs serve` rebuilds while HEAD stays)."""

    toplevel: Path
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

    def read_pages(self) -> None:
        """Read the pages' past versions (`pages_wanted`), once, in one batch."""
        if self.pages_read or not self.pages_wanted:
            return
        reader = BlobReader(git_program(), self.toplevel, self.facts)
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


class BlobReader:
    """`git cat-file --batch`, asked for blobs while the log streams; a thread reads its
    answers as they come. Blobs asked for with a Markdown path are versions of a page,
    asked for newest first: of those with the same front matter, the oldest is kept
    whole and the others are cut to their front matter. Versions of pages known to
    `facts` are not asked for: their front matter stands in for them."""

    def __init__(self, git: str, cwd: Path, facts: PageFacts | None = None) -> None:
        self.command, self.cwd = [git, *GIT_OPTIONS, "cat-file", "--batch", "--buffer"], cwd
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
                    stderr=subprocess.DEVNULL, env=git_env(),
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


def read_blobs(toplevel: Path, shas: Iterable[str]) -> dict[str, bytes]:
    """Contents of many blobs, whole, in one `git cat-file --batch` call."""
    reader = BlobReader(git_program(), toplevel)
    for sha in shas:
        reader.want(sha)
    return reader.result()[0]
