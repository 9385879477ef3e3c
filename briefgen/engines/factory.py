"""The engine a run uses, built from Settings and the environment (API keys live only there)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal

from briefgen.core.calls import Reply
from briefgen.core.errors import BriefgenError
from briefgen.core.settings import Settings
from briefgen.engines.base import Engine
from briefgen.engines.limits import CallLimits
from briefgen.engines.provider import Provider
from briefgen.engines.recorded_calls import PricedModel
from briefgen.infra.net import RetryPolicy

if TYPE_CHECKING:
    from briefgen.engines.model_engine import EngineModels


def make_provider(
    settings: Settings,
    env: Mapping[str, str] | None = None,
) -> Provider:
    """The provider of `settings`; each retried call is one warning."""
    env = os.environ if env is None else env
    policy = RetryPolicy(
        attempts=settings.network.http_retries,
        wait=settings.network.retry_wait_seconds,
        timeout=settings.model.timeout_seconds,
        timeout_setting="[model] timeout_seconds",
    )
    if settings.provider == "anthropic":
        from briefgen.engines.providers.anthropic_provider import (
            AnthropicProvider,  # the SDK loads slowly
        )

        return AnthropicProvider(
            api_key=env.get("ANTHROPIC_API_KEY"),
            policy=policy,
            timeout=settings.model.timeout_seconds,
            structured=settings.model.anthropic_structured,
        )
    from briefgen.engines.providers.openai_provider import OpenAIProvider

    return OpenAIProvider(
        base_url=settings.model.openai_base_url,
        api_key=env.get("OPENAI_API_KEY"),
        policy=policy,
        timeout=settings.model.timeout_seconds,
    )


def _local(settings: Settings) -> bool:
    """An OpenAI-compatible server on this machine, as OpenAIProvider judges it."""
    if settings.provider != "openai":
        return False
    from briefgen.engines.providers.openai_provider import is_local

    return is_local(settings.model.openai_base_url)


def reader_interests(settings: Settings) -> str:
    """The active profile as the synthesis reads it: who the brief is for."""
    profile = settings.active_profile
    categories = ", ".join(profile.categories) or "any"
    keywords = ", ".join(profile.keywords) or "none given"
    return f"profile {settings.profile!r}; arXiv categories: {categories}; keywords: {keywords}"


class NoCallProvider:
    """Stands in for a provider when nothing may be sent (`--dry-run`): an estimate needs the
    prompts and models but no key, and a call reaching here is a bug, not a spend."""

    def __init__(self, name: str, local: bool = False) -> None:
        self.name = name
        self.caches_by_marker = name == "anthropic"
        self.local = local  # a server on this machine: its default context (see providers)

    def complete(self, **_: object) -> Reply:
        raise BriefgenError(f"internal error: a dry run tried to call {self.name}")


def make_engine(
    settings: Settings,
    env: Mapping[str, str] | None = None,
    *,
    calls: bool = True,
) -> Engine:
    """The engine of a run; `calls=False` builds one that can only estimate (no key needed)."""
    if settings.provider == "offline":
        # Imported here: it loads numpy, and the model engine its SDK; `--help` needs neither.
        from briefgen.engines.offline.engine import OfflineEngine

        return OfflineEngine()
    provider: Provider = (
        make_provider(settings, env)
        if calls
        else NoCallProvider(settings.provider, local=_local(settings))
    )
    from briefgen.engines.model_engine import ModelEngine

    return ModelEngine(
        provider, engine_models(settings), call_limits(settings),
        prompts_dir=settings.model.prompts_dir, interests=reader_interests(settings),
    )  # fmt: skip


def engine_models(settings: Settings) -> EngineModels:
    """The model of each purpose with its price."""
    from briefgen.engines.model_engine import EngineModels

    def priced(purpose: Literal["analysis", "synthesis", "translation"]) -> PricedModel:
        model = settings.model_for(purpose)
        return PricedModel(model, settings.price_of(model))

    return EngineModels(priced("analysis"), priced("synthesis"), priced("translation"))


def call_limits(settings: Settings) -> CallLimits:
    return CallLimits(
        analysis_max_tokens=settings.model.max_output_tokens,
        synthesis_max_tokens=settings.model.synthesis_max_output_tokens,
        synthesis_batch=settings.model.synthesis_batch,
        prompt_caching=settings.model.prompt_caching,
    )
