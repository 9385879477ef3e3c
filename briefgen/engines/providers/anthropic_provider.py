"""The Anthropic provider: the only module that imports `anthropic`.

Structured outputs: the JSON schema goes in `output_config.format` (what the SDK's
`messages.parse` sends), or, for models and proxies without them, a forced tool call whose
input is the JSON. Where the engine asks for it, the system prompt (and a message it flags)
carries `cache_control`: the API caches a prefix only above a per-model minimum length, so the
engine decides (see briefgen.engines.caching). No sampling parameters (newer models reject
them). The SDK's own retries are off; ours back off on 429/529/5xx/timeouts and honour
`retry-after`, so attempts are never multiplied. Errors that retrying cannot fix stop the run
at once: a refused key, a spend limit, and an endpoint that refuses connections or does not
resolve (`UnreachableError`, from the retry policy, on the first attempt).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

import anthropic

from briefgen.core.calls import ChatMessage, Reply, Usage
from briefgen.core.errors import AnalysisError, ConfigError, UpstreamError
from briefgen.core.settings import StructuredMode
from briefgen.infra.net import RetryPolicy

T = TypeVar("T")
SERVICE = "the Anthropic API"
KEY_VARIABLE = "ANTHROPIC_API_KEY"
TOOL_NAME = "record_analysis"
# A 429 that waiting cannot cure: the account's spend or usage limit, or no credit left.
_SPEND_LIMIT = re.compile(r"spend|usage limit|credit|billing", re.IGNORECASE)


def _transient(error: BaseException) -> bool:
    if isinstance(error, anthropic.RateLimitError):
        return not _SPEND_LIMIT.search(str(error.api_message or error))
    if isinstance(error, anthropic.APIStatusError):
        return error.status_code in (408, 409, 500, 502, 503, 504, 529) or error.status_code >= 500
    return isinstance(error, anthropic.APIConnectionError)  # includes timeouts


def _fatal(error: anthropic.APIStatusError) -> Exception:
    """The error to raise for a refusal retrying cannot fix."""
    reason = error.api_message or str(error)
    if isinstance(error, anthropic.AuthenticationError | anthropic.PermissionDeniedError):
        return ConfigError(
            f"{SERVICE} refused the API key (HTTP {error.status_code}: {reason}); "
            f"set {KEY_VARIABLE} to a valid key"
        )
    if isinstance(error, anthropic.NotFoundError):
        return ConfigError(
            f"{SERVICE} does not know that model or endpoint (HTTP 404: {reason}); "
            "check --model / --analysis-model and ANTHROPIC_BASE_URL"
        )
    if isinstance(error, anthropic.RateLimitError):
        return ConfigError(
            f"{SERVICE} stopped the run: {reason}; raise the limit in the Anthropic console "
            "or wait until it resets (finished analyses are kept)"
        )
    return AnalysisError(f"{SERVICE} refused the request (HTTP {error.status_code}: {reason})")


class AnthropicProvider:
    name = "anthropic"
    caches_by_marker = True

    def __init__(
        self,
        *,
        api_key: str | None,
        policy: RetryPolicy,
        timeout: float = 120.0,
        structured: StructuredMode = "output_config",
        base_url: str | None = None,
    ) -> None:
        if not api_key:
            raise ConfigError(
                f"--provider anthropic needs an API key: set {KEY_VARIABLE} (or use "
                "--provider offline, which needs none)"
            )
        # base_url None lets the SDK read ANTHROPIC_BASE_URL, as it documents.
        self._client = anthropic.Anthropic(
            api_key=api_key, base_url=base_url, max_retries=0, timeout=timeout
        )
        self._policy = policy
        self.structured = structured

    def _request(
        self, model: str, system: str, messages: list[ChatMessage], schema: dict[str, Any],
        max_tokens: int, cache: bool = False,
    ) -> dict[str, Any]:  # fmt: skip
        system_block: dict[str, Any] = {"type": "text", "text": system}
        if cache:
            system_block["cache_control"] = {"type": "ephemeral"}
        request: dict[str, Any] = {
            "model": model,
            "max_tokens": max_tokens,
            "system": [system_block],
            "messages": [_message(m, cache) for m in messages],
        }
        if self.structured == "tool":
            request["tools"] = [
                {
                    "name": TOOL_NAME,
                    "description": "Record the analysis of the paper.",
                    "input_schema": schema,
                }
            ]
            request["tool_choice"] = {"type": "tool", "name": TOOL_NAME}
        else:
            request["output_config"] = {
                "format": {"type": "json_schema", "schema": anthropic.transform_schema(schema)}
            }
        return request

    def request_for(
        self, model: str, system: str, messages: list[ChatMessage], schema: dict[str, Any],
        max_tokens: int, cache: bool = False,
    ) -> dict[str, Any]:  # fmt: skip
        """The Messages API request body `complete` would send (a batch request's params)."""
        return self._request(model, system, messages, schema, max_tokens, cache)

    def _run(self, call: Callable[[], T]) -> T:
        try:
            return self._policy.run(
                SERVICE, call, _transient,
                " (ANTHROPIC_BASE_URL points the SDK at another endpoint)",
                url=str(self._client.base_url),
            )  # fmt: skip
        except anthropic.APIStatusError as exc:
            raise _fatal(exc) from None

    def batch_submit(self, requests: list[tuple[str, dict[str, Any]]]) -> str:
        """Send (custom_id, request) pairs as one Message Batch; returns its id."""
        batch = self._run(
            lambda: self._client.messages.batches.create(
                # The params are the same request dicts `complete` sends, typed loosely here.
                requests=cast(Any, [{"custom_id": c, "params": p} for c, p in requests])
            )
        )
        return str(batch.id)

    def batch_status(self, batch_id: str) -> tuple[str, dict[str, int]]:
        """(processing_status, request counts) of a batch."""
        batch = self._run(lambda: self._client.messages.batches.retrieve(batch_id))
        counts = batch.request_counts
        return str(batch.processing_status), {
            "processing": counts.processing, "succeeded": counts.succeeded,
            "errored": counts.errored, "canceled": counts.canceled, "expired": counts.expired,
        }  # fmt: skip

    def batch_results(self, batch_id: str) -> list[tuple[str, Reply | None, str]]:
        """(custom_id, the reply, or None and why) for every request of an ended batch."""
        entries = self._run(lambda: list(self._client.messages.batches.results(batch_id)))
        results: list[tuple[str, Reply | None, str]] = []
        for entry in entries:
            result = entry.result
            if result.type == "succeeded":
                message = result.message
                reply = Reply(
                    text=_reply_text(message.content),
                    usage=_usage(message.usage),
                    stop_reason=str(message.stop_reason or ""),
                    model=str(message.model),
                )
                results.append((entry.custom_id, reply, ""))
            elif result.type == "errored":
                error = getattr(result, "error", None)
                detail = getattr(getattr(error, "error", None), "message", None) or str(error)
                results.append((entry.custom_id, None, f"errored: {detail}"))
            else:
                results.append((entry.custom_id, None, str(result.type)))
        return results

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
        request = self._request(model, system, messages, schema, max_tokens, cache)
        try:
            message = self._run(lambda: self._client.messages.create(**request))
            return Reply(
                text=_reply_text(message.content),
                usage=_usage(message.usage),
                stop_reason=str(message.stop_reason or ""),
                model=str(message.model or model),
            )
        except (json.JSONDecodeError, AttributeError, TypeError) as exc:
            # A proxy's web page, a bare list, a message without content: not the Messages API.
            raise UpstreamError(
                f"{SERVICE} answered with something that is not a message ({type(exc).__name__}"
                f" reading it); check that ANTHROPIC_BASE_URL points at the Anthropic API or a "
                "proxy that speaks it"
            ) from None


def _message(message: ChatMessage, cache: bool) -> dict[str, Any]:
    if cache and message.get("cache"):
        block = {"type": "text", "text": message["content"], "cache_control": {"type": "ephemeral"}}
        return {"role": message["role"], "content": [block]}
    return {"role": message["role"], "content": message["content"]}


def _reply_text(blocks: list[Any]) -> str:
    for block in blocks:
        if block.type == "tool_use" and block.name == TOOL_NAME:
            data = block.input
            return json.dumps(data) if isinstance(data, Mapping) else str(data)
    return "".join(block.text for block in blocks if block.type == "text")


def _usage(usage: Any) -> Usage:
    return Usage(
        input_tokens=int(usage.input_tokens or 0),
        output_tokens=int(usage.output_tokens or 0),
        cache_read_tokens=int(getattr(usage, "cache_read_input_tokens", 0) or 0),
        cache_write_tokens=int(getattr(usage, "cache_creation_input_tokens", 0) or 0),
    )
