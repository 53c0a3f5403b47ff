"""Record series (Annex D): grouped by how long they are kept, for the retention and
disposal schedule."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .register import Entry

_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}
_RETENTION = re.compile(r"^(\d+) (day|week|month|year)s?\b")


def retention_days(retention: str | None) -> float:
    """How long a retention keeps records, roughly, to order the schedule (permanent and
    unknown ones last)."""
    match = _RETENTION.match(retention or "")
    if match is None:
        return float("inf")
    return int(match.group(1)) * _DAYS[match.group(2)]


def by_retention(entries: Iterable[Entry]) -> list[tuple[str, list[Entry]]]:
    """Record series grouped by their retention, shortest first; each group by id."""
    groups: dict[str, list[Entry]] = {}
    for entry in entries:
        if entry.doc.is_record:
            groups.setdefault(entry.doc.retention or "", []).append(entry)
    order = sorted(groups, key=lambda r: (retention_days(r) if r else float("inf"), r == "", r))
    return [(retention, sorted(groups[retention], key=lambda e: e.doc.id)) for retention in order]
