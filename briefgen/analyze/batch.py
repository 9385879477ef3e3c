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

from briefgen.core.calls import CallRecord, Reply
from briefgen.core.errors import AnalysisError, BriefgenError, UpstreamError
from briefgen.core.models import PaperAnalysis, PaperText, ScoredPaper
from briefgen.engines.analysis_call import BatchRoute
from briefgen.engines.plan import BATCH_DISCOUNT
from briefgen.infra.store import Store, input_key


def custom_id(paper_id: str) -> str:
    """Batch ids allow [a-zA-Z0-9_-]{1,64}: 2602.13531 -> p2602_13531."""
    return "p" + re.sub(r"[^a-zA-Z0-9_-]", "_", paper_id)[:63]


logger = logging.getLogger(__name__)


class BatchAnalyzer:
    def __init__(
        self,
        route: BatchRoute,
        store: Store,
        *,
        poll_seconds: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.analysis = route.analysis
        self.provider = route.provider
        self.store = store
        self.poll_seconds = poll_seconds
        self.sleep = sleep

    def __call__(
        self, papers: list[ScoredPaper], texts: dict[str, PaperText]
    ) -> dict[str, PaperAnalysis | BriefgenError]:
        if not papers:
            return {}
        by_custom = {custom_id(p.paper.id): p for p in papers}
        batch_id = self._submit(by_custom, texts)
        self._wait(batch_id, len(by_custom))
        results: dict[str, PaperAnalysis | BriefgenError] = {}
        for cid, reply, problem in self.provider.batch_results(batch_id):
            if cid in by_custom:
                paper = by_custom[cid]
                results[paper.paper.id] = self._result(paper, texts[paper.paper.id], reply,
                                                       problem)  # fmt: skip
        for paper in by_custom.values():
            results.setdefault(paper.paper.id, AnalysisError(
                f"Message Batch {batch_id} returned no result for this paper"
            ))  # fmt: skip
        return results

    def _submit(self, by_custom: dict[str, ScoredPaper], texts: dict[str, PaperText]) -> str:
        """The batch's id: submitted now, or the one submitted for these papers before."""
        analysis = self.analysis
        requests = []
        for cid, paper in by_custom.items():
            r = analysis.batch_request(paper, texts[paper.paper.id])
            requests.append((cid, self.provider.request_for(
                analysis.model.name, r.system, r.messages, r.schema, r.max_tokens, r.cache
            )))  # fmt: skip
        key = input_key(analysis.model.name, analysis.prompt.version, *sorted(by_custom))
        batch_id = self.store.get_cached("batch", key)
        if batch_id is None:
            batch_id = self.provider.batch_submit(requests)
            self.store.put_cached("batch", key, batch_id)  # resumable from here on
            logger.info(f"submitted Message Batch {batch_id} with {len(requests)} analyses")
        else:
            logger.info(f"resuming Message Batch {batch_id} ({len(requests)} analyses)")
        return batch_id

    def _result(
        self, paper: ScoredPaper, text: PaperText, reply: Reply | None, problem: str
    ) -> PaperAnalysis | BriefgenError:
        """A succeeded request's reply, validated (and repaired) as usual; a failed one is
        asked again directly."""
        analysis = self.analysis
        try:
            if reply is None:
                logger.info(f"{paper.paper.id}: batch request {problem}; retrying it directly")
                return analysis.analyze(paper, text)
            model = analysis.model
            analysis.caller.ledger.record(
                CallRecord(paper.paper.id, "analysis (batch)", reply.model or model.name,
                           reply.usage, 0.0, ok=True,
                           cost_usd=reply.usage.cost(model.price) * BATCH_DISCOUNT)
            )  # fmt: skip
            return analysis.complete(paper, text, reply)
        except (AnalysisError, UpstreamError) as exc:
            return exc

    def _wait(self, batch_id: str, total: int) -> None:
        while True:
            status, counts = self.provider.batch_status(batch_id)
            done = total - counts.get("processing", 0)
            logger.info(f"Message Batch {batch_id}: {status}, {done} of {total} requests done")
            if status == "ended":
                return
            self.sleep(self.poll_seconds)
