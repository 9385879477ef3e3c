"""From a day's analyses to one validated `Brief`."""

from __future__ import annotations

from briefgen.errors import BriefgenError
from briefgen.llm.base import AnalysedPaper, Engine
from briefgen.models import Brief, GlanceRow, Provenance
from briefgen.rules import check_brief


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
        )
        for item in papers
    ]


def build_brief(
    period: str, papers: list[AnalysedPaper], engine: Engine, provenance: Provenance
) -> Brief:
    synthesis = engine.synthesize(period, papers)
    brief = Brief(
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
