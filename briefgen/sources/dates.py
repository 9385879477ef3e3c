"""Dates as the user writes them on the command line."""

from __future__ import annotations

from datetime import date
from typing import Literal

from briefgen.errors import UsageError

DateSpec = date | Literal["latest"]


def parse_date_option(text: str | None, today: date | None = None) -> DateSpec:
    """'2026-02-17' -> that date; 'today'; 'latest' (the newest the source has); None: latest."""
    if text is None or text.strip().lower() == "latest":
        return "latest"
    value = text.strip().lower()
    if value == "today":
        return today or date.today()
    try:
        if len(value) != 10:
            raise ValueError("expected YYYY-MM-DD")
        return date.fromisoformat(value)
    except ValueError as exc:
        raise UsageError(
            f"invalid date {text!r}: {exc}; use YYYY-MM-DD (e.g. 2026-02-17), 'today' or 'latest'"
        ) from None


def weekday_name(day: date) -> str:
    return day.strftime("%A")
