"""Each document's revisions, with its metadata and text as they stood at each one.

A document's revisions are the main-line revisions that changed its source page or
its entry in a register. Its metadata at a revision is the register entry as of that
commit, overlaid by the page's `document:` front matter as of that commit; both are
read from Git in one `git cat-file --batch` call (the history's store: see blobs.py),
each blob parsed once.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..data import frontmatter
from ..data.yamlio import load_past_yaml, plain
from .history import History, Revision


@dataclass(frozen=True)
class Source:
    """Where one document lives in the repository (paths relative to its top)."""

    doc_id: str
    page: str | None  # the source file
    register: str | None  # the register file declaring it


@dataclass(frozen=True, slots=True)
class DocRevision:
    revision: Revision
    meta: dict[str, Any]  # document fields as of this revision
    page_blob: str | None  # the source page's blob as of this revision


class _Timeline:
    """A file's revisions in main-line order, to look up its blob as of any position."""

    def __init__(self, revisions: list[Revision]) -> None:
        ordered = sorted(revisions, key=lambda r: r.position)
        self.positions = [r.position for r in ordered]
        self.revisions = ordered

    def at(self, position: int) -> Revision | None:
        index = bisect.bisect_right(self.positions, position) - 1
        return self.revisions[index] if index >= 0 else None


class DocumentHistory:
    """Reads past metadata and text for many documents with one batch of blob reads."""

    def __init__(self, history: History, sources: Iterable[Source]) -> None:
        self.history = history
        self.store = store = history.store
        self.sources = list(sources)
        self._timelines: dict[str, _Timeline] = {}
        for source in self.sources:
            for path in (source.page, source.register):
                if path is not None and path not in self._timelines:
                    self._timelines[path] = _Timeline(history.of(path))
        store.read_pages()  # (unless they were read with the log)
        store.read_whole(
            r.blob
            for t in self._timelines.values()
            for r in t.revisions
            if r.blob not in store.blobs  # versions never read (the partial stay so)
        )
        self._front: dict[str, dict[str, Any]] = {}  # by blob
        self._parsed: dict[str, dict[str, Any]] = {}  # by front matter text
        self._registers: dict[str, dict[str, dict[str, Any]]] = {}

    def blob_text(self, sha: str | None) -> str | None:
        data = self.store.blobs.get(sha or "")
        return None if data is None else data.decode("utf-8-sig", "replace")

    def text_changed(self, before: str | None, after: str | None) -> bool | None:
        """Whether a page's text after its front matter differs between two versions;
        None when it cannot be told without reading both whole (see BlobStore.read_whole)."""
        if before == after:
            return False
        if before is None or after is None:
            return True
        digests = self.store.digests  # of every page version read or known
        if before in digests and after in digests:
            return digests[before] != digests[after]
        old, new = self.store.blobs.get(before), self.store.blobs.get(after)
        if old is None or new is None:
            return None
        old_end, new_end = (
            frontmatter.front_matter_end(old) or 0,
            frontmatter.front_matter_end(new) or 0,
        )
        if old[:old_end] == new[:new_end]:
            return True  # the same front matter in two different blobs
        if before in self.store.partial or after in self.store.partial:
            return None
        return old[old_end:] != new[new_end:]

    def _front_matter(self, sha: str) -> dict[str, Any]:
        """The `document:` mapping of a page as it was (fast path: no line numbers)."""
        if sha not in self._front:
            text = frontmatter.block(self.blob_text(sha) or "")
            # Most commits change the text, not the front matter: parse each once.
            if text not in self._parsed:
                self._parsed[text] = frontmatter.past_document_fields(text)
            self._front[sha] = self._parsed[text]
        return self._front[sha]

    def _register(self, sha: str) -> dict[str, dict[str, Any]]:
        if sha not in self._registers:
            entries: dict[str, dict[str, Any]] = {}
            text = self.blob_text(sha)
            data = load_past_yaml(text or "")
            if isinstance(data, dict):
                for records in data.values():
                    for record in records if isinstance(records, list) else ():
                        if isinstance(record, dict) and isinstance(record.get("id"), str):
                            entries[record["id"]] = plain(record)
            self._registers[sha] = entries
        return self._registers[sha]

    def revisions(self, source: Source) -> list[DocRevision]:
        """The document's revisions, newest first, each with its metadata then."""
        page = self._timelines.get(source.page) if source.page else None
        register = self._timelines.get(source.register) if source.register else None
        chosen: dict[str, Revision] = {}
        if page is not None:
            for revision in page.revisions:
                chosen[revision.commit] = revision
        if register is not None:
            previous: dict[str, Any] | None = None
            for revision in register.revisions:
                entry = self._register(revision.blob).get(source.doc_id)
                if entry is not None and entry != previous:
                    chosen.setdefault(revision.commit, revision)
                previous = entry
        result = []
        for revision in sorted(chosen.values(), key=lambda r: r.position, reverse=True):
            position = revision.position
            page_revision = page.at(position) if page is not None else None
            register_revision = register.at(position) if register is not None else None
            meta: dict[str, Any] = {}
            if register_revision is not None:
                meta.update(self._register(register_revision.blob).get(source.doc_id, {}))
            if page_revision is not None:
                meta.update(self._front_matter(page_revision.blob))
            result.append(
                DocRevision(revision, meta, page_revision.blob if page_revision else None)
            )
        return result
