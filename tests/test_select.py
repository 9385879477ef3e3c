from __future__ import annotations

from datetime import date

import pytest

from briefgen.core.models import Paper
from briefgen.core.settings import Profile
from briefgen.select.keywords import KeywordMatcher, rarity_weights
from briefgen.select.rank import Reader, name_key, score_papers, select_papers


def paper(
    pid: str,
    title: str,
    abstract: str = "",
    categories: list[str] | None = None,
    authors: list[str] | None = None,
    version: str = "v1",
) -> Paper:
    return Paper(
        id=pid,
        version=version,
        title=title,
        abstract=abstract,
        authors=authors or [],
        categories=categories or ["cs.LG"],
        published=date(2026, 2, 18),
    )


def test_keywords_match_whole_words_and_plurals_in_one_pass() -> None:
    matcher = KeywordMatcher(["RL", "System", "kv cache", "attention", "sparse attention"])
    assert matcher.find("Offline RL at scale") == ["RL"]
    assert matcher.find("a world model") == []
    assert matcher.find("distributed systems") == ["System"]
    assert matcher.find("a paged KV-cache") == ["kv cache"]
    # the longer keyword wins its place in the text and still credits the one it contains
    assert matcher.find("Sparse Attention for all") == ["attention", "sparse attention"]


def test_a_keyword_most_papers_mention_counts_for_little() -> None:
    hits = [{"LLM"} for _ in range(300)] + [{"LLM", "kv cache"}] + [set() for _ in range(199)]
    weights = rarity_weights(hits, ["LLM", "kv cache"])
    assert weights["kv cache"] == 1.0
    assert weights["LLM"] < 0.3


def test_rarity_on_a_real_sized_day_puts_the_rare_keyword_first() -> None:
    papers = [paper(f"2602.{i:05d}", f"An LLM framework number {i}") for i in range(1, 200)]
    papers.append(paper("2602.00999", "Paged KV cache eviction", "An LLM study."))
    profile = Profile(keywords=["LLM", "framework", "kv cache"], max_papers=3)
    selection = select_papers(papers, profile)
    top = selection.selected[0]
    assert top.paper.id == "2602.00999"
    assert top.reasons == ["matches your interests: LLM, kv cache"]


def test_title_hits_weigh_more_than_abstract_hits() -> None:
    profile = Profile(keywords=["Inference", "Quantization"])
    in_title, in_abstract = score_papers(
        [paper("2602.00001", "Fast Inference"), paper("2602.00002", "Other", "about inference")],
        profile,
    )
    assert in_abstract.score > 0
    assert in_title.score == pytest.approx(3 * in_abstract.score, abs=0.02)


def test_upvotes_add_to_the_score() -> None:
    base = paper("2602.00001", "Inference")
    voted = base.model_copy(update={"upvotes": 63})
    profile = Profile(keywords=["inference"])
    assert score_papers([voted], profile)[0].score == score_papers([base], profile)[0].score + 3.0


def test_selection_filters_categories_excludes_and_min_score_then_caps() -> None:
    papers = [
        paper("2602.00001", "LLM Inference", categories=["cs.DC"]),
        paper("2602.00002", "A Survey of LLM Inference"),
        paper("2602.00003", "Protein LLM", categories=["q-bio.BM"]),
        paper("2602.00004", "Poetry"),
        paper("2602.00005", "LLM Training"),
        paper("2602.00006", "LLM Inference Kernels"),
        # primary category outside: not the profile's paper, though it lists cs.LG second
        paper("2602.00007", "LLM Inference Kernels", categories=["math.OC", "cs.LG"]),
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
        "outside the profile's categories": 2,
        "matched an exclude keyword": 1,
        "scored below min_score 1": 1,
        "beyond max_papers 2": 1,
    }


def test_why_empty_explains_every_filter() -> None:
    selection = select_papers([paper("2602.00001", "Poetry")], Profile(keywords=["LLM"]))
    assert selection.selected == []
    assert selection.why_empty() == "all 1 papers were filtered out (1 scored below min_score 1)"


def test_followed_authors_are_always_selected_and_first() -> None:
    papers = [
        paper("2602.00001", "LLM Inference Kernels"),
        paper("2602.00002", "Poetry", authors=["Dáo, Tri"]),
        paper("2602.00003", "A survey of poems", authors=["Tri Dao"]),
    ]
    profile = Profile(keywords=["LLM"], exclude=["survey"], authors=["Tri Dao"], max_papers=2)
    selection = select_papers(papers, profile)
    assert [s.paper.id for s in selection.selected] == ["2602.00002", "2602.00003"]
    assert selection.selected[0].reasons[0] == "author: Tri Dao (followed)"
    assert name_key("Dao, Tri") == name_key("tri  dao")


def test_papers_briefed_before_are_left_out_unless_a_new_version_or_asked() -> None:
    papers = [paper("2602.00001", "LLM one"), paper("2602.00002", "LLM two", version="v2")]
    seen = {"2602.00001": ("v1", "2026-02-17"), "2602.00002": ("v1", "2026-02-17")}
    profile = Profile(keywords=["LLM"])
    selection = select_papers(papers, profile, Reader(seen=seen))
    assert [s.paper.id for s in selection.selected] == ["2602.00002"]
    assert selection.dropped == {"briefed on an earlier day (--include-seen to keep)": 1}
    again = select_papers(papers, profile, Reader(seen=seen, include_seen=True))
    assert len(again.selected) == 2


class Titled:
    def __init__(self, title: str) -> None:
        self.short_title = title


def test_library_similarity_ranks_and_names_the_closest_library_paper() -> None:
    papers = [paper(f"2602.{i:05d}", f"LLM paper {i}") for i in range(1, 11)]
    closeness = {p.id: (0.1 + i / 100, 0) for i, p in enumerate(papers)}
    closeness["2602.00004"] = (0.71, 1)

    def match(batch: list[Paper]) -> list[tuple[float, int]]:
        return [closeness[p.id] for p in batch]

    reader = Reader(library=[Titled("H2O"), Titled("SnapKV")], match=match)
    selection = select_papers(papers, Profile(keywords=["LLM"]), reader)
    top = selection.selected[0]
    assert top.paper.id == "2602.00004"
    assert top.reasons[0] == "similar to your 'SnapKV' (0.71)"
    # a paper barely above the day's median similarity is not said to be similar
    assert not any("similar" in r for s in selection.selected[1:] for r in s.reasons[:1])
