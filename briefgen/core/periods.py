"""Roundup periods: an ISO 8601 week (2026-W08) or an inclusive date range."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from briefgen.core.errors import UsageError

WEEK = re.compile(r"^(\d{4})-?W(\d{2})$", re.IGNORECASE)
MAX_DAYS = 31  # a roundup longer than a month is a different product


@dataclass(frozen=True)
class Period:
    label: str  # what the brief's date heading says: "2026-W08" or "2026-02-17 to 2026-02-18"
    start: date
    end: date

    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    @property
    def kind(self) -> Literal["weekly", "range"]:
        return "weekly" if WEEK.match(self.label) else "range"

    @property
    def title(self) -> str:
        return f"Week {self.label}" if WEEK.match(self.label) else self.label


def parse_week(text: str) -> Period:
    match = WEEK.match(text.strip())
    if not match:
        raise UsageError(f"invalid week {text!r}: use ISO 8601, e.g. 2026-W08")
    year, week = int(match.group(1)), int(match.group(2))
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError as exc:
        raise UsageError(f"invalid week {text!r}: {exc}") from None
    return Period(label=f"{year}-W{week:02d}", start=monday, end=monday + timedelta(days=6))


def parse_range(start: str, end: str) -> Period:
    try:
        first, last = date.fromisoformat(start.strip()), date.fromisoformat(end.strip())
    except ValueError as exc:
        raise UsageError(f"invalid date in --from/--to: {exc}; use YYYY-MM-DD") from None
    if last < first:
        raise UsageError(f"--to {last} is before --from {first}")
    if (last - first).days >= MAX_DAYS:
        raise UsageError(f"a roundup covers at most {MAX_DAYS} days; {first} to {last} is longer")
    label = first.isoformat() if first == last else f"{first} to {last}"
    return Period(label=label, start=first, end=last)
