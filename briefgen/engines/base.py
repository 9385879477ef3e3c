"""The interface every engine implements: analyse one paper, synthesise one day.

Stages call these two methods and nothing else, so an LLM provider plugs in by implementing
them (usually through one structured-output call each), while caching, validation and
rendering stay in the stages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from briefgen.core.calls import CallRecord
from briefgen.core.models import AnalysedPaper, PaperAnalysis, PaperText, ScoredPaper, Synthesis

# What a synthesis breaks of the brief's rules, given the papers it was written from.
RuleCheck = Callable[[Synthesis, list[AnalysedPaper]], list[str]]


class Engine(Protocol):
    name: str
    """Short engine name shown in provenance ("offline", "anthropic")."""

    model: str
    """The model id; part of every analysis cache key."""

    analysis_version: str
    """The analysis prompt's version (a hash); part of every analysis cache key."""

    synthesis_version: str

    def analyze(self, paper: ScoredPaper, text: PaperText) -> PaperAnalysis: ...

    synthesis_batch: int | None
    """Above this many papers a day is synthesised per cluster (None: the engine takes any)."""

    def synthesize(
        self, period: str, papers: list[AnalysedPaper], check: RuleCheck | None = None
    ) -> Synthesis:
        """One synthesis of `papers`; `check` lists what breaks the brief's rules, for a model
        engine's one repair (the synthesize stage owns the rules)."""
        ...

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
