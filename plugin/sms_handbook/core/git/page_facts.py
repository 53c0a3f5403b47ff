"""What a build needs of each past version of a page, cached between builds.

A page's revisions need its front matter as of each commit, and change control needs
to know whether the text after it changed; neither needs the whole text, which Git has
to rebuild from its deltas for every version. A blob never changes, so both facts are
cached by blob in one file beside the archives (`cache_dir`): a later build reads only
the versions it has not seen and the approved ones, whose text the archives show. The
file is read only when its seal holds and every entry has the shape written (see
cache_files); one that cannot be read or written is no cache: the versions are read
from Git.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path
from typing import Any

from ..cache_files import read_json, write_json

#: The file's name in the cache folder.
FILE = "page-versions.json"
_FORMAT = 2
_SHA = re.compile("[0-9a-f]{40}|[0-9a-f]{64}")  # a blob's name (SHA-1 or SHA-256)
_DIGEST = re.compile("[0-9a-f]{32}")


def body_digest(body: bytes) -> str:
    """The digest of a version's text after its front matter."""
    return hashlib.blake2b(body, digest_size=16).hexdigest()


class PageFacts:
    """Each known page version's front matter (the bytes up to its closing dashes) and
    the digest of the text after it, by blob."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._loaded: set[str] = set()  # what the file holds

    @cached_property
    def known(self) -> dict[str, tuple[bytes, str]]:
        """Read from the file when first needed: a build whose pages' versions are read
        by its worker never reads it in the main process."""
        known = _read(read_json(self.path, _FORMAT))
        self._loaded = set(known)
        return known

    def add(self, sha: str, front: bytes, digest: str) -> None:
        self.known[sha] = (front, digest)

    def save(self, shas: Iterable[str]) -> None:
        """Keep these versions' facts (those known) for the next build, and no others;
        the file is rewritten only when that changes what it holds."""
        keep = {sha for sha in shas if sha in self.known}
        if self.path is None or keep == self._loaded:
            return
        versions = {
            sha: [self.known[sha][0].decode("utf-8", "surrogateescape"), self.known[sha][1]]
            for sha in sorted(keep)
        }
        if write_json(self.path, _FORMAT, {"versions": versions}):
            self._loaded = keep


def _read(data: dict[str, Any] | None) -> dict[str, tuple[bytes, str]]:
    """The facts a file holds; none unless every entry has the shape this module writes."""
    versions = data.get("versions") if data is not None else None
    if not isinstance(versions, dict):
        return {}
    known = {}
    for sha, entry in versions.items():
        if not (_SHA.fullmatch(sha) and isinstance(entry, list) and len(entry) == 2):
            return {}
        front, digest = entry
        if not (isinstance(front, str) and isinstance(digest, str) and _DIGEST.fullmatch(digest)):
            return {}
        known[sha] = (front.encode("utf-8", "surrogateescape"), digest)
    return known
