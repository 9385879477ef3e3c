"""The offline brief on a realistic day: contributions that stand alone, domains from the
categories and the vocabulary, theme names of their own, no boilerplate repeated, why-now in
words."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from briefgen.core.models import AnalysedPaper, Brief, Paper, Provenance, ScoredPaper
from briefgen.core.rules import check_brief
from briefgen.core.settings import Profile
from briefgen.engines.offline import extract
from briefgen.engines.offline.engine import OfflineEngine, classify_domain, why_now
from briefgen.read.abstract import abstract_text
from briefgen.select import select_papers
from briefgen.sources.local import load_papers_file
from briefgen.synthesize.brief import build_brief

# contributions --------------------------------------------------------------------------------

STRUCTURED = (
    "Background. Gaussian splatting renders large scenes slowly. Methods: To solve this, we "
    "propose QuADA-GS. QuADA-GS adapts the density of Gaussians per region and prunes "
    "redundant ones during training. Results: It renders 2.1x faster at equal PSNR. "
    "Conclusions. Adaptive density pays off."
)


def test_structured_abstract_headings_are_not_sentences() -> None:
    sentences = extract.split_sentences(STRUCTURED)
    assert sentences[0] == "Gaussian splatting renders large scenes slowly."
    assert not any(
        re.match(r"(Background|Methods|Results|Conclusions)\b", s) for s in sentences
    )
    assert "Objective" not in " ".join(
        extract.split_sentences("OBJECTIVE: To measure X. Objective. We measure Y in Z.")
    )


def test_a_short_claim_gives_way_to_the_sentence_that_names_the_method() -> None:
    title = "QuADA-GS: Quality-Aware Density Adaptation for Gaussian Splatting"
    assert extract.contribution(STRUCTURED, title) == (
        "QuADA-GS adapts the density of Gaussians per region and prunes redundant ones during "
        "training."
    )


@pytest.mark.parametrize(
    ("sentence", "alone"),
    [
        ("To solve this, we propose QuADA-GS, a density-adaptive splatting method.",
         "We propose QuADA-GS, a density-adaptive splatting method."),
        ("To address these challenges, this paper proposes a BiSpectral Mamba model.",
         "This paper proposes a BiSpectral Mamba model."),
        ("Therefore, our work proposes SwiftTrans, a code translation framework.",
         "Our work proposes SwiftTrans, a code translation framework."),
        ("In this paper, we introduce HyGRAG, a hierarchical graph RAG framework.",
         "We introduce HyGRAG, a hierarchical graph RAG framework."),
        ("In this paper we present X for long documents.", "We present X for long documents."),
        ("We therefore propose a layered architecture.", "We propose a layered architecture."),
        ("Using 5% of the labels, we match full supervision.",
         "Using 5% of the labels, we match full supervision."),  # content, not a connective
    ],
)  # fmt: skip
def test_a_claim_stands_alone(sentence: str, alone: str) -> None:
    assert extract.standalone(sentence) == alone


def test_the_claim_prefers_propose_over_a_dependent_fragment() -> None:
    abstract = (
        "Code translation is slow. This approach works. In this study, we investigate "
        "adaptation and introduce RAD3D-Prefix, a lightweight conditioning framework. By "
        "keeping the LLM frozen, our method requires few trainable parameters."
    )
    assert extract.claim_sentence(abstract, "Revisiting LLM Adaptation") == (
        "We investigate adaptation and introduce RAD3D-Prefix, a lightweight conditioning "
        "framework."
    )


# domains ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("title", "abstract", "categories", "label"),
    [
        ("Prostate segmentation in transrectal ultrasound",
         "We segment the prostate in ultrasound images with a lightweight network; inference "
         "takes 20 ms per image and Dice improves by 3 points.", ["cs.CV", "eess.IV"],
         "Medical imaging"),
        ("Efficient image super-resolution with frequency priors",
         "We propose a super-resolution network that restores high-frequency detail; "
         "inference is 2x faster than prior work at equal PSNR.", ["cs.CV"],
         "Image restoration and enhancement"),
        ("Translating Marathi documents with LLMs",
         "We study machine translation of Marathi documents into English, with a reward for "
         "terminology and a policy for choosing the source segment.", ["cs.CL"],
         "Machine translation"),
        ("Paged KV cache for LLM serving",
         "We page the KV cache of LLM inference to host memory, improving serving throughput "
         "and latency under long prompts.", ["cs.LG", "cs.DC"],
         "LLM serving and inference efficiency"),
        ("Policy optimization with learned rewards",
         "A reinforcement learning agent learns a policy from a reward model with PPO.",
         ["cs.LG"], "Reinforcement learning"),
    ],
)  # fmt: skip
def test_domains_come_from_categories_and_vocabulary(
    title: str, abstract: str, categories: list[str], label: str
) -> None:
    assert classify_domain(title, abstract, categories) == f"{label} ({categories[0]})"


def test_a_generic_word_does_not_make_a_vision_paper_an_llm_one() -> None:
    domain = classify_domain(
        "Counting objects in crowded scenes",
        "Our detector counts objects; inference is fast and latency low on edge devices.",
        ["cs.CV"],
    )
    assert domain.startswith(("Segmentation and detection", "Other")), domain


# a realistic day --------------------------------------------------------------------------------


def day_brief(path: Path, reasons: list[str] | None = None) -> Brief:
    papers = load_papers_file(path)
    day = max(p.published for p in papers).isoformat()
    selected = select_papers(papers, Profile(min_score=0, max_papers=30, categories=[])).selected
    if reasons is not None:
        selected = [s.model_copy(update={"reasons": reasons}) for s in selected]
    engine = OfflineEngine()
    items = [
        AnalysedPaper(scored=s, analysis=engine.analyze(s, abstract_text(s.paper)))
        for s in selected
    ]
    provenance = Provenance(sources=["test"], paper_count=len(items), engine="offline")
    return build_brief(day, items, engine, provenance)


def sentences(text: str) -> list[str]:
    return [s.strip().lower() for s in extract.split_sentences(text) if len(s.strip()) > 25]


def test_no_sentence_repeats_across_themes_or_top_papers(example_papers: Path) -> None:
    brief = day_brief(example_papers)
    assert check_brief(brief) == []
    in_themes = Counter(
        s
        for theme in brief.themes
        for text in [theme.why_it_matters, *theme.common_approach, *theme.open_questions]
        for s in sentences(text)
    )
    in_tops = Counter(
        s
        for top in brief.top_papers
        for text in [*top.bullets, top.why_now, top.skepticism]
        for s in sentences(text)
    )
    assert [s for s, n in in_themes.items() if n > 1] == []
    assert [s for s, n in in_tops.items() if n > 1] == []
    # The caveats of each theme and top paper are their own, never shared between the two.
    caveats = Counter(
        s
        for text in [
            *(q for theme in brief.themes for q in theme.open_questions),
            *(top.skepticism for top in brief.top_papers),
            *(top.why_now for top in brief.top_papers),
        ]
        for s in sentences(text)
    )
    assert [s for s, n in caveats.items() if n > 1] == []
    everything = " ".join(
        [*brief.technical_synthesis, *brief.next_steps]
        + [q for t in brief.themes for q in t.open_questions]
        + [t.skepticism for t in brief.top_papers]
    )
    assert everything.count("without a model") == 1  # the caveat is said once


def test_theme_names_are_distinct_key_phrases(example_papers: Path) -> None:
    brief = day_brief(example_papers)
    titles = [theme.title for theme in brief.themes]
    assert len(set(titles)) == len(titles)
    leads = [re.split(r"[:,]", t.split(": ", 1)[-1])[0].strip().lower() for t in titles]
    assert len(set(leads)) == len(leads), titles
    prefixes = [t.split(": ", 1)[0] for t in titles if ": " in t]
    assert len(set(prefixes)) == len(prefixes), titles
    for title in titles:
        assert not re.search(r"\b(github|com|https?|www)\b|\d", title, re.I), title


def test_url_pieces_and_numbers_never_name_a_theme(tmp_path: Path) -> None:
    base = "Code at https://github.com/org/repo and www.example.com/page."
    lines = []
    for n in range(12):
        topic = ["protein folding structure", "kv cache serving", "speech recognition"][n % 3]
        lines.append(
            Paper(
                id=f"2602.{40000 + n}",
                title=f"Study {n} of {topic}",
                abstract=f"We study {topic} with 3 variants and 12 runs. {base}",
                categories=["cs.LG"],
                published=date(2026, 2, 17),
            ).model_dump_json()
        )
    path = tmp_path / "papers.jsonl"
    path.write_text("\n".join(lines) + "\n")
    brief = day_brief(path)
    for theme in brief.themes:
        assert not re.search(r"\b(github|com|org|https?|www|repo)\b|\d", theme.title), theme.title


def test_themes_are_deterministic(example_papers: Path) -> None:
    first = day_brief(example_papers)
    second = day_brief(example_papers)
    assert [t.model_dump() for t in first.themes] == [t.model_dump() for t in second.themes]


# why now --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reasons", "text"),
    [
        (["similar to your 'SnapKV' (0.71)", "keywords: kv cache, long context (+2.3)"],
         "Similar to your 'SnapKV' (0.71); matches your interests: kv cache, long context."),
        (["author: Tri Dao (followed)"], "By Tri Dao, whom you follow."),
        (["author: Tri Dao (followed)", "upvotes: 12 (+1.8)"],
         "By Tri Dao, whom you follow; 12 upvotes."),
        (["title: LLM, RL (+6)", "abstract: framework (+1)"],
         "Matches your interests: LLM, RL, framework."),
        (["no keyword hits"],
         "In your categories; it matches none of your interests, papers or followed authors "
         "by name."),
    ],
)  # fmt: skip
def test_why_now_reads_as_words(reasons: list[str], text: str) -> None:
    assert why_now(reasons) == text


def test_why_now_in_the_top_papers_names_the_paper_when_two_read_alike(
    example_papers: Path,
) -> None:
    brief = day_brief(example_papers, reasons=["keywords: LLM (+1)"])
    why = [top.why_now for top in brief.top_papers]
    assert len(set(why)) == len(why)
    assert all("matches your interests: llm" in w.lower() for w in why)


def test_analysis_keeps_the_reasons_of_the_new_ranking() -> None:
    paper = Paper(
        id="2602.50000",
        title="SnapKV Revisited",
        abstract="We propose a KV cache eviction policy for long-context LLM inference.",
        categories=["cs.CL"],
        published=date(2026, 2, 17),
    )
    scored = ScoredPaper(paper=paper, score=3.1, reasons=["author: Ada Lovelace (followed)"])
    analysis = OfflineEngine().analyze(scored, abstract_text(paper))
    assert analysis.why_now == "By Ada Lovelace, whom you follow."
