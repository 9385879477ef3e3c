"""Keywords matched in one pass per text and weighed by how rare they are among the day's papers.

A keyword half of arXiv mentions ("framework", "LLM") says little about a paper; one that a
handful mention ("kv cache") says a lot. Each keyword's weight is its inverse document frequency
over the candidates, smoothed towards a prior so that a day of five papers does not call every
keyword common, and capped so that anything rarer than one paper in twenty counts in full.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# A keyword found in this share of papers or fewer counts in full.
FULL_WEIGHT_SHARE = 0.05
# The smoothing prior: as if PRIOR_PAPERS more papers had been seen, PRIOR_SHARE of them hits.
PRIOR_PAPERS = 50
PRIOR_SHARE = 0.02


def normalise(phrase: str) -> str:
    """'KV-Cache' and 'kv  cache' are one keyword."""
    return " ".join(re.split(r"[\s\-]+", phrase.strip().lower()))


def unique_keywords(keywords: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for keyword in keywords:
        if keyword.strip() and normalise(keyword) not in seen:
            seen[normalise(keyword)] = keyword.strip()
    return list(seen.values())


# A keyword as units: its characters, and _SEP for the space between two words. _END marks a
# trie node where a keyword ends (a unit is one character or none, so it never clashes).
_SEP = ""
_END = "end"


def _units(form: str) -> list[str]:
    units: list[str] = []
    for index, word in enumerate(form.split()):
        if index:
            units.append(_SEP)
        units.extend(word)
    return units


def _alternatives(forms: list[str]) -> str:
    """The keywords as one alternation factored by common prefixes ('k(?:v[\\s\\-]+cache|
    nowledge…)'): the regex engine tries one branch per character of the text instead of one
    per keyword. A keyword that goes on into a longer one ('kv' in 'kv cache') makes the rest
    optional and greedy, so the longer one wins its place, as in a longest-first alternation."""
    trie: dict[str, Any] = {}
    for form in forms:
        node = trie
        for unit in _units(form):
            node = node.setdefault(unit, {})
        node[_END] = {}

    def emit(node: dict[str, Any]) -> str:
        branches = [
            (r"[\s\-]+" if unit == _SEP else re.escape(unit)) + emit(rest)
            for unit, rest in node.items()
            if unit != _END
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
        return f"(?:{body})?" if _END in node else body

    return emit(trie)


@dataclass
class KeywordMatcher:
    """All of a profile's keywords as one compiled pattern: whole words, any case, a plural
    tolerated ('RL' hits 'RL' but not 'world'; 'agent' hits 'agents').

    The pattern is factored by common prefixes, and plain-ASCII text (most of arXiv) is matched
    lower-cased with a case-sensitive copy of it, which finds the same places faster."""

    keywords: list[str]
    _by_form: dict[str, str] = field(init=False, repr=False)
    _inside: dict[str, list[str]] = field(init=False, repr=False)
    _pattern: re.Pattern[str] | None = field(init=False, repr=False)
    _ascii: re.Pattern[str] | None = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.keywords = unique_keywords(self.keywords)
        self._by_form = {normalise(k): k for k in self.keywords}
        # One match per place in the text: 'sparse attention' found there also counts the
        # keyword 'attention' it contains.
        self._inside = {
            form: [k for other, k in self._by_form.items()
                   if other != form and f" {other} " in f" {form} "]
            for form in self._by_form
        }  # fmt: skip
        self._pattern = self._ascii = None
        if not self._by_form:
            return
        body = _alternatives(list(self._by_form))
        self._pattern = re.compile(
            rf"(?<![A-Za-z0-9])(?:{body})(?:s|es)?(?![A-Za-z0-9])", re.IGNORECASE
        )
        if all(form.isascii() for form in self._by_form):
            # Lower-cased ASCII text against lower-case ASCII keywords: case-sensitive, the
            # same matches without the engine folding case at every character.
            self._ascii = re.compile(rf"(?<![a-z0-9])(?:{body})(?:s|es)?(?![a-z0-9])")

    def find(self, text: str) -> list[str]:
        """The keywords `text` mentions, in the profile's order."""
        if self._pattern is None or not text:
            return []
        if self._ascii is not None and text.isascii():
            matches = self._ascii.findall(text.lower())
        else:
            matches = self._pattern.findall(text)
        if not matches:
            return []
        found: set[str] = set()
        for match in matches:
            form = normalise(match)
            keyword = self._by_form.get(form)
            for suffix in ("es", "s"):
                if keyword is None and form.endswith(suffix):
                    keyword = self._by_form.get(form[: -len(suffix)])
            if keyword is None:
                continue
            found.add(keyword)
            found.update(self._inside[normalise(keyword)])
        return [k for k in self.keywords if k in found]


def rarity_weights(hits: list[set[str]], keywords: list[str]) -> dict[str, float]:
    """keyword -> weight in (0, 1]: 1 for a keyword at most FULL_WEIGHT_SHARE of the papers
    mention, falling with the log of its share for commoner ones."""
    papers = len(hits)
    weights = {}
    for keyword in keywords:
        found = sum(1 for paper in hits if keyword in paper)
        share = (found + PRIOR_PAPERS * PRIOR_SHARE) / (papers + PRIOR_PAPERS)
        idf = math.log(1 / share)
        weights[keyword] = round(min(1.0, idf / math.log(1 / FULL_WEIGHT_SHARE)), 3)
    return weights
