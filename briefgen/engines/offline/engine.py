"""The offline engine: a deterministic extractive analysis and synthesis, no model at all.

Every sentence it writes about a paper is either the authors' own words from the title and
abstract or a plain count/fact about the set of papers, so it can be wrong only by choosing a
less useful sentence, never by inventing one. It lets briefgen run anywhere (no key, no
network) and is the reference implementation of the `Engine` interface.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable

from briefgen.core.calls import CallRecord
from briefgen.core.models import (
    NOT_STATED,
    AnalysedPaper,
    Experiments,
    PaperAnalysis,
    PaperText,
    ScoredPaper,
    Section,
    Synthesis,
    Takeaway,
    Theme,
    TopPaper,
    UsageGuide,
    period_of_label,
)
from briefgen.core.rules import NEXT_STEPS, TAKEAWAYS, THEMES, TOP_PAPERS
from briefgen.engines.base import RuleCheck
from briefgen.engines.offline import domains, extract
from briefgen.engines.offline.cluster import (
    Corpus,
    choose_k,
    display_word,
    kmeans,
    term_of,
    term_strengths,
    top_terms,
)
from briefgen.read.latex import plain_text

# Bump when the extraction changes, so cached offline analyses are recomputed.
# 3: LaTeX read as Unicode; days named in themes.
# 4: the claim is the authors' own "we propose" sentence standing alone (headings of structured
#    abstracts and leading connectives cut); domains from category-aware TF-IDF prototypes
#    ("Other (cs.XX)" when none fits); a skeptical note and a why-now of each paper's own.
ENGINE_REVISION = "offline-extractive-4"

INNOVATION_CUES = re.compile(r"\b(first|novel|new|unlike|unified|to our knowledge)\b", re.I)
# Only the paper's own stated limits; "existing methods fail to…" describes the problem instead.
LIMITATION_CUES = re.compile(
    r"\b(our limitations?|a limitation|limitations? of (?:our|this)|future work|we leave|"
    r"remains? (?:an )?open)\b",
    re.I,
)


LIMITS_HEADING = re.compile(r"limitation", re.I)
RESULTS_HEADING = re.compile(r"experiment|evaluation|result|benchmark", re.I)
EVALUATION_CUES = re.compile(r"\b(experiment|evaluat|benchmark|dataset|compar|baseline)", re.I)


def _is_results(section: Section) -> bool:
    return bool(RESULTS_HEADING.search(section.heading))


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(item for item in items if item))


def classify_domain(title: str, abstract: str, categories: list[str]) -> str:
    """'Medical imaging (cs.CV)', or 'Other (cs.IT)' when no domain fits the paper well."""
    return domains.domain_label(title, abstract, categories)


def _title_keywords(title: str, limit: int = 6) -> list[str]:
    """The title's content words in order, acronyms as written."""
    first: dict[str, str] = {}  # each word's first spelling
    for word in _TITLE_WORD.findall(title):
        if term := term_of(word):
            first.setdefault(term, word)
    return [display_word(word) for word in first.values()][:limit]


_TITLE_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*")


def _domain_label(item: AnalysedPaper) -> str:
    """'LLM agents (cs.AI)' -> 'LLM agents'."""
    return item.analysis.domain.rsplit(" (", 1)[0]


def _lower_first(title: str) -> str:
    """'Medical imaging: …' -> 'medical imaging: …'; 'LLM agents' stays."""
    if len(title) > 1 and title[1].islower():
        return title[:1].lower() + title[1:]
    return title


def _and(items: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


_SIMILAR = re.compile(r"^similar to your (?P<title>.+?)\s*\((?P<score>[\d.]+)\)$", re.I)
_KEYWORDS = re.compile(
    r"^(?P<where>keywords?|title|abstract):\s*(?P<words>.+?)(?:\s*\([+-][\d.]+\))?$", re.I
)
_AUTHOR = re.compile(r"^authors?:\s*(?P<name>.+?)\s*\(followed\)$", re.I)
_UPVOTES = re.compile(r"^upvotes:\s*(?P<count>\d+)", re.I)
_POINTS = re.compile(r"\s*\([+-][\d.]+\)$")


def why_now(reasons: list[str]) -> str:
    """The ranking's reasons in words: which of the reader's papers, followed authors and
    keywords the paper relates to ('By Tri Dao, whom you follow; similar to your 'SnapKV'
    (0.71); keywords: kv cache, long context.')."""
    authors: list[str] = []
    similar: list[str] = []
    keywords: dict[str, list[str]] = {"keywords": [], "title": [], "abstract": []}
    upvotes: list[str] = []
    other: list[str] = []
    for reason in reasons:
        reason = reason.strip()
        if match := _AUTHOR.match(reason):
            authors.append(match.group("name"))
        elif match := _SIMILAR.match(reason):
            title = match.group("title").strip()
            if not title.startswith(("'", '"', "‘", "“")):
                title = f"'{title}'"
            similar.append(f"{title} ({match.group('score')})")
        elif match := _KEYWORDS.match(reason):
            where = match.group("where").lower()
            where = "keywords" if where.startswith("keyword") else where
            words = [w.strip() for w in match.group("words").split(",") if w.strip()]
            keywords.setdefault(where, []).extend(words)
        elif match := _UPVOTES.match(reason):
            upvotes.append(f"{match.group('count')} upvotes on Hugging Face")
        elif reason and reason.lower() != "no keyword hits":
            other.append(_POINTS.sub("", reason))
    parts: list[str] = []
    if authors:
        parts.append(f"by {_and(authors)}, whom you follow")
    if similar:
        parts.append(f"similar to your {_and(similar)}")
    shown: set[str] = set()

    def fresh(words: list[str]) -> list[str]:
        kept = [w for w in words if w.lower() not in shown]
        shown.update(w.lower() for w in kept)
        return kept

    if words := fresh(keywords["keywords"]):
        parts.append(f"keywords: {', '.join(words)}")
    in_title, in_abstract = fresh(keywords["title"]), fresh(keywords["abstract"])
    if in_title and in_abstract:
        parts.append(f"your keywords {', '.join(in_title)} in its title and "
                     f"{', '.join(in_abstract)} in its abstract")  # fmt: skip
    elif in_title:
        parts.append(f"your keywords {', '.join(in_title)} in its title")
    elif in_abstract:
        parts.append(f"your keywords {', '.join(in_abstract)} in its abstract")
    parts += upvotes + other
    if not parts:
        return "In your categories, though it matches none of your keywords, papers or authors."
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _skeptical_note(
    title: str,
    results: list[str],
    limitations: list[str],
    evaluation: list[str],
    read: str,
    own: tuple[str, ...],
) -> str:
    """One reason to doubt or check this paper, of its own: its stated limit, where its
    headline numbers come from, or what its text leaves unmeasured."""
    name = extract.short_name(title)
    where = "full text read" if read == "html" else "abstract"
    if limitations:
        limit = extract.shorten(limitations[0], 240)
        return f"In its {where}, {name} states its own limit: {limit}"
    if results:
        numbers = extract.quantities(" ".join(results))
        named = extract.named_entities(results, own)[:3]
        shown = f" ({', '.join(numbers)})" if numbers else ""
        on = f", on {_and(named)}" if named else ""
        return (
            f"{name}'s headline numbers{shown} are the authors' own{on}; the {where} states no "
            "limitation, so check the baselines and setting against yours."
        )
    named = extract.named_entities(evaluation, own)[:3]
    if named:
        return (
            f"{name} names {_and(named)} for its evaluation but its {where} gives no number: "
            "the size of the gain is unknown from what was read."
        )
    if evaluation:
        return (
            f"{name} describes an evaluation but its {where} gives no number or benchmark "
            "name: how well it works is unknown from what was read."
        )
    return (
        f"{name} reports no experiment in its {where}: its claim is untested in what was read."
    )


class _ThemeNames:
    """Theme names from each cluster's own key phrases, distinct across a brief: no two
    themes share a title or a lead term, and a domain prefixes at most one theme."""

    def __init__(self) -> None:
        self.titles: set[str] = set()
        self.terms: set[str] = set()  # stems of every term already in a title
        self.domains: set[str] = set()

    def name(
        self,
        corpus: Corpus,
        members: list[str],
        strengths: dict[str, float],
        domain: str,
        dominant: bool,
        fallback: str,
    ) -> tuple[str, list[str]]:
        """(title, the key phrases shown in it)."""
        use_domain = dominant and domain not in self.domains
        avoid = frozenset(self.terms | (set(domain.lower().split()) if use_domain else set()))
        chosen = top_terms(corpus, members, 2 if use_domain else 3, avoid, strengths)
        # A third phrase far weaker than the first adds noise, not meaning.
        chosen = chosen[:2] + [t for t in chosen[2:] if strengths[t] >= 0.5 * strengths[chosen[0]]]
        shown = [corpus.display(t) for t in chosen]
        if use_domain:
            title = f"{domain}: {', '.join(shown)}" if shown else domain
            self.domains.add(domain)
        else:
            title = ", ".join(shown) if shown else fallback
        title = title[:1].upper() + title[1:]
        if title.lower() in self.titles:
            title = f"{title} ({fallback})"
        self.titles.add(title.lower())
        self.terms.update(word.rstrip("s") for t in chosen for word in t.split())
        return title, shown


def _distinct_why_now(tops: list[TopPaper], by_id: dict[str, AnalysedPaper]) -> list[TopPaper]:
    """Two top papers with the same reasons and score would read alike: name each."""
    seen = Counter(top.why_now for top in tops)
    named = []
    for top in tops:
        if seen[top.why_now] > 1:
            name = extract.short_name(by_id[top.paper_id].analysis.title)
            top = top.model_copy(update={"why_now": f"{name}: {_lower_first(top.why_now)}"})
        named.append(top)
    return named


class OfflineEngine:
    """Extractive analysis from titles and abstracts; TF-IDF clustering for themes."""

    name = "offline"
    synthesis_batch: int | None = None  # the extractive synthesis takes a day of any size
    model = "offline-extractive"

    def __init__(self, extractive: bool = True) -> None:
        """extractive=False: the analyses come from a model; only the synthesis is ours."""
        digest = hashlib.sha256(ENGINE_REVISION.encode()).hexdigest()[:12]
        self.analysis_version = f"{ENGINE_REVISION}:{digest}"
        self.synthesis_version = self.analysis_version
        self.extractive = extractive

    def prepare(self, analyses: int) -> None:
        return None  # no model, no cache

    def drain_calls(self) -> list[CallRecord]:
        return []  # no model, no calls

    def fallback_synthesis(self, period: str, papers: list[AnalysedPaper]) -> Synthesis:
        return self.synthesize(period, papers)

    # per paper ------------------------------------------------------------------------------

    def analyze(self, paper: ScoredPaper, text: PaperText) -> PaperAnalysis:
        p = paper.paper
        # The claim and the problem come from the abstract, where authors state them; results
        # and limitations may come from the full text's own sections when it was read.
        # LaTeX read as Unicode first: sentences, terms and cut-offs see '3∼6×', not '\sim'.
        abstract = plain_text(
            next((s.text for s in text.sections if s.heading == "Abstract"), p.abstract)
        )
        body = [s.model_copy(update={"text": plain_text(s.text)}) for s in text.sections
                if s.heading not in ("Title", "Abstract")]  # fmt: skip
        everything = "\n\n".join([abstract, *(s.text for s in body)])
        sentences = extract.split_sentences(abstract)
        claim = extract.claim_sentence(abstract, p.title)
        contribution = claim or extract.contribution(abstract, p.title)
        lead = next((s for s in sentences if not extract.is_dependent(s)), p.title)
        results = _unique(
            extract.tidy(s)
            for s in extract.result_sentences(abstract)
            + [r for s in body if _is_results(s) for r in extract.result_sentences(s.text)]
            if " | " not in s  # a table row is data, not a sentence
        )[:3]
        innovations = [
            extract.shorten(s, 240)
            for s in sentences
            if extract.standalone(s) != contribution and INNOVATION_CUES.search(s)
        ][:2]
        limitations = _unique(
            extract.shorten(s, 300)
            for s in [
                *(x for sec in body if LIMITS_HEADING.search(sec.heading)
                  for x in extract.split_sentences(sec.text)),
                *(x for x in extract.split_sentences(everything) if LIMITATION_CUES.search(x)),
            ]
        )[:2]  # fmt: skip
        evaluation = [s for s in sentences if EVALUATION_CUES.search(s)]
        # The paper's own names (its title's, and acronyms its claim coins) are not benchmarks.
        own = extract.method_names(p.title) + tuple(extract.named_entities([contribution]))
        measured = [r for r in results if extract.standalone(r) != contribution]
        return PaperAnalysis(
            paper_id=p.id,
            version=p.version,
            title=p.title,
            domain=classify_domain(p.title, abstract, p.categories),
            one_line_contribution=extract.shorten(contribution, 220),
            problem=extract.shorten(lead, 300) if lead not in (claim, contribution)
            else NOT_STATED,
            method=extract.shorten(claim, 300) if claim else NOT_STATED,
            usage_guide=UsageGuide(
                open_source="code release mentioned"
                if extract.mentions_code(everything)
                else NOT_STATED
            ),
            innovations=innovations,
            experiments=Experiments(
                datasets=extract.named_entities(measured + evaluation, own)[:6],
                key_results=results,
            ),
            limitations=limitations,
            skeptical_note=_skeptical_note(
                p.title, measured, limitations, evaluation, text.read_from, own
            ),
            why_now=why_now(paper.reasons),
            keywords=_title_keywords(p.title),
            read_from=text.read_from,
        )

    # across papers --------------------------------------------------------------------------

    def synthesize(
        self, period: str, papers: list[AnalysedPaper], check: RuleCheck | None = None
    ) -> Synthesis:
        # Written from the analyses to follow the rules: no repair round, `check` unused.
        ranked = sorted(papers, key=lambda a: (-a.scored.score, a.paper_id))
        by_id = {a.paper_id: a for a in ranked}
        corpus = Corpus.build(
            [
                (a.paper_id, a.scored.paper.title, plain_text(a.scored.paper.abstract))
                for a in ranked
            ],
            # Alike domains pull papers together; "Other" says nothing alike.
            tags={
                a.paper_id: [_domain_label(a)]
                for a in ranked
                if _domain_label(a) != domains.OTHER
            },
        )
        clusters = kmeans(corpus, choose_k(len(ranked), THEMES.high))[: THEMES.high]
        days = sorted({a.scored.paper.published for a in ranked})
        # A roundup says which days its papers came from, even when they all came from one.
        roundup = len(days) > 1 or period_of_label(period)[0] != "daily"
        names = _ThemeNames()
        themes = [
            self._theme(corpus, members, by_id, len(ranked), names, roundup=roundup,
                        period=period)
            for members in clusters
        ]  # fmt: skip
        top = _distinct_why_now([self._top_paper(a) for a in ranked[:TOP_PAPERS]], by_id)
        return Synthesis(
            takeaways=self._takeaways(themes, clusters, ranked, by_id),
            themes=themes,
            technical_synthesis=self._technical_synthesis(corpus, clusters, themes, ranked),
            top_papers=top,
            next_steps=self._next_steps(themes, by_id, ranked),
        )

    def _theme(
        self,
        corpus: Corpus,
        members: list[str],
        by_id: dict[str, AnalysedPaper],
        total: int,
        names: _ThemeNames | None = None,
        roundup: bool = False,
        period: str = "",
    ) -> Theme:
        names = names or _ThemeNames()
        domains_here = Counter(_domain_label(by_id[m]) for m in members)
        domain, domain_count = domains_here.most_common(1)[0]
        strengths = term_strengths(corpus, members)
        lead = by_id[members[0]]
        title, shown = names.name(corpus, members, strengths, domain,
                                  dominant=domain != domains.OTHER
                                  and domain_count * 2 >= len(members),
                                  fallback=extract.short_name(lead.scored.paper.title))  # fmt: skip
        domain_text = ", ".join(f"{d} ({n})" for d, n in domains_here.most_common(3))
        share = f"{len(members)} of the {total} papers" if total > 1 else "The only paper"
        when = f"from the {period} listing" if period else "from the day's listing"
        if roundup:  # a weekly or range roundup says which days the theme's papers came from
            listed = Counter(by_id[m].scored.paper.published for m in members)
            when = "in this roundup, listed " + ", ".join(
                f"{day:%a %Y-%m-%d} ({n})" for day, n in sorted(listed.items())
            )
        why = (
            f"{share} {when}; their domains: {domain_text}; key phrases: "
            f"{', '.join(shown) or 'none'}. Highest-ranked for your profile: "
            f"{extract.short_name(lead.scored.paper.title)} (score {lead.scored.score:g})."
        )
        vocabulary = [corpus.display(t) for t in top_terms(corpus, members, 6, strengths=strengths)]
        approach = [f"Shared vocabulary: {', '.join(vocabulary)}."] if vocabulary else []
        for member in members[:2]:
            a = by_id[member].analysis
            approach.append(f"{extract.short_name(a.title)}: {a.one_line_contribution}")
        return Theme(
            title=title,
            why_it_matters=why,
            paper_ids=members[:4],
            common_approach=approach,
            open_questions=self._open_questions(members, by_id),
        )

    def _open_questions(self, members: list[str], by_id: dict[str, AnalysedPaper]) -> list[str]:
        """Each theme's own: its papers' stated limits, which of them give no number, and
        whether their evaluations can be compared at all."""
        def name(pid: str) -> str:
            return extract.short_name(by_id[pid].analysis.title)

        questions = [
            f"{name(m)}: {limitation}"
            for m in members
            for limitation in by_id[m].analysis.limitations[:1]
        ][:2]
        without = [m for m in members if not by_id[m].analysis.experiments.key_results]
        if without and len(without) == len(members) > 1:
            listed = _and([name(m) for m in without[:3]])
            others = " and others" if len(without) > 3 else ""
            questions.append(
                f"None of these {len(members)} papers states a number in what was read "
                f"({listed}{others}): their gains are unmeasured here."
            )
        elif without:
            listed = _and([name(m) for m in without[:3]])
            more = f" and {len(without) - 3} more" if len(without) > 3 else ""
            verb = "states" if len(without) == 1 else "state"
            questions.append(f"{listed}{more} {verb} no number in what was read: how large is "
                             "the effect?")  # fmt: skip
        benchmarks: dict[str, list[str]] = {}
        for m in members:
            for entity in by_id[m].analysis.experiments.datasets:
                benchmarks.setdefault(entity, []).append(name(m))
        shared = [(b, who) for b, who in benchmarks.items() if len(who) > 1]
        if shared:
            bench, who = shared[0]
            questions.append(f"{_and(who[:3])} all cite {bench}: do their numbers agree on it?")
        elif len([m for m in members if by_id[m].analysis.experiments.datasets]) > 1:
            cited = [f"{name(m)} ({', '.join(by_id[m].analysis.experiments.datasets[:2])})"
                     for m in members if by_id[m].analysis.experiments.datasets][:3]  # fmt: skip
            questions.append(
                f"No two papers here name the same benchmark or model ({'; '.join(cited)}): "
                "their results cannot be compared directly."
            )
        if not questions:
            lead = name(members[0])
            questions.append(
                f"{lead} is the only paper of the day on this: nothing else tests its claim."
                if len(members) == 1
                else f"How {lead} compares with the other {len(members) - 1} here is not "
                "stated in what was read."
            )
        return questions[:3]

    def _top_paper(self, item: AnalysedPaper) -> TopPaper:
        a = item.analysis
        bullets = [a.one_line_contribution]
        bullets += [
            extract.shorten(r, 260)
            for r in a.experiments.key_results
            if extract.shorten(extract.standalone(r), 220) != a.one_line_contribution
        ][:2]
        if len(bullets) < 2:
            bullets.append(f"Domain: {a.domain}; keywords: {', '.join(a.keywords) or 'none'}.")
        why = a.why_now.strip().rstrip(".")
        return TopPaper(
            paper_id=item.paper_id,
            bullets=bullets,
            why_now=f"{why} (score {item.scored.score:g}).",
            skepticism=a.skeptical_note,
        )

    def _takeaways(
        self,
        themes: list[Theme],
        clusters: list[list[str]],
        ranked: list[AnalysedPaper],
        by_id: dict[str, AnalysedPaper],
    ) -> list[Takeaway]:
        takeaways: list[Takeaway] = []
        led: set[str] = set()
        for theme, members in list(zip(themes, clusters, strict=True))[: TAKEAWAYS.high]:
            lead = by_id[theme.paper_ids[0]]
            led.add(lead.paper_id)
            others = [extract.short_name(by_id[p].analysis.title) for p in theme.paper_ids[1:3]]
            body = (
                f"{len(members)} paper{'s' if len(members) > 1 else ''}, "
                f"led by {extract.short_name(lead.analysis.title)}: "
                f"{lead.analysis.one_line_contribution}"
            )
            if others:
                body += f" See also {', '.join(others)}."
            takeaways.append(Takeaway(headline=theme.title, body=body, paper_ids=theme.paper_ids))
        for item in ranked:
            if len(takeaways) >= TAKEAWAYS.low or item.paper_id in led:
                continue
            a = item.analysis
            result = a.experiments.key_results[0] if a.experiments.key_results else ""
            takeaways.append(
                Takeaway(
                    headline=extract.short_name(a.title),
                    body=f"{a.one_line_contribution} {extract.shorten(result, 200)}".strip(),
                    paper_ids=[item.paper_id],
                )
            )
        return takeaways

    def _technical_synthesis(
        self,
        corpus: Corpus,
        clusters: list[list[str]],
        themes: list[Theme],
        ranked: list[AnalysedPaper],
    ) -> list[str]:
        lines = []
        counted = Counter(_domain_label(a) for a in ranked)
        lines.append("Domains: " + ", ".join(f"{d} ({n})" for d, n in counted.most_common(6)) + ".")
        categories = Counter(
            a.scored.paper.categories[0] for a in ranked if a.scored.paper.categories
        )
        if categories:
            lines.append(
                "Primary categories: "
                + ", ".join(f"{c} ({n})" for c, n in categories.most_common())
                + "."
            )
        # Terms that recur across themes connect otherwise separate clusters.
        theme_terms: Counter[str] = Counter()
        for members in clusters:
            theme_terms.update(top_terms(corpus, members, 8))  # a list: ties keep theme order
        # (a theme's terms are distinctive of it, so few recur; those that do connect themes)
        shared = [corpus.display(t) for t, n in theme_terms.most_common(5) if n > 1]
        if shared:
            lines.append(f"Cross-cutting terms (in more than one theme): {', '.join(shared)}.")
        quantified = [a for a in ranked if a.analysis.experiments.key_results]
        lines.append(
            f"{len(quantified)} of {len(ranked)} papers state a quantitative result in the text "
            "read; the rest make qualitative claims only."
        )
        if quantified:
            best = quantified[0].analysis
            lines.append(
                f"Example result ({extract.short_name(best.title)}): "
                f"{extract.shorten(best.experiments.key_results[0], 240)}"
            )
        code = sum(1 for a in ranked if a.analysis.usage_guide.open_source != NOT_STATED)
        lines.append(f"{code} of {len(ranked)} papers mention a code release in the text read.")
        sizes = ", ".join(f"{t.title} ({len(m)})" for t, m in zip(themes, clusters, strict=False))
        lines.append(f"Themes by size: {sizes}.")
        return lines

    def _next_steps(
        self, themes: list[Theme], by_id: dict[str, AnalysedPaper], ranked: list[AnalysedPaper]
    ) -> list[str]:
        steps = []
        for theme in themes[: NEXT_STEPS.high - 1]:
            lead = by_id[theme.paper_ids[0]]
            steps.append(
                f"If you work on {_lower_first(theme.title)}: start with "
                f"{extract.short_name(lead.analysis.title)} (arXiv {lead.paper_id}) and check "
                "its experiments against your setting."
            )
        with_numbers = [a for a in ranked if a.analysis.experiments.key_results]
        if with_numbers and len(steps) < NEXT_STEPS.high - 1:
            names = ", ".join(extract.short_name(a.analysis.title) for a in with_numbers[:3])
            steps.append(f"Verify the headline numbers of {names} against their full papers.")
        if len(steps) < NEXT_STEPS.high and self.extractive:
            read = "titles, abstracts and full texts" if any(
                a.analysis.read_from == "html" for a in ranked
            ) else "titles and abstracts"  # fmt: skip
            # The one place the brief says how its sentences were made.
            steps.append(
                f"Everything above is extracted from {read} without a model: the authors' "
                "claims, unchecked, and abstracts rarely state limitations. Read the full text "
                "of the top 5 before acting, or rerun with a language-model provider."
            )
        elif len(steps) < NEXT_STEPS.high:
            steps.append(
                "These analyses are a model's reading of each paper: check the top 5's claims "
                "and numbers against the papers before acting on them."
            )
        while len(steps) < NEXT_STEPS.lowest_for(len(ranked)):
            item = ranked[len(steps) % len(ranked)]
            steps.append(
                f"Skim {extract.short_name(item.analysis.title)} (arXiv {item.paper_id}) for "
                "its method and evaluation setup."
            )
        return steps
