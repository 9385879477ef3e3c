"""One paper's analysis by a model: one structured call, validated and repaired once.

The paper (title, categories, the authors' comment and its text) is fenced as untrusted data
(see engines.analysis_prompt). The reply must parse as `AnalysisOutput`; if it does not, the
model is shown the validation errors and asked once more; a paper that still fails is reported
as failed, never replaced by its abstract. A paper whose request may not fit the model's
context window is warned about once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from briefgen.core.calls import ChatMessage, Reply
from briefgen.core.models import PaperAnalysis, PaperText, ScoredPaper
from briefgen.engines.analysis_prompt import ANALYSIS_SCHEMA, AnalysisPrompt, parse_analysis
from briefgen.engines.cache_warmer import PromptCacheWarmer
from briefgen.engines.limits import MAX_TOKENS_CEILING, CallLimits
from briefgen.engines.plan import ANALYSIS_OUTPUT, PlannedCalls
from briefgen.engines.provider import BatchProvider
from briefgen.engines.providers.context import context_window
from briefgen.engines.recorded_calls import PricedModel, RecordedCaller, Request
from briefgen.engines.validated_call import Wording, ask_validated
from briefgen.read.abstract import estimate_tokens

PURPOSE = "analysis"
# What the call's messages say (users and tests read them; see engines.validated_call).
WORDING = Wording(
    declined="the model declined to analyse this paper (refusal)",
    failed="the model's reply failed twice",
    invalid="That reply does not match the required JSON schema",
)
WARM_UP = "Reply with {}."  # the cache warm-up's message: one output token, nothing to read

logger = logging.getLogger(__name__)


class AnalysisCaller:
    """Analyses papers with one model; thread-safe, so papers are analysed concurrently."""

    def __init__(
        self,
        caller: RecordedCaller,
        model: PricedModel,
        prompt: AnalysisPrompt,
        limits: CallLimits,
    ) -> None:
        self.caller = caller
        self.model = model
        self.prompt = prompt
        self.max_tokens = limits.analysis_max_tokens
        # What fits: prompt + paper + the reply's budget within the model's context window.
        local = bool(getattr(caller.provider, "local", False)) and limits.context_tokens is None
        self.context_tokens = limits.context_tokens or context_window(model.name, local=local)
        self._context_source = " (a local server's default, Ollama's)" if local else ""
        self._told: set[str] = set()
        # The system prompt is the one prefix every paper shares; it is marked for the cache
        # only when the API will cache it.
        warm_up = Request(prompt.system, [{"role": "user", "content": WARM_UP}],
                          ANALYSIS_SCHEMA, max_tokens=1, cache=True)  # fmt: skip
        self.warmer = PromptCacheWarmer(
            caller, model, warm_up, worth_it=caller.worth_caching(model.name, prompt.system)
        )

    def context_problem(self, paper: ScoredPaper, text: PaperText) -> str | None:
        """Why this paper's call may not fit the model's context window, or None."""
        if self.context_tokens is None:
            return None
        needed = self.prompt.request_tokens(paper, text)
        if needed + ANALYSIS_OUTPUT <= self.context_tokens:
            return None
        return (
            f"{paper.paper.id}: the prompt and paper are about {needed:,} tokens and a reply "
            f"about {ANALYSIS_OUTPUT:,}, more than {self.model.name}'s context of "
            f"{self.context_tokens:,} tokens{self._context_source}; the server may cut the "
            "paper or the reply (read it from its abstract, or raise the server's context size)"
        )

    def analyze(self, paper: ScoredPaper, text: PaperText) -> PaperAnalysis:
        problem = self.context_problem(paper, text)
        if problem is not None and paper.paper.id not in self._told:
            self._told.add(paper.paper.id)
            logger.warning(problem)
        return self.complete(paper, text)

    def message(self, paper: ScoredPaper, text: PaperText) -> ChatMessage:
        return {"role": "user", "content": self.prompt.message(paper, text)}

    def batch_request(self, paper: ScoredPaper, text: PaperText) -> Request:
        """What a Message Batch sends for `paper`: the first request, its prefix marked for
        the cache when it is long enough to be cached (no warm-up precedes a batch)."""
        return Request(self.prompt.system, [self.message(paper, text)], ANALYSIS_SCHEMA,
                       self.max_tokens, cache=self.warmer.worth_it)  # fmt: skip

    def complete(
        self, paper: ScoredPaper, text: PaperText, first_reply: Reply | None = None
    ) -> PaperAnalysis:
        """Validate a reply (the first one may come from a Message Batch) and fix it once
        (`ask_validated`): a reply cut off at the token limit is asked again with twice the
        budget; one that does not fit the schema is shown its errors; a refusal is reported,
        not retried."""
        p = paper.paper

        def call(messages: list[ChatMessage], budget: int) -> Reply:
            self.warmer.warm()
            request = Request(self.prompt.system, messages, ANALYSIS_SCHEMA, budget,
                              cache=self.warmer.marks)  # fmt: skip
            return self.caller.send(p.id, PURPOSE, self.model, request)

        output = ask_validated(
            call, [self.message(paper, text)], parse_analysis, budget=self.max_tokens,
            ceiling=MAX_TOKENS_CEILING, wording=WORDING, first_reply=first_reply,
        )  # fmt: skip
        return PaperAnalysis(
            paper_id=p.id,
            version=p.version,
            title=p.title,
            read_from=text.read_from,
            **output.model_dump(),
        )

    def plan(self, analyses: Sequence[int]) -> PlannedCalls:
        """The calls for analyses of these input tokens (`AnalysisPrompt.request_tokens`)."""
        n = len(analyses)
        line = PlannedCalls(PURPOSE, self.model.name, n, sum(analyses), ANALYSIS_OUTPUT * n,
                            self.model.price)  # fmt: skip
        if self.warmer.worth_it and n >= 2:
            # One warm-up call writes the shared system prompt to the cache; every analysis
            # then reads it (see engines.cache_warmer).
            system = estimate_tokens(self.prompt.system)
            line.calls += 1
            line.cache_write_tokens = system
            line.cache_read_tokens = n * system
            line.input_tokens -= n * system
        return line


@dataclass(frozen=True)
class BatchRoute:
    """The analyses sent as one Message Batch: the analysis call's requests, through a
    provider that takes batches (`--batch`)."""

    analysis: AnalysisCaller
    provider: BatchProvider
