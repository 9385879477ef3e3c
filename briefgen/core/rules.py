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
    analysed = [row.paper_id for row in brief.papers_at_a_glance]
    known = set(analysed)
    count = len(analysed)
    return [
        *_glance_problems(brief, known),
        *check_counts("executive takeaways", len(brief.takeaways), TAKEAWAYS, count),
        *_takeaway_problems(brief, known),
        *check_counts("key themes", len(brief.themes), THEMES, count),
        *_theme_problems(brief, known),
        *(["technical synthesis: empty"] if not brief.technical_synthesis else []),
        *_top_paper_problems(brief, known, count),
        *check_counts("practical next steps", len(brief.next_steps), NEXT_STEPS, count),
    ]


def _glance_problems(brief: Brief, known: set[str]) -> list[str]:
    """The glance table: at least one paper, each once, each linked to its own page."""
    rows = brief.papers_at_a_glance
    problems = []
    if not rows:
        problems.append("papers at a glance: no papers; a brief needs at least one")
    if len(known) != len(rows):
        problems.append("papers at a glance: a paper is listed twice")
    problems += [
        f"papers at a glance: {row.paper_id} links to {row.url!r}"
        for row in rows
        if linked_paper_id(row.url) != row.paper_id
    ]
    return problems


def _unanalysed(what: str, paper_ids: list[str], known: set[str]) -> list[str]:
    return [f"{what}: cites {pid}, which was not analysed" for pid in paper_ids if pid not in known]


def _takeaway_problems(brief: Brief, known: set[str]) -> list[str]:
    """Takeaways cite only analysed papers."""
    return [
        problem
        for takeaway in brief.takeaways
        for problem in _unanalysed(f"takeaway {takeaway.headline!r}", takeaway.paper_ids, known)
    ]


def _theme_problems(brief: Brief, known: set[str]) -> list[str]:
    """Each theme names an analysed paper, and has a common approach and open questions."""
    problems: list[str] = []
    for theme in brief.themes:
        name = f"theme {theme.title!r}"
        if not theme.paper_ids:
            problems.append(f"{name}: names no paper")
        problems += _unanalysed(name, theme.paper_ids, known)
        if not theme.common_approach:
            problems.append(f"{name}: no common approach")
        if not theme.open_questions:
            problems.append(f"{name}: no open questions")
    return problems


def _top_paper_problems(brief: Brief, known: set[str], count: int) -> list[str]:
    """Five distinct analysed papers (fewer on a smaller day), each with its fact bullets within
    bounds and a skepticism note."""
    problems: list[str] = []
    top_ids = [top.paper_id for top in brief.top_papers]
    expected_top = min(TOP_PAPERS, count)
    if len(top_ids) != expected_top:
        problems.append(f"top papers: {len(top_ids)} listed, expected {expected_top}")
    if len(set(top_ids)) != len(top_ids):
        problems.append("top papers: the same paper is listed twice")
    low, high = TOP_FACT_BULLETS.low, TOP_FACT_BULLETS.high
    for top in brief.top_papers:
        if top.paper_id not in known:
            problems.append(f"top papers: {top.paper_id} was not analysed")
        if not low <= len(top.bullets) <= high:
            problems.append(
                f"top papers: {top.paper_id} has {len(top.bullets)} bullets, expected {low}–{high}"
            )
        if not top.skepticism.strip():
            problems.append(f"top papers: {top.paper_id} has no skepticism note")
    return problems
