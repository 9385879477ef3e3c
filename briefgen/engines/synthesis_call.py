"""A day's synthesis by a model: one structured call over the compact analyses, validated
against the brief's rules and repaired once; what still breaks a rule after the one retry is
dropped by the caller (briefgen.synthesize), never passed through."""

from __future__ import annotations

import math

from pydantic import ValidationError

from briefgen.core.calls import ChatMessage, Reply
from briefgen.core.models import AnalysedPaper, Synthesis
from briefgen.engines.base import RuleCheck
from briefgen.engines.caching import cache_minimum
from briefgen.engines.limits import MAX_TOKENS_CEILING, CallLimits
from briefgen.engines.plan import COMPACT_ANALYSIS, SYNTHESIS_OUTPUT, PlannedCalls
from briefgen.engines.prompt_text import validation_summary
from briefgen.engines.recorded_calls import PricedModel, RecordedCaller, Request
from briefgen.engines.synthesis_prompt import SynthesisPrompt, synthesis_schema
from briefgen.engines.validated_call import Wording, ask_validated
from briefgen.read.abstract import estimate_tokens

PURPOSE = "synthesis"
# What the call's messages say (users and tests read them; see engines.validated_call).
WORDING = Wording(
    declined="the model declined to write the synthesis (refusal)",
    failed="the synthesis reply failed validation twice",
    invalid="That synthesis breaks the brief's rules",
    listed=True,
)


class SynthesisCaller:
    def __init__(
        self, caller: RecordedCaller, model: PricedModel, prompt: SynthesisPrompt,
        limits: CallLimits,
    ) -> None:  # fmt: skip
        self.caller = caller
        self.model = model
        self.prompt = prompt
        self.max_tokens = limits.synthesis_max_tokens
        self.batch: int | None = limits.synthesis_batch

    def synthesize(
        self, period: str, papers: list[AnalysedPaper], check: RuleCheck | None = None
    ) -> Synthesis:
        """One call, and at most one repair (`ask_validated`): a reply cut off is asked again
        with twice the budget; one that does not parse, or breaks a rule `check` finds, is
        shown its problems. What still breaks a rule after that is the caller's to drop."""
        schema = synthesis_schema([p.paper_id for p in papers])
        message = self.prompt.message(period, papers)
        # The analyses are the long part of the prompt: cached, a repair round reads them at a
        # tenth of the price instead of paying for them again.
        cache = self.caller.worth_caching(self.model.name, self.prompt.system, message)

        def call(messages: list[ChatMessage], budget: int) -> Reply:
            request = Request(self.prompt.system, messages, schema, budget, cache=cache)
            return self.caller.send(period, PURPOSE, self.model, request)

        def parse(reply_text: str) -> tuple[Synthesis | None, list[str]]:
            try:
                parsed = Synthesis.model_validate_json(reply_text)
            except (ValidationError, ValueError) as exc:
                return None, [validation_summary(exc)]
            return parsed, check(parsed, papers) if check is not None else []

        return ask_validated(
            call, [{"role": "user", "content": message, "cache": True}], parse,
            budget=self.max_tokens, ceiling=MAX_TOKENS_CEILING, wording=WORDING,
        )  # fmt: skip

    def plan(self, papers: int) -> PlannedCalls:
        """The calls for a synthesis of `papers`: one per cluster above the batch size."""
        per_call = self.batch or max(1, papers)
        batches = max(1, math.ceil(papers / per_call))
        prompt = self.prompt.system + self.prompt.template + self.prompt.schema_text
        tokens = batches * estimate_tokens(prompt) + COMPACT_ANALYSIS * papers
        line = PlannedCalls(PURPOSE, self.model.name, batches, tokens, SYNTHESIS_OUTPUT * batches,
                            self.model.price, batchable=False)  # a direct call after the batch
        if self.caller.marks_cache and tokens // batches >= cache_minimum(line.model):
            # marked for the cache so that a repair round reads it: written at 1.25x once
            line.cache_write_tokens, line.input_tokens = tokens, 0
        return line
