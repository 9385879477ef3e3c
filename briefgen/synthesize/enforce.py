"""SPEC §2's rules applied to a synthesis before anything is written.

`synthesis_problems` lists every violation (told to the model for its one retry);
`enforce_rules` then drops whatever still violates — an unknown paper id, a duplicate top
paper, a number no cited analysis contains, items beyond the bounds — and fills a section left
short from the extractive fallback, so a brief never carries an invented paper or number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from briefgen.core.models import AnalysedPaper, Synthesis, Takeaway, Theme, TopPaper
from briefgen.core.rules import NEXT_STEPS, TAKEAWAYS, THEMES, TOP_FACT_BULLETS, TOP_PAPERS

# The number guard. A model restates a paper's numbers in its own spelling ("~5×" for "roughly
# five times", "128k" for "128,000", "3∼6×" for "3-6x"), so both sides are read into one normal
# form before they are compared; only the value is compared, never the unit.
#
# A "headline number" in a synthesis is a claim: a decimal, or a number with a unit (31%, 2.4x,
# 4×, 128k, 5M, 80 GB). Plain small integers ("3 papers") are counts, not claims, and are not
# checked; nor is a spelled-out number unless a multiplier or percent follows ("five times").

# Spelled-out numbers, as models write small multipliers and percentages.
_ONE_TO_TWENTY = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                  "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
                  "eighteen", "nineteen", "twenty")  # fmt: skip
WORDS = {word: value for value, word in enumerate(_ONE_TO_TWENTY, start=1)} | {"twice": 2}
# A magnitude suffix may be matched written out or not: "128k" is "128,000" and "128K".
MAGNITUDES = {"k": 10**3, "thousand": 10**3, "m": 10**6, "million": 10**6, "b": 10**9,
              "billion": 10**9}  # fmt: skip

_WORD = "|".join(sorted(WORDS, key=len, reverse=True))  # longest first: "seventeen", "seven"
_VALUE = rf"\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|(?i:\b(?:{_WORD})\b)"
# Approximation markers say nothing about the value; one may open a range's second end.
_APPROX = r"(?:[~≈∼]\s?|(?i:about|roughly|around|nearly|approximately)\s+)"
_RANGE = r"\s?[-–∼~]\s?|\s+to\s+"
_UNIT = (
    r"(?P<times>×|[xX](?![A-Za-z])|(?i:times|-?fold)\b)"
    r"|(?P<percent>%|(?i:percent|per\s?cent)\b)"
    r"|(?P<scale>[kKMB](?![A-Za-z])|(?i:thousand|million|billion)\b)"
    r"|(?:ms|s|GB|MB|TB|pp)(?![A-Za-z])"
)
# One number as written: an optional range start ("3∼", "3 to "), the value, an optional unit
# (\s also takes the non-breaking and narrow spaces of "2.6 %"). A number glued to a word or
# to another number ("H100", "v2.1") is part of a name; a range start after a hyphen is too
# ("Llama-3-8B" is no range of 3 to 8).
NUMBER = re.compile(
    rf"(?<![\w.,])(?:(?<![-–])(?P<low>{_VALUE})(?:{_RANGE}){_APPROX}?)?"
    rf"(?P<value>{_VALUE})(?:\s?(?P<unit>{_UNIT}))?"
)
# Any run of digits at all, however glued: the analysis side keeps every number it ever had.
ANY_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")


@dataclass(frozen=True)
class Number:
    """A number read from text: `shown` is its normal form, `forms` all it may be matched by."""

    shown: str
    forms: frozenset[str]
    headline: bool


def _value(token: str) -> Decimal:
    word = WORDS.get(token.lower())
    return Decimal(word) if word is not None else Decimal(token.replace(",", ""))


def _norm(value: Decimal) -> str:
    """One spelling per value: "0.50" and "0.5", "1,024" and "1024", 1.5e6 and "1500000"."""
    return format(value.normalize(), "f")


def read_numbers(text: str) -> list[Number]:
    """Every number in `text`, each end of a range on its own, in the normal form."""
    numbers: list[Number] = []
    for m in NUMBER.finditer(text):
        unit = m.group("unit")
        scale = MAGNITUDES[unit.lower()] if m.group("scale") else None
        # A spelled-out number is a claim only as a multiplier or percentage ("five times", not
        # "five papers"); digits are one with any unit, or as a decimal.
        word_claim = bool(m.group("times") or m.group("percent"))
        ends = [m.group("value")]
        low = m.group("low")
        if low is not None and _value(low) < _value(ends[0]):
            ends.insert(0, low)  # a range: its start shares the unit ("3∼6×" claims 3× too)
        elif low is not None:
            numbers.append(_number(low, None, False))  # not a range ("2024-5x"): judged alone
        for token in ends:
            digits = token[0].isdigit()
            headline = (digits or word_claim) if unit else (digits and "." in token)
            numbers.append(_number(token, scale, headline))
    return numbers


def _number(token: str, scale: int | None, headline: bool) -> Number:
    value = _value(token)
    forms = {_norm(value)} | ({_norm(value * scale)} if scale else set())
    return Number(_norm(value), frozenset(forms), headline)


def headline_numbers(text: str) -> set[str]:
    return {n.shown for n in read_numbers(text) if n.headline}


def analysis_numbers(item: AnalysedPaper) -> set[str]:
    """Every number an analysis states, in every form it may be cited by."""
    texts = list(_strings(item.analysis.model_dump()))
    numbers = {form for text in texts for n in read_numbers(text) for form in n.forms}
    return numbers | {_norm(_value(n)) for text in texts for n in ANY_NUMBER.findall(text)}


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
    else:
        yield str(value)


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
        # A claim is traceable when any of its forms is there ("128k" as "128" or "128000").
        return sorted({n.shown for n in read_numbers(text) if n.headline and not n.forms & pool})

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
