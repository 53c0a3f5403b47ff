"""Files written into a built site or a rendered folder.

Imports nothing of the package, so that a child process started only to write files
(see mkdocs/background.write_elsewhere) starts at once.
"""

from __future__ import annotations

import os
from pathlib import Path

Files = list[tuple[str, str | bytes]]  # (path in the site, content)


def write_files(site_dir: Path | str, files: Files) -> None:
    """Write files into a folder, making each subfolder once."""
    made: set[str] = set()
    for uri, content in files:
        target = os.path.join(site_dir, uri)
        folder = os.path.dirname(target)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        with open(target, "wb") as out:
            out.write(content if isinstance(content, bytes) else content.encode("utf-8"))


def main() -> None:
    """Write the (folder, files) pickled on standard input."""
    import pickle
    import sys

    folder, files = pickle.load(sys.stdin.buffer)
    write_files(folder, files)
