from __future__ import annotations

from datetime import date

from briefgen.core.models import Paper
from briefgen.core.settings import Profile
from briefgen.select.rank import keyword_pattern, score_paper, select_papers


def paper(pid: str, title: str, abstract: str = "", categories: list[str] | None = None) -> Paper:
    return Paper(
        id=pid,
        title=title,
        abstract=abstract,
        categories=categories or ["cs.LG"],
        published=date(2026, 2, 18),
    )


def test_keywords_match_whole_words_and_plurals() -> None:
    assert keyword_pattern("RL").search("Offline RL at scale")
    assert not keyword_pattern("RL").search("a world model")
    assert keyword_pattern("System").search("distributed systems")
    assert keyword_pattern("kv cache").search("a paged KV-cache")


def test_title_hits_weigh_more_than_abstract_hits() -> None:
    profile = Profile(keywords=["Inference", "Quantization"])
    in_title = score_paper(paper("2602.00001", "Fast Inference"), profile)
    in_abstract = score_paper(paper("2602.00002", "Other", "about inference"), profile)
    assert in_title.score == 3.0 and in_abstract.score == 1.0
    assert in_title.reasons == ["title: Inference (+3)"]
    assert in_abstract.reasons == ["abstract: Inference (+1)"]


def test_a_keyword_counts_once_even_in_title_and_abstract() -> None:
    scored = score_paper(
        paper("2602.00001", "Inference", "inference again"), Profile(keywords=["inference"])
    )
    assert scored.score == 3.0


def test_upvotes_add_to_the_score() -> None:
    base = paper("2602.00001", "Inference")
    voted = base.model_copy(update={"upvotes": 63})
    profile = Profile(keywords=["inference"])
    assert score_paper(voted, profile).score == score_paper(base, profile).score + 3.0


def test_selection_filters_categories_excludes_and_min_score_then_caps() -> None:
    papers = [
        paper("2602.00001", "LLM Inference", categories=["cs.DC"]),
        paper("2602.00002", "A Survey of LLM Inference"),
        paper("2602.00003", "Protein LLM", categories=["q-bio.BM"]),
        paper("2602.00004", "Poetry"),
        paper("2602.00005", "LLM Training"),
        paper("2602.00006", "LLM Inference Kernels"),
    ]
    profile = Profile(
        categories=["cs.LG", "cs.DC"],
        keywords=["LLM", "Inference", "Kernel"],
        exclude=["survey"],
        max_papers=2,
    )
    selection = select_papers(papers, profile)
    assert [s.paper.id for s in selection.selected] == ["2602.00006", "2602.00001"]
    assert selection.dropped == {
        "outside the profile's categories": 1,
        "matched an exclude keyword": 1,
        "scored below min_score 1": 1,
        "beyond max_papers 2": 1,
    }


def test_why_empty_explains_every_filter() -> None:
    selection = select_papers([paper("2602.00001", "Poetry")], Profile(keywords=["LLM"]))
    assert selection.selected == []
    assert selection.why_empty() == "all 1 papers were filtered out (1 scored below min_score 1)"
