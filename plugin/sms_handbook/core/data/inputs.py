"""What the loader reads and validation checks: data files, pages, and the result."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..model import Document, Handbook
from ..problems import Problem


@dataclass(frozen=True)
class DataFile:
    """A data file as loaded: `data` is None when it is missing or failed to load."""

    name: str
    path: str  # as shown in problems: relative to the project root
    data: Any
    problem: Problem | None = None


@dataclass(frozen=True)
class PageRecord:
    """The parts of a Markdown page the handbook needs."""

    src_uri: str  # relative to docs_dir, POSIX separators
    path: str  # as shown in problems
    document: Any  # the front matter's `document:` value, None when absent
    document_line: int
    title: str | None
    problem: Problem | None = None


@dataclass(frozen=True)
class LoadResult:
    handbook: Handbook | None  # None when any error was found
    problems: list[Problem]
    #: Every document as declared, even when the handbook has errors (its values as
    #: written, unchecked): what `changes` compares whatever `check` finds.
    declared: dict[str, Document] = field(default_factory=dict, compare=False)
