"""What a model engine's calls may take, as the settings give it (see engines.factory)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CallLimits:
    analysis_max_tokens: int = 4096  # a reply cut off here is asked again with twice the budget
    synthesis_max_tokens: int = 8192
    synthesis_batch: int = 40  # above this many papers a day is synthesised per cluster
    prompt_caching: bool = True  # mark long shared prefixes for the cache (Anthropic)
    context_tokens: int | None = None  # the model's context window (None: as known for it)

# A reply cut off at its budget is asked again with twice the budget, up to this.
MAX_TOKENS_CEILING = 32_000
