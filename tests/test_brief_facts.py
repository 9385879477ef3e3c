"""The fact check the project runs on itself (benchmarks/bench_facts.py): the offline brief of
the bundled real arXiv day says only what its papers support, each thing at most twice, and
its Chinese brief's own words are Chinese. The checker is shown to catch each fault first."""

from __future__ import annotations

from pathlib import Path

from benchmarks.bench_facts import check, load_papers, offline_briefs

PAPERS = {
    "2601.00001": {"title": "Measured Things Matter For Everyone Here",
                   "abstract": "We report F1 = 0.792 and BLEU 23.15; our limitations are stated."},
}  # fmt: skip


def test_the_checker_catches_each_fault() -> None:
    repeated = "A sentence long enough to count as one, printed three separate times here."
    en = "\n".join([
        f"- {repeated}", f"- {repeated}", f"- {repeated}",
        "1) [Measured Things Matter For Everyone Here](https://arxiv.org/abs/2601.00001)",
        "- Skepticism: the abstract states no number and no limitation.",
        "- It reaches 99.9% accuracy.",
        "#### Theme: RL, policy",
    ])  # fmt: skip
    zh = "### 0) 执行要点\n- **X**：“An English sentence quoted, nothing of our own here.”\n"
    facts = check(en, zh, PAPERS)
    assert facts.repeated == [repeated]  # each piece as read, without its bullet
    assert facts.contradicted == ["2601.00001: 'no number'", "2601.00001: 'no limitation'"]
    assert facts.untraceable == ["99.9%"]
    assert facts.word_list_themes == ["RL, policy"]
    assert facts.chinese_share == 0.0


def test_the_example_days_offline_brief_passes_the_fact_check(example_papers: Path) -> None:
    en, zh = offline_briefs(example_papers, "2026-06-17")
    facts = check(en, zh, load_papers(example_papers))
    assert facts.repeated == []
    assert facts.contradicted == []
    assert facts.untraceable == []
    assert facts.word_list_themes == [] and facts.themes >= 2
    assert facts.chinese_share >= 0.8
