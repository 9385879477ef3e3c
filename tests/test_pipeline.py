from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.core.models import PaperAnalysis, PaperText, ScoredPaper
from briefgen.core.settings import load_settings
from briefgen.engines.offline.engine import OfflineEngine
from briefgen.infra.store import Store
from briefgen.pipeline.context import RunContext
from briefgen.pipeline.day import run_daily
from briefgen.sources.gather import PaperRequest
from briefgen.sources.remote import Remote


class InterruptedEngine(OfflineEngine):
    """Analyses `budget` papers, then the user presses Ctrl-C."""

    def __init__(self, budget: int) -> None:
        super().__init__()
        self.budget = budget
        self.calls = 0

    def analyze(self, paper: ScoredPaper, text: PaperText) -> PaperAnalysis:
        if self.calls == self.budget:
            raise KeyboardInterrupt
        self.calls += 1
        return super().analyze(paper, text)


def test_an_interrupted_run_is_recorded_and_resumes(small_papers: Path, tmp_path: Path) -> None:
    # One call at a time, so "the third call is interrupted" is one definite moment.
    env = {"BRIEFGEN_HOME": str(tmp_path), "BRIEFGEN_MODEL__CONCURRENCY": "1"}
    settings = load_settings(env=env)
    request = PaperRequest(papers_path=small_papers)
    with Store.open(tmp_path) as store, Remote(settings) as remote:
        with pytest.raises(KeyboardInterrupt):
            run_daily(request, RunContext(settings, store, InterruptedEngine(2), remote))
        assert [r["status"] for r in store.runs()] == ["interrupted"]
        assert store.stats()["analyses"] == 2
        resumed = InterruptedEngine(100)
        context = RunContext(settings, store, resumed, remote)
        result = run_daily(request, context)
        assert result.from_cache == 2 and resumed.calls == 4  # 6 selected, 2 already stored
        assert [r["status"] for r in store.runs()] == ["interrupted", "done"]
        assert store.runs()[1]["paper_count"] == 6
