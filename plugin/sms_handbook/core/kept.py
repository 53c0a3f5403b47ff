"""Files kept in the cache folder between builds: written whole or not at all (two
builds may share the folder), and read as nothing when they cannot be read."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

#: The suffix of a file being written; one left by a build that stopped is removed later.
PARTIAL = ".tmp"


def write_whole(path: Path, text: str) -> bool:
    """Write `text` to `path` (its folder made if need be) by renaming a finished file
    over it; False when it cannot be written (the build goes on without keeping it)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, delete=False, suffix=PARTIAL
        ) as out:
            out.write(text)
    except OSError:
        return False
    try:
        os.replace(out.name, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.remove(out.name)
        return False
    return True


def read_json(path: Path | None) -> object:
    """What a kept JSON file holds; None when there is none or it cannot be read."""
    if path is None:
        return None
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
