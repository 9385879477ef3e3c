"""Ranking a day's papers for a reader.

A paper's score adds up what it has in common with the reader: closeness to the reader's own
library (above the day's median, in a straight line up to the full `library_weight` for the
day's closest paper), keywords (title hits weigh triple, and a keyword counts by how rare it is
on arXiv, see select.keywords; with a library they are a tie-breaker), and Hugging Face
upvotes. Measured against judged days by benchmarks/bench_relevance.py. Papers by a followed
author are always selected; papers already briefed on an earlier day are left out unless a new
version appeared. Pure functions of their inputs: the library's similarities come in as a
function (see `Reader`).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from briefgen.core.models import Paper, ScoredPaper
from briefgen.core.settings import Profile
from briefgen.select.keywords import KeywordMatcher, rarity_weights, unique_keywords

TITLE_WEIGHT = 3.0
ABSTRACT_WEIGHT = 1.0
# A library match adds to the score only above the day's median closeness to the library, in a
# straight line up to the full library_weight for the day's closest paper: squared, the
# papers just behind the closest few got next to nothing, and recall of the 30 analysed fell.

# A similarity is named as a reason when it earns at least this share of library_weight.
LIBRARY_REASON_SHARE = 0.1
# With a library, the keywords are a tie-breaker: their points are scaled so that all of a
# paper's keywords together weigh at most this share of library_weight (a paper the library
# does not recognise cannot be carried into the top by generic words), and between those
# two the library decides.
KEYWORD_SHARE_WITH_LIBRARY = 0.25


class Match(tuple[float, int]):
    """One paper against the library: (its closeness to the library, the index of its closest
    library paper), and `similarity`, how similar it is to that paper (the closeness when not
    told apart). Unpacks as the pair."""

    similarity: float

    def __new__(cls, closeness: float, index: int, similarity: float | None = None) -> Match:
        match = super().__new__(cls, (closeness, index))
        match.similarity = closeness if similarity is None else similarity
        return match


# per paper: (closeness to the library, index of the closest library paper), or a Match
Matcher = Callable[[list[Paper]], Sequence[tuple[float, int]]]


class Known(Protocol):
    """A paper of the reader's library, as the ranking names it (see select.library)."""

    @property
    def short_title(self) -> str: ...


@dataclass
class Reader:
    """What the ranking knows about the reader beyond the profile's words."""

    library: Sequence[Known] = field(default_factory=list)
    match: Matcher | None = None
    seen: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (version, day)
    include_seen: bool = False


_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def name_key(name: str) -> str:
    """'Dao, Tri', 'tri dao' and 'Tri  Dáo' are one author."""
    if "," in name:
        last, _, first = name.partition(",")
        name = f"{first} {last}"
    # ASCII has nothing to decompose; the rest is lower-cased ASCII letters and digits.
    plain = name if name.isascii() else (
        unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    )  # fmt: skip
    return " ".join(_NOT_ALNUM.sub(" ", plain.lower()).split())


def _version_number(version: str) -> int:
    digits = version.lstrip("v")
    return int(digits) if digits.isdigit() else 0


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


def in_categories(paper: Paper, wanted: set[str]) -> bool:
    """By primary category, as arXiv lists a day; a cross-list a source kept (--cross-lists) by
    any of its categories; a paper with no categories (Hugging Face does not say) is not known
    to be outside."""
    if not wanted or not paper.categories:
        return True
    if paper.announce_type == "cross":
        return bool(wanted & {c.lower() for c in paper.categories})
    return paper.categories[0].lower() in wanted


def _library_points(closeness: Sequence[float], weight: float) -> list[float]:
    if not closeness or weight <= 0:
        return [0.0] * len(closeness)
    ordered = sorted(closeness)
    median = ordered[len(ordered) // 2]
    best = ordered[-1]
    if best <= median:
        return [0.0] * len(closeness)
    return [weight * max(0.0, (s - median) / (best - median)) for s in closeness]


def _in_abstract(mentions: int) -> float:
    """An abstract that names a keyword again and again is about it: each mention counts
    ABSTRACT_WEIGHT, up to a title hit's TITLE_WEIGHT."""
    return min(TITLE_WEIGHT, ABSTRACT_WEIGHT * mentions)


def _keyword_points(raw: list[float], profile: Profile, library: bool) -> list[float]:
    """keyword_weight times the raw points; with a library, scaled so that the day's highest
    is KEYWORD_SHARE_WITH_LIBRARY of library_weight (never scaled up)."""
    points = [profile.keyword_weight * r for r in raw]
    if not library or not points:
        return points
    cap = KEYWORD_SHARE_WITH_LIBRARY * profile.library_weight
    top = max(points)
    return [p * cap / top for p in points] if top > cap else points


def _keyword_hits(
    matcher: KeywordMatcher, papers: list[Paper]
) -> tuple[list[list[str]], list[float]]:
    """Each paper's keywords in the profile's order, and its raw keyword points: a keyword's
    rarity times its title weight, or its abstract weight when only the abstract has it."""
    rarity = rarity_weights(matcher.keywords)
    order = {keyword: index for index, keyword in enumerate(matcher.keywords)}
    hits: list[list[str]] = []
    raw: list[float] = []
    for title_hits, abstract_hits in (matcher.hits(p.title, p.abstract) for p in papers):
        # the profile's order; a keyword is in the title or the abstract, not both
        paper_hits = sorted([*title_hits, *abstract_hits], key=order.__getitem__)
        hits.append(paper_hits)
        raw.append(sum(
            rarity[k] * (TITLE_WEIGHT if k in title_hits else _in_abstract(abstract_hits[k]))
            for k in paper_hits
        ))  # fmt: skip
    return hits, raw


def _library_reason(
    match: tuple[float, int], points: float, profile: Profile, reader: Reader
) -> str | None:
    """'similar to your <title> (0.83)' when the library earns the paper at least
    LIBRARY_REASON_SHARE of library_weight and its closest library paper is known."""
    closeness, which = match
    similarity = match.similarity if isinstance(match, Match) else closeness
    named = points >= LIBRARY_REASON_SHARE * profile.library_weight
    if not named or not 0 <= which < len(reader.library):
        return None
    return f"similar to your '{reader.library[which].short_title}' ({similarity:.2f})"


def _followed_authors(paper: Paper, followed: dict[str, str]) -> list[str]:
    """The paper's authors the profile follows, as the profile names them."""
    if not followed:
        return []
    return [followed[key] for key in map(name_key, paper.authors) if key in followed]


def score_papers(
    papers: list[Paper], profile: Profile, reader: Reader | None = None
) -> list[ScoredPaper]:
    """Each paper's score and the reasons for it, in the input order."""
    reader = reader or Reader()
    matcher = KeywordMatcher(profile.keywords)
    hits, raw = _keyword_hits(matcher, papers)
    matches = list(reader.match(papers)) if reader.match and reader.library and papers else []
    library = _library_points([m[0] for m in matches], profile.library_weight)
    keyword_points = _keyword_points(
        raw, profile, library=bool(matches) and profile.library_weight > 0
    )
    followed = {name_key(a): a for a in profile.authors}
    scored = []
    for index, paper in enumerate(papers):
        reasons = []
        score = keyword_points[index]
        if hits[index]:
            labels = dict.fromkeys(map(matcher.label, hits[index]))
            reasons.append(f"matches your interests: {', '.join(labels)}")
        if matches:
            score += library[index]
            similar = _library_reason(matches[index], library[index], profile, reader)
            if similar:
                reasons.insert(0, similar)
        by = _followed_authors(paper, followed)
        if by:
            reasons.insert(0, f"author: {', '.join(by)} (followed)")
        if paper.upvotes:
            bonus = profile.upvote_weight * math.log2(1 + paper.upvotes)
            score += bonus
            reasons.append(f"upvotes: {paper.upvotes} (+{round(bonus, 2):g})")
        # built from checked parts: validating 100,000 of them again cost a tenth of the ranking
        scored.append(ScoredPaper.model_construct(
            paper=paper, score=round(score, 2), reasons=reasons or ["no keyword hits"], followed=by
        ))  # fmt: skip
    return scored


def followed_by(scored: ScoredPaper) -> bool:
    return bool(scored.followed)


def select_papers(papers: list[Paper], profile: Profile, reader: Reader | None = None) -> Selection:
    """Filter by category, what was briefed before and excludes; score; drop below min_score
    (never a followed author's paper); keep the top max_papers, followed authors first."""
    reader = reader or Reader()
    wanted = {c.lower() for c in profile.categories}
    excludes = KeywordMatcher(unique_keywords(profile.exclude))
    followed = {name_key(a) for a in profile.authors}
    selection = Selection(selected=[], considered=len(papers))
    candidates: list[Paper] = []
    for paper in papers:
        if not in_categories(paper, wanted):
            selection.dropped["outside the profile's categories"] += 1
            continue
        seen = reader.seen.get(paper.id)
        if (
            seen
            and not reader.include_seen
            and _version_number(paper.version) <= _version_number(seen[0])
        ):
            selection.dropped["briefed on an earlier day (--include-seen to keep)"] += 1
            continue
        if (
            excludes.keywords
            and excludes.find(f"{paper.title}\n{paper.abstract}")
            and not (followed and followed & {name_key(a) for a in paper.authors})
        ):
            selection.dropped["matched an exclude keyword"] += 1
            continue
        candidates.append(paper)
    scored = []
    for candidate in score_papers(candidates, profile, reader):
        if candidate.score < profile.min_score and not followed_by(candidate):
            selection.dropped[f"scored below min_score {profile.min_score:g}"] += 1
            continue
        scored.append(candidate)
    scored.sort(key=lambda s: (not followed_by(s), -s.score, s.paper.id))
    selection.selected = scored[: profile.max_papers]
    if len(scored) > profile.max_papers:
        selection.dropped[f"beyond max_papers {profile.max_papers}"] += len(scored) - len(
            selection.selected
        )
    return selection


def filtered_candidates(
    papers: list[Paper], profile: Profile, reader: Reader | None = None
) -> Selection:
    """The papers that pass the filters (categories, briefed before, excludes), each scored,
    in select_papers' order: no min_score and no max_papers cut yet (what --triage ranks)."""
    everything = profile.model_copy(
        update={"min_score": -math.inf, "max_papers": max(1, len(papers))}
    )
    return select_papers(papers, everything, reader)
