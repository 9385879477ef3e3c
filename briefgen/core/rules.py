"""The rules a brief must satisfy (docs/concepts/brief.md), on structured briefs.

`lint.py` applies the same rules to markdown files; every engine's output is checked here
before anything is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from briefgen.core.models import Brief


@dataclass(frozen=True)
class Bounds:
    low: int
    high: int

    def lowest_for(self, paper_count: int | None) -> int:
        """A day with few papers cannot fill the usual minimum; never ask for more than exist.
        An unknown count (a markdown brief without its table) keeps the usual minimum."""
        return self.low if paper_count is None else min(self.low, paper_count)


TAKEAWAYS = Bounds(4, 7)
THEMES = Bounds(1, 8)
NEXT_STEPS = Bounds(3, 8)
TOP_PAPERS = 5
TOP_FACT_BULLETS = Bounds(2, 4)  # besides the "why now" and "skepticism" bullets

# Only paper pages may be linked: arXiv abstracts and Hugging Face paper pages.
PAPER_LINK = re.compile(
    r"^https://(?:arxiv\.org/abs|huggingface\.co/papers)/"
    r"(?P<id>\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$"
)


def linked_paper_id(url: str) -> str | None:
    match = PAPER_LINK.match(url)
    return match.group("id") if match else None


def check_counts(name: str, count: int, bounds: Bounds, paper_count: int | None) -> list[str]:
    low = bounds.lowest_for(paper_count)
    if count < low or count > bounds.high:
        return [f"{name}: {count} items, expected {low}–{bounds.high}"]
    return []


def check_brief(brief: Brief) -> list[str]:
    """Problems with a structured brief, one line each; empty when it follows the rules."""
    problems: list[str] = []
    analysed = [row.paper_id for row in brief.papers_at_a_glance]
    known = set(analysed)
    count = len(analysed)
    if count == 0:
        problems.append("papers at a glance: no papers; a brief needs at least one")
    if len(known) != count:
        problems.append("papers at a glance: a paper is listed twice")
    for row in brief.papers_at_a_glance:
        if linked_paper_id(row.url) != row.paper_id:
            problems.append(f"papers at a glance: {row.paper_id} links to {row.url!r}")

    problems += check_counts("executive takeaways", len(brief.takeaways), TAKEAWAYS, count)
    for takeaway in brief.takeaways:
        problems += [
            f"takeaway {takeaway.headline!r}: cites {pid}, which was not analysed"
            for pid in takeaway.paper_ids
            if pid not in known
        ]

    problems += check_counts("key themes", len(brief.themes), THEMES, count)
    for theme in brief.themes:
        if not theme.paper_ids:
            problems.append(f"theme {theme.title!r}: names no paper")
        problems += [
            f"theme {theme.title!r}: cites {pid}, which was not analysed"
            for pid in theme.paper_ids
            if pid not in known
        ]
        if not theme.common_approach:
            problems.append(f"theme {theme.title!r}: no common approach")
        if not theme.open_questions:
            problems.append(f"theme {theme.title!r}: no open questions")

    if not brief.technical_synthesis:
        problems.append("technical synthesis: empty")

    top_ids = [top.paper_id for top in brief.top_papers]
    expected_top = min(TOP_PAPERS, count)
    if len(top_ids) != expected_top:
        problems.append(f"top papers: {len(top_ids)} listed, expected {expected_top}")
    if len(set(top_ids)) != len(top_ids):
        problems.append("top papers: the same paper is listed twice")
    for top in brief.top_papers:
        if top.paper_id not in known:
            problems.append(f"top papers: {top.paper_id} was not analysed")
        low, high = TOP_FACT_BULLETS.low, TOP_FACT_BULLETS.high
        if not low <= len(top.bullets) <= high:
            problems.append(
                f"top papers: {top.paper_id} has {len(top.bullets)} bullets, expected {low}–{high}"
            )
        if not top.skepticism.strip():
            problems.append(f"top papers: {top.paper_id} has no skepticism note")

    problems += check_counts("practical next steps", len(brief.next_steps), NEXT_STEPS, count)
    return problems
