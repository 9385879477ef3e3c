"""Dates as the user writes them on the command line."""

from __future__ import annotations

from datetime import date
from typing import Literal

from briefgen.core.errors import UsageError

# 'today' is arXiv's most recent announcement by the clock; 'latest' is the newest date the
# source has (for arXiv the two are the same; for a papers file, its newest date).
DateSpec = date | Literal["latest", "today"]


def parse_date_option(text: str | None) -> DateSpec:
    """'2026-02-17' -> that date; 'today'; 'latest'; None means 'latest'."""
    if text is None or text.strip().lower() == "latest":
        return "latest"
    value = text.strip().lower()
    if value == "today":
        return "today"
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
