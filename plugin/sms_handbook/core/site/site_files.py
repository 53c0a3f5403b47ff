"""Files written into a built site or a rendered folder."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

Files = list[tuple[str, str | bytes]]  # (path in the site, content)


def write_files(site_dir: Path | str, files: Iterable[tuple[str, str | bytes]]) -> None:
    """Write files into a folder, each as it comes, making each subfolder once."""
    made: set[str] = set()
    for uri, content in files:
        target = os.path.join(site_dir, uri)
        folder = os.path.dirname(target)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        with open(target, "wb") as out:
            out.write(content if isinstance(content, bytes) else content.encode("utf-8"))
