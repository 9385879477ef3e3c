"""The arXiv announcement calendar: which listing dates exist and which submissions each covers.

A *listing date* D is the date a paper appears in arXiv's "new" listing and RSS feed; that is
what `--date D` means. Its announcement goes out at 20:00 US/Eastern the evening before (Sunday
evening for Monday's listing) and covers the submissions received between the previous
listing's 14:00 cut-off and this one's. No listing on Saturdays, Sundays or arXiv holidays; a
skipped listing's submissions roll into the next one. Times are computed in US/Eastern with
daylight saving (zoneinfo) and handed to the API in GMT. Pure functions: `now` is a parameter.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from importlib import resources
from zoneinfo import ZoneInfo

EASTERN = ZoneInfo("America/New_York")
CUTOFF = time(14, 0)  # submissions received by 14:00 ET make that evening's announcement
ANNOUNCED = time(20, 0)
SEARCH_LIMIT = 30  # no real gap between listings is longer than a couple of weeks


@lru_cache(maxsize=1)
def bundled_holidays() -> dict[date, str]:
    """The holiday list shipped in briefgen/data/arxiv_holidays.toml (listing dates)."""
    text = resources.files("briefgen").joinpath("data/arxiv_holidays.toml").read_text("utf-8")
    holidays: dict[date, str] = {}
    for year in tomllib.loads(text).values():
        for day, name in year.items():
            holidays[date.fromisoformat(day)] = str(name)
    return holidays


@dataclass(frozen=True)
class Announcement:
    """One listing: its date, when it was announced, and the submission window it covers."""

    listing: date
    announced_at: datetime  # US/Eastern
    window_start: datetime  # US/Eastern, inclusive
    window_end: datetime  # US/Eastern, exclusive

    def submitted_date_range(self) -> str:
        """The API's `submittedDate:[… TO …]` range, in GMT as the API expects."""
        start = self.window_start.astimezone(UTC).strftime("%Y%m%d%H%M")
        end = self.window_end.astimezone(UTC).strftime("%Y%m%d%H%M")
        return f"[{start} TO {end}]"

    def covers(self, moment: datetime) -> bool:
        return self.window_start <= moment < self.window_end


def _at(day: date, clock: time) -> datetime:
    # zoneinfo picks the right UTC offset for that date, so DST changes need no special case.
    return datetime.combine(day, clock, tzinfo=EASTERN)


def _previous_weekday(day: date) -> date:
    day -= timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


class ArxivCalendar:
    """Listing dates and their windows, for the bundled holidays plus any extra ones."""

    def __init__(self, extra_holidays: Mapping[date, str] | Iterable[date] = ()) -> None:
        self.holidays = dict(bundled_holidays())
        if isinstance(extra_holidays, Mapping):
            self.holidays.update(extra_holidays)
        else:
            self.holidays.update({day: "arXiv holiday" for day in extra_holidays})

    def why_no_listing(self, day: date) -> str | None:
        """None when arXiv lists papers on `day`; otherwise the reason, for a message."""
        if day.weekday() >= 5:
            return f"{day} is a {day.strftime('%A')}: arXiv announces nothing for weekends"
        if day in self.holidays:
            return f"{day} is an arXiv holiday ({self.holidays[day]}): there is no announcement"
        return None

    def is_listing(self, day: date) -> bool:
        return self.why_no_listing(day) is None

    def previous_listing(self, day: date) -> date:
        """The latest listing date strictly before `day`."""
        for _ in range(SEARCH_LIMIT):
            day -= timedelta(days=1)
            if self.is_listing(day):
                return day
        raise ValueError(f"no arXiv listing in the {SEARCH_LIMIT} days before {day}")

    def next_listing(self, day: date) -> date:
        """The earliest listing date strictly after `day`."""
        for _ in range(SEARCH_LIMIT):
            day += timedelta(days=1)
            if self.is_listing(day):
                return day
        raise ValueError(f"no arXiv listing in the {SEARCH_LIMIT} days after {day}")

    def nearest_listings(self, day: date) -> tuple[date, date]:
        return self.previous_listing(day), self.next_listing(day)

    def announcement(self, day: date) -> Announcement:
        """The announcement of listing date `day`; ValueError if there is none."""
        reason = self.why_no_listing(day)
        if reason:
            raise ValueError(reason)
        # A listing's cut-off is 14:00 on the weekday before it (Friday for Monday's); its
        # window opens at the previous *listing's* cut-off, so a holiday's share rolls forward.
        cutoff_day = _previous_weekday(day)
        opened_day = _previous_weekday(self.previous_listing(day))
        announced_day = day - timedelta(days=1)
        return Announcement(
            listing=day,
            announced_at=_at(announced_day, ANNOUNCED),
            window_start=_at(opened_day, CUTOFF),
            window_end=_at(cutoff_day, CUTOFF),
        )

    def latest_listing(self, now: datetime) -> date:
        """The newest listing already announced at `now` (what 'today' and 'latest' mean)."""
        day = now.astimezone(EASTERN).date() + timedelta(days=1)
        for _ in range(SEARCH_LIMIT):
            if self.is_listing(day) and self.announcement(day).announced_at <= now:
                return day
            day -= timedelta(days=1)
        raise ValueError(f"no arXiv listing in the {SEARCH_LIMIT} days before {now:%Y-%m-%d}")

    def listing_for_submission(self, moment: datetime) -> date:
        """The listing date on which a paper submitted at `moment` is announced."""
        day = moment.astimezone(EASTERN).date()
        for _ in range(SEARCH_LIMIT):
            if self.is_listing(day) and self.announcement(day).covers(moment):
                return day
            day += timedelta(days=1)
        raise ValueError(f"no arXiv listing covers {moment.isoformat()}")
