"""A day's papers from every requested source: the date resolved on arXiv's calendar, each
source asked (or its stored listing reused), the results merged and de-duplicated."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen.core.errors import NoPapersError, UpstreamError, UsageError
from briefgen.core.models import Paper
from briefgen.core.settings import Settings
from briefgen.infra.store import Store
from briefgen.sources import merge_papers
from briefgen.sources.calendar import EASTERN, ArxivCalendar
from briefgen.sources.dates import DateSpec, weekday_name
from briefgen.sources.local import (
    load_papers_file,
    papers_file_label,
    papers_file_name,
    primary_listing,
)
from briefgen.sources.remote import Remote

if TYPE_CHECKING:
    from briefgen.sources.arxiv_api import Listing

REMOTE_SOURCES = ("arxiv", "hf")
logger = logging.getLogger(__name__)


@dataclass
class PaperRequest:
    """Which papers: sources, a date, and the file for the file source."""

    papers_path: Path | None = None
    date: DateSpec = "latest"
    sources: list[str] = field(default_factory=list)  # empty: from --papers or the settings
    cross_lists: bool | None = None  # None: the settings decide
    now: datetime | None = None  # the clock, for 'today'/'latest' (tests pin it)
    # A roundup uses a day the store holds from any source (a papers file, say) before it asks
    # the configured remote sources; only a day never stored is fetched.
    stored_first: bool = False
    # A day that is analysed keeps a papers file's listing in the store, for later roundups;
    # ranking alone (`briefgen papers`) does not write it (a 100,000-paper file would cost
    # more to store than to rank).
    keep_listing: bool = False

    def resolved_sources(self, settings: Settings) -> list[str]:
        chosen = list(dict.fromkeys(self.sources)) or (
            ["file"] if self.papers_path else list(settings.sources.use)
        )
        if self.papers_path is not None and "file" not in chosen:
            chosen.append("file")  # --papers always means "read this file too"
        if "file" in chosen and self.papers_path is None:
            raise UsageError("--source file needs --papers FILE (a JSON or JSONL list of papers)")
        return chosen


@dataclass
class DayPapers:
    day: date
    papers: list[Paper]
    sources: list[str]  # human descriptions, for the brief's provenance
    skipped: Counter[str] = field(default_factory=Counter)
    remote: bool = False


def _fmt_day(day: date) -> str:
    return f"{day} ({weekday_name(day)})"


def resolve_day(
    wanted: DateSpec, sources: list[str], calendar: ArxivCalendar, now: datetime
) -> date | None:
    """The listing date to fetch; None when the papers file decides (its newest date)."""
    if wanted in ("latest", "today"):
        if wanted == "latest" and sources == ["file"]:
            return None
        return calendar.latest_listing(now)
    assert isinstance(wanted, date)
    if "arxiv" in sources:
        reason = calendar.why_no_listing(wanted)
        if reason:
            before, after = calendar.nearest_listings(wanted)
            raise NoPapersError(
                f"no arXiv announcement on {wanted}: {reason}; the nearest announcements are "
                f"{_fmt_day(before)} and {_fmt_day(after)}"
            )
        latest = calendar.latest_listing(now)
        if wanted > latest:
            upcoming = calendar.announcement(calendar.next_listing(latest))
            raise NoPapersError(
                f"arXiv has not announced the listing of {wanted} yet; the latest is "
                f"{_fmt_day(latest)}, the next goes out {upcoming.announced_at:%Y-%m-%d %H:%M} "
                "US/Eastern"
            )
    return wanted


class Gatherer:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        remote: Remote,
        *,
        use_cache: bool = True,
    ) -> None:
        self.settings = settings
        self.store = store
        self.remote = remote
        self.use_cache = use_cache
        self.calendar = ArxivCalendar(settings.sources.extra_holidays)

    def gather(self, request: PaperRequest) -> DayPapers:
        sources = request.resolved_sources(self.settings)
        now = request.now or datetime.now(tz=EASTERN)
        day = resolve_day(request.date, sources, self.calendar, now)
        batches: list[list[Paper]] = []
        described: list[str] = []
        skipped: Counter[str] = Counter()
        cross = self.settings.sources.cross_lists if request.cross_lists is None else (
            request.cross_lists
        )  # fmt: skip
        if "file" in sources:
            assert request.papers_path is not None
            day, papers = self._from_file(request.papers_path, day, cross, skipped)
            batches.append(papers)
            name = papers_file_name(request.papers_path)
            described.append(f"file {name}")
            if request.keep_listing:  # a roundup of this day then needs neither file nor arXiv
                self.store.save_listing("file", day.isoformat(), name, f"file {name}", papers)
        assert day is not None
        if request.stored_first and "file" not in sources:
            stored = self._stored(day, sources)
            if stored is not None:
                return stored
        latest = self.calendar.latest_listing(now)
        if "arxiv" in sources:
            listing = self._arxiv(day, latest, cross)
            batches.append(listing.papers)
            skipped.update(listing.skipped)
            described.append(f"{listing.via} ({', '.join(self._categories())})")
        if "hf" in sources:
            batches.append(self._hf(day, settled=day < latest))
            described.append("Hugging Face daily papers")
        papers = merge_papers(*batches)
        if not papers:
            raise NoPapersError(self._why_none(day, sources, latest, skipped))
        remote = any(source in REMOTE_SOURCES for source in sources)
        return DayPapers(day=day, papers=papers, sources=described, skipped=skipped, remote=remote)

    def _stored(self, day: date, sources: list[str]) -> DayPapers | None:
        """The day as the store holds it when none of `sources` holds it: the listing of
        another source (a papers file's, say), or None for a day never stored."""
        listed = self.store.listed_sources(day.isoformat())
        if not listed or any(source in sources for source, _, _ in listed):
            return None  # the configured source has it stored, or nothing does
        source, query, _ = listed[0]
        stored = self.store.get_listing(source, day.isoformat(), query)
        if stored is None:
            return None
        via, papers = stored  # stored as listed: by primary category already
        count = f"{len(papers)} paper{'s' if len(papers) != 1 else ''}"
        logger.info(f"{day}: {count} from the store ({via}); nothing fetched")
        return DayPapers(day=day, papers=papers, sources=[via], remote=False)

    # each source ----------------------------------------------------------------------------

    def _categories(self) -> list[str]:
        categories = self.settings.active_profile.categories
        if not categories:
            raise UsageError(
                "the arxiv source needs at least one category: pass -c cs.LG (repeatable) or "
                "set categories in your profile"
            )
        return categories

    def _from_file(
        self, path: Path, day: date | None, cross_lists: bool, skipped: Counter[str]
    ) -> tuple[date, list[Paper]]:
        # Papers without a date of their own are listed on the date asked for (--date).
        papers = load_papers_file(path, listing_date=day)
        label = papers_file_label(path)
        if not papers:
            raise NoPapersError(f"{label} contains no papers")
        dates = sorted({p.published for p in papers})
        chosen_day = dates[-1] if day is None else day
        chosen = [p for p in papers if p.published == chosen_day]
        if not chosen:
            hint = ""
            reason = self.calendar.why_no_listing(chosen_day)
            if reason:
                hint = f" ({reason})"
            have = ", ".join(d.isoformat() for d in dates[-5:])
            raise NoPapersError(
                f"no papers published on {chosen_day} in {label} (it has papers for {have}){hint}"
            )
        # By primary category, cross-lists only when asked: as the arxiv source takes them.
        listed, left_out = primary_listing(
            chosen, self.settings.active_profile.categories, cross_lists=cross_lists
        )
        skipped.update(left_out)
        left = "; ".join(f"{n} {why}" for why, n in left_out.items())
        logger.info(
            f"file {papers_file_name(path)}: {len(listed)} papers for {chosen_day}"
            + (f"; left out {left}" if left else "")
        )
        return chosen_day, listed

    def _arxiv(self, day: date, latest: date, cross_lists: bool) -> Listing:
        from briefgen.sources.arxiv_api import Listing, fetch_announcement

        categories = self._categories()
        query = f"{'+'.join(sorted(categories))}|cross={int(cross_lists)}"
        # A past listing never changes; today's may still be filling in, so it is asked again.
        if self.use_cache and day < latest:
            stored = self.store.get_listing("arxiv", day.isoformat(), query)
            if stored is not None:
                via, papers = stored
                logger.debug(f"arXiv listing of {day} reused from the store ({len(papers)} papers)")
                return Listing(day=day, papers=papers, via=via)
        listing = None
        if day == latest:
            listing = self._rss(day, categories, cross_lists)
        if listing is None:
            announcement = self.calendar.announcement(day)
            listing = fetch_announcement(
                self.remote.arxiv, announcement, categories, cross_lists=cross_lists
            )
            logger.debug(
                f"arXiv API: {len(listing.papers)} papers in {self.remote.arxiv.requests_made} "
                "requests"
            )
        left_out = "; ".join(f"{n} {why}" for why, n in listing.skipped.items())
        logger.info(
            f"{listing.via} ({', '.join(categories)}): {len(listing.papers)} papers for {day}"
            + (f"; left out {left_out}" if left_out else "")
        )
        # A listing whose paging was stopped is not kept as the day's: the next run asks again.
        if listing.papers and listing.complete:
            self.store.save_listing("arxiv", day.isoformat(), query, listing.via, listing.papers)
        return listing

    def _rss(self, day: date, categories: list[str], cross_lists: bool) -> Listing | None:
        from briefgen.sources.arxiv_api import fetch_rss

        try:
            listing = fetch_rss(
                self.remote.http,
                self.settings.sources.arxiv_rss_url,
                categories,
                pacer=self.remote.pacer,
                policy=self.remote.policy,
                cross_lists=cross_lists,
            )
        except UpstreamError as exc:
            logger.warning(f"{exc}; asking the arXiv API instead")
            return None
        if listing is None or listing.day != day:
            found = f"is for {listing.day}" if listing else "is empty"
            logger.debug(f"the arXiv RSS feed {found}, not {day}; asking the arXiv API")
            return None
        logger.debug(f"arXiv RSS: {len(listing.papers)} papers for {day}")
        return listing

    def _hf(self, day: date, settled: bool) -> list[Paper]:
        from briefgen.sources.hf import fetch_daily_papers

        query = "daily_papers"
        if self.use_cache and settled:
            stored = self.store.get_listing("hf", day.isoformat(), query)
            if stored is not None:
                logger.debug(f"Hugging Face papers of {day} reused from the store")
                return stored[1]
        result = fetch_daily_papers(
            self.remote.http, self.settings.sources.hf_api_url, day, policy=self.remote.policy
        )
        for reason, count in result.skipped.items():
            logger.warning(f"Hugging Face: skipped {count} {reason}")
        logger.debug(f"Hugging Face: {len(result.papers)} papers featured on {day}")
        if result.papers:
            self.store.save_listing("hf", day.isoformat(), query, "Hugging Face", result.papers)
        return result.papers

    def _why_none(self, day: date, sources: list[str], latest: date, skipped: Counter[str]) -> str:
        names = " and ".join(
            f"arxiv ({', '.join(self._categories())})" if s == "arxiv" else s for s in sources
        )
        message = f"no papers for {day} from {names}"
        if skipped:
            message += " (left out: " + "; ".join(f"{n} {why}" for why, n in skipped.items()) + ")"
        if "arxiv" in sources and day == latest:
            message += (
                "; the arXiv API can lag a fresh announcement by an hour or more: "
                "try again later, or pass the previous date"
            )
        return message
