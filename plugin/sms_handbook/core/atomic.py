"""Files written whole or not at all, the same way on every system the package runs on."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, data: bytes, *, replace: bool) -> None:
    """Write a whole file or nothing: through a temporary file in the same folder.

    Without `replace`, an existing file (or one created meanwhile) is never touched:
    FileExistsError. Readers never see a half-written file either way. The file gets
    an ordinary new file's mode (0666 less the umask), not the temporary file's 0600;
    it is set with `os.chmod` on the path, which every system has (`os.fchmod` is
    missing on Windows before Python 3.13).
    """
    folder = path.absolute().parent
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        if replace:
            os.replace(temporary, path)
            return
        try:
            os.link(temporary, path)  # fails if the file exists: no race with a check
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links
            with path.open("xb") as out:
                out.write(data)
    finally:
        Path(temporary).unlink(missing_ok=True)
