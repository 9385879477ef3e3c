"""A small hand-written brief for render and lint tests."""

from __future__ import annotations

from briefgen.core.models import Brief, GlanceRow, Provenance, Takeaway, Theme, TopPaper

IDS = ["2602.20001", "2602.20002", "2602.20003", "2602.20004", "2602.20005"]


def make_brief(title_of_first: str = "SpecServe: Speculative Decoding") -> Brief:
    rows = [
        GlanceRow(
            paper_id=pid,
            title=title_of_first if n == 0 else f"Paper {n}",
            url=f"https://arxiv.org/abs/{pid}v1",
            domain="LLM serving",
            contribution=f"Contribution {n} with 2.{n}x speed-up.",
            read_from="abstract",
        )
        for n, pid in enumerate(IDS)
    ]
    return Brief(
        date="2026-02-18",
        takeaways=[
            Takeaway(headline=f"Headline {n}", body=f"Body {n}.", paper_ids=[IDS[n]])
            for n in range(4)
        ],
        papers_at_a_glance=rows,
        themes=[
            Theme(
                title="Serving",
                why_it_matters="Because.",
                paper_ids=IDS[:2],
                common_approach=["Batching."],
                open_questions=["Tail latency?"],
            )
        ],
        technical_synthesis=["Synthesis."],
        top_papers=[
            TopPaper(
                paper_id=pid, bullets=["Fact one.", "Fact two."], why_now="Now.", skepticism="Hmm."
            )
            for pid in IDS
        ],
        next_steps=["Step one.", "Step two.", "Step three."],
        provenance=Provenance(sources=["file x.jsonl"], paper_count=5, engine="offline"),
    )
