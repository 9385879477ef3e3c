"""Any OpenAI-compatible endpoint (OpenAI, Ollama, vLLM, llama.cpp server, DeepSeek, Qwen)
over httpx: `POST {base}/chat/completions` asking for `response_format: json_schema`; a server
that refuses that format is asked for plain JSON mode instead (with the schema in the system
prompt), and the engine's validation does the rest. A local server that is not running (a
refused connection on 127.0.0.1) stops the run at once with a line that says so."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

import httpx

from briefgen.core.calls import ChatMessage, Reply, Usage
from briefgen.core.errors import AnalysisError, ConfigError, UpstreamError
from briefgen.infra.net import (
    RETRY_STATUSES,
    RetryableStatus,
    RetryPolicy,
    is_transient_http,
    retry_after_seconds,
)

SERVICE = "the OpenAI-compatible API"
KEY_VARIABLE = "OPENAI_API_KEY"


class OpenAIProvider:
    name = "openai"
    caches_by_marker = False

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str | None,
        policy: RetryPolicy,
        timeout: float = 120.0,
        client: httpx.Client | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        # Local servers (Ollama, llama.cpp) need no key; api.openai.com says 401 without one.
        self._client = client or httpx.Client(timeout=timeout, headers=headers)
        if client is not None and api_key:
            self._client.headers.update(headers)
        self._url = base_url.rstrip("/") + "/chat/completions"
        # A server on this machine (Ollama, llama.cpp) serves models with a small context by
        # default: the engine checks each prompt against it (see providers.context).
        self.local = is_local(base_url)
        self._policy = policy
        self.mode = "json_schema"  # becomes "json_object" if the server refuses schemas

    def _body(
        self, model: str, system: str, messages: list[ChatMessage], schema: dict[str, Any],
        max_tokens: int,
    ) -> dict[str, Any]:  # fmt: skip
        if self.mode == "json_schema":
            response_format: dict[str, Any] = {
                "type": "json_schema",
                "json_schema": {"name": "paper_analysis", "schema": schema},
            }
        else:
            response_format = {"type": "json_object"}
            system += (
                "\n\nReply with one JSON object, nothing else, matching this JSON schema:\n"
                + json.dumps(schema)
            )
        return {
            "model": model,
            "max_tokens": max_tokens,
            "messages": [
                {"role": "system", "content": system},
                *({"role": m["role"], "content": m["content"]} for m in messages),
            ],
            "response_format": response_format,
        }

    def _post(self, body: dict[str, Any]) -> httpx.Response:
        response = self._client.post(self._url, json=body)
        if response.status_code in RETRY_STATUSES:
            raise RetryableStatus(
                SERVICE, response.status_code,
                retry_after_seconds(response.headers.get("Retry-After")),
            )  # fmt: skip
        return response

    def complete(
        self,
        *,
        model: str,
        system: str,
        messages: list[ChatMessage],
        schema: dict[str, Any],
        max_tokens: int,
        cache: bool = False,  # OpenAI-compatible servers cache long prefixes without markers
    ) -> Reply:
        for _ in range(2):
            body = self._body(model, system, messages, schema, max_tokens)
            response = self._policy.run(
                SERVICE,
                partial(self._post, body),
                is_transient_http,
                " (BRIEFGEN_MODEL__OPENAI_BASE_URL points briefgen at another endpoint)",
                url=self._url,
            )
            if response.status_code == 400 and self.mode == "json_schema" and (
                "response_format" in response.text or "json_schema" in response.text
            ):  # fmt: skip
                self.mode = "json_object"
                continue
            return self._reply(response, model)
        raise AnalysisError(f"{SERVICE} refused both JSON schema and JSON mode")  # unreachable

    def _reply(self, response: httpx.Response, model: str) -> Reply:
        status = response.status_code
        reason = _error_message(response)
        if status in (401, 403):
            raise ConfigError(
                f"{SERVICE} at {self._url} refused the request (HTTP {status}: {reason}); "
                f"set {KEY_VARIABLE} to a valid key"
            )
        if status == 404:
            raise ConfigError(
                f"{SERVICE} at {self._url} does not know model {model!r} or this endpoint "
                f"(HTTP 404: {reason}); check --model and BRIEFGEN_MODEL__OPENAI_BASE_URL"
            )
        if status >= 400:
            raise AnalysisError(f"{SERVICE} refused the request (HTTP {status}: {reason})")
        try:
            data = response.json()
            choice = data["choices"][0]
            text = choice["message"].get("content") or ""
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise UpstreamError(f"{SERVICE} sent an unreadable reply: {exc}") from exc
        usage = data.get("usage") or {}
        cached = (usage.get("prompt_tokens_details") or {}).get("cached_tokens") or 0
        return Reply(
            text=text,
            usage=Usage(
                input_tokens=int(usage.get("prompt_tokens", 0)) - int(cached),
                output_tokens=int(usage.get("completion_tokens", 0)),
                cache_read_tokens=int(cached),
            ),
            stop_reason="max_tokens" if choice.get("finish_reason") == "length" else "end_turn",
            model=str(data.get("model") or model),
        )


def is_local(base_url: str) -> bool:
    """Whether the server runs on this machine (Ollama, llama.cpp, a local vLLM)."""
    try:
        host = httpx.URL(base_url).host
    except (httpx.InvalidURL, TypeError):
        return False
    return host in ("127.0.0.1", "localhost", "::1", "0.0.0.0")


def _error_message(response: httpx.Response) -> str:
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):  # not JSON, or JSON that is not an object
        return response.text[:200]
    if isinstance(error, dict):
        return str(error.get("message", ""))[:200]
    return str(error or response.text)[:200]
