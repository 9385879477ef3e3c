"""Days too large for one synthesis call: cluster the analyses (TF-IDF, no embeddings), let
each cluster be synthesised on its own, then merge the parts into one synthesis. The merged
result goes through the same rules as any other (`enforce.enforce_rules`)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from itertools import chain, zip_longest
from typing import TypeVar

from briefgen.core.models import AnalysedPaper, Synthesis, TopPaper
from briefgen.core.rules import NEXT_STEPS, TAKEAWAYS, THEMES, TOP_PAPERS

T = TypeVar("T")
TECHNICAL_MAX = 8


def cluster_papers(papers: list[AnalysedPaper], batch_size: int) -> list[list[AnalysedPaper]]:
    """Groups of related papers, at most `batch_size` each; every paper in exactly one."""
    by_id = {p.paper_id: p for p in papers}
    from briefgen.engines.offline.cluster import Corpus, kmeans  # numpy, for large days only

    corpus = Corpus.build(
        [
            (
                p.paper_id,
                p.analysis.title,
                f"{p.analysis.one_line_contribution} {p.analysis.method}",
            )
            for p in papers
        ],
        tags={p.paper_id: [p.analysis.domain] for p in papers},
    )
    k = max(2, math.ceil(len(papers) / batch_size))
    groups = [[by_id[pid] for pid in members] for members in kmeans(corpus, k) if members]
    # k-means balances nothing: a cluster above the batch size is split (in relevance order).
    balanced: list[list[AnalysedPaper]] = []
    for group in groups:
        group = sorted(group, key=lambda p: (-p.scored.score, p.paper_id))
        for start in range(0, len(group), batch_size):
            balanced.append(group[start : start + batch_size])
    return balanced


def _round_robin(lists: Iterable[list[T]]) -> list[T]:
    return [item for item in chain.from_iterable(zip_longest(*lists)) if item is not None]


def merge_syntheses(parts: list[Synthesis], papers: list[AnalysedPaper]) -> Synthesis:
    """One synthesis from per-cluster ones: each section takes its parts in turn (so every
    cluster is heard), top 5 by the papers' relevance scores, duplicates removed."""
    score = {p.paper_id: p.scored.score for p in papers}
    tops: dict[str, TopPaper] = {}
    for top in chain.from_iterable(part.top_papers for part in parts):
        tops.setdefault(top.paper_id, top)
    ranked_tops = sorted(tops.values(), key=lambda t: (-score.get(t.paper_id, 0), t.paper_id))
    steps = list(dict.fromkeys(_round_robin(part.next_steps for part in parts)))
    return Synthesis(
        takeaways=_round_robin(part.takeaways for part in parts)[: TAKEAWAYS.high],
        themes=_round_robin(part.themes for part in parts)[: THEMES.high],
        technical_synthesis=_round_robin(part.technical_synthesis for part in parts)[
            :TECHNICAL_MAX
        ],
        top_papers=ranked_tops[:TOP_PAPERS],
        next_steps=steps[: NEXT_STEPS.high],
    )
