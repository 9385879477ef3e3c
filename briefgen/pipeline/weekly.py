"""A roundup of a week or a date range from the stored analyses: only days never analysed are
fetched and analysed, then one brief is made from the best papers of the period."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from briefgen.core.errors import NoPapersError, UpstreamError
from briefgen.core.models import AnalysedPaper, Brief
from briefgen.core.periods import Period
from briefgen.core.settings import Settings
from briefgen.infra.store import Store
from briefgen.pipeline.brief import make_brief
from briefgen.pipeline.context import RunContext
from briefgen.pipeline.day import analyze_listing
from briefgen.pipeline.runs import RecordedRun
from briefgen.sources.calendar import EASTERN, ArxivCalendar
from briefgen.sources.gather import PaperRequest
from briefgen.sources.local import papers_file_name

logger = logging.getLogger(__name__)

THEME_CITATION_WEIGHT = 1.0  # a paper a daily brief chose as representative ranks higher


@dataclass
class WeeklyResult:
    period: Period
    brief: Brief
    failed: dict[str, str] = field(default_factory=dict)
    unfetched: list[date] = field(default_factory=list)  # days neither stored nor reachable


def listing_days(
    period: Period, request: PaperRequest, settings: Settings, now: datetime
) -> list[date]:
    """The days of `period` that can have papers: arXiv listing days already announced, or,
    for a papers file alone, every day (the file decides what it holds)."""
    sources = request.resolved_sources(settings)
    if sources == ["file"]:
        return period.days()
    calendar = ArxivCalendar(settings.sources.extra_holidays)
    latest = calendar.latest_listing(now)
    if "arxiv" not in sources:  # Hugging Face features papers every day
        return [day for day in period.days() if day <= latest]
    return [day for day in period.days() if calendar.is_listing(day) and day <= latest]


@dataclass
class _Collected:
    """The period's analysed papers (each once, at its best score) and the days they came from."""

    papers: dict[str, AnalysedPaper] = field(default_factory=dict)
    days: list[date] = field(default_factory=list)
    skipped: dict[date, str] = field(default_factory=dict)
    unfetched: list[date] = field(default_factory=list)  # neither stored nor reachable
    network_error: UpstreamError | None = None  # the first such day's
    failed: dict[str, str] = field(default_factory=dict)
    sources: dict[date, list[str]] = field(default_factory=dict)  # where each day came from

    def add(self, day: date, analysed: list[AnalysedPaper], failed: dict[str, str],
            sources: list[str]) -> None:  # fmt: skip
        self.days.append(day)
        self.sources[day] = sources
        self.failed.update(failed)
        for item in analysed:
            known = self.papers.get(item.paper_id)
            if known is None or item.scored.score > known.scored.score:
                self.papers[item.paper_id] = item


def _collect(period: Period, request: PaperRequest, ctx: RunContext) -> _Collected:
    now = request.now or datetime.now(tz=EASTERN)
    days = listing_days(period, request, ctx.settings, now)
    if not days:
        raise NoPapersError(f"no arXiv announcement between {period.start} and {period.end}")
    collected = _Collected()
    for day in days:
        failed = collected.network_error
        if failed is not None and not ctx.store.listed_sources(day.isoformat()):
            # The network failed once already: days the store lacks are not tried again.
            collected.unfetched.append(day)
            collected.skipped[day] = f"could not be fetched: {failed}"
            logger.warning(f"{day}: left out of the roundup, not stored and the network "
                           "failed for an earlier day")  # fmt: skip
            continue
        try:
            ranked, outcome = analyze_listing(replace(request, date=day, stored_first=True), ctx)
        except NoPapersError as exc:
            collected.skipped[day] = str(exc)
            logger.info(f"{day}: skipped ({exc})")
            continue
        except UpstreamError as exc:
            # A day the store lacks and the network cannot give: the roundup goes on with
            # the days it has, and says which it is missing.
            collected.network_error = collected.network_error or exc
            collected.unfetched.append(day)
            collected.skipped[day] = f"could not be fetched: {exc}"
            logger.warning(f"{day}: left out of the roundup, it could not be fetched ({exc})")
            continue
        collected.add(day, outcome.analyzed, outcome.failed, ranked.sources)
    by_source: dict[str, list[str]] = {}
    for day, sources in collected.sources.items():
        by_source.setdefault(", ".join(sources), []).append(f"{day:%a %Y-%m-%d}")
    logger.info("days by source: " + "; ".join(
        f"{', '.join(days)} from {source}" for source, days in by_source.items()))  # fmt: skip
    if not collected.papers and collected.network_error is not None:
        raise collected.network_error  # nothing stored, nothing fetched: the network's error
    if not collected.papers:
        raise NoPapersError(
            f"no papers for {period.title}: "
            + "; ".join(f"{day}: {why}" for day, why in collected.skipped.items())
        )
    return collected


def run_weekly(period: Period, request: PaperRequest, ctx: RunContext) -> WeeklyResult:
    """One roundup over a period, reusing every stored listing, full text and analysis: only
    days never analysed are fetched and analysed (with the same sources and profile)."""
    collected = _collect(period, request, ctx)
    settings = ctx.settings
    ranked = rank_roundup(list(collected.papers.values()), collected.days, settings, ctx.store)
    chosen = ranked[: settings.selection.weekly_max_papers]
    logger.info(
        f"{period.title}: {len(chosen)} of {len(collected.papers)} papers from "
        f"{len(collected.days)} day{'s' if len(collected.days) != 1 else ''} in the roundup"
    )
    params: dict[str, object] = {
        "period": period.label, "engine": ctx.engine.name, "profile": settings.profile
    }  # fmt: skip
    with RecordedRun(ctx, "weekly", params) as run:
        used = sorted({source for sources in collected.sources.values() for source in sources})
        brief = make_brief(ctx, chosen, label=period.label, kind=period.kind,
                           sources=used or sorted(_day_sources(request, settings)),
                           run=run)  # fmt: skip
        run.finish("done", len(chosen))
    return WeeklyResult(period=period, brief=brief, failed=collected.failed,
                        unfetched=collected.unfetched)  # fmt: skip


def _day_sources(request: PaperRequest, settings: Settings) -> list[str]:
    names = {"arxiv": "arXiv", "hf": "Hugging Face daily papers", "file": "file"}
    sources = request.resolved_sources(settings)
    described = [names[s] for s in sources if s != "file"]
    if "file" in sources and request.papers_path is not None:
        described.append(f"file {papers_file_name(request.papers_path)}")
    return described


def rank_roundup(
    papers: list[AnalysedPaper], days: list[date], settings: Settings, store: Store
) -> list[AnalysedPaper]:
    """By relevance score (keywords and upvotes), plus one point each time a stored daily
    brief named the paper in a theme; ties by id."""
    cited: Counter[str] = Counter()
    for day in days:
        daily = store.get_brief("daily", day.isoformat(), settings.profile)
        if daily is not None:
            cited.update(pid for theme in daily.themes for pid in theme.paper_ids)
    return sorted(
        papers,
        key=lambda p: (-(p.scored.score + THEME_CITATION_WEIGHT * cited[p.paper_id]), p.paper_id),
    )
