"""iCalendar text (RFC 5545), as much of it as a feed of all-day events needs: content
lines with escaped text values, folded at 75 octets, ended by CRLF.

Written here rather than by a library: the review feed is a few lines per document, and
importing a full iCalendar package was a noticeable share of every build's background
work (benchmarks/RESULTS.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timezone

#: A property: its name (with any parameters, e.g. "DTSTART;VALUE=DATE") and its value
#: as it is written (see :func:`text`, :func:`day`, :func:`utc`).
Property = tuple[str, str]

_LIMIT = 75  # octets a line may hold, its CRLF not counted


def text(value: str) -> str:
    """A TEXT value: backslash, semicolon, comma and line breaks escaped."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def day(value: date) -> str:
    """A DATE value."""
    return value.strftime("%Y%m%d")


def utc(value: datetime) -> str:
    """A DATE-TIME value in UTC (a naive time is taken to be UTC)."""
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc)
    return value.strftime("%Y%m%dT%H%M%SZ")


def calendar(properties: Sequence[Property], events: Iterable[Sequence[Property]]) -> bytes:
    """A VCALENDAR with its properties and one VEVENT per sequence of properties."""
    lines = ["BEGIN:VCALENDAR", *(f"{n}:{v}" for n, v in properties)]
    for event in events:
        lines += ["BEGIN:VEVENT", *(f"{n}:{v}" for n, v in event), "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return b"".join(_folded(line.encode("utf-8")) for line in lines)


def _folded(line: bytes) -> bytes:
    """A content line folded so that no line is longer than 75 octets (each line after
    the first begins with a space), never inside a UTF-8 character; CRLF at the end."""
    parts, limit = [], _LIMIT
    while len(line) > limit:
        cut = limit
        while line[cut] & 0xC0 == 0x80:  # a continuation byte: cut before its character
            cut -= 1
        parts.append(line[:cut])
        line, limit = line[cut:], _LIMIT - 1  # the space takes an octet
    parts.append(line)
    return b"\r\n ".join(parts) + b"\r\n"
