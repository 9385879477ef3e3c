from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

from briefgen.core.models import Brief, Paper, PaperAnalysis, Provenance
from briefgen.infra.store import MIGRATIONS, AnalysisKey, Store


def test_migrations_apply_once_and_wal_is_on(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        assert store.applied_migrations() == [name for name, _ in MIGRATIONS]
        assert store.migrate() == []
    with Store.open(tmp_path) as again:
        assert again.migrate() == []
    mode = sqlite3.connect(tmp_path / "briefgen.sqlite3").execute("PRAGMA journal_mode").fetchone()
    assert mode[0] == "wal"


def test_analyses_are_keyed_by_version_prompt_and_model(tmp_path: Path) -> None:
    analysis = PaperAnalysis(
        paper_id="2602.00001", title="T", domain="D", one_line_contribution="C"
    )
    key = AnalysisKey("2602.00001", "v1", "p1", "m1")
    with Store.open(tmp_path) as store:
        store.save_analysis(key, analysis)
        assert store.get_analysis(key) == analysis
        assert store.get_analysis(AnalysisKey("2602.00001", "v2", "p1", "m1")) is None
        assert store.get_analysis(AnalysisKey("2602.00001", "v1", "p2", "m1")) is None
        assert store.get_analysis(AnalysisKey("2602.00001", "v1", "p1", "m2")) is None


def test_papers_briefs_runs_and_clear(tmp_path: Path) -> None:
    paper = Paper(id="2602.00001v1", title="T", abstract="A", published=date(2026, 2, 17))
    brief = Brief(
        date="2026-02-17", takeaways=[], papers_at_a_glance=[], themes=[],
        technical_synthesis=[], top_papers=[], next_steps=[],
        provenance=Provenance(sources=[], paper_count=0, engine="offline"),
    )  # fmt: skip
    with Store.open(tmp_path) as store:
        store.save_papers([paper])
        store.save_papers([paper.model_copy(update={"version": "v2"})])
        assert store.get_paper("2602.00001").version == "v2"  # type: ignore[union-attr]
        store.save_brief("daily", "2026-02-17", "default", brief)
        store.save_brief("daily", "2026-02-17", "default", brief.model_copy(update={"date": "x"}))
        assert store.get_brief("daily", "2026-02-17", "default").date == "x"  # type: ignore[union-attr]
        run = store.start_run("daily", {"date": date(2026, 2, 17)})
        store.finish_run(run, "done", paper_count=1)
        assert store.runs()[0]["status"] == "done"
        stats = store.stats()
        assert (stats["papers"], stats["briefs"], stats["runs"]) == (1, 1, 1)
        store.clear()
        assert store.stats()["papers"] == 0
