"""The engine for language models: one structured call per paper and one per synthesis,
validated and repaired, each recorded with its cost.

It is an assembly of small parts: the calls go through one `RecordedCaller` into one ledger;
`AnalysisCaller` and `SynthesisCaller` ask, validate and repair (engines.validated_call);
a `PromptCacheWarmer` writes the analyses' shared prompt into the cache first; `ModelAsker`
serves the stages that ask on their own (triage, translation).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from briefgen.core.calls import CallRecord
from briefgen.core.models import AnalysedPaper, PaperAnalysis, PaperText, ScoredPaper, Synthesis
from briefgen.engines.analysis_call import AnalysisCaller, BatchRoute
from briefgen.engines.analysis_prompt import AnalysisPrompt
from briefgen.engines.asker import AskPurpose, ModelAsker
from briefgen.engines.base import RuleCheck
from briefgen.engines.limits import CallLimits
from briefgen.engines.plan import PlannedCalls
from briefgen.engines.provider import BatchProvider, Provider
from briefgen.engines.recorded_calls import CallLedger, PricedModel, RecordedCaller
from briefgen.engines.spares import analysis_synthesis
from briefgen.engines.synthesis_call import SynthesisCaller
from briefgen.engines.synthesis_prompt import SynthesisPrompt


@dataclass(frozen=True)
class EngineModels:
    """The model of each purpose; synthesis and translation use the analysis model unless
    given their own."""

    analysis: PricedModel
    synthesis: PricedModel | None = None
    translation: PricedModel | None = None


class ModelEngine:
    """An Engine backed by a Provider; thread-safe, so papers are analysed concurrently."""

    results_worth_caching = True
    written_chinese = None  # its Chinese is asked of a model: asker("translation")

    def __init__(
        self,
        provider: Provider,
        models: EngineModels,
        limits: CallLimits | None = None,
        *,
        prompts_dir: Path | None = None,
        interests: str = "",
    ) -> None:
        limits = limits or CallLimits()
        self.provider = provider
        self.ledger = CallLedger()
        self.caller = RecordedCaller(provider, self.ledger, prompt_caching=limits.prompt_caching)
        # The compact prompt where nothing caches the long one (OpenAI-compatible servers).
        prompt = AnalysisPrompt(prompts_dir, compact=not provider.caches_by_marker)
        self.analysis = AnalysisCaller(self.caller, models.analysis, prompt, limits)
        self.synthesis = SynthesisCaller(
            self.caller, models.synthesis or models.analysis,
            SynthesisPrompt(prompts_dir, interests=interests), limits,
        )  # fmt: skip
        self.translation = models.translation or models.analysis

    # what the stages read ------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.provider.name

    @property
    def model(self) -> str:
        return self.analysis.model.name

    @property
    def synthesis_model(self) -> str:
        return self.synthesis.model.name

    @property
    def brief_models(self) -> list[str]:
        return list(dict.fromkeys([self.model, self.synthesis_model]))

    @property
    def analysis_version(self) -> str:
        return self.analysis.prompt.version

    @property
    def synthesis_version(self) -> str:
        return self.synthesis.prompt.version

    @property
    def prompt_versions(self) -> dict[str, str]:
        return {"analysis": self.analysis_version, "synthesis": self.synthesis_version}

    @property
    def interests(self) -> str:
        return self.synthesis.prompt.interests

    @property
    def synthesis_batch(self) -> int | None:
        return self.synthesis.batch

    # the calls -----------------------------------------------------------------------------

    def drain_calls(self) -> list[CallRecord]:
        return self.ledger.drain()

    def prepare(self, analyses: int) -> None:
        self.analysis.warmer.prepare(analyses)

    def analyze(self, paper: ScoredPaper, text: PaperText) -> PaperAnalysis:
        return self.analysis.analyze(paper, text)

    def synthesize(
        self, period: str, papers: list[AnalysedPaper], check: RuleCheck | None = None
    ) -> Synthesis:
        return self.synthesis.synthesize(period, papers, check)

    def fallback_synthesis(self, period: str, papers: list[AnalysedPaper]) -> Synthesis:
        """Assembled from the model's own analyses, no offline-engine text: what fills a
        section left short (see briefgen.engines.spares)."""
        return analysis_synthesis(papers)

    def asker(self, purpose: AskPurpose) -> ModelAsker:
        """Triage asks the analysis model; translation its own model, if one is set."""
        model = self.translation if purpose == "translation" else self.analysis.model
        return ModelAsker(self.caller, purpose, model)

    def batches(self) -> BatchRoute | None:
        if not isinstance(self.provider, BatchProvider):
            return None
        return BatchRoute(self.analysis, self.provider)

    # what it would cost --------------------------------------------------------------------

    def request_tokens(self, paper: ScoredPaper, text: PaperText) -> int:
        return self.analysis.prompt.request_tokens(paper, text)

    def context_problem(self, paper: ScoredPaper, text: PaperText) -> str | None:
        return self.analysis.context_problem(paper, text)

    def plan(self, analyses: Sequence[int], synthesized: int | None) -> list[PlannedCalls]:
        lines = [self.analysis.plan(analyses)]
        if synthesized is not None:
            lines.append(self.synthesis.plan(synthesized))
        return lines
