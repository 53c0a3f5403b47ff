"""management-reviews.yml: people, minutes and actions resolved, each topic once; a
review planned after today gives no inputs yet (a warning)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from ...model import Location
from ...problems import did_you_mean, excerpt
from ..yamlio import LineMap
from .checker import Checker, Known, check_people_at, date_of, records_at, unique
from .improvement import check_action_ids


def check_reviews(
    check: Checker,
    entries: list[LineMap],
    path: str,
    known: Known,
    actions: Collection[str],
    today: date | None,
) -> None:
    seen: dict[str, Location] = {}
    for entry in entries:
        unique(check, entry, path, seen, "management review")
        check_people_at(check, entry, ("chair", "attendees"), path, known.people)
        check_action_ids(check, entry, path, actions)
        minutes = entry.get("minutes")
        if isinstance(minutes, str) and minutes not in known.documents:
            check.error(
                Location(path, entry.value_line("minutes")), "unknown-document",
                f"minutes {excerpt(minutes)} is not a document in the registers or front "
                f"matter{did_you_mean(minutes, known.documents)}",
            )  # fmt: skip
        held = date_of(entry.get("date"))
        topics: dict[str, int] = {}
        for item in records_at(entry, "inputs"):
            topic = item.get("topic")
            if isinstance(topic, str) and topic in topics:
                check.error(
                    Location(path, item.value_line("topic")), "duplicate-id",
                    f"topic {excerpt(topic)} is given twice (first at line {topics[topic]})",
                )  # fmt: skip
            elif isinstance(topic, str):
                topics[topic] = item.value_line("topic")
        if held is not None and today is not None and held > today and topics:
            check.warning(
                Location(path, entry.value_line("date")), "review-not-held",
                f"{excerpt(entry.get('id'))} is planned for {held.isoformat()}, after today, "
                "and already gives its inputs",
            )  # fmt: skip
