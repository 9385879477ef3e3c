from __future__ import annotations

from datetime import date

import pytest

from briefgen.core.models import Brief, Paper, PaperAnalysis, Provenance, split_arxiv_id


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2602.13531", ("2602.13531", "")),
        ("2602.13531v12", ("2602.13531", "v12")),
        ("https://arxiv.org/abs/2602.13531v1", ("2602.13531", "v1")),
        ("arXiv:2104.12255", ("2104.12255", "")),
        ("astro-ph/0601001v2", ("astro-ph/0601001", "v2")),
        ("math.GT/0309136", ("math.GT/0309136", "")),
    ],
)
def test_split_arxiv_id(raw: str, expected: tuple[str, str]) -> None:
    assert split_arxiv_id(raw) == expected


@pytest.mark.parametrize("raw", ["abc", "2602.135", "2602.13531v", "http://evil.com/2602.13531"])
def test_split_arxiv_id_rejects(raw: str) -> None:
    with pytest.raises(ValueError, match="not an arXiv id"):
        split_arxiv_id(raw)


def test_paper_splits_version_and_joins_wrapped_title() -> None:
    paper = Paper(
        id="2602.13531v3",
        title="A title wrapped\n  over two lines",
        abstract="x",
        published=date(2026, 2, 17),
    )
    assert (paper.id, paper.version) == ("2602.13531", "v3")
    assert paper.title == "A title wrapped over two lines"
    assert paper.abs_url == "https://arxiv.org/abs/2602.13531v3"
    assert Paper.model_validate_json(paper.model_dump_json()) == paper


def test_analysis_and_brief_round_trip_through_json() -> None:
    analysis = PaperAnalysis(
        paper_id="2602.13531", title="T", domain="D", one_line_contribution="C"
    )
    assert analysis.problem == "not stated"
    assert PaperAnalysis.model_validate_json(analysis.model_dump_json()) == analysis
    brief = Brief(
        date="2026-02-17",
        takeaways=[],
        papers_at_a_glance=[],
        themes=[],
        technical_synthesis=[],
        top_papers=[],
        next_steps=[],
        provenance=Provenance(sources=["file x"], paper_count=0, engine="offline"),
    )
    assert Brief.model_validate_json(brief.model_dump_json()) == brief
