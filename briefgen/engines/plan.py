"""What an engine would spend, before it spends anything: the calls it would make for one
purpose, their tokens and their cost (`--dry-run`, `--max-cost`).

Input tokens are counted from the exact prompts the engine would send, at about four characters
a token; output tokens are typical reply sizes, measured on briefgen's own schemas and rounded
up. A Message Batch (--batch) costs half; only the per-paper analyses go in one.
"""

from __future__ import annotations

from dataclasses import dataclass

from briefgen.core.settings import Price

ANALYSIS_OUTPUT = 800  # output tokens of an analysis (also what must fit beside its prompt)
COMPACT_ANALYSIS = 900  # what one analysis (about its reply size, usage guide included) adds
SYNTHESIS_OUTPUT = 3000
BATCH_DISCOUNT = 0.5


@dataclass
class PlannedCalls:
    purpose: str
    model: str
    calls: int
    input_tokens: int  # at full price
    output_tokens: int
    price: Price | None
    cache_write_tokens: int = 0
    cache_read_tokens: int = 0
    batchable: bool = True  # False: sent directly even with --batch, at full price

    def cost(self, batch: bool = False) -> float | None:
        if self.price is None:
            return None
        p = self.price
        dollars = (
            self.input_tokens * p.input + self.output_tokens * p.output
            + self.cache_write_tokens * (p.cache_write or p.input)
            + self.cache_read_tokens * (p.cache_read or p.input)
        ) / 1_000_000  # fmt: skip
        return dollars * (BATCH_DISCOUNT if batch and self.batchable else 1.0)
