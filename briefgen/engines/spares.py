"""What fills a model synthesis's short section: the model's own analyses, never offline text.

When the number guard or a rule leaves a section of a model's synthesis short, it is refilled
from what the model itself wrote about each paper (its contribution sentence, method, results,
limitations, what the text could not show, its code link), framed in a few words of briefgen's
own; and the same when the synthesis call fails altogether. Every number here is the analysis's
own, so the number guard passes it. The offline engine's sentences ("N papers, led by X") never
enter a model brief.
"""

from __future__ import annotations

from collections import defaultdict

from briefgen.core.models import NOT_STATED, AnalysedPaper, Synthesis, Takeaway, Theme, TopPaper
from briefgen.core.rules import NEXT_STEPS, TOP_FACT_BULLETS, TOP_PAPERS


def _said(text: str) -> bool:
    return bool(text.strip()) and text.strip().lower() != NOT_STATED


def _area(domain: str) -> str:
    return domain.split("/", 1)[0].strip() or domain.strip()


def _subject(domain: str) -> str:
    """'LLM inference / KV-cache compression' -> 'KV-cache compression'."""
    part = domain.rsplit("/", 1)[-1].strip() or domain.strip()
    return part[:1].upper() + part[1:]


def ranked(papers: list[AnalysedPaper]) -> list[AnalysedPaper]:
    return sorted(papers, key=lambda p: (-p.scored.score, p.paper_id))


def spare_takeaway(paper: AnalysedPaper) -> Takeaway:
    a = paper.analysis
    return Takeaway(headline=_subject(a.domain), body=a.one_line_contribution,
                    paper_ids=[paper.paper_id])  # fmt: skip


def why_now(paper: AnalysedPaper) -> str:
    """For the reader: what the ranking found (their keywords, library, authors)."""
    if paper.scored.reasons:
        text = "; ".join(paper.scored.reasons)
        return text[:1].upper() + text[1:] + "."
    return paper.analysis.why_now


def spare_top(paper: AnalysedPaper) -> TopPaper:
    a = paper.analysis
    bullets = [a.one_line_contribution, *a.experiments.key_results[:2]]
    if len(bullets) < TOP_FACT_BULLETS.low and _said(a.method):
        bullets.append(a.method)
    if len(bullets) < TOP_FACT_BULLETS.low:
        bullets.append(f"Domain: {a.domain}.")
    return TopPaper(paper_id=paper.paper_id, bullets=bullets[: TOP_FACT_BULLETS.high],
                    why_now=why_now(paper), skepticism=a.skeptical_note)  # fmt: skip


def _themes(papers: list[AnalysedPaper]) -> list[Theme]:
    groups: dict[str, list[AnalysedPaper]] = defaultdict(list)
    for paper in papers:
        groups[_area(paper.analysis.domain)].append(paper)
    shared = [g for g in groups.values() if len(g) >= 2] or [papers[:1]]
    themes = []
    for group in shared[:3]:
        first = group[0].analysis
        approaches = [p.analysis.method for p in group[:3] if _said(p.analysis.method)]
        questions = [q for p in group[:3] for q in p.analysis.limitations[:1]]
        questions += [q for p in group[:3] for q in p.analysis.not_shown[:1]]
        themes.append(Theme(
            title=_area(first.domain),
            why_it_matters=first.problem if _said(first.problem) else first.one_line_contribution,
            paper_ids=[p.paper_id for p in group],
            common_approach=approaches[:4] or [first.one_line_contribution],
            open_questions=questions[:3] or [first.skeptical_note],
        ))  # fmt: skip
    return themes


def _next_steps(papers: list[AnalysedPaper]) -> list[str]:
    steps = []
    for paper in papers:
        code = paper.analysis.usage_guide.open_source
        if code.lower().startswith("code released"):
            steps.append(f"Try {_subject(paper.analysis.domain)} ({paper.scored.paper.title}): "
                         f"{code}.")  # fmt: skip
    for paper in papers:
        for item in paper.analysis.not_shown[:1]:
            steps.append(f"Before relying on {paper.scored.paper.title}, find in the full "
                         f"paper: {item}.")  # fmt: skip
    for paper in papers:
        if _said(paper.analysis.skeptical_note):
            steps.append(f"Check {paper.scored.paper.title}: {paper.analysis.skeptical_note}")
    return steps[: NEXT_STEPS.high]


def analysis_synthesis(papers: list[AnalysedPaper]) -> Synthesis:
    """A synthesis made of the analyses alone: the spares a model synthesis is refilled
    from."""
    order = ranked(papers)
    return Synthesis(
        takeaways=[spare_takeaway(p) for p in order[:7]],
        themes=_themes(order) if order else [],
        technical_synthesis=[
            f"{p.scored.paper.title}: {p.analysis.method}"
            for p in order[:3]
            if _said(p.analysis.method)
        ]
        or [p.analysis.one_line_contribution for p in order[:3]],
        top_papers=[spare_top(p) for p in order[:TOP_PAPERS]],
        next_steps=_next_steps(order),
    )
