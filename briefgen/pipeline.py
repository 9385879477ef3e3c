"""Wires the stages for a daily brief: sources -> select -> read -> analyze -> synthesize.

No I/O of its own: sources fetch, the store keeps results, the reporter shows progress.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from briefgen.analyze import analyze_papers
from briefgen.config import Settings
from briefgen.console import Reporter
from briefgen.errors import NoPapersError
from briefgen.llm.base import AnalysedPaper, Engine
from briefgen.models import Brief, Paper, PaperText, Provenance
from briefgen.read import abstract_text
from briefgen.render import OFFLINE_NOTES
from briefgen.select import Selection, select_papers
from briefgen.sources.gather import Gatherer, PaperRequest
from briefgen.sources.remote import Remote
from briefgen.store import Store
from briefgen.synthesize import build_brief


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
    missing = {pid: t.note for pid, t in texts.items() if t.read_from == "abstract"}
    reporter.info(
        f"full text: {len(papers) - len(missing)} of {len(papers)} papers from arXiv HTML "
        f"({reader.fetched} fetched, the rest from the store)"
    )
    for paper_id, why in missing.items():
        reporter.debug(f"  {paper_id}: read from the abstract: {why}")
    failures = [why for why in missing.values() if why and "404" not in why]
    if failures:
        reporter.warning(f"{len(failures)} full texts could not be fetched: {failures[0]}")
    return texts


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
) -> DailyResult:
    """fulltext: None reads HTML for papers from arXiv/HF and abstracts for a papers file."""
    ranked = rank_day(request, settings, store, remote, reporter, use_cache=use_cache)
    selected = ranked.selection.selected
    reporter.info(
        f"{ranked.day}: {len(selected)} of {ranked.selection.considered} papers selected "
        f"for profile '{settings.profile}'"
    )
    for reason, count in ranked.selection.dropped.items():
        reporter.debug(f"  not selected: {count} {reason}")
    run_id = store.start_run(
        "daily",
        {"date": ranked.day, "sources": ranked.sources, "engine": engine.name,
         "profile": settings.profile},
    )  # fmt: skip
    # Whatever stops the run (a failure, Ctrl-C) is recorded; finished analyses stay stored.
    try:
        read_html = ranked.remote if fulltext is None else fulltext
        texts = read_papers(
            [s.paper for s in selected], store, remote, reporter,
            fulltext=read_html, use_cache=use_cache,
        )  # fmt: skip
        result = _brief_for_day(ranked, texts, settings, store, engine, reporter, use_cache)
    except BaseException as exc:
        status = "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
        store.finish_run(run_id, status, message=str(exc))
        raise
    store.finish_run(
        run_id,
        "partial" if result.failed else "done",
        paper_count=result.brief.provenance.paper_count,
        message="; ".join(result.failed),
    )
    return result


def _offline_note(analysed: list[AnalysedPaper]) -> str:
    read = "html" if any(a.analysis.read_from == "html" for a in analysed) else "abstract"
    return OFFLINE_NOTES[read][0]


def _brief_for_day(
    ranked: RankedDay,
    texts: dict[str, PaperText],
    settings: Settings,
    store: Store,
    engine: Engine,
    reporter: Reporter,
    use_cache: bool,
) -> DailyResult:
    selected = ranked.selection.selected
    store.save_papers([s.paper for s in selected])
    with reporter.progress("analysing papers", len(selected)) as advance:
        outcome = analyze_papers(
            selected, texts, engine, store, use_cache=use_cache, advance=advance
        )
    if outcome.from_cache:
        reporter.info(f"{outcome.from_cache} analyses reused from the store")
    if not outcome.analysed:
        raise NoPapersError(
            "every selected paper failed to analyse: "
            + "; ".join(f"{k}: {v}" for k, v in outcome.failed.items())
        )
    provenance = Provenance(
        sources=ranked.sources,
        paper_count=len(outcome.analysed),
        engine=engine.name,
        models=[] if engine.name == "offline" else [engine.model],
        prompt_versions={"analysis": engine.analysis_version},
        profile=settings.profile,
        note=_offline_note(outcome.analysed) if engine.name == "offline" else "",
    )
    brief = build_brief(ranked.day.isoformat(), outcome.analysed, engine, provenance)
    store.save_brief("daily", brief.date, settings.profile, brief)
    return DailyResult(
        day=ranked.day,
        brief=brief,
        selection=ranked.selection,
        failed=outcome.failed,
        from_cache=outcome.from_cache,
        read_from_html=sum(1 for a in outcome.analysed if a.analysis.read_from == "html"),
    )
