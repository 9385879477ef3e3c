"""SPEC §2's rules applied to a synthesis before anything is written.

`synthesis_problems` lists every violation (told to the model for its one retry);
`enforce_rules` then drops whatever still violates — an unknown paper id, a duplicate top
paper, a number no cited analysis contains, items beyond the bounds — and fills a section left
short from the extractive fallback, so a brief never carries an invented paper or number.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable

from briefgen.llm.base import AnalysedPaper, Synthesis
from briefgen.models import Takeaway, Theme, TopPaper
from briefgen.rules import NEXT_STEPS, TAKEAWAYS, THEMES, TOP_FACT_BULLETS, TOP_PAPERS

# A "headline number": a decimal, or a number with a unit (31%, 2.4x, 4×, 128k, 5M, 80 GB).
# Plain small integers ("3 papers") are counts, not claims, and are not checked.
HEADLINE_NUMBER = re.compile(
    r"(?<![\w.])(?P<unit>\d+(?:,\d{3})*(?:\.\d+)?)\s?"
    r"(?:×|(?:%|x|k|K|M|B|ms|s|GB|MB|TB|pp)(?![A-Za-z]))"
    r"|(?<![\w.,])(?P<decimal>\d+\.\d+)(?!\d)"
)
ANY_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")


def _norm(number: str) -> str:
    value = number.replace(",", "")
    return value.rstrip("0").rstrip(".") if "." in value else value


def headline_numbers(text: str) -> set[str]:
    return {_norm(m.group("unit") or m.group("decimal")) for m in HEADLINE_NUMBER.finditer(text)}


def analysis_numbers(item: AnalysedPaper) -> set[str]:
    text = json.dumps(item.analysis.model_dump(), ensure_ascii=False)
    return {_norm(n) for n in ANY_NUMBER.findall(text)}


class Checker:
    """What the analysed papers allow a synthesis to say."""

    def __init__(self, papers: list[AnalysedPaper]) -> None:
        self.papers = papers
        self.known = {p.paper_id for p in papers}
        self.numbers = {p.paper_id: analysis_numbers(p) for p in papers}
        self.all_numbers = set().union(*self.numbers.values()) if papers else set()

    def untraceable(self, text: str, cited: Iterable[str]) -> list[str]:
        """Headline numbers in `text` that no cited analysis (any, if none cited) contains."""
        cited = [pid for pid in cited if pid in self.known]
        pool = set().union(*(self.numbers[pid] for pid in cited)) if cited else self.all_numbers
        return sorted(n for n in headline_numbers(text) if n not in pool)

    def bounds(self, name: str, count: int, low: int, high: int) -> list[str]:
        if count < low or count > high:
            return [f"{name}: {count} items, expected {low}–{high}"]
        return []


def synthesis_problems(synthesis: Synthesis, papers: list[AnalysedPaper]) -> list[str]:
    check = Checker(papers)
    n = len(papers)
    problems: list[str] = []
    problems += check.bounds("takeaways", len(synthesis.takeaways), TAKEAWAYS.lowest_for(n),
                             TAKEAWAYS.high)  # fmt: skip
    for i, takeaway in enumerate(synthesis.takeaways, start=1):
        for pid in takeaway.paper_ids:
            if pid not in check.known:
                problems.append(f"takeaway {i} cites {pid}, which is not among the analysed papers")
        for number in check.untraceable(f"{takeaway.headline} {takeaway.body}", takeaway.paper_ids):
            problems.append(f"takeaway {i}: the number {number} is in no cited paper's analysis")
    problems += check.bounds("themes", len(synthesis.themes), THEMES.lowest_for(n), THEMES.high)
    for theme in synthesis.themes:
        known = [pid for pid in theme.paper_ids if pid in check.known]
        for pid in theme.paper_ids:
            if pid not in check.known:
                problems.append(f"theme {theme.title!r} cites {pid}, which is not analysed")
        if not known:
            problems.append(f"theme {theme.title!r} names no analysed paper")
    if not synthesis.technical_synthesis:
        problems.append("technical_synthesis is empty")
    expected = min(TOP_PAPERS, n)
    ids = [top.paper_id for top in synthesis.top_papers]
    if len(ids) != expected:
        problems.append(f"top_papers: {len(ids)} listed, expected exactly {expected}")
    seen: set[str] = set()
    for top in synthesis.top_papers:
        if top.paper_id not in check.known:
            problems.append(f"top paper {top.paper_id} is not among the analysed papers")
        if top.paper_id in seen:
            problems.append(f"top paper {top.paper_id} is listed twice")
        seen.add(top.paper_id)
        problems += check.bounds(f"top paper {top.paper_id} bullets", len(top.bullets),
                                 TOP_FACT_BULLETS.low, TOP_FACT_BULLETS.high)  # fmt: skip
        for bullet in top.bullets:
            for number in check.untraceable(bullet, [top.paper_id]):
                problems.append(
                    f"top paper {top.paper_id}: the number {number} is not in its analysis"
                )
    problems += check.bounds("next_steps", len(synthesis.next_steps),
                             NEXT_STEPS.lowest_for(n), NEXT_STEPS.high)  # fmt: skip
    return problems


def enforce_rules(
    synthesis: Synthesis,
    papers: list[AnalysedPaper],
    fallback: Callable[[], Synthesis],
) -> tuple[Synthesis, list[str]]:
    """(a synthesis that follows the rules, what was dropped or filled and why)."""
    check = Checker(papers)
    n = len(papers)
    notes: list[str] = []
    spare: list[Synthesis] = []

    def backup() -> Synthesis:
        if not spare:
            spare.append(fallback())
        return spare[0]

    takeaways: list[Takeaway] = []
    for takeaway in synthesis.takeaways:
        unknown = [pid for pid in takeaway.paper_ids if pid not in check.known]
        if unknown:
            notes.append(
                f"takeaway {takeaway.headline!r}: dropped unknown ids {', '.join(unknown)}"
            )
        cited = [pid for pid in takeaway.paper_ids if pid in check.known]
        numbers = check.untraceable(f"{takeaway.headline} {takeaway.body}", cited)
        if numbers:
            notes.append(
                f"takeaway {takeaway.headline!r} dropped: untraceable {', '.join(numbers)}"
            )
            continue
        if unknown and not cited:
            notes.append(f"takeaway {takeaway.headline!r} dropped: it rests on no analysed paper")
            continue
        takeaways.append(takeaway.model_copy(update={"paper_ids": cited}))
    takeaways = takeaways[: TAKEAWAYS.high]
    for extra in backup().takeaways if len(takeaways) < TAKEAWAYS.lowest_for(n) else []:
        if len(takeaways) >= TAKEAWAYS.lowest_for(n):
            break
        takeaways.append(extra)
        notes.append(f"takeaways: added {extra.headline!r} from the analyses to reach the minimum")

    themes: list[Theme] = []
    for theme in synthesis.themes:
        cited = [pid for pid in dict.fromkeys(theme.paper_ids) if pid in check.known]
        if len(cited) != len(theme.paper_ids):
            notes.append(f"theme {theme.title!r}: dropped unknown or repeated paper ids")
        if not cited:
            notes.append(f"theme {theme.title!r} dropped: it names no analysed paper")
            continue
        themes.append(theme.model_copy(update={"paper_ids": cited}))
    themes = themes[: THEMES.high] or backup().themes
    technical = synthesis.technical_synthesis or backup().technical_synthesis

    top: list[TopPaper] = []
    for item in synthesis.top_papers:
        if item.paper_id not in check.known or item.paper_id in {t.paper_id for t in top}:
            notes.append(f"top paper {item.paper_id} dropped: unknown or listed twice")
            continue
        bullets = []
        for bullet in item.bullets:
            numbers = check.untraceable(bullet, [item.paper_id])
            if numbers:
                notes.append(f"top paper {item.paper_id}: bullet dropped, untraceable "
                             f"{', '.join(numbers)}")  # fmt: skip
            else:
                bullets.append(bullet)
        if len(bullets) < TOP_FACT_BULLETS.low:
            spare_top = next((t for t in backup().top_papers if t.paper_id == item.paper_id), None)
            filler = spare_top.bullets if spare_top else []
            bullets += [b for b in filler if b not in bullets][
                : TOP_FACT_BULLETS.low - len(bullets)
            ]
        if len(bullets) < TOP_FACT_BULLETS.low:
            notes.append(f"top paper {item.paper_id} dropped: too few checkable bullets")
            continue
        top.append(item.model_copy(update={"bullets": bullets[: TOP_FACT_BULLETS.high]}))
    top = top[:TOP_PAPERS]
    if len(top) < min(TOP_PAPERS, n):
        ranked = sorted(papers, key=lambda p: (-p.scored.score, p.paper_id))
        have = {t.paper_id for t in top}
        spare_tops = {t.paper_id: t for t in backup().top_papers}
        for paper in ranked:
            if len(top) >= min(TOP_PAPERS, n):
                break
            if paper.paper_id in have:
                continue
            filler_top = spare_tops.get(paper.paper_id) or _top_from_analysis(paper)
            top.append(filler_top)
            have.add(paper.paper_id)
            notes.append(f"top papers: added {paper.paper_id} from the ranking to make five")

    steps = synthesis.next_steps[: NEXT_STEPS.high]
    for extra_step in backup().next_steps if len(steps) < NEXT_STEPS.lowest_for(n) else []:
        if len(steps) >= NEXT_STEPS.lowest_for(n):
            break
        steps.append(extra_step)
    result = Synthesis(
        takeaways=takeaways,
        themes=themes,
        technical_synthesis=technical,
        top_papers=top,
        next_steps=steps,
    )
    return result, notes


def _top_from_analysis(paper: AnalysedPaper) -> TopPaper:
    a = paper.analysis
    bullets = [a.one_line_contribution, *a.experiments.key_results[:2]]
    if len(bullets) < TOP_FACT_BULLETS.low:
        bullets.append(f"Domain: {a.domain}.")
    return TopPaper(
        paper_id=paper.paper_id,
        bullets=bullets[: TOP_FACT_BULLETS.high],
        why_now=a.why_now,
        skepticism=a.skeptical_note,
    )
