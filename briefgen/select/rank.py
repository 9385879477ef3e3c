"""Ranking papers for an interest profile, seed-003 style: title hits weigh more than abstract
hits, excludes remove, categories filter. Pure functions of their inputs."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from briefgen.core.models import Paper, ScoredPaper
from briefgen.core.settings import Profile

TITLE_WEIGHT = 3.0
ABSTRACT_WEIGHT = 1.0
UPVOTE_WEIGHT = 0.5  # per doubling of Hugging Face upvotes


@lru_cache(maxsize=1024)
def keyword_pattern(keyword: str) -> re.Pattern[str]:
    """Whole-word, case-insensitive, plural-tolerant: 'RL' hits 'RL' but not 'world'."""
    words = [re.escape(word) for word in keyword.split()]
    body = r"[\s\-]+".join(words)
    return re.compile(rf"(?<![A-Za-z0-9]){body}(?:s|es)?(?![A-Za-z0-9])", re.IGNORECASE)


def unique_keywords(keywords: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for keyword in keywords:
        if keyword.strip() and keyword.strip().lower() not in seen:
            seen[keyword.strip().lower()] = keyword.strip()
    return list(seen.values())


def keyword_hits(keywords: list[str], text: str) -> list[str]:
    return [kw for kw in keywords if keyword_pattern(kw).search(text)]


def score_paper(paper: Paper, profile: Profile) -> ScoredPaper:
    keywords = unique_keywords(profile.keywords)
    in_title = keyword_hits(keywords, paper.title)
    in_abstract = [kw for kw in keyword_hits(keywords, paper.abstract) if kw not in in_title]
    score = TITLE_WEIGHT * len(in_title) + ABSTRACT_WEIGHT * len(in_abstract)
    reasons = []
    if in_title:
        reasons.append(f"title: {', '.join(in_title)} (+{TITLE_WEIGHT * len(in_title):g})")
    if in_abstract:
        reasons.append(
            f"abstract: {', '.join(in_abstract)} (+{ABSTRACT_WEIGHT * len(in_abstract):g})"
        )
    if paper.upvotes:
        bonus = round(UPVOTE_WEIGHT * math.log2(1 + paper.upvotes), 2)
        score += bonus
        reasons.append(f"upvotes: {paper.upvotes} (+{bonus:g})")
    if not reasons:
        reasons.append("no keyword hits")
    return ScoredPaper(paper=paper, score=round(score, 2), reasons=reasons)


@dataclass
class Selection:
    selected: list[ScoredPaper]
    considered: int
    dropped: Counter[str] = field(default_factory=Counter)

    def why_empty(self) -> str:
        if not self.considered:
            return "no papers to choose from"
        parts = [f"{count} {reason}" for reason, count in self.dropped.most_common()]
        return f"all {self.considered} papers were filtered out ({'; '.join(parts)})"


def select_papers(papers: list[Paper], profile: Profile) -> Selection:
    """Filter by category and excludes, score, drop below min_score, keep the top max_papers."""
    wanted = {c.lower() for c in profile.categories}
    excludes = unique_keywords(profile.exclude)
    selection = Selection(selected=[], considered=len(papers))
    scored: list[ScoredPaper] = []
    for paper in papers:
        # A paper with no categories (Hugging Face does not say) is not known to be outside.
        if wanted and paper.categories and not wanted & {c.lower() for c in paper.categories}:
            selection.dropped["outside the profile's categories"] += 1
            continue
        if excludes and keyword_hits(excludes, f"{paper.title}\n{paper.abstract}"):
            selection.dropped["matched an exclude keyword"] += 1
            continue
        candidate = score_paper(paper, profile)
        if candidate.score < profile.min_score:
            selection.dropped[f"scored below min_score {profile.min_score:g}"] += 1
            continue
        scored.append(candidate)
    scored.sort(key=lambda s: (-s.score, s.paper.id))
    selection.selected = scored[: profile.max_papers]
    if len(scored) > profile.max_papers:
        selection.dropped[f"beyond max_papers {profile.max_papers}"] += len(scored) - len(
            selection.selected
        )
    return selection
