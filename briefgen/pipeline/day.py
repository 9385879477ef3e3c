"""A day, in a straight line: rank -> read -> analyse -> (a brief, or the per-paper report).

No I/O of its own: sources fetch, the store keeps results; what a run has to say is logged
(a command's reporter shows it, with its progress bars).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

from briefgen.analyze.batch import BatchAnalyzer
from briefgen.analyze.papers import AnalysisOutcome, analyze_papers
from briefgen.analyze.triage import Triage, TriagePlan, select_by_triage
from briefgen.core.errors import (
    AnalysisError,
    BriefgenError,
    ConfigError,
    NoPapersError,
    UpstreamError,
    UsageError,
)
from briefgen.core.models import AnalysedPaper, Brief, Paper, PaperText
from briefgen.infra.console import progress
from briefgen.pipeline.brief import chinese_translator, make_brief
from briefgen.pipeline.context import RunContext
from briefgen.pipeline.estimate import Estimate, estimate_run, triage_line
from briefgen.pipeline.runs import RecordedRun
from briefgen.read.abstract import abstract_text
from briefgen.select import Selection, select_papers
from briefgen.select.rank import Reader, filtered_candidates
from briefgen.select.reader import build_reader
from briefgen.sources.gather import Gatherer, PaperRequest
from briefgen.translate.localize import analysis_texts, apply_analysis_texts

if TYPE_CHECKING:  # lxml loads when a page is first read
    from briefgen.read.fulltext import FullTextReader

logger = logging.getLogger(__name__)


@dataclass
class RankedDay:
    day: date
    selection: Selection
    sources: list[str]
    remote: bool = False  # papers from arXiv/HF (full text by default), not a file
    triage: TriagePlan | None = None  # --triage: what it asked (a dry run: would ask)


@dataclass
class DailyResult:
    day: date
    brief: Brief
    failed: dict[str, str] = field(default_factory=dict)
    from_cache: int = 0  # analyses reused from the store


@dataclass
class AnalyzeResult:
    ranked: RankedDay
    outcome: AnalysisOutcome
    chinese: list[AnalysedPaper] | None = None  # the analyses with Chinese texts, if asked


# rank ----------------------------------------------------------------------------------------


def rank_day(request: PaperRequest, ctx: RunContext, *, calls: bool = True) -> RankedDay:
    """The day's papers, filtered and ranked for the reader; with --triage, ranked by the
    model's relevance (`calls=False`, a dry run: only what the store holds is used)."""
    gatherer = Gatherer(ctx.settings, ctx.store, ctx.remote, use_cache=ctx.options.use_cache)
    gathered = gatherer.gather(request)
    reader = build_reader(
        ctx.settings, ctx.store, ctx.remote, day=gathered.day.isoformat(),
        library=list(ctx.options.library), include_seen=ctx.options.include_seen,
    )  # fmt: skip
    plan = None
    if ctx.options.triage:
        selection, plan = _triage_day(gathered.papers, reader, ctx, calls=calls)
    else:
        selection = select_papers(gathered.papers, ctx.settings.active_profile, reader)
    # Known to the store from now on: `briefgen star ID` finds them without asking arXiv.
    ctx.store.save_papers([s.paper for s in selection.selected])
    if not selection.selected:
        raise NoPapersError(
            f"nothing to brief for {gathered.day}: {selection.why_empty()}; "
            "loosen the profile (--category, --keyword, --exclude) or lower min_score"
        )
    return RankedDay(day=gathered.day, selection=selection, sources=gathered.sources,
                     remote=gathered.remote, triage=plan)  # fmt: skip


TRIAGE_NEEDS_A_MODEL = "--triage needs a model (--provider anthropic or openai)"


def _triage_day(
    papers: list[Paper], reader: Reader, ctx: RunContext, *, calls: bool
) -> tuple[Selection, TriagePlan]:
    """Every candidate that passed the filters, scored by the model (see analyze.triage);
    its calls are the engine's, so the run that follows records them with its own."""
    asker = ctx.engine.asker("triage")
    if asker is None:
        raise UsageError(TRIAGE_NEEDS_A_MODEL)
    profile = ctx.settings.active_profile
    candidates = filtered_candidates(papers, profile, reader)
    pool = [s.paper for s in candidates.selected]
    triage = Triage(
        asker, profile, reader, pool, store=ctx.store, use_cache=ctx.options.use_cache,
        prompts_dir=ctx.settings.model.prompts_dir, concurrency=ctx.settings.model.concurrency,
    )  # fmt: skip
    known, todo = triage.plan(pool)
    plan = TriagePlan(triage, len(pool), len(known), todo)
    if not calls:
        return select_by_triage(candidates, known, profile, preview=True), plan
    outcome = triage.run(pool)
    u = outcome.usage
    tokens = u.input_tokens + u.cache_read_tokens + u.cache_write_tokens
    scored = len(outcome.verdicts) - outcome.from_cache
    asked = (
        f"{scored} scored by {triage.model} in {_count(outcome.calls, 'call')} "
        f"(tokens in {tokens:,}, out {u.output_tokens:,}; ${outcome.cost_usd:.4f})"
    )
    stored = f"{outcome.from_cache} from the store"
    if outcome.calls or outcome.from_cache:
        logger.info(f"triage: {_count(len(pool), 'candidate')}: "
                    + (f"{asked}, {stored}" if outcome.calls else stored))  # fmt: skip
    if outcome.failed:
        why = next(iter(outcome.failed.values()))
        logger.warning(
            f"triage failed for {len(outcome.failed)} of {len(pool)} papers ({why}); they "
            "are ranked by keywords and library instead"
        )
    return select_by_triage(candidates, outcome.verdicts, profile), plan


def _announce(ranked: RankedDay, ctx: RunContext) -> None:
    selection = ranked.selection
    # Papers left out because the reader has seen them are said at once: a short brief
    # should not look like a thin day.
    seen = [f"{n} {why}" for why, n in selection.dropped.items() if why.startswith("briefed")]
    logger.info(
        f"{ranked.day}: {len(selection.selected)} of {selection.considered} papers selected "
        f"for profile '{ctx.settings.profile}'" + (f"; {seen[0]}" if seen else "")
    )
    for reason, count in selection.dropped.items():
        logger.debug(f"  not selected: {count} {reason}")


# read ----------------------------------------------------------------------------------------


def read_papers(papers: list[Paper], ctx: RunContext, *, fulltext: bool) -> dict[str, PaperText]:
    """What the analysis reads: arXiv HTML full text when asked and available, else abstracts."""
    if not fulltext:
        return {p.id: abstract_text(p) for p in papers}
    reader = ctx.remote.fulltext_reader(ctx.store)
    with progress("reading full texts", len(papers)) as advance:
        texts = reader.read_all(papers, use_cache=ctx.options.use_cache, advance=advance)
    report_texts(texts, reader)
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


def report_texts(texts: dict[str, PaperText], reader: FullTextReader) -> None:
    """What was really read: how many full texts, fetched or stored, and why the rest were
    read from their abstracts (an unreachable host named once, not once per paper)."""
    missing = {pid: t.note for pid, t in texts.items() if t.read_from == "abstract"}
    logger.info(reader.summary(texts))
    for paper_id, why in missing.items():
        logger.debug(f"  {paper_id}: read from the abstract: {why}")
    if reader.unreachable is not None:
        logger.warning(str(reader.unreachable))
    failures = [why for why in missing.values()
                if why and "404" not in why and why != reader.unreachable_note]  # fmt: skip
    if failures:
        logger.warning(f"{len(failures)} full texts could not be fetched: {failures[0]}")


# analyze -------------------------------------------------------------------------------------


def analyze_day(
    ranked: RankedDay, ctx: RunContext, run: RecordedRun, *, synthesis: bool = True
) -> AnalysisOutcome:
    """Read and analyse the selected papers of a day; at least one must succeed."""
    options = ctx.options
    selected = ranked.selection.selected
    papers = [s.paper for s in selected]
    read_html = ranked.remote if options.fulltext is None else options.fulltext
    ctx.store.save_papers(papers)
    texts: dict[str, PaperText] | Iterable[tuple[str, PaperText]]
    stream: TextStream | None = None
    if read_html and options.max_cost is None:
        # Analyses start as each full text arrives instead of after the last download.
        stream = TextStream(ctx.remote.fulltext_reader(ctx.store), papers, options.use_cache)
        texts = stream
    else:
        texts = read_papers(papers, ctx, fulltext=read_html)
    if options.max_cost is not None and isinstance(texts, dict):
        estimate = estimate_run(selected, texts, ctx.engine, ctx.store, ctx.settings,
                                use_cache=options.use_cache, synthesis=synthesis)  # fmt: skip
        check_cost(estimate, options.max_cost, batch=options.batch)
    runner = _batch_runner(ctx) if options.batch else None
    with progress("analysing papers", len(selected)) as advance:
        outcome = analyze_papers(
            selected, texts, ctx.engine, ctx.store, use_cache=options.use_cache,
            concurrency=ctx.settings.model.concurrency, advance=advance, on_calls=run.record,
            batch=runner,
        )  # fmt: skip
    if stream is not None:
        report_texts(stream.texts, stream.reader)
    if outcome.from_cache:
        logger.info(f"{outcome.from_cache} analyses reused from the store")
    if not outcome.analyzed:
        raise _all_failed(outcome)
    for line in grouped_failures(outcome.failed):
        logger.warning(f"failed: {line}")
    return outcome


def _batch_runner(ctx: RunContext) -> BatchAnalyzer:
    route = ctx.engine.batches()
    if route is None:
        raise UsageError("--batch needs --provider anthropic (Anthropic Message Batches)")
    return BatchAnalyzer(route, ctx.store, poll_seconds=ctx.settings.model.batch_poll_seconds)


def check_cost(estimate: Estimate, max_cost: float, *, batch: bool) -> None:
    """Stop before spending when the estimate is above the user's limit."""
    cost = estimate.total(batch=batch)
    if cost > max_cost:
        raise ConfigError(
            f"the estimated cost ${cost:.4f} is above --max-cost ${max_cost:.4f} (with --batch "
            f"${estimate.total(batch=True):.4f}); nothing was spent: lower --max-papers, use "
            "--batch, or raise the limit (see --dry-run)"
        )
    if estimate.unpriced:
        logger.warning(
            f"--max-cost cannot price {', '.join(estimate.unpriced)}: their calls count as $0"
        )
    logger.info(f"estimated cost ${cost:.4f}, within --max-cost ${max_cost:.4f}")


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


def _run_params(ranked: RankedDay, ctx: RunContext) -> dict[str, object]:
    return {"date": ranked.day, "sources": ranked.sources, "engine": ctx.engine.name,
            "model": ctx.engine.model, "profile": ctx.settings.profile}  # fmt: skip


def _finish(run: RecordedRun, outcome: AnalysisOutcome) -> None:
    status = "partial" if outcome.failed else "done"
    run.finish(status, len(outcome.analyzed), "; ".join(outcome.failed))


# the commands' runs ----------------------------------------------------------------------------


def analyze_listing(request: PaperRequest, ctx: RunContext) -> tuple[RankedDay, AnalysisOutcome]:
    """Rank and analyse one day as a recorded `analyze` run (a roundup's days are these)."""
    ranked = rank_day(replace(request, keep_listing=True), ctx)
    _announce(ranked, ctx)
    with RecordedRun(ctx, "analyze", _run_params(ranked, ctx)) as run:
        outcome = analyze_day(ranked, ctx, run)
        run.collect()
        _finish(run, outcome)
    return ranked, outcome


def run_daily(request: PaperRequest, ctx: RunContext) -> DailyResult:
    """The day's brief. Whatever stops the run (a failure, Ctrl-C) is recorded; finished
    analyses stay stored."""
    ranked = rank_day(replace(request, keep_listing=True), ctx)
    _announce(ranked, ctx)
    with RecordedRun(ctx, "daily", _run_params(ranked, ctx)) as run:
        outcome = analyze_day(ranked, ctx, run)
        brief = make_brief(ctx, outcome.analyzed, label=ranked.day.isoformat(), kind="daily",
                           sources=ranked.sources, run=run)  # fmt: skip
        # What this day's brief covered is not ranked into a later day's again (see select).
        ctx.store.mark_briefed(ctx.settings.profile, ranked.day.isoformat(),
                               [(a.paper_id, a.scored.paper.version) for a in outcome.analyzed])
        _finish(run, outcome)
    return DailyResult(day=ranked.day, brief=brief, failed=outcome.failed,
                       from_cache=outcome.from_cache)  # fmt: skip


def run_analyze(request: PaperRequest, ctx: RunContext) -> AnalyzeResult:
    """The day's analyses, translated when Chinese is asked for; no synthesis."""
    ranked = rank_day(replace(request, keep_listing=True), ctx)
    _announce(ranked, ctx)
    with RecordedRun(ctx, "analyze", _run_params(ranked, ctx)) as run:
        outcome = analyze_day(ranked, ctx, run, synthesis=False)
        result = AnalyzeResult(ranked=ranked, outcome=outcome)
        translator = chinese_translator(ctx)
        if translator is not None:
            texts = translator.translate(analysis_texts(outcome.analyzed))
            result.chinese = apply_analysis_texts(outcome.analyzed, texts)
        run.collect()
        _finish(run, outcome)
    return result


def preview_day(
    request: PaperRequest, ctx: RunContext, *, synthesis: bool = True
) -> tuple[RankedDay, Estimate]:
    """What a run would analyse and what it would cost; no model is called, no run recorded."""
    ranked = rank_day(request, ctx, calls=False)
    selected = ranked.selection.selected
    fulltext = ctx.options.fulltext
    texts = read_papers([s.paper for s in selected], ctx,
                        fulltext=ranked.remote if fulltext is None else fulltext)  # fmt: skip
    estimate = estimate_run(selected, texts, ctx.engine, ctx.store, ctx.settings,
                            use_cache=ctx.options.use_cache, synthesis=synthesis)  # fmt: skip
    if ranked.triage is not None:
        estimate.lines.insert(0, triage_line(ranked.triage))
        estimate.notes.append(_triage_note(ranked.triage))
    return ranked, estimate


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _triage_note(plan: TriagePlan) -> str:
    if not plan.batches:
        return (f"triage: all {plan.candidates} candidates scored before (stored): the papers "
                "above are the ones it selects, at no cost")  # fmt: skip
    return (
        f"triage: {plan.papers} of {_count(plan.candidates, 'candidate')} to score in "
        f"{_count(len(plan.batches), 'call')} ({plan.stored} stored); until then the papers "
        "above are the best of them by keywords and library: triage may choose others, as "
        "many or fewer"
    )
