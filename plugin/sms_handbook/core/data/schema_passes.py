"""The data that passed its JSON Schema, cached between builds.

A value checked against the same schema by the same checker passes or fails the same
way every time. A build keeps the digests of the values that passed, in one file of
the cache folder (`cache_dir`), and a later build checks only the values it has not
seen pass: a handbook whose data did not change is built without loading jsonschema.
A value that fails is never kept, so its problems always come from a fresh check. The
digests are keyed by the schemas, the code that checks against them and jsonschema's
version, so a change to any of them checks everything anew. The file is read only when
its seal holds (see cache_files): a digest planted there makes no value pass.
`sms-handbook check` keeps nothing: it always checks everything.
"""

from __future__ import annotations

import hashlib
import json
from functools import cached_property
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from ..cache_files import read_json, write_json

#: The file's name in the cache folder.
FILE = "schema-passes.json"
_FORMAT = 2


class SchemaPasses:
    """The digests of the values known to pass their schema (see the module), for one
    validation."""

    def __init__(self, path: Path, salt: bytes) -> None:
        self.path = path
        self._salt = salt
        self._passed: set[str] = set()  # seen to pass by this validation

    @cached_property
    def _known(self) -> frozenset[str]:
        """What the file holds: nothing unless it is of the shape written."""
        data = read_json(self.path, _FORMAT)
        passes = data.get("passes") if data is not None else None
        if not isinstance(passes, list) or not all(isinstance(p, str) for p in passes):
            return frozenset()
        return frozenset(passes)

    def key(self, schema: str, instance: Any) -> str | None:
        """The digest of a value checked against a schema; None for a value that has no
        JSON form (it is always checked)."""
        try:
            text = json.dumps([schema, instance], ensure_ascii=False, separators=(",", ":"))
        except (TypeError, ValueError):
            return None
        digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), key=self._salt)
        return digest.hexdigest()

    def known(self, key: str) -> bool:
        """Whether the value passed in an earlier build (then it is kept for the next)."""
        if key in self._known:
            self._passed.add(key)
            return True
        return False

    def passed(self, key: str) -> None:
        self._passed.add(key)

    def save(self) -> None:
        """Keep this build's passes for the next, and no others; the file is rewritten
        only when that changes what it holds."""
        if self._passed != self._known:
            write_json(self.path, _FORMAT, {"passes": sorted(self._passed)})


def salt(schemas: list[bytes], checker_source: bytes) -> bytes:
    """The key of the digests: what, besides the value, decides whether it passes."""
    try:
        checker = version("jsonschema").encode()
    except PackageNotFoundError:
        checker = b"?"
    digest = hashlib.blake2b(checker, digest_size=32)
    for part in (checker_source, *schemas):
        digest.update(b"\0" + part)
    return digest.digest()
