"""Wires the stages for a daily brief: sources -> select -> read -> analyze -> synthesize.

No I/O of its own: sources fetch, the store keeps results, the reporter shows progress.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TypeVar, cast

from briefgen.analyze.batch import BatchAnalyzer, BatchProvider
from briefgen.analyze.papers import AnalysisOutcome, analyze_papers
from briefgen.core.calls import CallRecord, Usage
from briefgen.core.errors import (
    AnalysisError,
    BriefgenError,
    ConfigError,
    NoPapersError,
    UpstreamError,
    UsageError,
)
from briefgen.core.models import AnalysedPaper, Brief, Paper, PaperText, Provenance
from briefgen.core.periods import Period
from briefgen.core.settings import Settings
from briefgen.engines.base import Engine
from briefgen.engines.model_engine import ModelEngine
from briefgen.infra.console import Reporter
from briefgen.infra.store import Store
from briefgen.pipeline.estimate import Estimate, estimate_run
from briefgen.read.abstract import abstract_text
from briefgen.read.fulltext import FullTextReader
from briefgen.render.markdown import OFFLINE_NOTES
from briefgen.select import Selection, select_papers
from briefgen.sources.calendar import EASTERN, ArxivCalendar
from briefgen.sources.gather import Gatherer, PaperRequest
from briefgen.sources.remote import Remote
from briefgen.synthesize.brief import build_brief, glance_rows
from briefgen.translate.localize import analysis_texts, apply_analysis_texts, glance_texts
from briefgen.translate.translator import BriefTranslator, translate_brief


@dataclass
class RankedDay:
    day: date
    selection: Selection
    sources: list[str]
    remote: bool = False


@dataclass
class DailyResult:
    day: date
    brief: Brief
    selection: Selection
    failed: dict[str, str] = field(default_factory=dict)
    from_cache: int = 0
    read_from_html: int = 0


def rank_day(
    request: PaperRequest,
    settings: Settings,
    store: Store,
    remote: Remote,
    reporter: Reporter,
    *,
    use_cache: bool = True,
) -> RankedDay:
    gatherer = Gatherer(
        settings, store, remote, use_cache=use_cache,
        log=reporter.debug, info=reporter.info, warn=reporter.warning,
    )  # fmt: skip
    gathered = gatherer.gather(request)
    selection = select_papers(gathered.papers, settings.active_profile)
    if not selection.selected:
        raise NoPapersError(
            f"nothing to brief for {gathered.day}: {selection.why_empty()}; "
            "loosen the profile (--category, --keyword, --exclude) or lower min_score"
        )
    return RankedDay(
        day=gathered.day, selection=selection, sources=gathered.sources, remote=gathered.remote
    )


def read_papers(
    papers: list[Paper],
    store: Store,
    remote: Remote,
    reporter: Reporter,
    *,
    fulltext: bool,
    use_cache: bool = True,
) -> dict[str, PaperText]:
    """What the analysis reads: arXiv HTML full text when asked and available, else abstracts."""
    if not fulltext:
        return {p.id: abstract_text(p) for p in papers}
    reader = remote.fulltext_reader(store)
    with reporter.progress("reading full texts", len(papers)) as advance:
        texts = reader.read_all(papers, use_cache=use_cache, advance=advance)
    report_texts(texts, reader.fetched, reporter)
    return texts


class TextStream:
    """Full texts as they arrive, remembered for the report afterwards."""

    def __init__(self, reader: FullTextReader, papers: list[Paper], use_cache: bool) -> None:
        self.reader = reader
        self.papers = papers
        self.use_cache = use_cache
        self.texts: dict[str, PaperText] = {}

    def __iter__(self) -> Iterator[tuple[str, PaperText]]:
        for paper_id, text in self.reader.iter_texts(self.papers, use_cache=self.use_cache):
            self.texts[paper_id] = text
            yield paper_id, text


def report_texts(texts: dict[str, PaperText], fetched: int, reporter: Reporter) -> None:
    missing = {pid: t.note for pid, t in texts.items() if t.read_from == "abstract"}
    reporter.info(
        f"full text: {len(texts) - len(missing)} of {len(texts)} papers from arXiv HTML "
        f"({fetched} fetched, the rest from the store)"
    )
    for paper_id, why in missing.items():
        reporter.debug(f"  {paper_id}: read from the abstract: {why}")
    failures = [why for why in missing.values() if why and "404" not in why]
    if failures:
        reporter.warning(f"{len(failures)} full texts could not be fetched: {failures[0]}")


@dataclass
class Spend:
    """What this run's model calls cost; summed as their records arrive."""

    calls: int = 0
    failed_calls: int = 0
    usage: Usage = field(default_factory=Usage)
    cost_usd: float = 0.0
    unpriced: set[str] = field(default_factory=set)
    models: set[str] = field(default_factory=set)

    def add(self, records: list[CallRecord], settings: Settings) -> None:
        for record in records:
            self.calls += 1
            self.failed_calls += 0 if record.ok else 1
            self.usage = self.usage + record.usage
            self.cost_usd += record.cost_usd
            self.models.add(record.model)
            if record.ok and settings.price_of(record.model) is None:
                self.unpriced.add(record.model)

    def summary(self, engine: Engine) -> str:
        u = self.usage
        models = ", ".join(sorted(self.models)) or engine.model
        text = (
            f"{engine.name} {models}: {self.calls} calls"
            + (f" ({self.failed_calls} failed)" if self.failed_calls else "")
            + f"; tokens in {u.input_tokens:,} + cache read {u.cache_read_tokens:,} + cache "
            f"write {u.cache_write_tokens:,}, out {u.output_tokens:,}; cost ${self.cost_usd:.4f}"
        )
        if self.unpriced:
            text += (
                f" (no price known for {', '.join(sorted(self.unpriced))}: add "
                '[prices."MODEL"] to the config)'
            )
        return text


class RecordedRun:
    """One row of the runs table and the model calls made under it. Used as a context
    manager: whatever stops the run (a failure, Ctrl-C) is recorded as it ends, and the
    spend is summarised on stderr either way."""

    def __init__(
        self,
        store: Store,
        command: str,
        params: dict[str, object],
        settings: Settings,
        engine: Engine,
        reporter: Reporter,
    ) -> None:
        self.store = store
        self.settings = settings
        self.engine = engine
        self.reporter = reporter
        self.spend = Spend()
        self.run_id = store.start_run(command, params)
        self.status = ("done", 0, "")

    def record(self, calls: list[CallRecord]) -> None:
        self.store.record_calls(self.run_id, calls)
        self.spend.add(calls, self.settings)

    def finish(self, status: str, paper_count: int, message: str = "") -> None:
        """How the run ended, written when the block exits without an error."""
        self.status = (status, paper_count, message)

    def __enter__(self) -> RecordedRun:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: object) -> None:  # fmt: skip
        if exc is not None:
            status = "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
            self.store.finish_run(self.run_id, status, message=str(exc))
        else:
            status, count, message = self.status
            self.store.finish_run(self.run_id, status, paper_count=count, message=message)
        if self.spend.calls:
            self.reporter.info(self.spend.summary(self.engine))


@dataclass
class DayAnalyses:
    ranked: RankedDay
    outcome: AnalysisOutcome
    spend: Spend
    record: Callable[[list[CallRecord]], None] = lambda calls: None  # store + sum model calls


R = TypeVar("R")


def run_day(
    command: str,
    request: PaperRequest,
    settings: Settings,
    store: Store,
    engine: Engine,
    reporter: Reporter,
    remote: Remote,
    finish: Callable[[DayAnalyses], R],
    *,
    use_cache: bool = True,
    fulltext: bool | None = None,
    max_cost: float | None = None,
    synthesis: bool = True,
    batch: bool = False,
) -> R:
    """Rank, read and analyse a day, then `finish` it (a brief, a report); the run, its calls
    and how it ended are recorded in the store whatever happens.

    fulltext: None reads HTML for papers from arXiv/HF and abstracts for a papers file.
    """
    ranked = rank_day(request, settings, store, remote, reporter, use_cache=use_cache)
    selected = ranked.selection.selected
    reporter.info(
        f"{ranked.day}: {len(selected)} of {ranked.selection.considered} papers selected "
        f"for profile '{settings.profile}'"
    )
    for reason, count in ranked.selection.dropped.items():
        reporter.debug(f"  not selected: {count} {reason}")
    params: dict[str, object] = {
        "date": ranked.day, "sources": ranked.sources, "engine": engine.name,
        "model": engine.model, "profile": settings.profile,
    }  # fmt: skip
    # Whatever stops the run (a failure, Ctrl-C) is recorded; finished analyses stay stored.
    with RecordedRun(store, command, params, settings, engine, reporter) as run:
        read_html = ranked.remote if fulltext is None else fulltext
        store.save_papers([s.paper for s in selected])
        texts: dict[str, PaperText] | Iterable[tuple[str, PaperText]]
        if read_html and max_cost is None:
            # Analyses start as each full text arrives instead of after the last download.
            reading = TextStream(remote.fulltext_reader(store), [s.paper for s in selected],
                                 use_cache)  # fmt: skip
            texts = reading
        else:
            reading = None
            texts = read_papers(
                [s.paper for s in selected], store, remote, reporter,
                fulltext=read_html, use_cache=use_cache,
            )  # fmt: skip
        if max_cost is not None and isinstance(texts, dict):
            check_cost(
                estimate_run(selected, texts, engine, store, settings, use_cache=use_cache,
                             synthesis=synthesis), max_cost, reporter, batch=batch,
            )  # fmt: skip
        runner = _batch_runner(engine, store, settings, reporter) if batch else None
        with reporter.progress("analysing papers", len(selected)) as advance:
            outcome = analyze_papers(
                selected, texts, engine, store, use_cache=use_cache,
                concurrency=settings.concurrency, advance=advance, on_calls=run.record,
                batch=runner,
            )  # fmt: skip
        if reading is not None:
            report_texts(reading.texts, reading.reader.fetched, reporter)
        if outcome.from_cache:
            reporter.info(f"{outcome.from_cache} analyses reused from the store")
        if not outcome.analysed:
            raise _all_failed(outcome)
        for line in grouped_failures(outcome.failed):
            reporter.warning(f"failed: {line}")
        result = finish(
            DayAnalyses(ranked=ranked, outcome=outcome, spend=run.spend, record=run.record)
        )
        run.record(engine.drain_calls())  # the synthesis and translation calls, if any
        run.finish(
            "partial" if outcome.failed else "done",
            len(outcome.analysed),
            "; ".join(outcome.failed),
        )
    return result


def _batch_runner(
    engine: Engine, store: Store, settings: Settings, reporter: Reporter
) -> BatchAnalyzer:
    provider = getattr(engine, "provider", None)
    if not isinstance(engine, ModelEngine) or not hasattr(provider, "batch_submit"):
        raise UsageError("--batch needs --provider anthropic (Anthropic Message Batches)")
    return BatchAnalyzer(
        engine, cast(BatchProvider, provider), store,
        poll_seconds=settings.batch_poll_seconds, info=reporter.info,
    )  # fmt: skip


def check_cost(
    estimate: Estimate, max_cost: float, reporter: Reporter, *, batch: bool = False
) -> None:
    """Stop before spending when the estimate is above the user's limit."""
    cost = estimate.total(batch=batch)
    if cost > max_cost:
        raise ConfigError(
            f"the estimated cost ${cost:.4f} is above --max-cost ${max_cost:.4f} (with --batch "
            f"${estimate.total(batch=True):.4f}); nothing was spent: lower --max-papers, use "
            "--batch, or raise the limit (see --dry-run)"
        )
    if estimate.unpriced:
        reporter.warning(
            f"--max-cost cannot price {', '.join(estimate.unpriced)}: their calls count as $0"
        )
    reporter.info(f"estimated cost ${cost:.4f}, within --max-cost ${max_cost:.4f}")


def preview_day(
    request: PaperRequest,
    settings: Settings,
    store: Store,
    engine: Engine,
    reporter: Reporter,
    remote: Remote,
    *,
    use_cache: bool = True,
    fulltext: bool | None = None,
    synthesis: bool = True,
) -> tuple[RankedDay, Estimate]:
    """What a run would analyse and what it would cost; no model is called, no run recorded."""
    ranked = rank_day(request, settings, store, remote, reporter, use_cache=use_cache)
    selected = ranked.selection.selected
    read_html = ranked.remote if fulltext is None else fulltext
    texts = read_papers(
        [s.paper for s in selected], store, remote, reporter, fulltext=read_html,
        use_cache=use_cache,
    )  # fmt: skip
    estimate = estimate_run(
        selected, texts, engine, store, settings, use_cache=use_cache, synthesis=synthesis
    )
    return ranked, estimate


def grouped_failures(failed: dict[str, str]) -> list[str]:
    """One line per distinct reason: a service that is down fails every paper the same way."""
    by_reason: dict[str, list[str]] = {}
    for paper_id, why in failed.items():
        by_reason.setdefault(why, []).append(paper_id)
    return [
        f"{ids[0]}: {why}" if len(ids) == 1 else f"{len(ids)} papers ({ids[0]}, …): {why}"
        for why, ids in by_reason.items()
    ]


def _all_failed(outcome: AnalysisOutcome) -> BriefgenError:
    reasons = "; ".join(grouped_failures(outcome.failed))
    if outcome.errors and all(isinstance(e, UpstreamError) for e in outcome.errors.values()):
        return UpstreamError(f"every selected paper failed: {reasons}")
    return AnalysisError(f"every selected paper failed to analyse: {reasons}")


def run_daily(
    request: PaperRequest,
    settings: Settings,
    store: Store,
    engine: Engine,
    reporter: Reporter,
    remote: Remote,
    *,
    use_cache: bool = True,
    fulltext: bool | None = None,
    max_cost: float | None = None,
    batch: bool = False,
) -> DailyResult:
    def finish(day: DayAnalyses) -> DailyResult:
        return _brief_for_day(day, settings, store, engine, reporter, use_cache)

    return run_day(
        "daily", request, settings, store, engine, reporter, remote, finish,
        use_cache=use_cache, fulltext=fulltext, max_cost=max_cost, batch=batch,
    )  # fmt: skip


def _chinese_translator(
    settings: Settings, store: Store, engine: Engine, reporter: Reporter, use_cache: bool
) -> BriefTranslator | None:
    """A translator when Chinese is asked for and a model can write it (the offline engine
    writes no Chinese prose: its Chinese output has Chinese headings only)."""
    if settings.lang not in ("zh", "both") or not isinstance(engine, ModelEngine):
        return None
    model = settings.model_for("translation")
    return BriefTranslator(
        engine, store=store, use_cache=use_cache, prompts_dir=settings.prompts_dir,
        warn=reporter.warning, model=model, price=settings.price_of(model),
        max_tokens=settings.translation_max_tokens, chunk_tokens=settings.translation_chunk_tokens,
        concurrency=settings.concurrency,
    )  # fmt: skip


@dataclass
class AnalyzeResult:
    day: DayAnalyses
    chinese: list[AnalysedPaper] | None = None  # the analyses with Chinese texts, if asked


def run_analyze(
    request: PaperRequest,
    settings: Settings,
    store: Store,
    engine: Engine,
    reporter: Reporter,
    remote: Remote,
    *,
    use_cache: bool = True,
    fulltext: bool | None = None,
    max_cost: float | None = None,
    batch: bool = False,
) -> AnalyzeResult:
    def finish(day: DayAnalyses) -> AnalyzeResult:
        result = AnalyzeResult(day=day)
        translator = _chinese_translator(settings, store, engine, reporter, use_cache)
        if translator is not None:
            texts = translator.translate(analysis_texts(day.outcome.analysed))
            result.chinese = apply_analysis_texts(day.outcome.analysed, texts)
        return result

    return run_day(
        "analyze", request, settings, store, engine, reporter, remote, finish,
        use_cache=use_cache, fulltext=fulltext, max_cost=max_cost, synthesis=False,
        batch=batch,
    )  # fmt: skip


def _offline_note(analysed: list[AnalysedPaper]) -> str:
    read = "html" if any(a.analysis.read_from == "html" for a in analysed) else "abstract"
    return OFFLINE_NOTES[read][0]


def _brief_for_day(
    day: DayAnalyses,
    settings: Settings,
    store: Store,
    engine: Engine,
    reporter: Reporter,
    use_cache: bool,
    period: Period | None = None,
) -> DailyResult:
    """The brief of a day, or of a roundup `period` (kind "weekly", the period's label)."""
    ranked, outcome = day.ranked, day.outcome
    label = period.label if period is not None else ranked.day.isoformat()
    offline = engine.name == "offline"
    synthesis_model = getattr(engine, "synthesis_model", engine.model)
    provenance = Provenance(
        sources=ranked.sources,
        paper_count=len(outcome.analysed),
        engine=engine.name,
        models=[] if offline else list(dict.fromkeys([engine.model, synthesis_model])),
        prompt_versions={"analysis": engine.analysis_version}
        if offline
        else {"analysis": engine.analysis_version, "synthesis": engine.synthesis_version},
        profile=settings.profile,
        note=_offline_note(outcome.analysed) if offline else "",
    )
    translator = _chinese_translator(settings, store, engine, reporter, use_cache)
    # The glance table comes straight from the analyses: its Chinese is written while the
    # synthesis is, so the Chinese brief costs little more than the rest of its texts.
    ahead = translator.start(glance_texts(glance_rows(outcome.analysed))) if translator else None
    brief = build_brief(
        label, outcome.analysed, engine, provenance,
        store=store, use_cache=use_cache, warn=reporter.warning,
    )  # fmt: skip
    if translator is not None and ahead is not None:
        brief = translate_brief(brief, translator, ahead())
        brief.provenance.prompt_versions["translation"] = translator.version
        if translator.model not in brief.provenance.models:
            brief.provenance.models.append(translator.model)
    day.record(engine.drain_calls())
    spent = day.spend.usage
    brief.provenance.input_tokens = (
        spent.input_tokens + spent.cache_read_tokens + (spent.cache_write_tokens)
    )
    brief.provenance.output_tokens = spent.output_tokens
    brief.provenance.cost_usd = round(day.spend.cost_usd, 6)
    store.save_brief("daily" if period is None else "weekly", brief.date, settings.profile, brief)
    return DailyResult(
        day=ranked.day,
        brief=brief,
        selection=ranked.selection,
        failed=outcome.failed,
        from_cache=outcome.from_cache,
        read_from_html=sum(1 for a in outcome.analysed if a.analysis.read_from == "html"),
    )


# roundups ------------------------------------------------------------------------------------


@dataclass
class WeeklyResult:
    period: Period
    brief: Brief
    days: list[date]
    skipped: dict[date, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)


THEME_CITATION_WEIGHT = 1.0  # a paper a daily brief chose as representative ranks higher


def listing_days(
    period: Period, request: PaperRequest, settings: Settings, now: datetime
) -> list[date]:
    """The days of `period` that can have papers: arXiv listing days already announced, or,
    for a papers file alone, every day (the file decides what it holds)."""
    sources = request.resolved_sources(settings)
    if sources == ["file"]:
        return period.days()
    calendar = ArxivCalendar(settings.extra_holidays)
    latest = calendar.latest_listing(now)
    if "arxiv" not in sources:  # Hugging Face features papers every day
        return [day for day in period.days() if day <= latest]
    return [day for day in period.days() if calendar.is_listing(day) and day <= latest]


def run_weekly(
    period: Period,
    request: PaperRequest,
    settings: Settings,
    store: Store,
    engine: Engine,
    reporter: Reporter,
    remote: Remote,
    *,
    use_cache: bool = True,
    fulltext: bool | None = None,
    batch: bool = False,
) -> WeeklyResult:
    """One roundup over a period, reusing every stored listing, full text and analysis: only
    days never analysed are fetched and analysed (with the same sources and profile)."""
    now = request.now or datetime.now(tz=EASTERN)
    days = listing_days(period, request, settings, now)
    if not days:
        raise NoPapersError(f"no arXiv announcement between {period.start} and {period.end}")
    collected: dict[str, AnalysedPaper] = {}
    result_days: list[date] = []
    skipped: dict[date, str] = {}
    failed: dict[str, str] = {}
    for day in days:
        try:
            analysed = run_day(
                "analyze", replace(request, date=day), settings, store, engine, reporter,
                remote, lambda d: d, use_cache=use_cache, fulltext=fulltext, batch=batch,
            )  # fmt: skip
        except NoPapersError as exc:
            skipped[day] = str(exc)
            reporter.info(f"{day}: skipped ({exc})")
            continue
        result_days.append(day)
        failed.update(analysed.outcome.failed)
        for item in analysed.outcome.analysed:
            known = collected.get(item.paper_id)
            if known is None or item.scored.score > known.scored.score:
                collected[item.paper_id] = item
    if not collected:
        raise NoPapersError(
            f"no papers for {period.title}: "
            + "; ".join(f"{day}: {why}" for day, why in skipped.items())
        )
    ranked = rank_roundup(list(collected.values()), result_days, settings, store)
    chosen = ranked[: settings.weekly_max_papers]
    reporter.info(
        f"{period.title}: {len(chosen)} of {len(collected)} papers from {len(result_days)} "
        f"days in the roundup"
    )
    params: dict[str, object] = {
        "period": period.label, "engine": engine.name, "profile": settings.profile
    }  # fmt: skip
    with RecordedRun(store, "weekly", params, settings, engine, reporter) as run:
        day_result = _brief_for_day(
            DayAnalyses(
                ranked=RankedDay(day=period.start,
                                 selection=Selection([p.scored for p in chosen], len(collected)),
                                 sources=sorted(_day_sources(request, settings))),
                outcome=AnalysisOutcome(analysed=chosen),
                spend=run.spend,
                record=run.record,
            ),
            settings, store, engine, reporter, use_cache, period=period,
        )  # fmt: skip
        run.finish("done", len(chosen))
    return WeeklyResult(
        period=period, brief=day_result.brief, days=result_days, skipped=skipped, failed=failed
    )


def _day_sources(request: PaperRequest, settings: Settings) -> list[str]:
    names = {"arxiv": "arXiv", "hf": "Hugging Face daily papers", "file": "file"}
    sources = request.resolved_sources(settings)
    described = [names[s] for s in sources if s != "file"]
    if "file" in sources and request.papers_path is not None:
        described.append(f"file {request.papers_path.name}")
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
