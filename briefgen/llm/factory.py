"""The engine a run uses, built from Settings and the environment (API keys live only there)."""

from __future__ import annotations

import os
from collections.abc import Mapping

from briefgen.config import Settings
from briefgen.llm.base import Engine
from briefgen.llm.model_engine import ModelEngine
from briefgen.llm.offline import OfflineEngine
from briefgen.llm.provider import Provider
from briefgen.net import RetryPolicy


def make_provider(settings: Settings, env: Mapping[str, str] | None = None) -> Provider:
    env = os.environ if env is None else env
    policy = RetryPolicy(attempts=settings.http_retries, wait=settings.retry_wait_seconds)
    if settings.provider == "anthropic":
        from briefgen.llm.anthropic_provider import AnthropicProvider  # the SDK loads slowly

        return AnthropicProvider(
            api_key=env.get("ANTHROPIC_API_KEY"),
            policy=policy,
            timeout=settings.model_timeout_seconds,
            structured=settings.anthropic_structured,
        )
    from briefgen.llm.openai_provider import OpenAIProvider

    return OpenAIProvider(
        base_url=settings.openai_base_url,
        api_key=env.get("OPENAI_API_KEY"),
        policy=policy,
        timeout=settings.model_timeout_seconds,
    )


def make_engine(settings: Settings, env: Mapping[str, str] | None = None) -> Engine:
    if settings.provider == "offline":
        return OfflineEngine()
    model = settings.model_for("analysis")
    synthesis_model = settings.model_for("synthesis")
    return ModelEngine(
        make_provider(settings, env),
        model,
        prompts_dir=settings.prompts_dir,
        max_tokens=settings.max_output_tokens,
        price=settings.price_of(model),
        synthesis_model=synthesis_model,
        synthesis_price=settings.price_of(synthesis_model),
        batch_size=settings.synthesis_batch,
    )
