"""Wires the stages for a daily brief: sources -> select -> read -> analyze -> synthesize.

No I/O of its own: sources read files, the store keeps results, the reporter shows progress.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from briefgen.analyze import analyze_papers
from briefgen.config import Settings
from briefgen.console import Reporter
from briefgen.errors import NoPapersError, UsageError
from briefgen.llm.base import Engine
from briefgen.models import Brief, Paper, Provenance
from briefgen.read import abstract_text
from briefgen.select import Selection, select_papers
from briefgen.sources.dates import DateSpec, weekday_name
from briefgen.sources.local import load_papers_file
from briefgen.store import Store
from briefgen.synthesize import build_brief


@dataclass
class PaperRequest:
    """Which papers: a source and a date."""

    papers_path: Path | None
    date: DateSpec = "latest"


@dataclass
class RankedDay:
    day: date
    selection: Selection
    sources: list[str]


@dataclass
class DailyResult:
    day: date
    brief: Brief
    selection: Selection
    failed: dict[str, str] = field(default_factory=dict)
    from_cache: int = 0


def _papers_for_day(papers: list[Paper], wanted: DateSpec, where: str) -> tuple[date, list[Paper]]:
    if not papers:
        raise NoPapersError(f"{where} contains no papers")
    dates = sorted({p.published for p in papers})
    day = dates[-1] if wanted == "latest" else wanted
    chosen = [p for p in papers if p.published == day]
    if not chosen:
        hint = ""
        if day.weekday() >= 5:
            hint = f" {day} is a {weekday_name(day)}: arXiv announces no papers on weekends."
        have = ", ".join(d.isoformat() for d in dates[-5:])
        raise NoPapersError(
            f"no papers published on {day} in {where} (it has papers for {have}).{hint}"
        )
    return day, chosen


def rank_day(request: PaperRequest, settings: Settings) -> RankedDay:
    if request.papers_path is None:
        raise UsageError(
            "no papers to read: pass --papers FILE (a JSON or JSONL list of papers), "
            "e.g. --papers examples/papers-2026-02-17.jsonl"
        )
    papers = load_papers_file(request.papers_path)
    day, todays = _papers_for_day(papers, request.date, str(request.papers_path))
    selection = select_papers(todays, settings.active_profile)
    if not selection.selected:
        raise NoPapersError(
            f"nothing to brief for {day}: {selection.why_empty()}; "
            "loosen the profile (--category, --keyword, --exclude) or lower min_score"
        )
    return RankedDay(day=day, selection=selection, sources=[f"file {request.papers_path.name}"])


def run_daily(
    request: PaperRequest,
    settings: Settings,
    store: Store,
    engine: Engine,
    reporter: Reporter,
    *,
    use_cache: bool = True,
) -> DailyResult:
    ranked = rank_day(request, settings)
    run_id = store.start_run(
        "daily",
        {"date": ranked.day, "sources": ranked.sources, "engine": engine.name,
         "profile": settings.profile},
    )  # fmt: skip
    # Whatever stops the run (a failure, Ctrl-C) is recorded; finished analyses stay stored.
    try:
        result = _brief_for_day(ranked, settings, store, engine, reporter, use_cache)
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


def _brief_for_day(
    ranked: RankedDay,
    settings: Settings,
    store: Store,
    engine: Engine,
    reporter: Reporter,
    use_cache: bool,
) -> DailyResult:
    selected = ranked.selection.selected
    store.save_papers([s.paper for s in selected])
    reporter.info(
        f"{ranked.day}: {len(selected)} of {ranked.selection.considered} papers selected "
        f"for profile '{settings.profile}'"
    )
    for reason, count in ranked.selection.dropped.items():
        reporter.debug(f"  not selected: {count} {reason}")
    texts = {s.paper.id: abstract_text(s.paper) for s in selected}
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
        note=(
            "Offline brief: sentences are extracted from titles and abstracts; "
            "no language model was used."
            if engine.name == "offline"
            else ""
        ),
    )
    brief = build_brief(ranked.day.isoformat(), outcome.analysed, engine, provenance)
    store.save_brief("daily", brief.date, settings.profile, brief)
    return DailyResult(
        day=ranked.day,
        brief=brief,
        selection=ranked.selection,
        failed=outcome.failed,
        from_cache=outcome.from_cache,
    )
