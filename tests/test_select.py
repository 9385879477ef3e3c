from __future__ import annotations

from datetime import date

import pytest

from briefgen.core.models import Paper
from briefgen.core.settings import Profile
from briefgen.select.keywords import (
    Background,
    KeywordMatcher,
    background,
    df_terms,
    rarity_weights,
    split_keyword,
)
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


def test_a_matcher_reads_each_form_once_and_counts_every_mention() -> None:
    """A keyword-dense text: each distinct form is read once (then remembered), every mention
    still counts, and a matcher that has read many texts answers as a fresh one does."""
    keywords = ["kv cache", "attention", "sparse attention", "LLM", "inference", "RL + LLM"]
    text = ("Sparse attention and KV-cache offload for LLMs: sparse attention, kv  cache, "
            "large language models and causal inference; RL for LLM serving. ") * 20  # fmt: skip
    used = KeywordMatcher(keywords)
    for _ in range(3):
        assert used.mentions(text) == {
            "kv cache": 40, "attention": 40, "sparse attention": 40, "LLM": 60, "RL + LLM": 20,
        }  # fmt: skip
    assert list(used.mentions(text)) == [k for k in keywords if k != "inference"]  # its order
    assert used.hits("RL for LLMs", text) == KeywordMatcher(keywords).hits("RL for LLMs", text)
    # odd spacing makes forms without end: past what it remembers, each is read again
    odd = " ".join("kv" + " " * n + "cache" for n in range(1, 5000))
    assert used.mentions(odd) == {"kv cache": 4999}
    assert used.mentions(odd) == KeywordMatcher(keywords).mentions(odd)


def test_a_keyword_most_papers_mention_counts_for_little() -> None:
    table = Background(documents=500, counts={"llm | large language model | language model": 301,
                                              "kv cache": 1})  # fmt: skip
    weights = rarity_weights(["LLM", "kv cache", "never seen"], table)
    assert weights["kv cache"] == weights["never seen"] == 1.0
    # common: about a third (the floor, so that a title hit still reaches min_score 1)
    assert weights["LLM"] == pytest.approx(1 / 3, abs=0.01)


def test_rarity_comes_from_the_shipped_arxiv_table_never_from_the_file() -> None:
    table = background()
    assert table.documents >= 300
    weights = rarity_weights(["LLM", "kv cache", "agent", "speculative decoding"])
    assert weights["kv cache"] == weights["speculative decoding"] == 1.0
    assert weights["LLM"] < weights["agent"] < 1.0
    # the table counts words and phrases the way keywords match them
    assert {"kv cache", "llm | large language model | language model"} <= df_terms(
        "Paged KV-caches for Large Language Models"
    )


def test_a_feed_where_every_paper_has_the_keyword_still_ranks_by_it() -> None:
    # A pre-filtered feed: all 500 papers mention the KV cache. Rarity on arXiv, not in the
    # file, so the keyword still counts in full and every paper passes min_score.
    papers = [paper(f"2602.{i:05d}", f"KV cache trick {i}", "We compress the KV cache.")
              for i in range(1, 501)]  # fmt: skip
    selection = select_papers(papers, Profile(keywords=["kv cache"], max_papers=500))
    assert len(selection.selected) == 500
    assert selection.selected[0].score == 3.0


def test_a_day_of_llm_papers_keeps_its_llm_papers() -> None:
    # -k LLM on a day where most papers say it: a title hit, or an abstract that keeps coming
    # back to it, is kept; a passing mention alone is not.
    papers = [paper(f"2602.{i:05d}", f"LLM study {i}", "About LLMs.") for i in range(1, 200)]
    papers += [
        paper("2602.00900", "Agents", "Large language models act. An LLM plans. LLMs err."),
        paper("2602.00901", "Protein folding", "We compare with an LLM baseline once."),
    ]
    selection = select_papers(papers, Profile(keywords=["LLM"], max_papers=500))
    kept = {s.paper.id for s in selection.selected}
    assert len(kept) == 200 and "2602.00900" in kept and "2602.00901" not in kept


def test_a_keyword_means_what_the_reader_means() -> None:
    matcher = KeywordMatcher(["LLM", "inference", "MoE", "mixture of experts"])
    # one thing, several names; counted once, under the profile's first name for it
    assert matcher.keywords == ["LLM", "inference", "MoE"]
    assert matcher.find("Serving Large Language Models") == ["LLM"]
    assert matcher.find("a sparse mixture-of-experts layer") == ["MoE"]
    # phrases that only look like the keyword
    assert matcher.find("Causal inference from observational data") == []
    assert matcher.find("variational inference and fast inference") == ["inference"]
    assert matcher.find("vision-language models for charts") == []
    # a phrase the profile names itself is the keyword, not a confusion
    assert KeywordMatcher(["causal inference"]).find("causal inference") == ["causal inference"]


def test_a_keyword_may_need_or_avoid_other_words_in_the_paper() -> None:
    assert split_keyword("RL - game|portfolio + LLM").needs == ("LLM",)
    matcher = KeywordMatcher(["RL - game|StarCraft|charging", "GPU + LLM"])
    assert matcher.label("GPU + LLM") == "GPU"
    assert matcher.find("Multi-agent RL for StarCraft II") == []
    assert matcher.find("RL for electric vehicle charging stations") == []
    assert matcher.find("RL post-training of reasoning models") == ["RL - game|StarCraft|charging"]
    assert matcher.find("GPU kernels for sparse matrices") == []
    # judged on the whole paper: the title hit counts when the abstract names an LLM
    in_title, in_abstract = matcher.hits("Faster GPU decoding", "For large language models.")
    assert in_title == {"GPU + LLM"} and in_abstract == {}
    scored = score_papers(
        [paper("2602.00001", "Faster GPU decoding", "For LLMs.")], Profile(keywords=["GPU + LLM"])
    )
    assert scored[0].reasons == ["matches your interests: GPU"]


def test_the_default_keywords_skip_the_common_confusions() -> None:
    profile = Profile()
    day = [
        paper("2602.00001", "StarCraft II Micromanagement with Reinforcement Learning",
              "We train multi-agent RL policies for StarCraft."),
        paper("2602.00002", "Causal Inference under Interference", "Causal effect estimators."),
        paper("2602.00003", "RL for Portfolio Management", "Deep RL agents trade stocks."),
        paper("2602.00004", "Early-Exit Decoding for Large Language Models",
              "Layers are skipped when the LLM is confident; inference latency falls."),
    ]  # fmt: skip
    selection = select_papers(day, profile)
    assert [s.paper.id for s in selection.selected] == ["2602.00004"]
    assert "early exit" in selection.selected[0].reasons[0]


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
