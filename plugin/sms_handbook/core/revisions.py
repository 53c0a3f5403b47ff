"""Each document's revisions, with its metadata and text as they stood at each one.

A document's revisions are the main-line revisions that changed its source page or
its entry in a register. Its metadata at a revision is the register entry as of that
commit, overlaid by the page's `document:` front matter as of that commit; both are
read from Git in one `git cat-file --batch` call, each blob parsed once.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import yaml

from . import frontfast
from .history import History, Revision, read_blobs


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The C loader, with dates kept as text (a past commit may hold an invalid one)."""


_Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: node.value)
_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*\r?$", re.DOTALL | re.MULTILINE)


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
        self.sources = list(sources)
        self._timelines: dict[str, _Timeline] = {}
        for source in self.sources:
            for path in (source.page, source.register):
                if path is not None and path not in self._timelines:
                    self._timelines[path] = _Timeline(history.of(path))
        shas = [r.blob for t in self._timelines.values() for r in t.revisions]
        self._blobs = history.blobs  # read with the log, when it was asked to
        self._partial = history.partial  # of these, only the front matter
        self.read_texts(sha for sha in shas if sha not in self._blobs)
        self._front: dict[str, dict[str, Any]] = {}  # by blob
        self._parsed: dict[str, dict[str, Any]] = {}  # by front matter text
        self._registers: dict[str, dict[str, dict[str, Any]]] = {}

    def read_texts(self, shas: Iterable[str | None]) -> None:
        """Make sure these blobs are held in full (one read for all that are not)."""
        wanted = [s for s in shas if s and (s in self._partial or s not in self._blobs)]
        if wanted:
            read = read_blobs(self.history.toplevel, wanted)
            self._blobs = {**self._blobs, **read}
            self._partial = self._partial - read.keys()

    def full_text(self, sha: str | None) -> str | None:
        """A blob's whole text (None when only its front matter could be read)."""
        return None if sha in self._partial else self.blob_text(sha)

    def blob_text(self, sha: str | None) -> str | None:
        data = self._blobs.get(sha or "")
        return None if data is None else data.decode("utf-8-sig", "replace")

    def _front_matter(self, sha: str) -> dict[str, Any]:
        """The `document:` mapping of a page as it was (fast path: no line numbers)."""
        if sha not in self._front:
            match = _FRONT.match(self.blob_text(sha) or "")
            text = match.group(1) if match and "document" in match.group(1) else ""
            # Most commits change the text, not the front matter: parse each once.
            if text not in self._parsed:
                self._parsed[text] = _document_fields(text)
            self._front[sha] = self._parsed[text]
        return self._front[sha]

    def _register(self, sha: str) -> dict[str, dict[str, Any]]:
        if sha not in self._registers:
            entries: dict[str, dict[str, Any]] = {}
            text = self.blob_text(sha)
            try:
                data = yaml.load(text or "", Loader=_Loader)
            except (yaml.YAMLError, ValueError):
                data = None
            if isinstance(data, dict):
                for records in data.values():
                    for record in records if isinstance(records, list) else ():
                        if isinstance(record, dict) and isinstance(record.get("id"), str):
                            entries[record["id"]] = {str(k): _plain(v) for k, v in record.items()}
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


def _document_fields(front_matter: str) -> dict[str, Any]:
    """The `document:` mapping in front matter text ({} when there is none)."""
    if not front_matter:
        return {}
    simple = frontfast.document_fields(front_matter)
    return simple if simple is not None else _yaml_document_fields(front_matter)


def _yaml_document_fields(front_matter: str) -> dict[str, Any]:
    """The `document:` mapping, read by YAML (any front matter)."""
    try:
        meta = yaml.load(front_matter, Loader=_Loader)
    except (yaml.YAMLError, ValueError):
        return {}
    document = meta.get("document") if isinstance(meta, dict) else None
    if not isinstance(document, dict):
        return {}
    return {str(k): _plain(v) for k, v in document.items()}


def _plain(value: Any) -> Any:
    """YAML values as plain comparable data (dates as ISO text)."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value
