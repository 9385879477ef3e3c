"""The values a model call produces: messages, replies, token usage and the call's record.

Every stage that calls a model, and the store that records the calls, share these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, NotRequired, TypedDict

from briefgen.core.settings import Price


class ChatMessage(TypedDict):
    role: Literal["user", "assistant"]
    content: str
    # Mark this message as the end of a cached prefix (providers that cache by marker only).
    cache: NotRequired[bool]


@dataclass(frozen=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.cache_read_tokens + other.cache_read_tokens,
            self.cache_write_tokens + other.cache_write_tokens,
        )

    def cost(self, price: Price | None) -> float:
        """US dollars; 0 when the model's price is unknown (the run says so)."""
        if price is None:
            return 0.0
        return (
            self.input_tokens * price.input
            + self.output_tokens * price.output
            + self.cache_read_tokens * price.cache_read
            + self.cache_write_tokens * price.cache_write
        ) / 1_000_000


@dataclass(frozen=True)
class Reply:
    text: str
    usage: Usage
    stop_reason: str  # "end_turn", "max_tokens", "tool_use", …
    model: str


@dataclass
class CallRecord:
    """One model call, for the runs table and the end-of-run summary."""

    paper_id: str
    purpose: str
    model: str
    usage: Usage
    seconds: float
    ok: bool
    message: str = ""
    cost_usd: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)
