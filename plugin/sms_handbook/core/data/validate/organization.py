"""organization.yml: the timezone, the SMS manager, forge usernames; today there."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ... import clock
from ...model import Location
from ...people import FORGES
from ...problems import did_you_mean, excerpt
from ..yamlio import LineMap
from .checker import Checker


def check_organization(check: Checker, org: LineMap, people: LineMap, path: str) -> None:
    if isinstance(org.get("timezone"), str):
        _check_timezone(check, org, path)
    _check_people(check, org, people, path)


def today(org: LineMap) -> date | None:
    """Today in the organization's timezone (None when it cannot be told: the timezone
    or SOURCE_DATE_EPOCH is reported elsewhere)."""
    zone = org.get("timezone", "UTC")
    try:
        return clock.today(zone if isinstance(zone, str) else "UTC")
    except (ValueError, ZoneInfoNotFoundError):
        return None


def _check_people(check: Checker, org: LineMap, people: LineMap, path: str) -> None:
    """The SMS manager is a person; no two people share a forge username."""
    manager = org.get("sms_manager")
    if isinstance(manager, str) and manager not in people:
        check.error(
            Location(path, org.value_line("sms_manager")),
            "unknown-person",
            f"sms_manager '{excerpt(manager)}' is not a key under people"
            f"{did_you_mean(manager, people)}",
        )
    for forge in FORGES:
        seen: dict[str, str] = {}
        for key, person in people.items():
            name = person.get(forge) if isinstance(person, LineMap) else None
            if not isinstance(name, str):
                continue
            name = name.lstrip("@").lower()
            if name in seen:
                check.error(
                    Location(path, person.value_line(forge)),
                    "duplicate-username",
                    f"{forge} username '{excerpt(name)}' is given for both {seen[name]} and {key}",
                )
            seen[name] = key


def _check_timezone(check: Checker, org: LineMap, path: str) -> None:
    name = org["timezone"]
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        from zoneinfo import available_timezones

        hint = did_you_mean(name, available_timezones())
        check.error(
            Location(path, org.value_line("timezone")),
            "invalid-timezone",
            f"timezone '{excerpt(name)}' is not an IANA zone name{hint}; e.g. Europe/London or UTC",
        )
