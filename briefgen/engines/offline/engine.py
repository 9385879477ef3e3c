"""The offline engine: a deterministic extractive analysis and synthesis, no model at all.

Every sentence it writes about a paper is either the authors' own words from the title and
abstract or a plain count/fact about the set of papers, so it can be wrong only by choosing a
less useful sentence, never by inventing one. It lets briefgen run anywhere (no key, no
network) and is the reference implementation of the `Engine` interface.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

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
    UsageGuide,
    period_of_label,
)
from briefgen.engines.base import RuleCheck
from briefgen.engines.offline import domains, extract, synthesis
from briefgen.engines.offline.cluster import display_word, term_of
from briefgen.engines.offline.evidence import evidence_of, profile
from briefgen.read.latex import plain_text

if TYPE_CHECKING:
    from briefgen.engines.asker import AskPurpose
    from briefgen.engines.plan import PlannedCalls

# Bump when the extraction changes, so cached offline analyses are recomputed.
# 3: LaTeX read as Unicode; days named in themes.
# 4: the claim is the authors' own "we propose" sentence standing alone (headings of structured
#    abstracts and leading connectives cut); domains from category-aware TF-IDF prototypes
#    ("Other (cs.XX)" when none fits); a skeptical note and a why-now of each paper's own.
# 5: a study's contribution is its finding; asides and claims leaning on "this X" give way;
#    cuts at a clause; the skeptical note is the evidence profile; model names give no numbers.
ENGINE_REVISION = "offline-extractive-5"

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


def why_now(reasons: list[str]) -> str:
    """The ranking's reasons in words ('Matches your interests: kv cache; similar to your
    'SnapKV' (0.71).')."""
    return synthesis.why_now(reasons, synthesis.Writer())


@dataclass(frozen=True)
class _Read:
    """What was read of a paper, as plain text: its abstract, the full text's other sections
    (when it was read), and both together."""

    abstract: str
    body: list[Section]
    everything: str

    @classmethod
    def of(cls, abstract: str, text: PaperText) -> _Read:
        # The claim and the problem come from the abstract, where authors state them; results
        # and limitations may come from the full text's own sections when it was read.
        # LaTeX read as Unicode first: sentences, terms and cut-offs see '3∼6×', not '\sim'.
        plain = plain_text(next((s.text for s in text.sections if s.heading == "Abstract"),
                                abstract))  # fmt: skip
        body = [s.model_copy(update={"text": plain_text(s.text)}) for s in text.sections
                if s.heading not in ("Title", "Abstract")]  # fmt: skip
        return cls(plain, body, "\n\n".join([plain, *(s.text for s in body)]))

    def results(self) -> list[str]:
        """Up to three sentences with a figure and a comparison: the abstract's, then those of
        the full text's results sections (never a table row)."""
        found = extract.result_sentences(self.abstract) + [
            r for s in self.body if _is_results(s) for r in extract.result_sentences(s.text)
        ]
        return _unique(extract.tidy(s) for s in found if " | " not in s)[:3]

    def limitations(self) -> list[str]:
        """Up to two stated limits: a limitations section's sentences, then any sentence of
        what was read that states one."""
        stated = [x for sec in self.body if LIMITS_HEADING.search(sec.heading)
                  for x in extract.split_sentences(sec.text)]  # fmt: skip
        stated += [x for x in extract.split_sentences(self.everything)
                   if LIMITATION_CUES.search(x)]  # fmt: skip
        return _unique(extract.shorten(s, 300) for s in stated)[:2]


class OfflineEngine:
    """Extractive analysis from titles and abstracts; TF-IDF clustering for themes."""

    name = "offline"
    synthesis_batch: int | None = None  # the extractive synthesis takes a day of any size
    model = "offline-extractive"
    synthesis_model = model
    interests = ""  # the extractive synthesis writes for no one in particular
    results_worth_caching = False  # remade in milliseconds, for nothing

    def __init__(self, extractive: bool = True) -> None:
        """extractive=False: the analyses come from a model; only the synthesis is ours."""
        digest = hashlib.sha256(ENGINE_REVISION.encode()).hexdigest()[:12]
        self.analysis_version = f"{ENGINE_REVISION}:{digest}"
        self.synthesis_version = self.analysis_version
        self.extractive = extractive
        self.chinese: dict[str, str] = {}  # English text -> its Chinese, for what it wrote

    def prepare(self, analyses: int) -> None:
        return None  # no model, no cache

    def drain_calls(self) -> list[CallRecord]:
        return []  # no model, no calls

    def fallback_synthesis(self, period: str, papers: list[AnalysedPaper]) -> Synthesis:
        return self.synthesize(period, papers)

    # what the stages read of an engine: no model, so nothing to ask, plan or pay --------------

    @property
    def brief_models(self) -> list[str]:
        return []

    @property
    def prompt_versions(self) -> dict[str, str]:
        return {"analysis": self.analysis_version}

    @property
    def written_chinese(self) -> dict[str, str]:
        return self.chinese

    def asker(self, purpose: AskPurpose) -> None:
        return None

    def batches(self) -> None:
        return None

    def request_tokens(self, paper: ScoredPaper, text: PaperText) -> int:
        return 0

    def context_problem(self, paper: ScoredPaper, text: PaperText) -> None:
        return None

    def plan(self, analyses: Sequence[int], synthesized: int | None) -> list[PlannedCalls]:
        return []

    # per paper ------------------------------------------------------------------------------

    def analyze(self, paper: ScoredPaper, text: PaperText) -> PaperAnalysis:
        p = paper.paper
        read = _Read.of(p.abstract, text)
        claim = extract.claim_sentence(read.abstract, p.title)
        contribution = claim or extract.contribution(read.abstract, p.title)
        comment = p.comment or ""
        # What was read: the abstract, or with the full text its sections too.
        evidence = evidence_of(p.title, read.everything, comment, contribution)
        if evidence.kind == "study" and evidence.finding:
            contribution = evidence.finding  # what a study found, not that it looked
        sentences = extract.split_sentences(read.abstract)
        lead = next((s for s in sentences if not extract.is_dependent(s)), p.title)
        results = read.results()
        evaluation = [s for s in sentences if EVALUATION_CUES.search(s)]
        # The paper's own names (its title's, and acronyms its claim coins) are not benchmarks.
        own = extract.method_names(p.title) + tuple(
            extract.named_entities([contribution], text=read.abstract)
        )
        measured = [r for r in results if extract.standalone(r) != contribution]
        code = evidence.code or ("code release mentioned" if extract.mentions_code(
            f"{read.everything} {comment}") else NOT_STATED)  # fmt: skip
        return PaperAnalysis(
            paper_id=p.id,
            version=p.version,
            title=p.title,
            domain=classify_domain(p.title, read.abstract, p.categories),
            one_line_contribution=extract.shorten(contribution, 220),
            problem=extract.shorten(lead, 300) if lead not in (claim, contribution)
            else NOT_STATED,
            method=extract.shorten(claim, 300) if claim else NOT_STATED,
            usage_guide=UsageGuide(open_source=code),
            innovations=[extract.shorten(s, 240) for s in sentences
                         if extract.standalone(s) != contribution
                         and INNOVATION_CUES.search(s)][:2],
            experiments=Experiments(
                datasets=extract.named_entities(measured + evaluation, own,
                                                text=read.abstract)[:6],
                key_results=results,
            ),
            limitations=read.limitations(),
            skeptical_note=profile(extract.short_name(p.title), evidence, text.read_from)[0],
            why_now=why_now(paper.reasons),
            keywords=_title_keywords(p.title),
            read_from=text.read_from,
        )

    # across papers --------------------------------------------------------------------------

    def synthesize(
        self, period: str, papers: list[AnalysedPaper], check: RuleCheck | None = None
    ) -> Synthesis:
        # Written from the analyses to follow the rules: no repair round, `check` unused.
        days = {a.scored.paper.published for a in papers}
        # A roundup says which days its papers came from, even when they all came from one.
        roundup = len(days) > 1 or period_of_label(period)[0] != "daily"
        written, chinese = synthesis.synthesize(papers, self.extractive, roundup)
        self.chinese.update(chinese)
        return written
