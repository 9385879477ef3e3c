"""What a language-model provider does for briefgen: one structured completion.

`complete` takes a system prompt, the conversation so far and a JSON schema, and returns the
reply's text (which should be JSON for that schema) with its token usage. Retries, wire formats
and error mapping live in each provider; prompts, validation and repair live in the engine.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from briefgen.core.calls import ChatMessage, Reply


class Provider(Protocol):
    name: str
    # Whether the API caches a prompt prefix only where a request marks it (Anthropic); an
    # OpenAI-compatible server caches long prefixes by itself, and no marker is sent.
    caches_by_marker: bool

    def complete(
        self,
        *,
        model: str,
        system: str,
        messages: list[ChatMessage],
        schema: dict[str, Any],
        max_tokens: int,
        cache: bool = False,
    ) -> Reply:
        """`cache`: mark the system prompt (and messages flagged `cache`) as a cached prefix;
        the engine asks only where the prefix is long enough for the API to cache it."""
        ...


@runtime_checkable
class BatchProvider(Protocol):
    """A provider that also takes Message Batches (AnthropicProvider): many requests at half
    the price, answered within hours."""

    def request_for(
        self, model: str, system: str, messages: list[ChatMessage], schema: dict[str, Any],
        max_tokens: int, cache: bool = False,
    ) -> dict[str, Any]: ...  # fmt: skip

    def batch_submit(self, requests: list[tuple[str, dict[str, Any]]]) -> str: ...

    def batch_status(self, batch_id: str) -> tuple[str, dict[str, int]]: ...

    def batch_results(self, batch_id: str) -> list[tuple[str, Reply | None, str]]: ...
