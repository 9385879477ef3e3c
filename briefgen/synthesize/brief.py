"""From a day's analyses to one validated `Brief`.

The engine writes the synthesis; the brief's rules (docs/concepts/brief.md) are enforced on it
here, whatever the engine (an invented paper or an untraceable number is dropped and logged, a
section left short is filled from the analyses), and the result is checked once more as a whole
brief before anything is written. A model's synthesis is cached by a hash of exactly what it read.
"""

from __future__ import annotations

import json
import logging

from briefgen.core.errors import AnalysisError, BriefgenError
from briefgen.core.models import AnalysedPaper, Brief, BriefKind, GlanceRow, Provenance, Synthesis
from briefgen.core.rules import check_brief
from briefgen.engines.base import Engine
from briefgen.infra.store import Store, input_key
from briefgen.synthesize.enforce import enforce_rules, synthesis_problems
from briefgen.synthesize.large import cluster_papers, merge_syntheses


def glance_rows(papers: list[AnalysedPaper]) -> list[GlanceRow]:
    """'1) Papers at a glance' comes straight from the analyses: no model call, no drift."""
    return [
        GlanceRow(
            paper_id=item.paper_id,
            title=item.scored.paper.title,
            url=item.scored.paper.abs_url,
            domain=item.analysis.domain,
            contribution=item.analysis.one_line_contribution,
            read_from=item.analysis.read_from,
            followed=item.scored.followed,
        )
        for item in papers
    ]


def synthesis_key(period: str, papers: list[AnalysedPaper], engine: Engine) -> str:
    inputs = {
        "period": period,
        "engine": engine.name,
        "version": engine.synthesis_version,
        "model": engine.synthesis_model,
        "interests": engine.interests,
        "papers": [[p.paper_id, p.scored.score, p.analysis.model_dump()] for p in papers],
    }
    return input_key(json.dumps(inputs, sort_keys=True))


logger = logging.getLogger(__name__)


def engine_synthesis(period: str, papers: list[AnalysedPaper], engine: Engine) -> Synthesis:
    """The engine's synthesis, repaired against the rules; a day above the engine's
    `synthesis_batch` papers is clustered, each cluster synthesised, and the parts merged."""
    size = engine.synthesis_batch
    if size is None or len(papers) <= size:
        return engine.synthesize(period, papers, synthesis_problems)
    parts = [engine.synthesize(period, group, synthesis_problems)
             for group in cluster_papers(papers, size)]  # fmt: skip
    return merge_syntheses(parts, papers)


def synthesize_day(
    period: str,
    papers: list[AnalysedPaper],
    engine: Engine,
    *,
    store: Store | None = None,
    use_cache: bool = True,
) -> Synthesis:
    cacheable = store is not None and engine.results_worth_caching
    key = synthesis_key(period, papers, engine) if cacheable else ""
    if cacheable and use_cache and store is not None:
        cached = store.get_cached("synthesis", key)
        if cached is not None:
            return Synthesis.model_validate_json(cached)
    try:
        synthesis = engine_synthesis(period, papers, engine)
    except AnalysisError as exc:
        logger.warning(
            f"synthesis failed ({exc}); the brief is assembled from the analyses instead"
        )
        synthesis = engine.fallback_synthesis(period, papers)
    synthesis, notes = enforce_rules(
        synthesis, papers, lambda: engine.fallback_synthesis(period, papers)
    )
    for note in notes:
        logger.warning(f"synthesis: {note}")
    if cacheable and store is not None:
        store.put_cached("synthesis", key, synthesis.model_dump_json())
    return synthesis


def build_brief(
    period: str,
    papers: list[AnalysedPaper],
    engine: Engine,
    provenance: Provenance,
    *,
    kind: BriefKind = "daily",
    store: Store | None = None,
    use_cache: bool = True,
) -> Brief:
    """`period` is the brief's label: a date, or a roundup's week or range (`kind`)."""
    synthesis = synthesize_day(period, papers, engine, store=store, use_cache=use_cache)
    brief = Brief(
        kind=kind,
        date=period,
        takeaways=synthesis.takeaways,
        papers_at_a_glance=glance_rows(papers),
        themes=synthesis.themes,
        technical_synthesis=synthesis.technical_synthesis,
        top_papers=synthesis.top_papers,
        next_steps=synthesis.next_steps,
        provenance=provenance,
    )
    problems = check_brief(brief)
    if problems:
        raise BriefgenError(
            f"the {engine.name} engine wrote a brief that breaks the brief's rules "
            f"({'; '.join(problems)}); nothing was written"
        )
    return brief
