"""How a time reads for people: to the minute, in UTC, as every page and message says it."""

from datetime import UTC, datetime


def utc_minutes(value: datetime | None) -> str:
    """2026-01-02 03:04 UTC; a dash for no time."""
    return "—" if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
