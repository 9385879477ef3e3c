"""Every model call a run makes, sent through one provider and written down: its tokens, its
cost at the model's price, and whether it failed, for the runs table and the brief's footer.

Calls come from many threads (papers are analysed concurrently); the stage that made them
drains the ledger. A bad key or a spend limit (ConfigError) concerns every call: after the
first, nothing more is sent.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from briefgen.core.calls import CallRecord, ChatMessage, Reply, Usage
from briefgen.core.errors import AnalysisError, ConfigError, UpstreamError
from briefgen.core.settings import Price
from briefgen.engines.caching import worth_caching
from briefgen.engines.provider import Provider


@dataclass(frozen=True)
class PricedModel:
    """A model and its price (None: unknown, its calls count as $0)."""

    name: str
    price: Price | None = None


@dataclass(frozen=True)
class Request:
    system: str
    messages: list[ChatMessage]
    schema: dict[str, Any]
    max_tokens: int
    cache: bool = False  # mark the system prompt (and messages flagged `cache`) for the cache


class CallLedger:
    """The calls made since the last drain; thread-safe."""

    def __init__(self) -> None:
        self._calls: list[CallRecord] = []
        self._lock = threading.Lock()

    def record(self, record: CallRecord) -> None:
        with self._lock:
            self._calls.append(record)

    def drain(self) -> list[CallRecord]:
        with self._lock:
            calls, self._calls = self._calls, []
        return calls


class RecordedCaller:
    """Sends requests to the provider and records each in the ledger, failed ones too."""

    def __init__(self, provider: Provider, ledger: CallLedger, *, prompt_caching: bool) -> None:
        self.provider = provider
        self.ledger = ledger
        # An OpenAI-compatible server caches long prefixes by itself: nothing to mark.
        self.marks_cache = prompt_caching and provider.caches_by_marker
        self._stopped: ConfigError | None = None

    def worth_caching(self, model: str, *texts: str) -> bool:
        """Whether a prefix of `texts` is worth marking: the API caches it (see caching)."""
        return self.marks_cache and worth_caching(model, *texts)

    def send(self, label: str, purpose: str, model: PricedModel, request: Request) -> Reply:
        """One call; `label` names what it was for in the runs table (a paper id, a period)."""
        if self._stopped is not None:
            # A bad key or a spend limit concerns every paper: no further requests.
            raise self._stopped
        started = time.perf_counter()
        try:
            reply = self.provider.complete(
                model=model.name, system=request.system, messages=request.messages,
                schema=request.schema, max_tokens=request.max_tokens, cache=request.cache,
            )  # fmt: skip
        except ConfigError as exc:
            self._stopped = exc
            raise
        except (AnalysisError, UpstreamError) as exc:
            seconds = time.perf_counter() - started
            self.ledger.record(CallRecord(label, purpose, model.name, Usage(), seconds,
                                          ok=False, message=str(exc)))  # fmt: skip
            raise
        self.ledger.record(
            CallRecord(
                label, purpose, reply.model or model.name, reply.usage,
                time.perf_counter() - started, ok=True, cost_usd=reply.usage.cost(model.price),
            )
        )  # fmt: skip
        return reply
