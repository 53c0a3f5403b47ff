"""JSON as the exports write it: indented by two spaces, non-ASCII kept, a final newline."""

from __future__ import annotations

import json
from typing import Any


def indented(value: Any) -> str:
    """`value` (dicts with text keys, lists, text, numbers, booleans, None) as JSON."""
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"
