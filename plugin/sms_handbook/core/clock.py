"""The handbook's "today": SOURCE_DATE_EPOCH when set (reproducible builds), else the clock."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo


def now(timezone: str, environ: Mapping[str, str] = os.environ) -> datetime:
    """The current time in the organization's timezone, to the second.

    Raises ValueError when SOURCE_DATE_EPOCH is set but is not a whole number of seconds.
    """
    zone = ZoneInfo(timezone)
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        if not epoch.isdigit():
            raise ValueError(f"SOURCE_DATE_EPOCH must be whole seconds since 1970, not {epoch!r}")
        return datetime.fromtimestamp(int(epoch), zone)
    return datetime.now(zone).replace(microsecond=0)


def today(timezone: str, environ: Mapping[str, str] = os.environ) -> date:
    """The current date in the organization's timezone."""
    return now(timezone, environ).date()
