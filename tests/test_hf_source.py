"""Hugging Face daily papers: a tolerant reader, upvotes in the score, merged with arXiv."""

from __future__ import annotations

import json
from datetime import date

from typer.testing import CliRunner

from briefgen.cli import app
from briefgen.core.models import Paper
from briefgen.core.settings import Profile
from briefgen.select import select_papers
from briefgen.sources import merge_papers
from briefgen.sources.hf import parse_daily_papers
from tests.fakes import FakeServer
from tests.scenario import DATA, serve_arxiv

DAY = date(2026, 2, 18)


def test_optional_fields_wrapped_titles_and_broken_items() -> None:
    payload = json.loads((DATA / "hf" / "daily_papers-2026-02-18.json").read_text())
    result = parse_daily_papers(payload, DAY)
    assert [(p.id, p.upvotes) for p in result.papers] == [("2602.20002", 42), ("2602.20009", 7)]
    assert result.papers[1].title == "Speculative Decoding with Tiny Drafts"
    assert result.papers[0].authors == ["Ada Lovelace"]
    assert all(p.published == DAY and p.source == "hf" for p in result.papers)
    assert result.skipped == {"unreadable items": 1}


def test_a_paper_from_both_keeps_arxiv_metadata_and_hf_upvotes() -> None:
    from_arxiv = Paper(
        id="2602.20002v2", title="Sparse Attention Kernels", abstract="A kernel.",
        authors=["Ada Lovelace", "Charles Babbage"], categories=["cs.LG"], published=DAY,
        source="arxiv",
    )  # fmt: skip
    from_hf = Paper(
        id="2602.20002", title="Sparse Attention Kernels", abstract="A kernel.",
        authors=["Ada Lovelace"], published=DAY, upvotes=42, source="hf",
    )  # fmt: skip
    for order in ([from_arxiv], [from_hf]), ([from_hf], [from_arxiv]):
        (merged,) = merge_papers(*order)
        assert merged.version == "v2" and merged.categories == ["cs.LG"]
        assert merged.authors == ["Ada Lovelace", "Charles Babbage"]
        assert merged.upvotes == 42 and merged.source == "arxiv+hf"


def test_a_paper_without_categories_is_not_dropped_by_the_category_filter() -> None:
    hf_only = Paper(id="2602.20009", title="Speculative Decoding", abstract="Faster inference.",
                    published=DAY, upvotes=7, source="hf")  # fmt: skip
    selection = select_papers([hf_only], Profile(categories=["cs.LG"]))
    assert [s.paper.id for s in selection.selected] == ["2602.20009"]
    assert any(reason.startswith("upvotes: 7") for reason in selection.selected[0].reasons)


def test_arxiv_and_hf_together(runner: CliRunner, services: FakeServer) -> None:
    serve_arxiv(services)
    result = runner.invoke(
        app,
        ["papers", "--date", "2026-02-18", "--source", "arxiv", "--source", "hf",
         "-c", "cs.LG", "--format", "json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    rows = {row["id"]: row for row in json.loads(result.stdout)}
    assert sorted(rows) == ["2602.20001v1", "2602.20002v2", "2602.20009"]
    assert rows["2602.20002v2"]["upvotes"] == 42 and rows["2602.20002v2"]["source"] == "arxiv+hf"
    assert [r.query for r in services.hits("/api/daily_papers")] == [{"date": "2026-02-18"}]
    # The upvotes are part of the score, and `papers` says so.
    assert "upvotes: 42 (+2.71)" in rows["2602.20002v2"]["reasons"]
    assert "upvotes: 7 (+1.5)" in rows["2602.20009"]["reasons"]


def test_hf_down_is_exit_6(runner: CliRunner, services: FakeServer) -> None:
    serve_arxiv(services)
    services.fail_next("/api/daily_papers", *[502] * 4)
    result = runner.invoke(app, ["papers", "--date", "2026-02-18", "--source", "hf"])
    assert result.exit_code == 6
    assert "the Hugging Face daily papers API answered HTTP 502 (bad gateway)" in result.stderr
