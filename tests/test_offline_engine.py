from __future__ import annotations

import re
from pathlib import Path

import pytest

from briefgen.core.models import AnalysedPaper, Brief, Provenance
from briefgen.core.rules import check_brief
from briefgen.core.settings import Profile
from briefgen.engines.offline.engine import OfflineEngine, classify_domain
from briefgen.read.abstract import abstract_text
from briefgen.read.latex import plain_text
from briefgen.select import select_papers
from briefgen.sources.local import load_papers_file
from briefgen.synthesize.brief import build_brief


def analysed(path: Path, day: str = "2026-02-18") -> list[AnalysedPaper]:
    papers = [p for p in load_papers_file(path) if p.published.isoformat() == day]
    engine = OfflineEngine()
    return [
        AnalysedPaper(scored=s, analysis=engine.analyze(s, abstract_text(s.paper)))
        for s in select_papers(papers, Profile()).selected
    ]


def test_analysis_extracts_claim_results_and_domain(small_papers: Path) -> None:
    by_id = {a.paper_id: a.analysis for a in analysed(small_papers)}
    spec = by_id["2602.20001"]
    assert spec.one_line_contribution.startswith("We propose SpecServe")
    assert spec.problem.startswith("Serving large language models is limited")
    assert spec.experiments.key_results == [
        "On Llama-3-8B it improves throughput by 2.4x and reduces p99 latency by 31% "
        "compared with vLLM."
    ]
    assert spec.domain == "LLM serving and inference efficiency (cs.LG)"
    assert spec.read_from == "abstract"
    # No numbers in the abstract: the skeptical note says so instead of inventing any.
    shaping = by_id["2602.20004"]
    assert shaping.experiments.key_results == []
    assert shaping.skeptical_note.startswith("In its abstract,")
    assert "states no figure" in shaping.skeptical_note


def test_a_paper_no_domain_fits_is_other_with_its_category() -> None:
    assert classify_domain("Poems", "About rhyme.", ["cs.CL"]) == "Other (cs.CL)"
    assert classify_domain("Poems", "About rhyme.", []) == "Other"


def brief_for(day: str, items: list[AnalysedPaper]) -> Brief:
    provenance = Provenance(sources=["test"], paper_count=len(items), engine="offline")
    return build_brief(day, items, OfflineEngine(), provenance)


@pytest.mark.parametrize("count", [1, 2, 3, 6])
def test_synthesis_always_makes_a_valid_brief(small_papers: Path, count: int) -> None:
    items = analysed(small_papers)[:count]
    brief = brief_for("2026-02-18", items)
    assert check_brief(brief) == []
    analysed_ids = {a.paper_id for a in items}
    cited = {pid for theme in brief.themes for pid in theme.paper_ids}
    cited |= {top.paper_id for top in brief.top_papers}
    assert cited <= analysed_ids
    assert len(brief.top_papers) == min(5, count)


def test_top_five_follow_the_score(small_papers: Path) -> None:
    items = analysed(small_papers)
    brief = brief_for("2026-02-18", items)
    ranked = sorted(items, key=lambda a: (-a.scored.score, a.paper_id))
    assert [t.paper_id for t in brief.top_papers] == [a.paper_id for a in ranked[:5]]


def test_numbers_in_the_brief_come_from_the_abstracts(small_papers: Path) -> None:
    items = analysed(small_papers)
    brief = brief_for("2026-02-18", items)
    sources = " ".join(a.scored.paper.abstract + " " + a.scored.paper.title for a in items)
    for top in brief.top_papers:
        for bullet in top.bullets:
            for token in bullet.replace(",", " ").split():
                if any(ch.isdigit() for ch in token) and "%" in token:
                    assert token.rstrip(".") in sources


def test_takeaways_quote_each_papers_own_result_never_a_cluster_size(
    example_papers: Path,
) -> None:
    day = max(p.published for p in load_papers_file(example_papers)).isoformat()
    items = analysed(example_papers, day)
    brief = brief_for(day, items)
    abstracts = {a.paper_id: plain_text(a.scored.paper.abstract) for a in items}
    quoted = 0
    for takeaway in brief.takeaways:
        assert len(takeaway.paper_ids) == 1
        assert not re.match(r"\d+ papers?\b", takeaway.body)
        for quote in re.findall(r"“([^”]+)”", takeaway.body):
            assert quote.rstrip("…") in abstracts[takeaway.paper_ids[0]], quote
            quoted += 1
    assert quoted >= 4


def test_with_full_text_results_and_limitations_come_from_their_sections() -> None:
    from datetime import date

    from briefgen.core.models import Paper, ScoredPaper
    from briefgen.read.fulltext import fit_budget, parse_latexml
    from tests.scenario import DATA

    paper = Paper(
        id="2602.20001v1",
        title="Paged KV Cache Offload for Long-Context Inference",
        abstract="We offload the KV cache to host memory.",
        categories=["cs.LG"],
        published=date(2026, 2, 18),
    )
    parsed = parse_latexml((DATA / "html" / "2602.20001v1.html").read_bytes())
    text = fit_budget(paper.id, parsed, paper, budget=12_000)
    analysis = OfflineEngine().analyze(ScoredPaper(paper=paper, score=1.0), text)
    assert analysis.read_from == "html"
    # The claim stays the abstract's; numbers come from the abstract, then from Experiments.
    assert analysis.one_line_contribution.startswith("We offload the KV cache of long-context")
    assert analysis.experiments.key_results == [
        "We offload the KV cache of long-context LLM inference to host memory and page it back, "
        "cutting GPU memory by 4x at equal throughput.",
        "On a 128k-token workload paging reduces GPU memory from 80 GB to 20 GB.",
    ]
    assert analysis.limitations == ["We test one GPU type; multi-node paging is future work."]
    assert not any(" | " in r for r in analysis.experiments.key_results)
    assert "full text" in analysis.skeptical_note
