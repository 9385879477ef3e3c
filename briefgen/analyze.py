"""Per-paper analysis with a cache: a rerun spends nothing it already spent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from briefgen.errors import BriefgenError
from briefgen.llm.base import AnalysedPaper, Engine
from briefgen.models import PaperText, ScoredPaper
from briefgen.store import AnalysisKey, Store


@dataclass
class AnalysisOutcome:
    analysed: list[AnalysedPaper] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # paper id -> why
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
    texts: dict[str, PaperText],
    engine: Engine,
    store: Store,
    *,
    use_cache: bool = True,
    advance: Callable[[], None] = lambda: None,
) -> AnalysisOutcome:
    """Analyse each paper once per (id+version, prompt version, model); each result is stored
    as soon as it exists, so an interrupted run resumes where it stopped."""
    outcome = AnalysisOutcome()
    for paper in papers:
        key = analysis_key(paper, engine)
        cached = store.get_analysis(key) if use_cache else None
        if cached is not None:
            outcome.analysed.append(AnalysedPaper(scored=paper, analysis=cached))
            outcome.from_cache += 1
            advance()
            continue
        try:
            analysis = engine.analyze(paper, texts[paper.paper.id])
        except BriefgenError as exc:
            outcome.failed[paper.paper.id] = str(exc)
            advance()
            continue
        store.save_analysis(key, analysis)
        outcome.analysed.append(AnalysedPaper(scored=paper, analysis=analysis))
        advance()
    return outcome
