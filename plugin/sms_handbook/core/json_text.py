"""JSON as the exports write it: indented by two spaces, non-ASCII kept, a final newline.

The same text as `json.dumps(value, indent=2, ensure_ascii=False) + "\\n"`, made
faster: with an indent, the standard library leaves its C encoder for one written in
Python (figures in benchmarks/RESULTS.md).
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring
from typing import Any

_CONSTANTS = {None: "null", True: "true", False: "false"}


def indented(value: Any) -> str:
    """`value` (dicts with text keys, lists, text, numbers, booleans, None) as JSON."""
    out: list[str] = []
    _write(value, "\n", out.append)
    out.append("\n")
    return "".join(out)


def _write(value: Any, newline: str, add: Any) -> None:
    if isinstance(value, str):
        add(encode_basestring(value))
    elif isinstance(value, dict) and all(type(k) is str for k in value):
        if not value:
            add("{}")
            return
        inner, opening = newline + "  ", "{"
        for key, item in value.items():
            add(f"{opening}{inner}{encode_basestring(key)}: ")
            _write(item, inner, add)
            opening = ","
        add(newline + "}")
    elif isinstance(value, list | tuple):
        if not value:
            add("[]")
            return
        inner, opening = newline + "  ", "["
        for item in value:
            add(opening + inner)
            _write(item, inner, add)
            opening = ","
        add(newline + "]")
    elif type(value) is int:
        add(int.__repr__(value))
    elif value is None or value is True or value is False:
        add(_CONSTANTS[value])
    else:  # floats, other keys, and the errors for what JSON cannot hold: as json does
        add(json.dumps(value, indent=2, ensure_ascii=False).replace("\n", newline))
