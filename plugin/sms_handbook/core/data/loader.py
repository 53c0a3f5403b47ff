"""Reading a handbook's data files and page front matter, cached by file signature.

A :class:`HandbookLoader` lives as long as the plugin does, so `mkdocs serve` rebuilds
re-read only the files whose size or modification time changed.

Nothing outside the repository is read: a page or data file that is a symbolic link
leading out of it (the Git work tree's top, or the project folder outside one) is a
located error, and so is one that is not a regular file (a folder, a FIFO, a device),
which is never opened.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..problems import Problem, escape
from . import frontmatter
from .frontmatter import Heading
from .inputs import DataFile, LoadResult, PageRecord
from .validate import control_problem, validate
from .yamlio import (
    MAX_BYTES,
    LineMap,
    NotAFile,
    YamlError,
    decode,
    file_kind,
    load_file_bytes,
    read_regular,
)

DATA_FILES = (
    "organization", "phases", "policies", "documents", "disposals", "assessments", "project",
    "risks", "nonconformities", "actions", "management-reviews",
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
    """Loads and validates one handbook: `root` holds mkdocs.yml."""

    def __init__(
        self, root: Path, data_dir: Path, docs_dir: Path, templates_dir: Path | None = None
    ) -> None:
        self.root = root
        self.data_dir = data_dir
        self.docs_dir = docs_dir
        self.templates_dir = templates_dir
        self._cache: dict[tuple[Path, str], tuple[tuple[int, int], Any]] = {}
        self._top: Path | None = None  # the repository's top, found when first needed
        self._root: str | None = None  # the project folder's real path (during one load)
        self._folders: dict[Path, bool] = {}  # whether each folder is inside (during one load)
        # The last validation: its inputs, the headings it read, and its result.
        self._last: tuple[Any, dict[str, Any], LoadResult] | None = None

    def load(self, pages: Iterable[str] | None = None) -> LoadResult:
        """Load everything; `pages` are Markdown src_uris (default: every .md in docs_dir)."""
        if pages is None:
            pages = _walk_markdown(self.docs_dir)
        self._root, self._folders = None, {}
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

        result = validate(data, records, self.docs_dir, self.root, templates, headings)
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
        refused = self._refused(path, shown)
        if refused is not None:
            return DataFile(path.stem, shown, None, refused)
        return self._cached(path, lambda p: _read_data_file(path.stem, p, shown), "template")

    def refused_files(self, src_uris: Iterable[str]) -> list[Problem]:
        """Why any of these files of docs_dir may not be published (see `_refused`)."""
        found = []
        for uri in src_uris:
            path = self.docs_dir / uri
            problem = self._refused(path, display_path(path, self.root))
            if problem is not None:
                found.append(problem)
        return found

    def _refused(self, path: Path, shown: str) -> Problem | None:
        """Why `path` may not be read: a symbolic link leading outside the repository, or
        not a regular file (None when it may be read, or does not exist)."""
        try:
            info = os.lstat(path)
        except OSError:
            return None  # missing: the caller says so
        linked = stat.S_ISLNK(info.st_mode)
        if linked or not stat.S_ISREG(info.st_mode):
            try:
                info = os.stat(path)
            except OSError:
                info = None  # a broken link: missing, unless it leads outside
        if not self._inside(path, linked):
            return Problem(
                shown, 1, "error", "outside-repository",
                f"{path.name} is a symbolic link that leads outside the repository; it is "
                "not read: copy the file into the repository instead",
            )  # fmt: skip
        if info is not None and not stat.S_ISREG(info.st_mode):
            return Problem(
                shown, 1, "error", "not-a-file",
                f"{path.name} is {file_kind(info.st_mode)}, not a regular file; it is not read",
            )  # fmt: skip
        return None

    def _inside(self, path: Path, linked: bool) -> bool:
        """Whether `path` (its links followed) is inside the project folder or, beyond it,
        inside the repository. Each folder is resolved once per load."""
        inside = self._folders.get(path.parent)
        if inside is None:
            inside = self._folders[path.parent] = self._in_repository(path.parent)
        return self._in_repository(path) if linked else inside

    def _in_repository(self, path: Path) -> bool:
        real = os.path.realpath(path)
        if self._root is None:
            self._root = os.path.realpath(self.root)
        return _within(real, self._root) or _within(real, str(self._repo_top()))

    def _repo_top(self) -> Path:
        """The top of the Git work tree holding the project (the project folder outside
        one, or without git)."""
        if self._top is None:
            from ..git.history import GitError, run_git

            try:
                out = run_git(["rev-parse", "--show-toplevel"], self.root)
                self._top = Path(os.path.realpath(os.fsdecode(out.rstrip(b"\r\n"))))
            except (GitError, OSError):
                self._top = Path(os.path.realpath(self.root))
        return self._top

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
        refused = self._refused(path, shown)
        if refused is not None:
            return DataFile(name, shown, None, refused)
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
        refused = self._refused(path, shown)
        if refused is not None:
            return PageRecord(src_uri, shown, None, 1, None, refused)
        return self._cached(path, lambda p: _read_page(src_uri, p, shown))


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _read_data_file(name: str, path: Path, shown: str) -> DataFile:
    try:
        data = load_file_bytes(read_regular(path, MAX_BYTES))
    except YamlError as exc:
        return DataFile(name, shown, None, Problem(shown, exc.line, "error", exc.code, exc.message))
    except NotAFile as exc:  # it became one after it was looked at
        problem = Problem(shown, 1, "error", "not-a-file", f"{path.name} is {exc.kind}")
        return DataFile(name, shown, None, problem)
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
        text = decode(read_regular(path), allow_bom=True)
        front = frontmatter.split(text, only_if_document=True)
    except YamlError as exc:
        problem = Problem(shown, exc.line, "error", exc.code, exc.message)
        return PageRecord(src_uri, shown, None, exc.line, None, problem)
    except NotAFile as exc:  # it became one after it was looked at
        problem = Problem(shown, 1, "error", "not-a-file", f"{path.name} is {exc.kind}")
        return PageRecord(src_uri, shown, None, 1, None, problem)
    except OSError:
        return None
    if front.meta is None or "document" not in front.meta:
        return None
    meta: LineMap = front.meta
    title = front.title()
    if title is not None:  # the document's title when its fields give none
        if isinstance(meta.get("title"), str):
            line = meta.value_line("title")
        else:
            heading = frontmatter.H1.search(front.body)
            line = front.body_line + front.body.count("\n", 0, heading.start()) if heading else 1
        problem = control_problem(shown, line, "title", title)
        if problem is not None:  # the document is checked still, with its title escaped
            document, at = meta["document"], meta.key_line("document")
            return PageRecord(src_uri, shown, document, at, escape(title), problem)
    return PageRecord(src_uri, shown, meta["document"], meta.key_line("document"), title)


def _read_headings(path: Path) -> list[Heading] | None:
    try:
        return frontmatter.headings(decode(read_regular(path), allow_bom=True))
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
