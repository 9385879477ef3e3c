"""Keywords matched in one pass per text and weighed by how rare they are on arXiv.

A keyword half of arXiv mentions ("framework", "LLM") says little about a paper; one that a
handful mention ("kv cache") says a lot. Each keyword's weight is its inverse document frequency
in a background table shipped with briefgen (`briefgen/data/arxiv-df.tsv`, counted over real
arXiv listings by scripts/build_df_table.py), never in the file being ranked: a feed of papers
that all mention "KV cache" still finds it rare, and `-k LLM` on a day of LLM papers still
keeps them. The weight is smoothed towards a prior and capped so that anything rarer than one
paper in twenty counts in full; it never falls below a third, so a title hit of any keyword
reaches the default min_score.

A keyword means what the reader means:

- forms that name one thing are one keyword: "LLM" also matches "large language model(s)" and
  "language model(s)", "MoE" "mixture of experts", "RL" "reinforcement learning" (ALIASES);
- a phrase that only looks like a keyword does not count: "causal inference" or "variational
  inference" is not "inference", a "vision-language model" is not an "LLM" (CONFUSIONS);
- `A + B` counts A only in a paper that also mentions B: "RL + LLM" skips reinforcement
  learning for StarCraft, portfolios or EV charging.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

# A keyword found in this share of papers or fewer counts in full.
FULL_WEIGHT_SHARE = 0.05
# The smoothing prior: as if PRIOR_PAPERS more papers had been seen, PRIOR_SHARE of them hits.
PRIOR_PAPERS = 50
PRIOR_SHARE = 0.02
# The least a keyword weighs, however common: a title hit (3 x 1/3) still reaches min_score 1.
MIN_WEIGHT = 1 / 3
BACKGROUND = "arxiv-df.tsv"

# Forms that name one thing, as normalise() writes them; the first names the group.
ALIASES: tuple[tuple[str, ...], ...] = (
    ("llm", "large language model", "language model"),
    ("moe", "mixture of experts"),
    ("ssm", "state space model"),
    ("rl", "reinforcement learning"),
    ("kv cache", "key value cache"),
)
# Phrases that contain a keyword's form without meaning it (keyed by any form of the group).
CONFUSIONS: dict[str, tuple[str, ...]] = {
    "inference": (
        "causal inference", "logical inference", "bayesian inference", "variational inference",
        "statistical inference", "natural language inference", "type inference",
        "approximate inference", "probabilistic inference", "neurosymbolic inference",
        "active inference", "membership inference", "inference attack", "amortized inference",
        "simulation based inference", "posterior inference", "causal effect inference",
    ),
    "llm": ("vision language model", "vision and language model"),
    "distillation": ("dataset distillation",),
    "pruning": ("token pruning",),
}  # fmt: skip
_CLAUSE = re.compile(r"\s([+-])\s")
# Distinct matched strings a matcher remembers what they count (a day has a few hundred; text
# with odd spacing could make more, and those are read each time).
_MAX_REMEMBERED = 4096


def normalise(phrase: str) -> str:
    """'KV-Cache' and 'kv  cache' are one keyword."""
    return " ".join(re.split(r"[\s\-]+", phrase.strip().lower()))


def unique_keywords(keywords: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for keyword in keywords:
        if keyword.strip() and normalise(keyword) not in seen:
            seen[normalise(keyword)] = keyword.strip()
    return list(seen.values())


def same_thing_once(keywords: list[str]) -> list[str]:
    """The first of keywords that name one thing ('MoE' and 'mixture of experts')."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for keyword in keywords:
        clause = split_keyword(keyword)
        key = (_group_name(normalise(clause.term)), normalise(keyword[len(clause.term) :]))
        if key not in seen:
            seen.add(key)
            kept.append(keyword)
    return kept


def _group_name(form: str) -> str:
    for group in ALIASES:
        if form in group:
            return group[0]
    return form


@dataclass(frozen=True)
class Clause:
    """A keyword as written: its term, words of which the paper must mention one (`+ a|b`),
    and words none of which it may mention (`- c|d`)."""

    term: str
    needs: tuple[str, ...] = ()
    avoids: tuple[str, ...] = ()


def split_keyword(keyword: str) -> Clause:
    """'RL + LLM' -> Clause('RL', needs=('LLM',)); 'RL - game|portfolio' -> avoids those;
    'kv cache' -> Clause('kv cache')."""
    parts = _CLAUSE.split(keyword.strip())
    term = parts[0].strip()
    needs: list[str] = []
    avoids: list[str] = []
    for sign, words in zip(parts[1::2], parts[2::2], strict=True):
        found = [w.strip() for w in words.split("|") if w.strip()]
        (needs if sign == "+" else avoids).extend(found)
    if not term:
        return Clause(keyword.strip())
    return Clause(term, tuple(dict.fromkeys(needs)), tuple(dict.fromkeys(avoids)))


def aliases_of(form: str) -> tuple[str, ...]:
    """Every form of the group `form` belongs to (itself first), or just itself."""
    for group in ALIASES:
        if form in group:
            return (form, *[other for other in group if other != form])
    return (form,)


def _confusions(forms: Iterable[str]) -> list[str]:
    found: list[str] = []
    for form in forms:
        found += CONFUSIONS.get(form, ())
    return found


# background document frequencies ------------------------------------------------------------

_WORD = re.compile(r"[a-z0-9]+")


def _df_word(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _df_key(form: str) -> str:
    return " ".join(_df_word(w) for w in _WORD.findall(form.lower()))


def df_terms(text: str) -> set[str]:
    """What one paper adds to the background table: its words and 2-3 word phrases (lower
    case, a plural 's' dropped), and the name of each ALIASES group it mentions."""
    words = [_df_word(w) for w in _WORD.findall(text.lower())]
    terms: set[str] = set()
    for size in (1, 2, 3):
        terms.update(" ".join(words[i : i + size]) for i in range(len(words) - size + 1))
    for group in ALIASES:
        if any(_df_key(form) in terms for form in group):
            terms.add(group_key(group))
    return terms


def group_key(group: tuple[str, ...]) -> str:
    return " | ".join(_df_key(form) for form in group)


@dataclass(frozen=True)
class Background:
    """How many of `documents` papers use each term (see df_terms)."""

    documents: int
    counts: dict[str, int]

    def papers_using(self, form: str) -> int:
        """Papers that use the keyword form (any of its ALIASES group); 0 for a term too rare
        to be in the table."""
        forms = aliases_of(form)
        if len(forms) > 1:
            for group in ALIASES:
                if form in group:
                    return self.counts.get(group_key(group), 0)
        return self.counts.get(_df_key(form), 0)


@cache
def background() -> Background:
    """The table shipped in the package (briefgen/data/arxiv-df.tsv)."""
    text = resources.files("briefgen").joinpath(f"data/{BACKGROUND}").read_text("utf-8")
    documents = 0
    counts: dict[str, int] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        first, _, term = line.partition("\t")
        if first == "documents":
            documents = int(term)
        else:
            counts[term] = int(first)
    return Background(documents=documents, counts=counts)


def weight(found: int, papers: int) -> float:
    """A keyword's weight in [MIN_WEIGHT, 1] from the share of papers that use it."""
    share = (found + PRIOR_PAPERS * PRIOR_SHARE) / (papers + PRIOR_PAPERS)
    idf = math.log(1 / share)
    return round(max(MIN_WEIGHT, min(1.0, idf / math.log(1 / FULL_WEIGHT_SHARE))), 3)


def rarity_weights(keywords: list[str], table: Background | None = None) -> dict[str, float]:
    """keyword -> weight: 1 for a keyword at most FULL_WEIGHT_SHARE of arXiv's papers use,
    falling with the log of its share for commoner ones, never below MIN_WEIGHT. A keyword
    `A + B` weighs as A does."""
    table = table or background()
    return {
        keyword: weight(table.papers_using(normalise(split_keyword(keyword).term)), table.documents)
        for keyword in keywords
    }


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
    tolerated ('RL' hits 'RL' but not 'world'; 'agent' hits 'agents'), each keyword by any
    form of its ALIASES group, never inside one of its CONFUSIONS; a keyword `A + B` only where
    the text also mentions B.

    The pattern is factored by common prefixes, and plain-ASCII text (most of arXiv) is matched
    lower-cased with a case-sensitive copy of it, which finds the same places faster."""

    keywords: list[str]
    _by_form: dict[str, str | None] = field(init=False, repr=False)
    _inside: dict[str, list[str]] = field(init=False, repr=False)
    _labels: dict[str, str] = field(init=False, repr=False)
    _clauses: dict[str, Clause] = field(init=False, repr=False)
    _context: KeywordMatcher | None = field(init=False, repr=False)
    _pattern: re.Pattern[str] | None = field(init=False, repr=False)
    _ascii: re.Pattern[str] | None = field(init=False, repr=False)
    _counted: dict[str, tuple[str, ...]] = field(init=False, repr=False)
    _order: dict[str, int] = field(init=False, repr=False)
    _clause_words: dict[str, tuple[frozenset[str], frozenset[str]]] = field(
        init=False, repr=False
    )

    def __post_init__(self) -> None:
        self.keywords = same_thing_once(unique_keywords(self.keywords))
        self._order = {keyword: index for index, keyword in enumerate(self.keywords)}
        self._counted = {}
        self._read_clauses()
        self._by_form = self._keyword_by_form()
        self._inside = self._keywords_inside_forms()
        self._clause_words = {
            keyword: (frozenset(clause.needs), frozenset(clause.avoids))
            for keyword, clause in self._clauses.items()
        }
        words = [w for c in self._clauses.values() for w in (*c.needs, *c.avoids)]
        self._context = KeywordMatcher(list(dict.fromkeys(words))) if words else None
        self._pattern, self._ascii = self._compile(list(self._by_form))

    def _read_clauses(self) -> None:
        """Each keyword's label (its term), and its `+ B` / `- C` clause when it has one."""
        self._labels, self._clauses = {}, {}
        for keyword in self.keywords:
            clause = split_keyword(keyword)
            self._labels[keyword] = clause.term
            if clause.needs or clause.avoids:
                self._clauses[keyword] = clause

    def _keyword_by_form(self) -> dict[str, str | None]:
        """Every form the text may use -> the keyword it counts for; None for a confusion,
        which is matched only so that a keyword inside it is not counted."""
        own: dict[str, str] = {}  # the form each keyword is written as
        by_form: dict[str, str | None] = {}
        for keyword in self.keywords:
            form = normalise(self._labels[keyword])
            own.setdefault(form, keyword)
            for alias in aliases_of(form):
                by_form.setdefault(alias, keyword)
        by_form.update(own)  # a form written as a keyword is that keyword
        for shadow in _confusions(f for f in list(by_form) if by_form[f]):
            by_form.setdefault(shadow, None)
        return by_form

    def _keywords_inside_forms(self) -> dict[str, list[str]]:
        """One match per place in the text: 'sparse attention' found there also counts the
        keyword 'attention' it contains (not inside a confusion: it means something else)."""
        by_form = self._by_form
        return {
            form: list(dict.fromkeys(
                k for other, k in by_form.items()
                if k is not None and other != form and k != by_form[form]
                and f" {other} " in f" {form} "
            )) if by_form[form] is not None else []
            for form in by_form
        }  # fmt: skip

    @staticmethod
    def _compile(forms: list[str]) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
        """The pattern for any text, and a case-sensitive one for lower-cased ASCII text
        (None when a form is not ASCII); both None without forms."""
        if not forms:
            return None, None
        body = _alternatives(forms)
        pattern = re.compile(rf"(?<![A-Za-z0-9])(?:{body})(?:s|es)?(?![A-Za-z0-9])", re.IGNORECASE)
        if not all(form.isascii() for form in forms):
            return pattern, None
        # Lower-cased ASCII text against lower-case ASCII keywords: case-sensitive, the
        # same matches without the engine folding case at every character.
        return pattern, re.compile(rf"(?<![a-z0-9])(?:{body})(?:s|es)?(?![a-z0-9])")

    def label(self, keyword: str) -> str:
        """How a reason names the keyword: 'RL' for 'RL + LLM'."""
        return self._labels.get(keyword, keyword)

    def find(self, text: str) -> list[str]:
        """The keywords `text` mentions, in the profile's order (a keyword `A + B` only when
        `text` mentions B too, `A - C` only when it does not mention C)."""
        found = list(self.mentions(text))
        if not self._clauses or not found:
            return found
        met = self._met(text)
        return [k for k in found if k not in self._clauses or k in met]

    def hits(self, title: str, abstract: str) -> tuple[set[str], dict[str, int]]:
        """The keywords in the title, and those only in the abstract with how many times it
        mentions each; a keyword's `+ B` and `- C` are judged on the whole paper."""
        in_title = set(self.mentions(title))
        in_abstract = {k: n for k, n in self.mentions(abstract).items() if k not in in_title}
        if self._clauses and (
            not self._clauses.keys().isdisjoint(in_title)
            or not self._clauses.keys().isdisjoint(in_abstract)
        ):
            met = self._met(f"{title}\n{abstract}")
            in_title = {k for k in in_title if k not in self._clauses or k in met}
            in_abstract = {
                k: n for k, n in in_abstract.items() if k not in self._clauses or k in met
            }
        return in_title, in_abstract

    def _met(self, text: str) -> set[str]:
        """The keywords with clauses whose clauses `text` satisfies."""
        present = self._context.mentions(text).keys() if self._context is not None else set()
        return {
            keyword
            for keyword, (needs, avoids) in self._clause_words.items()
            if (not needs or not present.isdisjoint(needs)) and present.isdisjoint(avoids)
        }

    def mentions(self, text: str) -> dict[str, int]:
        """keyword -> how many times `text` mentions its term (whatever its `+ B`), in the
        profile's order."""
        if self._pattern is None or not text:
            return {}
        if self._ascii is not None and text.isascii():
            matches = self._ascii.findall(text.lower())
        else:
            matches = self._pattern.findall(text)
        if not matches:
            return {}
        found: dict[str, int] = {}
        # A day names the same few forms over and over: each distinct one is read once.
        for match, times in Counter(matches).items():
            counted = self._counted.get(match)
            if counted is None:
                counted = self._keywords_of(match)
                if len(self._counted) < _MAX_REMEMBERED:
                    self._counted[match] = counted
            for keyword in counted:
                found[keyword] = found.get(keyword, 0) + times
        if len(found) < 2:
            return found
        return {k: found[k] for k in sorted(found, key=self._order.__getitem__)}

    def _keywords_of(self, match: str) -> tuple[str, ...]:
        """The keywords one match counts: its own and those inside it ('sparse attention'
        also counts 'attention'); none for a confusion, which means something else."""
        form = normalise(match)
        if form not in self._by_form:
            for suffix in ("es", "s"):
                if form.endswith(suffix) and form[: -len(suffix)] in self._by_form:
                    form = form[: -len(suffix)]
                    break
            else:
                return ()
        keyword = self._by_form[form]
        if keyword is None:
            return ()
        return (keyword, *self._inside[form])
