"""Per-paper analysis: cached, concurrent, and honest about failures.

Analyses are stored from this thread (SQLite connections stay where they were opened), many per
transaction (`Store.save_analyses`): a model's analyses as each round of finished calls is
collected, so an interrupted run resumes where it stopped and a rerun spends nothing it already
spent; an engine that calls no model (the offline one) has its whole day saved in one
transaction at the end (at most every SAVE_EVERY_SECONDS while full texts arrive). Model calls
run `concurrency` at a time in threads. A paper that fails is reported, never replaced; an error
that concerns the whole run (a bad key, a spend limit, a provider that refuses connections or
does not resolve) stops it at once. So does Ctrl-C: the workers' retry waits end, calls in
flight are abandoned (their threads never hold the process), and what finished is stored.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field

from briefgen.core.calls import CallRecord
from briefgen.core.errors import AnalysisError, BriefgenError, UpstreamError
from briefgen.core.models import AnalysedPaper, PaperAnalysis, PaperText, ScoredPaper
from briefgen.engines.base import Engine
from briefgen.infra.net import UnreachableError, WorkerPool
from briefgen.infra.store import AnalysisKey, Store

# Failures that belong to one paper; anything else (ConfigError…) stops the run, and so does
# RUN_FAILURES: a provider that cannot be reached fails every paper the same way, at once.
PAPER_FAILURES = (AnalysisError, UpstreamError)
RUN_FAILURES = (UnreachableError,)
SAVE_EVERY_SECONDS = 5.0  # an engine without model calls saves at most this often

BatchRunner = Callable[
    [list[ScoredPaper], dict[str, PaperText]], dict[str, PaperAnalysis | BriefgenError]
]


@dataclass
class AnalysisOutcome:
    analyzed: list[AnalysedPaper] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # paper id -> why
    errors: dict[str, BriefgenError] = field(default_factory=dict)
    from_cache: int = 0


def analysis_key(paper: ScoredPaper, engine: Engine) -> AnalysisKey:
    return AnalysisKey(
        paper_id=paper.paper.id,
        version=paper.paper.version,
        prompt_version=engine.analysis_version,
        model=engine.model,
    )


def analyze_papers(
    papers: list[ScoredPaper],
    texts: dict[str, PaperText] | Iterable[tuple[str, PaperText]],
    engine: Engine,
    store: Store,
    *,
    use_cache: bool = True,
    concurrency: int = 1,
    advance: Callable[[], None] = lambda: None,
    on_calls: Callable[[list[CallRecord]], None] = lambda calls: None,
    batch: BatchRunner | None = None,
) -> AnalysisOutcome:
    """Analyse each paper once per (id+version, prompt version, model); results keep the
    order of `papers`. `texts` may be a stream of (paper id, text) as they arrive (full texts
    downloading): each paper's analysis starts as soon as its text is there."""
    outcome = AnalysisOutcome()
    done: dict[str, PaperAnalysis] = {}
    todo: list[ScoredPaper] = []
    for paper in papers:
        cached = store.get_analysis(analysis_key(paper, engine)) if use_cache else None
        if cached is not None:
            done[paper.paper.id] = cached
            outcome.from_cache += 1
            advance()
        else:
            todo.append(paper)
    waiting = {paper.paper.id: paper for paper in todo}
    stream = texts.items() if isinstance(texts, dict) else texts
    # A batch shares no warm cache: only papers analysed by direct calls count.
    engine.prepare(0 if batch is not None else len(todo))

    if batch is not None:  # a batch is sent whole: every text first
        known = {pid: text for pid, text in stream if pid in waiting}
        _analyze_in_batch(todo, known, engine, store, batch, outcome, done, on_calls, advance)
        waiting = {}
        stream = iter(())
    pool = WorkerPool(concurrency, name="briefgen-analysis")
    pending: dict[Future[PaperAnalysis], ScoredPaper] = {}
    stopping: list[UnreachableError] = []  # the run-stopping error, once a worker meets it

    def analyse(paper: ScoredPaper, text: PaperText) -> PaperAnalysis:
        # Papers already queued when the provider turned out unreachable make no call: they
        # end with the same error before this thread has seen it.
        if stopping:
            raise UnreachableError(str(stopping[0]), stopping[0].reason)
        try:
            return engine.analyze(paper, text)
        except UnreachableError as exc:
            stopping.append(exc)
            raise

    unsaved: list[tuple[AnalysisKey, PaperAnalysis]] = []
    local = not engine.results_worth_caching
    last_save = [time.monotonic()]

    def save(force: bool = False) -> None:
        if not unsaved:
            return
        if force or not local or time.monotonic() - last_save[0] >= SAVE_EVERY_SECONDS:
            store.save_analyses(list(unsaved))
            unsaved.clear()
            last_save[0] = time.monotonic()

    def collect(block: bool) -> None:
        if not pending:
            return
        finished, _ = wait(pending, timeout=None if block else 0, return_when=FIRST_COMPLETED)
        on_calls(engine.drain_calls())
        # Successes first: whatever else finished, what was bought is stored before an error
        # that stops the run is raised.
        for future in sorted(finished, key=lambda f: f.exception() is not None):
            paper = pending.pop(future)
            advance()
            try:
                analysis = future.result()
            except RUN_FAILURES:
                save(force=True)
                raise
            except PAPER_FAILURES as exc:
                outcome.failed[paper.paper.id] = str(exc)
                outcome.errors[paper.paper.id] = exc
                continue
            unsaved.append((analysis_key(paper, engine), analysis))
            done[paper.paper.id] = analysis
        save()

    def analyse_here(paper: ScoredPaper, text: PaperText) -> None:
        try:
            analysis = engine.analyze(paper, text)
        except PAPER_FAILURES as exc:
            outcome.failed[paper.paper.id] = str(exc)
            outcome.errors[paper.paper.id] = exc
        else:
            unsaved.append((analysis_key(paper, engine), analysis))
            done[paper.paper.id] = analysis
        finally:
            advance()
        save()

    arriving: Iterator[tuple[str, PaperText]] = iter(stream)
    try:
        for paper_id, text in arriving:
            ready = waiting.pop(paper_id) if paper_id in waiting else None
            if ready is not None and local:
                # No model to wait for: analysed here, at once (a pool would only add a
                # thread hop and a wait over every pending future per paper).
                analyse_here(ready, text)
            elif ready is not None:
                pending[pool.submit(analyse, ready, text)] = ready
            collect(block=False)
        for missing in waiting.values():  # a text that never came is a failure, not a hang
            outcome.failed[missing.paper.id] = "no text to read"
            outcome.errors[missing.paper.id] = AnalysisError("no text to read")
        while pending:
            collect(block=True)
    finally:
        # On Ctrl-C or a run-stopping error, queued papers are dropped at once, workers asleep
        # in a retry wait give up, and calls in flight are abandoned (never stored); texts
        # still downloading stop too.
        pool.stop()
        close = getattr(arriving, "close", None)
        if close is not None:
            close()
        on_calls(engine.drain_calls())
        save(force=True)  # what finished is kept, even on Ctrl-C

    outcome.analyzed = [
        AnalysedPaper(scored=paper, analysis=done[paper.paper.id])
        for paper in papers
        if paper.paper.id in done
    ]
    return outcome


def _analyze_in_batch(
    todo: list[ScoredPaper],
    texts: dict[str, PaperText],
    engine: Engine,
    store: Store,
    batch: BatchRunner,
    outcome: AnalysisOutcome,
    done: dict[str, PaperAnalysis],
    on_calls: Callable[[list[CallRecord]], None],
    advance: Callable[[], None],
) -> None:
    results = batch(todo, texts)
    on_calls(engine.drain_calls())
    saved: list[tuple[AnalysisKey, PaperAnalysis]] = []
    for paper in todo:
        result = results.get(paper.paper.id)
        advance()
        if isinstance(result, PaperAnalysis):
            saved.append((analysis_key(paper, engine), result))
            done[paper.paper.id] = result
        else:
            error = result or AnalysisError("no result from the batch")
            outcome.failed[paper.paper.id] = str(error)
            outcome.errors[paper.paper.id] = error
    store.save_analyses(saved)  # the whole batch in one transaction
