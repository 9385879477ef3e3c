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
from briefgen.engines.offline import extract
from briefgen.engines.offline.cluster import Corpus, choose_k, kmeans, top_terms
from briefgen.read.latex import plain_text

# Bump when the extraction changes, so cached offline analyses are recomputed.
ENGINE_REVISION = "offline-extractive-3"  # 3: LaTeX read as Unicode; days named in themes

# Domain names by the vocabulary a paper uses; the best-matching rule wins, title hits count
# triple. The primary category is the fallback and is always shown beside the domain.
DOMAIN_RULES: list[tuple[str, re.Pattern[str]]] = [
    (label, re.compile(pattern, re.IGNORECASE))
    for label, pattern in [
        ("Quantum machine learning", r"\bquantum\b"),
        ("LLM serving and inference", r"\b(serving|inference|kv[- ]cache|prefill|decoding|"
         r"throughput|latency|speculative)\b"),
        ("Compression and quantization", r"\b(quantiz\w*|pruning|sparsity|sparse|\d-bit|"
         r"low-bit|distillation|compression)\b"),
        ("Long-context and sequence modeling", r"\b(long-context|long context|attention|"
         r"state space|ssm|memory)\b"),
        ("Reinforcement learning", r"\b(reinforcement learning|rl|reward|policy|rollouts?)\b"),
        ("LLM agents", r"\b(agents?|agentic|multi-agent|function calls?|tool use)\b"),
        ("Mixture of experts", r"\b(mixture[- ]of[- ]experts|moe|experts?)\b"),
        ("Training dynamics and optimization", r"\b(batch size|scaling laws?|optimizers?|"
         r"learning rate|bi-level|optimi[sz]ation)\b"),
        ("Recommendation and user modeling", r"\b(recommend\w*|user representation|"
         r"user interests?|a/b test\w*)\b"),
        ("Federated and distributed learning", r"\b(federated|distributed|disaggregated)\b"),
        ("Safety and security", r"\b(jailbreak\w*|safety|attacks?|adversarial)\b"),
        ("Interpretability and attribution", r"\b(interpretab\w*|attribution|explainab\w*)\b"),
        ("Evaluation and benchmarks", r"\b(benchmarks?|evaluation)\b"),
        ("Communication systems", r"\b(mimo|ofdm|wireless|semantic communication)\b"),
        ("Knowledge graphs and reasoning", r"\b(knowledge graphs?|reasoning)\b"),
    ]
]  # fmt: skip

CATEGORY_NAMES = {
    "cs.AI": "Artificial intelligence",
    "cs.CL": "Natural language processing",
    "cs.LG": "Machine learning",
    "cs.DC": "Distributed computing",
    "cs.CV": "Computer vision",
    "cs.IR": "Information retrieval",
    "cs.RO": "Robotics",
    "cs.NE": "Neural and evolutionary computing",
    "stat.ML": "Statistical machine learning",
}

INNOVATION_CUES = re.compile(r"\b(first|novel|new|unlike|unified|to our knowledge)\b", re.I)
# Only the paper's own stated limits; "existing methods fail to…" describes the problem instead.
LIMITATION_CUES = re.compile(
    r"\b(our limitations?|a limitation|limitations? of (?:our|this)|future work|we leave|"
    r"remains? (?:an )?open)\b",
    re.I,
)


LIMITS_HEADING = re.compile(r"limitation", re.I)
RESULTS_HEADING = re.compile(r"experiment|evaluation|result|benchmark", re.I)


def _is_results(section: Section) -> bool:
    return bool(RESULTS_HEADING.search(section.heading))


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(item for item in items if item))


def classify_domain(title: str, abstract: str, categories: list[str]) -> str:
    best_label, best_score = "", 0
    for label, pattern in DOMAIN_RULES:
        score = 3 * len(pattern.findall(title)) + len(pattern.findall(abstract))
        if score > best_score:
            best_label, best_score = label, score
    primary = categories[0] if categories else ""
    if not best_label:
        best_label = CATEGORY_NAMES.get(primary, primary or "Unclassified")
    return f"{best_label} ({primary})" if primary else best_label


def _title_keywords(title: str, limit: int = 6) -> list[str]:
    corpus = Corpus.build([("paper", title, "")])
    terms = sorted(corpus.vectors["paper"], key=lambda t: (-corpus.vectors["paper"][t], t))
    return [corpus.display(t) for t in terms if " " not in t][:limit]


def _domain_label(item: AnalysedPaper) -> str:
    """'LLM agents (cs.AI)' -> 'LLM agents'."""
    return item.analysis.domain.rsplit(" (", 1)[0]


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
        claim = extract.claim_sentence(abstract)
        lead = sentences[0] if sentences else p.title
        results = _unique(
            extract.tidy(s)
            for s in extract.result_sentences(abstract)
            + [r for s in body if _is_results(s) for r in extract.result_sentences(s.text)]
            if " | " not in s  # a table row is data, not a sentence
        )[:3]
        innovations = [
            extract.shorten(s, 240) for s in sentences if s != claim and INNOVATION_CUES.search(s)
        ][:2]
        limitations = _unique(
            extract.shorten(s, 300)
            for s in [
                *(x for sec in body if LIMITS_HEADING.search(sec.heading)
                  for x in extract.split_sentences(sec.text)),
                *(x for x in extract.split_sentences(everything) if LIMITATION_CUES.search(x)),
            ]
        )[:2]  # fmt: skip
        skeptical = [
            "Extracted from the "
            + ("full text" if text.read_from == "html" else "abstract")
            + " without a model: these are the authors' claims, unchecked."
        ]
        if not results:
            skeptical.append("The text read states no quantitative result.")
        return PaperAnalysis(
            paper_id=p.id,
            version=p.version,
            title=p.title,
            domain=classify_domain(p.title, abstract, p.categories),
            one_line_contribution=extract.shorten(claim or lead, 220),
            problem=extract.shorten(lead, 300) if lead != claim else NOT_STATED,
            method=extract.shorten(claim, 300) if claim else NOT_STATED,
            usage_guide=UsageGuide(
                open_source="code release mentioned"
                if extract.mentions_code(everything)
                else NOT_STATED
            ),
            innovations=innovations,
            experiments=Experiments(key_results=results),
            limitations=limitations,
            skeptical_note=" ".join(skeptical),
            why_now="Matches your interests — " + "; ".join(paper.reasons),
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
            tags={a.paper_id: [_domain_label(a)] for a in ranked},
        )
        clusters = kmeans(corpus, choose_k(len(ranked), THEMES.high))[: THEMES.high]
        days = sorted({a.scored.paper.published for a in ranked})
        # A roundup says which days its papers came from, even when they all came from one.
        roundup = len(days) > 1 or period_of_label(period)[0] != "daily"
        themes = [
            self._theme(corpus, members, by_id, len(ranked), roundup=roundup, period=period)
            for members in clusters
        ]
        top = [self._top_paper(a) for a in ranked[:TOP_PAPERS]]
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
        roundup: bool = False,
        period: str = "",
    ) -> Theme:
        domains = Counter(_domain_label(by_id[m]) for m in members)
        domain, domain_count = domains.most_common(1)[0]
        dominant = domain_count * 2 >= len(members)
        avoid = frozenset(domain.lower().split()) if dominant else frozenset()
        shown = [corpus.display(t) for t in top_terms(corpus, members, 2 if dominant else 3, avoid)]
        if dominant:
            title = f"{domain}: {', '.join(shown)}" if shown else domain
        else:
            title = ", ".join(shown) if shown else by_id[members[0]].scored.paper.title
        title = title[:1].upper() + title[1:]
        domain_text = ", ".join(f"{d} ({n})" for d, n in domains.most_common(3))
        lead = by_id[members[0]]
        share = f"{len(members)} of the {total} papers" if total > 1 else "The only paper"
        when = f"from the {period} listing" if period else "from the day's listing"
        if roundup:  # a weekly or range roundup says which days the theme's papers came from
            listed = Counter(by_id[m].scored.paper.published for m in members)
            when = "in this roundup, listed " + ", ".join(
                f"{day:%a %Y-%m-%d} ({n})" for day, n in sorted(listed.items())
            )
        why = (
            f"{share} {when}; their domains: {domain_text}; recurring terms: "
            f"{', '.join(shown) or 'none'}. Highest-ranked for your profile: "
            f"{extract.short_name(lead.scored.paper.title)} (score {lead.scored.score:g})."
        )
        vocabulary = ", ".join(corpus.display(t) for t in top_terms(corpus, members, 6))
        approach = [f"Shared vocabulary: {vocabulary}."]
        for member in members[:2]:
            a = by_id[member].analysis
            approach.append(f"{extract.short_name(a.title)}: {a.one_line_contribution}")
        questions = []
        for member in members:
            for limitation in by_id[member].analysis.limitations[:1]:
                questions.append(
                    f"{extract.short_name(by_id[member].analysis.title)}: {limitation}"
                )
        without_numbers = [m for m in members if not by_id[m].analysis.experiments.key_results]
        if without_numbers:
            questions.append(
                f"{len(without_numbers)} of {len(members)} papers here state no quantitative "
                "result in what was read; check their experiments before relying on them."
            )
        if self.extractive:
            questions.append(
                "Limitations are rarely stated in abstracts; read each paper's limitations section."
            )
        return Theme(
            title=title,
            why_it_matters=why,
            paper_ids=members[:4],
            common_approach=approach,
            open_questions=questions[:3],
        )

    def _top_paper(self, item: AnalysedPaper) -> TopPaper:
        a = item.analysis
        bullets = [a.one_line_contribution]
        bullets += [extract.shorten(r, 260) for r in a.experiments.key_results[:2]]
        if len(bullets) < 2:
            bullets.append(f"Domain: {a.domain}; keywords: {', '.join(a.keywords) or 'none'}.")
        return TopPaper(
            paper_id=item.paper_id,
            bullets=bullets,
            why_now=f"{a.why_now} (score {item.scored.score:g}).",
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
        domains = Counter(_domain_label(a) for a in ranked)
        lines.append("Domains: " + ", ".join(f"{d} ({n})" for d, n in domains.most_common(6)) + ".")
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
                f"If you work on {theme.title.lower()}: start with "
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
            steps.append(
                f"These are extracts from {read}: read the full text of the "
                "top 5 before acting, or rerun with a language-model provider for full analyses."
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
