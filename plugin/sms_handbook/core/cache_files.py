"""Files in the cache folder (`cache_dir`), between builds: written whole or not at all
(two builds may share the folder), and read back only when their seal holds.

Whoever can write the folder cannot change the site. Each file is sealed with an HMAC
over its name and its content, under a key outside the folder, one per user
(`$XDG_CACHE_HOME/sms-handbook/key`, else `~/.cache/...`: made once, readable by its
owner alone). A file whose seal does not hold (cut short, damaged, planted, written
under another key) reads as nothing, so what it held is made anew. Without a usable
key there is no cache: nothing is read and nothing is written.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import os
import secrets
import stat
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from .stable_key import canonical

#: The suffix of a file being written; one left by a build that stopped is removed later.
PARTIAL = ".tmp"
#: The largest file read: a bigger one is no cache.
LIMIT = 1 << 28
_SEAL = 64  # the length of a seal: an HMAC-SHA256 in hex
_KEY_BYTES = 32
#: Bytes as they are, never through a link, never waiting on a pipe.
_READ = os.O_RDONLY | sum(getattr(os, f, 0) for f in ("O_BINARY", "O_NOFOLLOW", "O_NONBLOCK"))


def read_text(path: Path) -> str | None:
    """A text file's text; None when there is none or its seal does not hold."""
    payload = read_bytes(path)
    if payload is None:
        return None
    try:
        return payload.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return None


def write_text(path: Path, text: str) -> bool:
    """Cache a text, sealed; False when it cannot be written (the build goes on)."""
    return write_bytes(path, text.encode("utf-8", "surrogatepass"))


def read_bytes(path: Path) -> bytes | None:
    """A file's content (a PDF, say); None when there is none or its seal does not hold."""
    data = _read_whole(path)
    if data is None or data[_SEAL : _SEAL + 1] != b"\n":
        return None
    payload = data[_SEAL + 1 :]
    return payload if _holds(path.name, payload, data[:_SEAL]) else None


def write_bytes(path: Path, payload: bytes) -> bool:
    """Cache bytes, sealed; False when they cannot be written (the build goes on)."""
    seal = _seal(path.name, payload)
    return seal is not None and _write_whole(path, seal.encode("ascii") + b"\n" + payload)


def read_json(path: Path | None, form: int) -> dict[str, Any] | None:
    """A JSON file's members (its seal left out); None when there is none, its seal does
    not hold or its `format` is not `form`. The caller still checks their shape."""
    if path is None or (data := _read_whole(path)) is None:
        return None
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, dict) or not isinstance(seal := value.pop("seal", None), str):
        return None
    if not _holds(path.name, canonical(value).encode("ascii"), seal.encode("ascii", "replace")):
        return None
    return value if value.get("format") == form else None


def write_json(path: Path, form: int, members: dict[str, Any]) -> bool:
    """Cache a JSON object of these members and `format`, sealed; False when it cannot
    be written (the build goes on)."""
    value = {"format": form, **members}
    seal = _seal(path.name, canonical(value).encode("ascii"))
    return seal is not None and _write_whole(path, json.dumps({**value, "seal": seal}).encode())


def _seal(name: str, payload: bytes) -> str | None:
    """The seal of a file's content under its name; None without a key."""
    secret = key()
    if secret is None:
        return None
    signed = name.encode("utf-8", "surrogateescape") + b"\0" + payload
    return hmac.new(secret, signed, "sha256").hexdigest()


def _holds(name: str, payload: bytes, seal: bytes) -> bool:
    expected = _seal(name, payload)
    return expected is not None and hmac.compare_digest(expected.encode("ascii"), seal)


def _read_whole(path: Path, *, private: bool = False) -> bytes | None:
    """A regular file's bytes (no link, pipe or device is followed or waited on); None
    when it cannot be read or is bigger than LIMIT. `private`: None unless the file is
    this user's and no one else's to read or write (where the system says: not on
    Windows)."""
    try:
        fd = os.open(path, _READ)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or (private and not _private(info)):
            return None
        with open(fd, "rb", closefd=False) as file:
            data = file.read(LIMIT + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    return data if len(data) <= LIMIT else None


def _write_whole(path: Path, data: bytes) -> bool:
    """Write `data` to `path` (its folder made if need be) by renaming a finished file
    over it; False when it cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=PARTIAL) as out:
            out.write(data)
    except OSError:
        return False
    try:
        os.replace(out.name, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.remove(out.name)
        return False
    return True


@cache
def key() -> bytes | None:
    """This user's key for the seals (made when there is none); None when it cannot be
    made or read, or others may read or write it."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return _key_in(Path(base) / "sms-handbook")


def _key_in(folder: Path) -> bytes | None:
    """The key in `folder` (see :func:`key`)."""
    path = folder / "key"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not os.path.lexists(path):
            _make_key(path)
    except OSError:
        return None
    data = _read_whole(path, private=True)
    return data if data is not None and len(data) >= _KEY_BYTES else None


def _make_key(path: Path) -> None:
    """A new key at `path`, unless another build made one meanwhile (then that one)."""
    fd, temp = tempfile.mkstemp(dir=path.parent, suffix=PARTIAL)  # readable by its owner alone
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_bytes(_KEY_BYTES))
        try:
            os.link(temp, path)  # never over another key
        except FileExistsError:
            pass
        except OSError:  # no hard links here
            os.replace(temp, path)
    finally:
        with contextlib.suppress(OSError):
            os.remove(temp)


def _private(info: os.stat_result) -> bool:
    return os.name == "nt" or (info.st_uid == os.getuid() and not info.st_mode & 0o077)
