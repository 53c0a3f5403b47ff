"""Reading a handbook's data files and page front matter, cached by file signature.

A :class:`HandbookLoader` lives as long as the plugin does, so `mkdocs serve` rebuilds
re-read only the files whose size or modification time changed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..problems import Problem
from . import frontmatter, schemas
from .frontmatter import Heading
from .inputs import DataFile, LoadResult, PageRecord
from .validate import validate
from .yamlio import LineMap, YamlError, decode, load_file_bytes

DATA_FILES = (
    "organization", "phases", "policies", "documents", "disposals", "assessments", "project",
)  # fmt: skip
#: Only the organization is needed: a handbook may have no implementation project
#: (phases.yml), no registers, or no disposal log.
REQUIRED_DATA_FILES = ("organization",)


def display_path(path: Path, root: Path) -> str:
    """`path` relative to the project root when below it, with POSIX separators."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return Path(os.path.relpath(path, root)).as_posix()


class HandbookLoader:
    """Loads and validates one handbook: `root` holds mkdocs.yml. With `cache_dir`, the
    values that passed their schema are kept there for the next build (see
    schema_passes); without, everything is checked."""

    def __init__(
        self,
        root: Path,
        data_dir: Path,
        docs_dir: Path,
        templates_dir: Path | None = None,
        *,
        cache_dir: Path | None = None,
    ) -> None:
        self.root = root
        self.data_dir = data_dir
        self.docs_dir = docs_dir
        self.templates_dir = templates_dir
        self.cache_dir = cache_dir
        self._cache: dict[tuple[Path, str], tuple[tuple[int, int], Any]] = {}
        # The last validation: its inputs, the headings it read, and its result.
        self._last: tuple[Any, dict[str, Any], LoadResult] | None = None

    def load(self, pages: Iterable[str] | None = None) -> LoadResult:
        """Load everything; `pages` are Markdown src_uris (default: every .md in docs_dir)."""
        if pages is None:
            pages = _walk_markdown(self.docs_dir)
        data = {name: self._data_file(name) for name in DATA_FILES}
        records = [r for r in (self._page(uri) for uri in pages) if r is not None]
        templates = [self._template_file(p) for p in self._template_paths()]
        inputs = (data, records, templates)
        if self._last is not None and self._unchanged(inputs, *self._last):
            return self._last[2]
        read: dict[str, Any] = {}

        def headings(src_uri: str) -> list[Heading] | None:
            read[src_uri] = self.headings(src_uri)
            return read[src_uri]

        passes = schemas.passes_in(self.cache_dir) if self.cache_dir is not None else None
        result = validate(data, records, self.docs_dir, self.root, templates, headings, passes)
        if passes is not None:
            passes.save()
        self._last = (inputs, read, result)
        return result

    def _unchanged(
        self, inputs: Any, last_inputs: Any, headings: dict[str, Any], result: LoadResult
    ) -> bool:
        """Whether a valid handbook would validate as before (`mkdocs serve` after a text
        edit): the same data, front matter and headings, and every source still there."""
        if result.handbook is None or inputs != last_inputs:
            return False
        if any(self.headings(src) != seen for src, seen in headings.items()):
            return False
        base = self.docs_dir.resolve()
        for doc in result.handbook.documents.values():
            if doc.source is not None:
                target = (self.docs_dir / doc.source).resolve()
                if not (target.is_relative_to(base) and target.is_file()):
                    return False
        return True

    def headings(self, src_uri: str) -> list[Heading] | None:
        """The headings of a page under docs_dir (None when it cannot be read)."""
        return self._cached(self.docs_dir / src_uri, _read_headings, "headings")

    def _template_paths(self) -> list[Path]:
        folder = self.templates_dir
        return sorted(folder.glob("*.yml")) if folder is not None and folder.is_dir() else []

    def _template_file(self, path: Path) -> DataFile:
        shown = display_path(path, self.root)
        return self._cached(path, lambda p: _read_data_file(path.stem, p, shown), "template")

    def _cached(self, path: Path, reader: Any, kind: str = "") -> Any:
        try:
            stat = path.stat()
        except OSError:
            return None
        signature = (stat.st_mtime_ns, stat.st_size)
        hit = self._cache.get((path, kind))
        if hit is not None and hit[0] == signature:
            return hit[1]
        value = reader(path)
        self._cache[(path, kind)] = (signature, value)
        return value

    def _data_file(self, name: str) -> DataFile:
        path = self.data_dir / f"{name}.yml"
        shown = display_path(path, self.root)
        if not path.is_file():
            if name in REQUIRED_DATA_FILES:
                folder = display_path(self.data_dir, self.root)
                message = f"{name}.yml not found in the data folder {folder}"
                return DataFile(
                    name, shown, None, Problem(shown, 1, "error", "missing-file", message)
                )
            return DataFile(name, shown, None)
        return self._cached(path, lambda p: _read_data_file(name, p, shown))

    def _page(self, src_uri: str) -> PageRecord | None:
        path = self.docs_dir / src_uri
        shown = display_path(path, self.root)
        return self._cached(path, lambda p: _read_page(src_uri, p, shown))


def _read_data_file(name: str, path: Path, shown: str) -> DataFile:
    try:
        data = load_file_bytes(path.read_bytes())
    except YamlError as exc:
        return DataFile(name, shown, None, Problem(shown, exc.line, "error", exc.code, exc.message))
    except OSError as exc:
        problem = Problem(shown, 1, "error", "missing-file", f"cannot read: {exc.strerror}")
        return DataFile(name, shown, None, problem)
    if data is None:
        return DataFile(
            name, shown, None, Problem(shown, 1, "error", "empty-file", "file holds no data")
        )
    return DataFile(name, shown, data)


def _read_page(src_uri: str, path: Path, shown: str) -> PageRecord | None:
    try:
        # MkDocs itself accepts a BOM on pages, so we do too.
        text = decode(path.read_bytes(), allow_bom=True)
        front = frontmatter.split(text, only_if_document=True)
    except YamlError as exc:
        problem = Problem(shown, exc.line, "error", exc.code, exc.message)
        return PageRecord(src_uri, shown, None, exc.line, None, problem)
    except OSError:
        return None
    if front.meta is None or "document" not in front.meta:
        return None
    meta: LineMap = front.meta
    return PageRecord(src_uri, shown, meta["document"], meta.key_line("document"), front.title())


def _read_headings(path: Path) -> list[Heading] | None:
    try:
        return frontmatter.headings(decode(path.read_bytes(), allow_bom=True))
    except (OSError, YamlError):
        return None


def _walk_markdown(docs_dir: Path) -> list[str]:
    found = []
    for folder, dirs, names in os.walk(docs_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if name.endswith((".md", ".markdown")):
                found.append((Path(folder) / name).relative_to(docs_dir).as_posix())
    return found
