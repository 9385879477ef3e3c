"""`--batch`: the per-paper analyses as one Anthropic Message Batch, at half the price.

Each paper is a request whose custom id maps back to it. The batch id is stored before the
first poll, so an interrupted run resumes polling the same batch instead of paying twice.
Succeeded replies go through the engine's usual validation (and its one repair, as a normal
call); errored, expired or canceled requests are retried once as normal calls, then reported
as failed.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Any, Protocol

from briefgen.core.calls import CallRecord, ChatMessage, Reply
from briefgen.core.errors import AnalysisError, BriefgenError, UpstreamError
from briefgen.core.models import PaperAnalysis, PaperText, ScoredPaper
from briefgen.engines.model_engine import ANALYSIS_SCHEMA, ModelEngine
from briefgen.infra.store import Store, input_key

BATCH_DISCOUNT = 0.5


class BatchProvider(Protocol):
    """What the batch runner needs of a provider (AnthropicProvider has it)."""

    def request_for(
        self, model: str, system: str, messages: list[ChatMessage], schema: dict[str, Any],
        max_tokens: int, cache: bool = False,
    ) -> dict[str, Any]: ...  # fmt: skip

    def batch_submit(self, requests: list[tuple[str, dict[str, Any]]]) -> str: ...

    def batch_status(self, batch_id: str) -> tuple[str, dict[str, int]]: ...

    def batch_results(self, batch_id: str) -> list[tuple[str, Reply | None, str]]: ...


def custom_id(paper_id: str) -> str:
    """Batch ids allow [a-zA-Z0-9_-]{1,64}: 2602.13531 -> p2602_13531."""
    return "p" + re.sub(r"[^a-zA-Z0-9_-]", "_", paper_id)[:63]


logger = logging.getLogger(__name__)


class BatchAnalyzer:
    def __init__(
        self,
        engine: ModelEngine,
        provider: BatchProvider,
        store: Store,
        *,
        poll_seconds: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.engine = engine
        self.provider = provider
        self.store = store
        self.poll_seconds = poll_seconds
        self.sleep = sleep

    def __call__(
        self, papers: list[ScoredPaper], texts: dict[str, PaperText]
    ) -> dict[str, PaperAnalysis | BriefgenError]:
        if not papers:
            return {}
        engine = self.engine
        by_custom = {custom_id(p.paper.id): p for p in papers}
        requests = [
            (cid, self.provider.request_for(
                engine.model, engine.system,
                [{"role": "user", "content": engine.prompt(paper, texts[paper.paper.id])}],
                ANALYSIS_SCHEMA, engine.max_tokens,
                engine.cache_analysis_prompt,
            ))
            for cid, paper in by_custom.items()
        ]  # fmt: skip
        key = input_key(engine.model, engine.analysis_version, *sorted(by_custom))
        batch_id = self.store.get_cached("batch", key)
        if batch_id is None:
            batch_id = self.provider.batch_submit(requests)
            self.store.put_cached("batch", key, batch_id)  # resumable from here on
            logger.info(f"submitted Message Batch {batch_id} with {len(requests)} analyses")
        else:
            logger.info(f"resuming Message Batch {batch_id} ({len(requests)} analyses)")
        self._wait(batch_id, len(requests))
        results: dict[str, PaperAnalysis | BriefgenError] = {}
        seen: set[str] = set()
        for cid, reply, problem in self.provider.batch_results(batch_id):
            paper = by_custom.get(cid)
            if paper is None:
                continue
            seen.add(cid)
            text = texts[paper.paper.id]
            try:
                if reply is not None:
                    engine.record(
                        CallRecord(paper.paper.id, "analysis (batch)", reply.model or engine.model,
                                   reply.usage, 0.0, ok=True,
                                   cost_usd=reply.usage.cost(engine.price) * BATCH_DISCOUNT)
                    )  # fmt: skip
                    results[paper.paper.id] = engine.complete_analysis(paper, text, reply)
                else:
                    logger.info(f"{paper.paper.id}: batch request {problem}; retrying it directly")
                    results[paper.paper.id] = engine.analyze(paper, text)
            except (AnalysisError, UpstreamError) as exc:
                results[paper.paper.id] = exc
        for cid, paper in by_custom.items():
            if cid not in seen:
                results[paper.paper.id] = AnalysisError(
                    f"Message Batch {batch_id} returned no result for this paper"
                )
        return results

    def _wait(self, batch_id: str, total: int) -> None:
        while True:
            status, counts = self.provider.batch_status(batch_id)
            done = total - counts.get("processing", 0)
            logger.info(f"Message Batch {batch_id}: {status}, {done} of {total} requests done")
            if status == "ended":
                return
            self.sleep(self.poll_seconds)
