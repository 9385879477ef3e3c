"""What an abstract (and the arXiv comment) shows about a paper's evidence, as facts.

The offline brief may say only what the text it read supports. Every absence it states ("the
abstract gives no figure") is checked here with deliberately wide cues first, so that a paper
reporting "F1 = 0.792" or "two honest negatives" is never said to give no number or no limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from briefgen.engines.offline import extract

PaperKind = str  # "method", "study", "benchmark", "survey", "position", "shared task"

_SURVEY = re.compile(
    r"\b(?:survey|systematic review|literature review|scoping review|we review|this review|"
    r"a review of|an overview of|tutorial|roadmap)\b", re.I)  # fmt: skip
_POSITION = re.compile(r"\bposition paper\b|^position:|\bwe argue that\b|\bthis essay\b", re.I)
_SHARED_TASK = re.compile(
    r"\bshared task\b|\bour (?:team|submission|system) (?:ranked|placed|achieved)\b|\bSemEval\b|"
    r"\bcompetition track\b", re.I)  # fmt: skip
_BENCHMARK_TITLE = re.compile(r"[a-z]Bench\b|\bbenchmark(?:ing)?\b|\bdataset\b|\bcorpus\b", re.I)
_BENCHMARK_CLAIM = re.compile(
    r"^we (?:introduce|present|release|construct|build|curate|propose)\b[^.]{0,120}?"
    r"\b(?:benchmark|dataset|corpus|test ?bed|suite|evaluation framework)\b", re.I)  # fmt: skip
_STUDY_CLAIM = re.compile(
    r"^(?:we|this (?:paper|work|study)) (?:\w+ly )?(?:stud|investigat|analy[sz]|examin|evaluat|"
    r"measur|quantif|characteri[sz]|explor|assess|compar|ask|test|audit|revisit|probe|find|"
    r"show|observ|reveal|demonstrat)", re.I)
_FINDING = re.compile(
    r"\b(?:we (?:find|found|observe|show|demonstrate|uncover|identify)|"
    r"(?:results?|findings|experiments|analys[ie]s) (?:show|reveal|indicate|suggest|demonstrate)|"
    r"reveals? that|finds? that|shows? that)\b", re.I)  # fmt: skip

# "We find three main results." announces findings without stating one.
_ANNOUNCES = re.compile(
    r"\b(?:two|three|four|five|several|some|main|key) (?:main |key )?(?:results|findings)\b|:$",
    re.I)

# Wide cues: an absence may be stated only when none of these is found.
ANY_FIGURE = re.compile(r"\d")
EVALUATION = re.compile(
    r"experiment|evaluat|results? (?:show|indicate|reveal|suggest|demonstrate)|empirical|"
    r"benchmark|outperform|we (?:test|measure|compare)|ablation|case stud|user stud|"
    r"achiev|accuracy|baseline", re.I)  # fmt: skip
# Any caveat at all; an absence may be stated only when none is found.
_CAVEATS = (
    r"\bdo(?:es)? not claim|\bhonest negatives?|\bnegative results?|\blimitations?\b|"
    r"\bsingle runs?\b|\bpreliminary\b|\bwe caution|\bcaveat|\bat the cost of|"
    r"\bunderperform|\bfails? to\b|\bfailed to\b|\bdoes not (?:improve|help|transfer|"
    r"generali[sz]e|hold|outperform)|\bdo not (?:improve|help|transfer|generali[sz]e|hold|"
    r"outperform)|\bno (?:significant|consistent|clear) (?:improvement|gain|difference|effect)|"
    r"\bonly (?:marginal|modest|slight)|\bremains? (?:challenging|limited|difficult)|"
    r"\bdegrad|\bworse\b|\bbrittle\b|\bstruggle|\bnot (?:yet )?(?:sufficient|enough|"
    r"reliable|robust)"
)
# "…, but X does not…": a caveat where results are told (an abstract's second half); in the
# first half it states the problem.
_BUT = (r"\bbut (?:\w+ ){0,6}(?:not|no|fail|worse|lower|less|degrad|struggl|limited|vary|"
        r"varies|diverge)")
_SMALL_SAMPLE = r"\bn\s?=\s?\d"  # a fact for the absence check, not a sentence to quote
HEDGE = re.compile(f"{_CAVEATS}|{_BUT}|{_SMALL_SAMPLE}", re.I)
_QUOTABLE = re.compile(_CAVEATS, re.I)
_QUOTABLE_LATE = re.compile(_BUT, re.I)
# A sentence about others' methods ("existing methods fail to…") states the problem, not a
# caveat of the paper's own.
_ABOUT_OTHERS = re.compile(
    r"\b(?:existing|prior|previous|current|conventional|traditional|standard|most|many|"
    r"state-of-the-art) (?:\w+ )?(?:methods?|approaches|models|systems|work|techniques|"
    r"benchmarks|llms|evaluations?)\b|\bremains? (?:an )?open (?:problem|question|challenge)\b",
    re.I,
)
_OWN = re.compile(
    r"\b(?:we|our|us|results?|findings|experiments|this (?:paper|work|study|method))\b", re.I)
_UP_TO = re.compile(r"\bup to\s+~?\d[\d.,]*\s?(?:%|×|x\b|-fold\b|times\b|points?\b|pp\b)", re.I)
_GENERIC_BASELINE = re.compile(
    r"\b(?:existing|prior|previous|strong|competitive|standard|conventional|state-of-the-art|"
    r"sota|several|various|all) (?:\w+ )?(?:methods|baselines|approaches|models|systems)\b|"
    r"\bbaselines\b", re.I)  # fmt: skip
_NAMED_BASELINE = re.compile(
    r"\b(?:outperform\w*|compared? (?:with|to|against)|over|than|surpass\w*|beat\w*)\s+"
    r"((?:[A-Z][\w.-]*[A-Z0-9][\w.-]*)(?:(?:,\s*|\s+and\s+|\s+or\s+)[A-Z][\w.-]*[A-Z0-9][\w.-]*)*)")
URL = re.compile(r"https?://[^\s<>()\"']+[^\s<>()\"'.,;:]")
CODE_HOSTS = re.compile(r"github\.com|gitlab\.com|huggingface\.co|bitbucket\.org|codeberg\.org")


@dataclass(frozen=True)
class Evidence:
    """What the text read shows: each field a fact a sentence of the brief may state."""

    kind: PaperKind
    results: tuple[str, ...]  # the paper's own sentences with a figure and a comparison
    named: tuple[str, ...]  # benchmark- or model-like names it reports on
    baselines: tuple[str, ...]  # baselines it names after "outperforms"/"compared with"
    generic_baselines: bool  # compares only with "existing methods", "baselines"…
    up_to: str  # an "up to 3.2×" figure, as written
    hedges: tuple[str, ...]  # its own caveats or negative results, as written
    code: str  # a code URL (from the abstract or the arXiv comment), or ""
    code_said: bool  # the text says code is or will be released, with or without a link
    has_figure: bool  # any digit at all in the abstract (wide: an absence needs none)
    evaluates: bool  # any evaluation cue at all (wide)
    finding: str  # a study's finding sentence, or ""


def _paper_kind(title: str, abstract: str, claim: str) -> PaperKind:
    head = f"{title}. {abstract[:600]}"
    if _SHARED_TASK.search(head):
        return "shared task"
    if _SURVEY.search(title) or _SURVEY.search(claim):
        return "survey"
    if _POSITION.search(title) or _POSITION.search(claim):
        return "position"
    if _BENCHMARK_CLAIM.search(claim):
        return "benchmark"
    if claim and _STUDY_CLAIM.match(claim) and not extract.STRONG_VERB.search(claim):
        return "study"
    if _BENCHMARK_TITLE.search(title) and not _FINDING.search(claim or ""):
        return "benchmark"
    return "method"


def own_hedges(sentences: list[str]) -> list[str]:
    """The paper's own caveats and negative results: hedge words in a sentence about its
    own work or results, never one describing what others' methods fail at."""
    found = []
    for index, sentence in enumerate(sentences):
        late = index >= len(sentences) / 2
        cue = _QUOTABLE.search(sentence) or (late and _QUOTABLE_LATE.search(sentence))
        if not cue or _ABOUT_OTHERS.search(sentence):
            continue
        if _OWN.search(sentence) or late:
            found.append(_around(extract.tidy(sentence), cue.start()))
    return found[:2]


def _around(sentence: str, at: int, limit: int = 220) -> str:
    """A long sentence from the clause that holds its caveat, so a cut keeps the caveat."""
    if len(sentence) <= limit or at < limit * 0.6:
        return sentence
    start = max(sentence.rfind(sep, 0, at) for sep in (", ", "; ", " (", " -- ", ": "))
    return "…" + sentence[start + 1 :].lstrip(" (") if start > 0 else sentence


def code_link(text: str) -> str:
    for url in URL.findall(text):
        if CODE_HOSTS.search(url):
            return str(url).rstrip(".")
    return ""


@lru_cache(maxsize=1024)
def evidence_of(title: str, abstract: str, comment: str = "", claim: str = "") -> Evidence:
    sentences = extract.split_sentences(abstract)
    own = extract.method_names(title) + tuple(extract.named_entities([claim], text=abstract))
    results = tuple(extract.tidy(s) for s in extract.result_sentences(abstract))[:3]
    baselines: list[str] = []
    for match in _NAMED_BASELINE.finditer(abstract):
        baselines += [b for b in re.split(r",\s*|\s+and\s+|\s+or\s+", match.group(1)) if b]
    compared = extract.named_entities(baselines, own, text=abstract)[:3]
    named = [n for n in extract.named_entities(
        [s for s in sentences if EVALUATION.search(s) or extract.NUMBER.search(s)],
        own, text=abstract,
    ) if n not in compared]  # a baseline is compared with, not reported on  # fmt: skip
    up_to = _UP_TO.search(abstract)
    finding = next((extract.tidy(s) for s in sentences
                    if _FINDING.search(s) and len(s) >= 60 and not _ANNOUNCES.search(s)), "")
    return Evidence(
        kind=_paper_kind(title, abstract, claim),
        results=results,
        named=tuple(named[:5]),
        baselines=tuple(compared),
        generic_baselines=bool(_GENERIC_BASELINE.search(abstract)),
        up_to=up_to.group(0).strip() if up_to else "",
        hedges=tuple(own_hedges(sentences)),
        code=code_link(f"{abstract} {comment}"),
        code_said=extract.mentions_code(f"{abstract} {comment}"),
        has_figure=bool(ANY_FIGURE.search(abstract)),
        evaluates=bool(EVALUATION.search(abstract)),
        finding=finding,
    )


_WHERE = {"abstract": ("abstract", "摘要"), "html": ("full text read", "所读全文")}


def profile(name: str, ev: Evidence, read_from: str = "abstract") -> tuple[str, str]:
    """The evidence profile as facts about what was read, the paper's own caveat quoted: in
    English and in Chinese, part by part."""
    parts: list[tuple[str, str]] = []
    if ev.named:
        named = ", ".join(ev.named[:3])
        parts.append((f"reports on {named}", f"报告了在 {named} 上的结果"))
    elif ev.evaluates:
        parts.append(("describes an evaluation without naming a benchmark or model",
                      "描述了评估，但未点名基准或模型"))  # fmt: skip
    else:
        parts.append(("names no experiment or evaluation", "未提及实验或评估"))
    if ev.baselines:
        compared = ", ".join(ev.baselines)
        parts.append((f"compares with {compared} by name", f"点名比较了 {compared}"))
    elif ev.generic_baselines:
        parts.append(("compares only with unnamed “existing methods” or “baselines”",
                      "只与未点名的“现有方法”或“基线”比较"))  # fmt: skip
    if ev.up_to:
        parts.append((f"its headline is an “{ev.up_to}” figure, a best case",
                      f"标题性数字是“{ev.up_to}”，属最好情况"))  # fmt: skip
    if not ev.has_figure:
        parts.append(("states no figure", "未给出任何数字"))
    if ev.code:
        parts.append((f"code linked: {ev.code}", f"代码链接：{ev.code}"))
    elif ev.code_said:
        parts.append(("code release mentioned, no link", "提到发布代码但无链接"))
    else:
        parts.append(("no code link in what was read", "所读内容中没有代码链接"))
    where_en, where_zh = _WHERE[read_from]
    en = f"In its {where_en}, {name} {'; '.join(e for e, _ in parts)}."
    zh = f"在{where_zh}中，{name} {'；'.join(z for _, z in parts)}。"
    if ev.hedges:
        caveat = extract.shorten(ev.hedges[0], 220)
        en += f" Its own caveat: “{caveat}”"
        zh += f"作者自己的保留意见：「{caveat}」"
    return en, zh
