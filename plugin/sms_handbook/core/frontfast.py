"""Historic front matter, read fast: the `document:` mapping of thousands of past versions.

Nearly all front matter is flat `key: value` lines. When every line is that simple
(plain words, dates, quoted text on one line, lists of quoted text), it is read
here without YAML; anything else returns None and the caller uses YAML. Both give the
same values (tests/test_properties.py checks it), with dates kept as text.
"""

from __future__ import annotations

import re
from typing import Any

_KEY = r"([A-Za-z_][A-Za-z0-9_-]*)"
# Double-quoted without escapes, single-quoted without '', a plain word that YAML
# reads as text (starts with a letter; no `:`, `#` or flow characters), a date, or a
# flow list of double-quoted items.
_VALUE = (
    r'(?:"([^"\\\n]*)"|\'([^\'\n]*)\'|([A-Za-z][A-Za-z0-9 ._/@+-]*?)|(\d{4}-\d{2}-\d{2})'
    r'|\[((?:[ ]*"[^"\\\n]*"[ ]*,)*(?:[ ]*"[^"\\\n]*"[ ]*)?)\])'
)
_TOP = re.compile(rf"{_KEY}:(?:[ ]+{_VALUE})?[ ]*")
_INNER = re.compile(rf"  {_KEY}:[ ]+{_VALUE}[ ]*")
_ITEM = re.compile(r'"([^"\\\n]*)"')
#: Anything but printable characters on lines split by "\n" (YAML also breaks lines at
#: \r, \x85, \u2028 and \u2029, and refuses control characters): YAML decides.
_AWKWARD = re.compile("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
#: Plain words YAML 1.1 reads as booleans or null (any case, to be safe).
_NOT_TEXT = {"yes", "no", "true", "false", "on", "off", "null"}


def document_fields(front_matter: str) -> dict[str, Any] | None:
    """The `document:` fields of simple front matter; None when YAML must read it."""
    if _AWKWARD.search(front_matter):
        return None
    fields: dict[str, Any] = {}
    block: str | None = None  # the top-level key whose indented lines follow
    for line in front_matter.split("\n"):
        if not line:
            continue
        if line.startswith(" "):
            match = _INNER.fullmatch(line)
            if match is None or block is None:
                return None
            value = _value(match)
            if value is None or match.group(1).lower() in _NOT_TEXT:
                return None
            if block == "document":
                fields[match.group(1)] = value
            continue
        match = _TOP.fullmatch(line)
        if match is None:
            return None
        has_value = any(match.group(n) is not None for n in range(2, 7))
        if has_value and _value(match) is None:
            return None
        block = None if has_value else match.group(1)
        if match.group(1) == "document":
            if has_value:
                return None  # `document:` with a scalar: not a mapping; YAML decides
            fields = {}  # given twice: the last one counts, as in YAML
    return fields


def _value(match: re.Match[str]) -> str | list[str] | None:
    double, single, plain, day, items = match.group(2, 3, 4, 5, 6)
    if plain is not None:
        return None if plain.lower() in _NOT_TEXT else plain
    if items is not None:
        return _ITEM.findall(items)
    return next(v for v in (double, single, day) if v is not None)
