"""The brief's rules (docs/concepts/brief.md) applied to a synthesis before anything is written.

`synthesis_problems` lists every violation (told to the model for its one retry);
`enforce_rules` then drops whatever still violates — an unknown paper id, a duplicate top
paper, a number no cited analysis contains, items beyond the bounds — and fills a section left
short from the engine's fallback (for a model engine, its own analyses: never offline text), so
a brief never carries an invented paper or number.

The number guard reads every field a synthesis writes: a takeaway, a theme's title and
why_it_matters against the papers they cite (the whole item is dropped), a theme's approach or
open question (that item alone), a synthesis line and a next step against the day's analyses
(they cite no ids), a top paper's bullets, why_now and skepticism against its own analysis (a
bullet is dropped; why_now or skepticism is replaced by its analysis's). Each drop is named in
the notes, which the run prints and keeps.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from itertools import islice
from typing import TypeVar

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

    def known_of(self, ids: Iterable[str]) -> list[str]:
        return [pid for pid in ids if pid in self.known]

    def unknown_of(self, ids: Iterable[str]) -> list[str]:
        return [pid for pid in ids if pid not in self.known]


def _shown(text: str, limit: int = 60) -> str:
    """An item named in a note: its opening words."""
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[: limit - 1].rstrip() + "…")


def _takeaway_text(takeaway: Takeaway) -> str:
    """What a takeaway claims: its numbers are checked in headline and body alike."""
    return f"{takeaway.headline} {takeaway.body}"


def synthesis_problems(synthesis: Synthesis, papers: list[AnalysedPaper]) -> list[str]:
    check = Checker(papers)
    n = len(papers)
    problems = check.bounds("takeaways", len(synthesis.takeaways), TAKEAWAYS.lowest_for(n),
                            TAKEAWAYS.high)  # fmt: skip
    for i, takeaway in enumerate(synthesis.takeaways, start=1):
        problems += _takeaway_problems(check, i, takeaway)
    problems += check.bounds("themes", len(synthesis.themes), THEMES.lowest_for(n), THEMES.high)
    for theme in synthesis.themes:
        problems += _theme_problems(check, theme)
    if not synthesis.technical_synthesis:
        problems.append("technical_synthesis is empty")
    for line in synthesis.technical_synthesis:
        problems += [
            f"technical_synthesis line {_shown(line)}: the number {number} is in no analysis"
            for number in check.untraceable(line, [])
        ]
    problems += _top_papers_problems(check, synthesis.top_papers, min(TOP_PAPERS, n))
    problems += check.bounds("next_steps", len(synthesis.next_steps),
                             NEXT_STEPS.lowest_for(n), NEXT_STEPS.high)  # fmt: skip
    for step in synthesis.next_steps:
        problems += [
            f"next step {_shown(step)}: the number {number} is in no analysis"
            for number in check.untraceable(step, [])
        ]
    return problems


def _takeaway_problems(check: Checker, i: int, takeaway: Takeaway) -> list[str]:
    problems = [
        f"takeaway {i} cites {pid}, which is not among the analysed papers"
        for pid in check.unknown_of(takeaway.paper_ids)
    ]
    problems += [
        f"takeaway {i}: the number {number} is in no cited paper's analysis"
        for number in check.untraceable(_takeaway_text(takeaway), takeaway.paper_ids)
    ]
    return problems


def _theme_problems(check: Checker, theme: Theme) -> list[str]:
    problems = [
        f"theme {theme.title!r} cites {pid}, which is not analysed"
        for pid in check.unknown_of(theme.paper_ids)
    ]
    if not check.known_of(theme.paper_ids):
        problems.append(f"theme {theme.title!r} names no analysed paper")
    cited = check.known_of(theme.paper_ids)
    for text in (theme.title, theme.why_it_matters, *theme.common_approach,
                 *theme.open_questions):  # fmt: skip
        problems += [
            f"theme {theme.title!r}: the number {number} in {_shown(text)} is in no cited "
            "paper's analysis"
            for number in check.untraceable(text, cited)
        ]
    return problems


def _top_papers_problems(check: Checker, tops: list[TopPaper], expected: int) -> list[str]:
    problems: list[str] = []
    if len(tops) != expected:
        problems.append(f"top_papers: {len(tops)} listed, expected exactly {expected}")
    seen: set[str] = set()
    for top in tops:
        if top.paper_id not in check.known:
            problems.append(f"top paper {top.paper_id} is not among the analysed papers")
        if top.paper_id in seen:
            problems.append(f"top paper {top.paper_id} is listed twice")
        seen.add(top.paper_id)
        problems += check.bounds(f"top paper {top.paper_id} bullets", len(top.bullets),
                                 TOP_FACT_BULLETS.low, TOP_FACT_BULLETS.high)  # fmt: skip
        problems += [
            f"top paper {top.paper_id}: the number {number} is not in its analysis"
            for text in (*top.bullets, top.why_now, top.skepticism)
            for number in check.untraceable(text, [top.paper_id])
        ]
    return problems


def enforce_rules(
    synthesis: Synthesis,
    papers: list[AnalysedPaper],
    fallback: Callable[[], Synthesis],
) -> tuple[Synthesis, list[str]]:
    """(a synthesis that follows the rules, what was dropped or filled and why)."""
    repair = _Repair(papers, fallback)
    # Section by section, in the brief's order (the notes come out in that order too).
    takeaways = repair.takeaways(synthesis.takeaways)
    themes = repair.themes(synthesis.themes)
    technical = repair.technical(synthesis.technical_synthesis)
    top = repair.top_papers(synthesis.top_papers)
    steps = repair.next_steps(synthesis.next_steps)
    result = Synthesis(
        takeaways=takeaways,
        themes=themes,
        technical_synthesis=technical,
        top_papers=top,
        next_steps=steps,
    )
    return result, repair.notes


_T = TypeVar("_T")


def _top_up(items: list[_T], low: int, spares: Callable[[], Iterable[_T]]) -> list[_T]:
    """Extend `items` to `low` from `spares` (asked for only when short); what was added."""
    if len(items) >= low:
        return []
    added = list(islice(spares(), low - len(items)))
    items.extend(added)
    return added


class _Repair:
    """One `enforce_rules` run: drops what breaks a rule, noting why, and fills a section left
    short from the fallback synthesis (built once, and only if some section needs it)."""

    def __init__(self, papers: list[AnalysedPaper], fallback: Callable[[], Synthesis]) -> None:
        self.papers = papers
        self.check = Checker(papers)
        self.n = len(papers)
        self.notes: list[str] = []
        self._fallback = fallback

    @cached_property
    def backup(self) -> Synthesis:
        return self._fallback()

    # takeaways ------------------------------------------------------------------------------

    def takeaways(self, given: list[Takeaway]) -> list[Takeaway]:
        kept = [t for t in map(self._takeaway, given) if t is not None][: TAKEAWAYS.high]

        def spares() -> Iterator[Takeaway]:
            # A spare on a paper a kept takeaway already rests on would say it twice.
            covered = {pid for t in kept for pid in t.paper_ids}
            for spare in self.backup.takeaways:
                if not set(spare.paper_ids) & covered:
                    covered.update(spare.paper_ids)
                    yield spare

        for extra in _top_up(kept, TAKEAWAYS.lowest_for(self.n), spares):
            self.notes.append(
                f"takeaways: added {extra.headline!r} from the analyses to reach the minimum"
            )
        return kept

    def _takeaway(self, takeaway: Takeaway) -> Takeaway | None:
        """The takeaway citing only analysed papers; None if a number in it is untraceable or
        it cites no analysed paper at all."""
        unknown = self.check.unknown_of(takeaway.paper_ids)
        if unknown:
            self.notes.append(
                f"takeaway {takeaway.headline!r}: dropped unknown ids {', '.join(unknown)}"
            )
        cited = self.check.known_of(takeaway.paper_ids)
        numbers = self.check.untraceable(_takeaway_text(takeaway), cited)
        if numbers:
            self.notes.append(
                f"takeaway {takeaway.headline!r} dropped: untraceable {', '.join(numbers)}"
            )
            return None
        if unknown and not cited:
            self.notes.append(
                f"takeaway {takeaway.headline!r} dropped: it rests on no analysed paper"
            )
            return None
        return takeaway.model_copy(update={"paper_ids": cited})

    # themes ---------------------------------------------------------------------------------

    def themes(self, given: list[Theme]) -> list[Theme]:
        kept = [t for t in map(self._theme, given) if t is not None]
        if not kept and self.n:
            backup = self.backup.themes
            for theme in backup:
                self.notes.append(f"themes: added {theme.title!r} from the analyses, none left")
            return backup
        return kept[: THEMES.high]

    def _theme(self, theme: Theme) -> Theme | None:
        cited = self.check.known_of(dict.fromkeys(theme.paper_ids))
        if len(cited) != len(theme.paper_ids):
            self.notes.append(f"theme {theme.title!r}: dropped unknown or repeated paper ids")
        if not cited:
            self.notes.append(f"theme {theme.title!r} dropped: it names no analysed paper")
            return None
        numbers = self.check.untraceable(f"{theme.title} {theme.why_it_matters}", cited)
        if numbers:
            self.notes.append(
                f"theme {theme.title!r} dropped: untraceable {', '.join(numbers)}"
            )
            return None
        approach = self._traceable_items(theme, "approach", theme.common_approach, cited)
        questions = self._traceable_items(theme, "open question", theme.open_questions, cited)
        if not approach or not questions:
            missing = "approach" if not approach else "open question"
            self.notes.append(f"theme {theme.title!r} dropped: no {missing} left")
            return None
        return theme.model_copy(
            update={"paper_ids": cited, "common_approach": approach, "open_questions": questions}
        )

    def _traceable_items(self, theme: Theme, what: str, items: list[str],
                         cited: list[str]) -> list[str]:  # fmt: skip
        return self._keep_traceable(
            items, cited, lambda item, numbers: f"theme {theme.title!r}: {what} {_shown(item)} "
            f"dropped, untraceable {numbers}")  # fmt: skip

    def _keep_traceable(
        self, items: list[str], cited: list[str], dropped: Callable[[str, str], str]
    ) -> list[str]:
        """The items whose every headline number is in an analysis they cite (any of the
        day's when `cited` is empty); each other one dropped and named by `dropped`."""
        kept = []
        for item in items:
            numbers = self.check.untraceable(item, cited)
            if numbers:
                self.notes.append(dropped(item, ", ".join(numbers)))
            else:
                kept.append(item)
        return kept

    # technical synthesis ----------------------------------------------------------------------

    def _drop_untraceable(self, given: list[str], what: str) -> list[str]:
        """The items of a section that cites no paper (technical synthesis, next steps)."""
        return self._keep_traceable(
            given, [], lambda item, numbers: f"{what} {_shown(item)} dropped: untraceable {numbers}"
        )

    def technical(self, given: list[str]) -> list[str]:
        kept = self._drop_untraceable(given, "technical synthesis line")
        if not kept:
            kept = list(self.backup.technical_synthesis)
            self.notes.append("technical synthesis: taken from the analyses, none left")
        return kept

    # top papers -----------------------------------------------------------------------------

    def top_papers(self, given: list[TopPaper]) -> list[TopPaper]:
        top: list[TopPaper] = []
        for item in given:
            if item.paper_id not in self.check.known or item.paper_id in {t.paper_id for t in top}:
                self.notes.append(f"top paper {item.paper_id} dropped: unknown or listed twice")
            elif (kept := self._top_paper(item)) is not None:
                top.append(kept)
        top = top[:TOP_PAPERS]
        have = {t.paper_id for t in top}
        for added in _top_up(top, min(TOP_PAPERS, self.n), lambda: self._ranked_tops(have)):
            self.notes.append(f"top papers: added {added.paper_id} from the ranking to make five")
        return top

    def _top_paper(self, item: TopPaper) -> TopPaper | None:
        """The entry with its checkable bullets, topped up from the fallback's; None if it
        still has too few."""
        bullets = [b for b in item.bullets if self._traceable(item.paper_id, b)]
        _top_up(bullets, TOP_FACT_BULLETS.low, lambda: self._spare_bullets(item.paper_id, bullets))
        if len(bullets) < TOP_FACT_BULLETS.low:
            self.notes.append(f"top paper {item.paper_id} dropped: too few checkable bullets")
            return None
        update: dict[str, object] = {"bullets": bullets[: TOP_FACT_BULLETS.high]}
        spare = next(
            (t for t in self.backup.top_papers if t.paper_id == item.paper_id), None
        ) or _top_from_analysis(self._paper(item.paper_id))
        for field in ("why_now", "skepticism"):
            numbers = self.check.untraceable(getattr(item, field), [item.paper_id])
            if numbers:
                self.notes.append(f"top paper {item.paper_id}: {field} replaced by its "
                                  f"analysis's, untraceable {', '.join(numbers)}")  # fmt: skip
                update[field] = getattr(spare, field)
        return item.model_copy(update=update)

    def _paper(self, paper_id: str) -> AnalysedPaper:
        return next(p for p in self.papers if p.paper_id == paper_id)

    def _traceable(self, paper_id: str, bullet: str) -> bool:
        numbers = self.check.untraceable(bullet, [paper_id])
        if numbers:
            self.notes.append(f"top paper {paper_id}: bullet dropped, untraceable "
                              f"{', '.join(numbers)}")  # fmt: skip
        return not numbers

    def _spare_bullets(self, paper_id: str, have: list[str]) -> list[str]:
        """The fallback's bullets for the same paper that the entry does not already have."""
        spare = next((t for t in self.backup.top_papers if t.paper_id == paper_id), None)
        return [b for b in spare.bullets if b not in have] if spare else []

    def _ranked_tops(self, have: set[str]) -> Iterator[TopPaper]:
        """Entries for the best-ranked papers not yet listed: the fallback's where it wrote
        one, else one built from the analysis."""
        spare = {t.paper_id: t for t in self.backup.top_papers}
        for paper in sorted(self.papers, key=lambda p: (-p.scored.score, p.paper_id)):
            if paper.paper_id not in have:
                have.add(paper.paper_id)
                yield spare.get(paper.paper_id) or _top_from_analysis(paper)

    # next steps -----------------------------------------------------------------------------

    def next_steps(self, given: list[str]) -> list[str]:
        steps = self._drop_untraceable(given, "next step")[: NEXT_STEPS.high]
        spares = [s for s in self.backup.next_steps if s not in steps]
        for added in _top_up(steps, NEXT_STEPS.lowest_for(self.n), lambda: spares):
            self.notes.append(f"next steps: added {_shown(added)} from the analyses")
        return steps


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
