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
    run = PaperAnalyses(engine, store, advance=advance, on_calls=on_calls)
    todo = run.from_store(papers) if use_cache else list(papers)
    stream = texts.items() if isinstance(texts, dict) else texts
    # A batch shares no warm cache: only papers analysed by direct calls count.
    engine.prepare(0 if batch is not None else len(todo))
    if batch is not None:  # a batch is sent whole: every text first
        wanted = {paper.paper.id for paper in todo}
        run.in_batch(todo, {pid: text for pid, text in stream if pid in wanted}, batch)
    else:
        run.as_texts_arrive(todo, iter(stream), concurrency)
    run.outcome.analyzed = [
        AnalysedPaper(scored=paper, analysis=run.done[paper.paper.id])
        for paper in papers
        if paper.paper.id in run.done
    ]
    return run.outcome


class PaperAnalyses:
    """One run's analyses: what is done, what failed, and what is not yet stored.

    Only this (the calling) thread touches the store and this state; workers only call the
    engine, and set `stopping` when the provider turns out to be unreachable."""

    def __init__(
        self,
        engine: Engine,
        store: Store,
        *,
        advance: Callable[[], None],
        on_calls: Callable[[list[CallRecord]], None],
    ) -> None:
        self.engine = engine
        self.store = store
        self.advance = advance
        self.on_calls = on_calls
        self.outcome = AnalysisOutcome()
        self.done: dict[str, PaperAnalysis] = {}
        self.unsaved: list[tuple[AnalysisKey, PaperAnalysis]] = []
        self.last_save = time.monotonic()
        # Results that cost no model call are analysed on this thread and saved in few
        # transactions: losing the last few seconds of them to an interruption costs nothing.
        self.cheap = not engine.results_worth_caching
        self.pending: dict[Future[PaperAnalysis], ScoredPaper] = {}
        self.stopping: UnreachableError | None = None  # the run-stopping error, once met

    def from_store(self, papers: list[ScoredPaper]) -> list[ScoredPaper]:
        """The papers the store has no analysis of; the others are done."""
        todo: list[ScoredPaper] = []
        for paper in papers:
            cached = self.store.get_analysis(analysis_key(paper, self.engine))
            if cached is None:
                todo.append(paper)
                continue
            self.done[paper.paper.id] = cached
            self.outcome.from_cache += 1
            self.advance()
        return todo

    # recording -----------------------------------------------------------------------------

    def succeeded(self, paper: ScoredPaper, analysis: PaperAnalysis) -> None:
        self.unsaved.append((analysis_key(paper, self.engine), analysis))
        self.done[paper.paper.id] = analysis

    def failed(self, paper: ScoredPaper, error: BriefgenError) -> None:
        self.outcome.failed[paper.paper.id] = str(error)
        self.outcome.errors[paper.paper.id] = error

    def save(self, force: bool = False) -> None:
        if not self.unsaved:
            return
        due = time.monotonic() - self.last_save >= SAVE_EVERY_SECONDS
        if force or not self.cheap or due:
            self.store.save_analyses(list(self.unsaved))
            self.unsaved.clear()
            self.last_save = time.monotonic()

    # a Message Batch -----------------------------------------------------------------------

    def in_batch(
        self, todo: list[ScoredPaper], texts: dict[str, PaperText], batch: BatchRunner
    ) -> None:
        results = batch(todo, texts)
        self.on_calls(self.engine.drain_calls())
        for paper in todo:
            result = results.get(paper.paper.id)
            self.advance()
            if isinstance(result, PaperAnalysis):
                self.succeeded(paper, result)
            else:
                self.failed(paper, result or AnalysisError("no result from the batch"))
        self.save(force=True)  # the whole batch in one transaction

    # direct calls, as the texts arrive -----------------------------------------------------

    def as_texts_arrive(
        self, todo: list[ScoredPaper], arriving: Iterator[tuple[str, PaperText]],
        concurrency: int,
    ) -> None:  # fmt: skip
        waiting = {paper.paper.id: paper for paper in todo}
        pool = WorkerPool(concurrency, name="briefgen-analysis")
        try:
            for paper_id, text in arriving:
                ready = waiting.pop(paper_id, None)
                if ready is not None and self.cheap:
                    # No model to wait for: analysed here, at once (a pool would only add a
                    # thread hop and a wait over every pending future per paper).
                    self.analyze_here(ready, text)
                elif ready is not None:
                    self.pending[pool.submit(self.analyze_in_worker, ready, text)] = ready
                self.collect(block=False)
            for missing in waiting.values():  # a text that never came is a failure, not a hang
                self.failed(missing, AnalysisError("no text to read"))
            while self.pending:
                self.collect(block=True)
        finally:
            # On Ctrl-C or a run-stopping error, queued papers are dropped at once, workers
            # asleep in a retry wait give up, and calls in flight are abandoned (never
            # stored); texts still downloading stop too.
            pool.stop()
            close = getattr(arriving, "close", None)
            if close is not None:
                close()
            self.on_calls(self.engine.drain_calls())
            self.save(force=True)  # what finished is kept, even on Ctrl-C

    def analyze_in_worker(self, paper: ScoredPaper, text: PaperText) -> PaperAnalysis:
        # Papers already queued when the provider turned out unreachable make no call: they
        # end with the same error before this thread has seen it.
        stopping = self.stopping
        if stopping is not None:
            raise UnreachableError(str(stopping), stopping.reason)
        try:
            return self.engine.analyze(paper, text)
        except UnreachableError as exc:
            self.stopping = exc
            raise

    def analyze_here(self, paper: ScoredPaper, text: PaperText) -> None:
        try:
            self.succeeded(paper, self.engine.analyze(paper, text))
        except PAPER_FAILURES as exc:
            self.failed(paper, exc)
        finally:
            self.advance()
        self.save()

    def collect(self, block: bool) -> None:
        if not self.pending:
            return
        finished, _ = wait(self.pending, timeout=None if block else 0,
                           return_when=FIRST_COMPLETED)  # fmt: skip
        self.on_calls(self.engine.drain_calls())
        # Successes first: whatever else finished, what was bought is stored before an error
        # that stops the run is raised.
        for future in sorted(finished, key=lambda f: f.exception() is not None):
            paper = self.pending.pop(future)
            self.advance()
            try:
                self.succeeded(paper, future.result())
            except RUN_FAILURES:
                self.save(force=True)
                raise
            except PAPER_FAILURES as exc:
                self.failed(paper, exc)
        self.save()
