"""The archives' costly parts (a version's text as HTML, the changes from the version
before) and the controlled copies (PDF, see pdf_copies) cached in a folder between builds.

An approved version never changes, so its HTML is made once and read back by every
later build, as Material keeps its social cards in `.cache/plugin/social`. Each entry is
named by a hash of everything that goes into it: the version's blob (its text, which a
build then need not read from Git), the archive's place (links are relative to it), the
site's Markdown extensions and their options, the versions of the packages that convert
it, and the source of the code that does. A build touches the entries it uses and
removes the others once its archives are made, so the folder holds one build's
archives. An entry is read back only when its seal holds (see cache_files): a damaged
or planted one is made anew. A folder that cannot be read or written is no cache: the
build makes the HTML itself and goes on.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any, Protocol, TypeVar

from ..cache_files import PARTIAL, read_bytes, read_text, write_bytes, write_text
from ..stable_key import stable_key

T = TypeVar("T", str, bytes)
#: An entry's name: the SHA-256 of its key.
_ENTRY = re.compile("[0-9a-f]{64}")


class Memo(Protocol):
    """Looks up a value by its key, or makes it (and keeps it)."""

    def __call__(self, key: tuple[str, ...], make: Callable[[], str]) -> str: ...

    def data(self, key: tuple[str, ...], make: Callable[[], bytes]) -> bytes:
        """The same for bytes (a PDF)."""
        ...

    def has(self, key: tuple[str, ...]) -> bool:
        """Whether the value is kept (so what makes it need not be read)."""
        ...


class NoCache:
    """The memo that keeps nothing."""

    def __call__(self, key: tuple[str, ...], make: Callable[[], str]) -> str:
        return make()

    def data(self, key: tuple[str, ...], make: Callable[[], bytes]) -> bytes:
        return make()

    def has(self, key: tuple[str, ...]) -> bool:
        return False


no_cache = NoCache()


class ArchiveCache:
    """Strings by key in a folder, for one build: a :class:`Memo`."""

    def __init__(self, folder: Path, salt: str) -> None:
        self.folder = folder
        self._salted = hashlib.sha256(salt.encode("utf-8"))  # copied for each key
        self._started = time.time()  # entries not touched since are this build's leftovers

    def _path(self, key: tuple[str, ...]) -> Path:
        digest = self._salted.copy()
        for part in key:
            digest.update(b"\0" + part.encode("utf-8", "surrogatepass"))
        return self.folder / digest.hexdigest()

    def has(self, key: tuple[str, ...]) -> bool:
        """Whether an entry is there (its seal is checked when it is read: a job whose
        entry fails reads its texts from Git itself)."""
        return self._path(key).is_file()

    def __call__(self, key: tuple[str, ...], make: Callable[[], str]) -> str:
        return self._kept(key, make, read_text, write_text)

    def data(self, key: tuple[str, ...], make: Callable[[], bytes]) -> bytes:
        return self._kept(key, make, read_bytes, write_bytes)

    def _kept(
        self,
        key: tuple[str, ...],
        make: Callable[[], T],
        read: Callable[[Path], T | None],
        write: Callable[[Path, T], bool],
    ) -> T:
        path = self._path(key)
        value = read(path)
        if value is not None:
            with contextlib.suppress(OSError):
                os.utime(path)  # used by this build: not pruned
            return value
        value = make()
        write(path, value)
        return value

    def prune(self) -> None:
        """Remove the entries this build did not use (once all its archives are made),
        and files half-written by a build that stopped; the folder's other files are
        not the archives'."""
        with contextlib.suppress(OSError), os.scandir(self.folder) as entries:
            for entry in entries:
                if not (_ENTRY.fullmatch(entry.name) or entry.name.endswith(PARTIAL)):
                    continue
                with contextlib.suppress(OSError):
                    if entry.stat().st_mtime < self._started - 1:
                        os.remove(entry.path)


def salt(
    extensions: Iterable[Any],
    configs: Mapping[str, Any],
    sources: Iterable[str],
    *,
    directory_urls: bool,
) -> str:
    """What, besides the text and the archive's place, decides its HTML: the Markdown
    extensions and their options, the versions of the packages converting it, the code
    (`sources`: module names) that turns the text into HTML, and the form of the site's
    URLs, which the links take."""
    extensions = list(extensions)
    parts = [stable_key([extensions, dict(configs)]), f"directory_urls={directory_urls}"]
    named = (e if isinstance(e, str) else type(e).__module__ for e in extensions)
    for module in sorted({"markdown", *(n.split(".")[0] for n in named)}):
        loaded = sys.modules.get(module)
        parts.append(f"{module}={getattr(loaded, '__version__', None)}")
    parts.extend(source_digest(name) for name in sources)
    return "\n".join(parts)


@cache
def source_digest(module: str) -> str:
    """A hash of a loaded module's source (read once per process)."""
    file = getattr(sys.modules.get(module), "__file__", None)
    try:
        return hashlib.sha256(Path(file).read_bytes()).hexdigest()  # type: ignore[arg-type]
    except (OSError, TypeError):
        return f"{module}=?"
