"""Pages that read another file into themselves: a published page must never include a
withheld page, or the withheld text is published (in the page and the search index).

The mechanisms a handbook's stack offers: Jinja's `include`, `import`, `from` and
`extends` (mkdocs-macros), `include-markdown` (mkdocs-include-markdown-plugin) and
pymdownx.snippets' `--8<--`, inline or as a block of file names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from .data.loader import display_path
from .model import Handbook
from .problems import Problem

_JINJA = re.compile(
    r"\{%-?\s*(?:include|import|from|extends|include-markdown|include_markdown)\s+"
    r"(['\"])(?P<target>[^'\"\n]+)\1"
)
#: pymdownx.snippets: `--8<-- "file"` (a leading `;` escapes it), or a marker alone on a
#: line opening and closing a block of file names.
_SNIPPET = re.compile(r"^[ \t]*(?P<escape>;*)-+8<-+[ \t]+(['\"])(?P<target>[^'\"\n]+)\2")
_SNIPPET_BLOCK = re.compile(r"^[ \t]*-+8<-+[ \t]*$")


def included(text: str) -> Iterator[tuple[int, str]]:
    """(line, file as written) of everything a page's Markdown includes."""
    block = False
    for number, line in enumerate(text.splitlines(), 1):
        if _SNIPPET_BLOCK.match(line):
            block = not block
            continue
        if block:
            if line.strip() and not line.lstrip().startswith(";"):
                yield number, line.strip()
            continue
        snippet = _SNIPPET.match(line)
        if snippet and not snippet["escape"]:
            yield number, snippet["target"]
        for match in _JINJA.finditer(line):
            yield number, match["target"]


def snippet_bases(root: Path, mdx_configs: Mapping[str, Any]) -> list[Path]:
    """Where pymdownx.snippets looks for files (its `base_path`, default the project)."""
    bases = mdx_configs.get("pymdownx.snippets", {}).get("base_path", ["."])
    if isinstance(bases, str):
        bases = [bases]
    return [root / b for b in bases if isinstance(b, str)]


def withheld_includes(
    handbook: Handbook,
    withheld: Iterable[str],
    pages: Sequence[str],
    docs_dir: Path,
    root: Path,
    bases: Sequence[Path] = (),
) -> list[Problem]:
    """An error for each place a published page includes a withheld page's source.

    `withheld` are the withheld documents' sources under docs_dir, `pages` every page of
    docs_dir (src_uris); files are looked for beside the page, under docs_dir, the
    project root and `bases`."""
    targets = {}
    for source in withheld:
        path = docs_dir / source
        targets[path.resolve()] = source
    if not targets:
        return []
    owners = {d.source: d for d in handbook.documents.values() if d.source}
    skipped = set(targets.values())
    problems = []
    for page in pages:
        if page in skipped:
            continue
        file = docs_dir / page
        try:
            text = file.read_bytes().decode("utf-8", "replace")
        except OSError:
            continue
        for line, written in included(text):
            hit = _withheld_target(written, file.parent, [docs_dir, root, *bases], targets)
            if hit is None:
                continue
            doc = owners.get(hit)
            what = f" ({doc.id} {doc.title}, {doc.classification})" if doc else ""
            problems.append(
                Problem(
                    display_path(file, root), line, "error", "withheld-include",
                    f"includes {display_path(docs_dir / hit, root)}{what}, which is not published: "
                    "its text would be published here; link to it instead",
                )
            )
    return problems


def _withheld_target(
    written: str, beside: Path, folders: Sequence[Path], targets: Mapping[Path, str]
) -> str | None:
    names = dict.fromkeys([written, re.sub(r"(:[^:/\\]*)+$", "", written)])
    for name in names:
        for folder in (beside, *folders):
            try:
                found = targets.get((folder / name).resolve())
            except (OSError, ValueError):
                continue
            if found is not None:
                return found
    return None
