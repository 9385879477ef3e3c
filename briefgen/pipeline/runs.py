"""A run as the store records it: its row in the runs table, its model calls, what it spent."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from briefgen.core.calls import CallRecord, Usage
from briefgen.core.settings import Settings
from briefgen.pipeline.context import RunContext

logger = logging.getLogger(__name__)


@dataclass
class Spend:
    """What this run's model calls cost; summed as their records arrive."""

    calls: int = 0
    failed_calls: int = 0
    usage: Usage = field(default_factory=Usage)
    cost_usd: float = 0.0
    unpriced: set[str] = field(default_factory=set)
    models: set[str] = field(default_factory=set)

    def add(self, records: list[CallRecord], settings: Settings) -> None:
        for record in records:
            self.calls += 1
            self.failed_calls += 0 if record.ok else 1
            self.usage = self.usage + record.usage
            self.cost_usd += record.cost_usd
            self.models.add(record.model)
            if record.ok and settings.price_of(record.model) is None:
                self.unpriced.add(record.model)

    def summary(self, engine_name: str, default_model: str) -> str:
        u = self.usage
        models = ", ".join(sorted(self.models)) or default_model
        text = (
            f"{engine_name} {models}: {self.calls} calls"
            + (f" ({self.failed_calls} failed)" if self.failed_calls else "")
            + f"; tokens in {u.input_tokens:,} + cache read {u.cache_read_tokens:,} + cache "
            f"write {u.cache_write_tokens:,}, out {u.output_tokens:,}; cost ${self.cost_usd:.4f}"
        )
        if self.unpriced:
            text += (
                f" (no price known for {', '.join(sorted(self.unpriced))}: add "
                '[prices."MODEL"] to the config)'
            )
        return text


class RecordedRun:
    """One row of the runs table and the model calls made under it. Used as a context
    manager: whatever stops the run (a failure, Ctrl-C) is recorded as it ends, and the
    spend is summarised on stderr either way."""

    def __init__(self, ctx: RunContext, command: str, params: dict[str, object]) -> None:
        self.ctx = ctx
        self.spend = Spend()
        self.run_id = ctx.store.start_run(command, params)
        self.status = ("done", 0, "")

    def record(self, calls: list[CallRecord]) -> None:
        self.ctx.store.record_calls(self.run_id, calls)
        self.spend.add(calls, self.ctx.settings)

    def collect(self) -> None:
        """Take the calls the engine made since the last collection (from any thread) into
        this run; the store is written from the run's own thread only."""
        self.record(self.ctx.engine.drain_calls())

    def finish(self, status: str, paper_count: int, message: str = "") -> None:
        """How the run ended, written when the block exits without an error."""
        self.status = (status, paper_count, message)

    def __enter__(self) -> RecordedRun:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: object) -> None:  # fmt: skip
        store = self.ctx.store
        if exc is not None:
            status = "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
            store.finish_run(self.run_id, status, message=str(exc))
        else:
            status, count, message = self.status
            store.finish_run(self.run_id, status, paper_count=count, message=message)
        if self.spend.calls:
            engine = self.ctx.engine
            logger.info(self.spend.summary(engine.name, engine.model))
