"""Dates as the user writes them on the command line."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from briefgen.core.errors import UsageError

# 'today' is arXiv's most recent announcement by the clock; 'latest' is the newest date the
# source has (for arXiv the two are the same; for a papers file, its newest date).
DateSpec = date | Literal["latest", "today"]
ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def parse_date_option(text: str | None) -> DateSpec:
    """'2026-02-17' -> that date; 'today'; 'latest'; None means 'latest'."""
    if text is None or text.strip().lower() == "latest":
        return "latest"
    value = text.strip().lower()
    if value == "today":
        return "today"
    usage = "use YYYY-MM-DD (e.g. 2026-02-17), 'today' or 'latest'"
    if not ISO_DATE.match(value):
        raise UsageError(f"invalid date {text!r}: {usage}")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:  # the shape is right, the day is not (2026-02-30)
        raise UsageError(f"invalid date {text!r}: {exc}; {usage}") from None


def weekday_name(day: date) -> str:
    return day.strftime("%A")
