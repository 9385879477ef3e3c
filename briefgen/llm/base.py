"""The interface every engine implements: analyse one paper, synthesise one day.

Stages call these two methods and nothing else, so an LLM provider plugs in by implementing
them (usually through one structured-output call each), while caching, validation and
rendering stay in the stages.
"""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from briefgen.llm.provider import CallRecord
from briefgen.models import PaperAnalysis, PaperText, ScoredPaper, Takeaway, Theme, TopPaper


class AnalysedPaper(BaseModel):
    """A selected paper with its analysis: what synthesis works from."""

    model_config = ConfigDict(extra="forbid")

    scored: ScoredPaper
    analysis: PaperAnalysis

    @property
    def paper_id(self) -> str:
        return self.scored.paper.id


# The parts of a brief that synthesis writes; the glance table and provenance are not
# synthesised (they come straight from the analyses and the run). The descriptions are read by
# the model that fills this schema.
class Synthesis(BaseModel):
    """The synthesis of a research brief across the analysed papers."""

    model_config = ConfigDict(extra="forbid")

    takeaways: list[Takeaway] = Field(description="The executive takeaways, most important first.")
    themes: list[Theme] = Field(description="Themes that cluster the papers.")
    technical_synthesis: list[str] = Field(
        description="Statements that connect methods and results across papers, one per item."
    )
    top_papers: list[TopPaper] = Field(description="The top papers for this reader, best first.")
    next_steps: list[str] = Field(
        description="Practical next steps a reader could take this week, one per item."
    )


class Engine(Protocol):
    name: str
    """Short engine name shown in provenance ("offline", "anthropic")."""

    model: str
    """The model id; part of every analysis cache key."""

    analysis_version: str
    """The analysis prompt's version (a hash); part of every analysis cache key."""

    synthesis_version: str

    def analyze(self, paper: ScoredPaper, text: PaperText) -> PaperAnalysis: ...

    def synthesize(self, period: str, papers: list[AnalysedPaper]) -> Synthesis: ...

    def fallback_synthesis(self, period: str, papers: list[AnalysedPaper]) -> Synthesis:
        """Written without a model from the analyses; fills what a synthesis left short."""
        ...

    def drain_calls(self) -> list[CallRecord]:
        """The model calls made since the last drain (thread-safe), for the runs table."""
        ...

    def prepare(self, analyses: int) -> None:
        """Told before a run's analyses how many calls are coming (a shared cached prefix
        pays only when more than one call reads it)."""
        ...
