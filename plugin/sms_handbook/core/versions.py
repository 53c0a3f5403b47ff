"""Document versions as organizations write them, ordered the way people read them.

Accepted schemes: dotted numbers (`1.2`, `2.0.1`), letters (`A`, `B`, ... `AA`), and
either with a word before it (`Rev B`, `Issue 3`, `v2.1`). Versions compare only
within one scheme and prefix: `1.10` comes after `1.9`, `B` after `A`, `Rev C` after
`Rev B`; `2.0` and `Rev B` are not comparable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

#: What the messages say is accepted.
FORMS = '"1.2", "2.0.1", "A", "Rev B", "Issue 3" or "v2.1"'

_VERSION = re.compile(
    r"^(?:(?P<word>[A-Za-z]+)(?P<gap>\.?\s+|(?=\d)))?"
    r"(?:(?P<number>\d+(?:\.\d+)*)|(?P<letters>[A-Za-z]{1,2}))$"
)


@dataclass(frozen=True, order=True)
class Version:
    scheme: tuple[str, str]  # ("number" | "letters", the prefix word in lower case)
    key: tuple[int, ...]

    def comparable(self, other: Version) -> bool:
        return self.scheme == other.scheme


def parse(text: object) -> Version | None:
    """The version's place in its scheme; None when it fits no scheme."""
    return _parse(text) if isinstance(text, str) else None


@lru_cache(maxsize=4096)
def _parse(text: str) -> Version | None:
    match = _VERSION.match(text.strip())
    if match is None:
        return None
    word = (match["word"] or "").lower()
    if match["number"] is not None:
        return Version(("number", word), tuple(int(n) for n in match["number"].split(".")))
    if word and not match["gap"]:  # "RevB" reads as letters, not a word and a letter
        return None
    value = 0
    for letter in match["letters"].upper():
        value = value * 26 + ord(letter) - ord("A") + 1
    return Version(("letters", word), (value,))


def decreased(before: object, after: object) -> bool:
    """Whether `after` comes before `before` in their common scheme."""
    old, new = parse(before), parse(after)
    return (
        old is not None
        and new is not None
        and old.comparable(new)
        and _trimmed(new) < _trimmed(old)
    )


def _trimmed(version: Version) -> tuple[int, ...]:
    """`1.0` and `1` are the same version."""
    key = list(version.key)
    while len(key) > 1 and key[-1] == 0:
        key.pop()
    return tuple(key)
