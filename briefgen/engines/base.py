"""The interface every engine implements: analyse one paper, synthesise one day, and say what
it would cost and what else it can do, so that no stage asks which engine it holds.

Stages call these methods and nothing else, so an LLM provider plugs in by implementing them
(usually through one structured-output call each), while caching, validation and rendering
stay in the stages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from briefgen.core.calls import CallRecord
from briefgen.core.models import AnalysedPaper, PaperAnalysis, PaperText, ScoredPaper, Synthesis

if TYPE_CHECKING:
    from briefgen.engines.analysis_call import BatchRoute
    from briefgen.engines.asker import Asker, AskPurpose
    from briefgen.engines.plan import PlannedCalls

# What a synthesis breaks of the brief's rules, given the papers it was written from.
RuleCheck = Callable[[Synthesis, list[AnalysedPaper]], list[str]]


class Engine(Protocol):
    @property
    def name(self) -> str:
        """Short engine name shown in provenance ("offline", "anthropic")."""
        ...

    @property
    def model(self) -> str:
        """The analysis model's id; part of every analysis cache key."""
        ...

    @property
    def synthesis_model(self) -> str:
        """The model that writes the synthesis; part of its cache key."""
        ...

    @property
    def brief_models(self) -> list[str]:
        """The models whose words a brief carries (analysis, synthesis), each once; none for
        an engine that calls no model (the brief then says what its text is)."""
        ...

    @property
    def analysis_version(self) -> str:
        """The analysis prompt's version (a hash); part of every analysis cache key."""
        ...

    @property
    def synthesis_version(self) -> str: ...

    @property
    def prompt_versions(self) -> dict[str, str]:
        """The versions a brief's provenance names, by what they shaped."""
        ...

    @property
    def interests(self) -> str:
        """Who the brief is for, as the synthesis reads it (part of its cache key)."""
        ...

    @property
    def synthesis_batch(self) -> int | None:
        """Above this many papers a day is synthesised per cluster (None: the engine takes any)."""
        ...

    @property
    def results_worth_caching(self) -> bool:
        """Whether its results cost model calls: each analysis is stored as soon as it is
        made and a synthesis is cached by what it read. (False: remade at no cost, so
        analyses are stored in few transactions and a synthesis not at all.)"""
        ...

    @property
    def written_chinese(self) -> dict[str, str] | None:
        """The Chinese of what it wrote itself (English -> Chinese), or None when a brief's
        Chinese must be asked of a model (`asker("translation")`)."""
        ...

    def analyze(self, paper: ScoredPaper, text: PaperText) -> PaperAnalysis: ...

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

    def asker(self, purpose: AskPurpose) -> Asker | None:
        """One recorded call at a time for another stage, with its model; None: the engine
        has no model to ask."""
        ...

    def batches(self) -> BatchRoute | None:
        """How its analyses go in a Message Batch, or None when its provider takes none."""
        ...

    def request_tokens(self, paper: ScoredPaper, text: PaperText) -> int:
        """The estimated input tokens of the paper's analysis call (0: no call)."""
        ...

    def context_problem(self, paper: ScoredPaper, text: PaperText) -> str | None:
        """Why the paper's analysis call may not fit the model's context window, or None."""
        ...

    def plan(self, analyses: Sequence[int], synthesized: int | None) -> list[PlannedCalls]:
        """The calls it would make for analyses of these input tokens (`request_tokens`)
        and, unless `synthesized` is None, a synthesis of that many papers; with their cost.
        Empty for an engine that calls no model."""
        ...
