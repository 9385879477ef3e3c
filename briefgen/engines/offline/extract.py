"""Sentence-level extraction from abstracts: the claim, the results with numbers, the problem.

Pure functions used by the offline engine; they copy the authors' words, never rephrase them.
The one liberty taken is to cut: a structured abstract's headings ("Background:", "Methods.")
and a claim's leading connective clause ("To solve this, we propose X" -> "We propose X"), so
that a sentence stands on its own.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Abbreviations whose full stop does not end a sentence.
_ABBREVIATIONS = ("e.g.", "i.e.", "et al.", "etc.", "vs.", "cf.", "Fig.", "Eq.", "approx.")
_PLACEHOLDER = "\u0000"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\[\"'])")
_PARAGRAPH = re.compile(r"\n\s*\n")

# The headings of a structured abstract (medicine, some venues): "Background:", "Methods.",
# "Results and conclusions:". Only capitalised (or upper-case) words at the start of the text
# or of a sentence, followed by ':' or '.' and a capital, are headings.
_HEADING_WORDS = [
    "Background", "Introduction", "Context", "Motivation", "Purpose", "Aim", "Aims",
    "Objective", "Objectives", "Goal", "Goals", "Problem", "Problem statement", "Method",
    "Methods", "Methodology", "Materials and methods", "Approach", "Design", "Setting",
    "Settings", "Participants", "Patients", "Data", "Data sources", "Measurements",
    "Interventions", "Result", "Results", "Main results", "Findings", "Key findings",
    "Conclusion", "Conclusions", "Significance", "Interpretation", "Implications",
    "Discussion", "Summary", "Contribution", "Contributions", "Availability",
    "Availability and implementation", "Importance", "Limitations", "Evaluation",
    "Experiments", "Outcomes", "Main outcomes and measures", "Study design", "Rationale",
]  # fmt: skip
_HEADING_ALTERNATIVES = "|".join(
    sorted({form for w in _HEADING_WORDS for form in (w, w.upper())}, key=len, reverse=True)
)
_HEADING = re.compile(
    rf"(?:^|(?<=[.!?:]\s)|(?<=\n))(?:{_HEADING_ALTERNATIVES})"
    rf"(?:\s+(?:and|&)\s+(?:{_HEADING_ALTERNATIVES}))?"
    r"(?:\s*:\s*|\s*\.(?:\s+(?=[A-Z0-9\"'(\[])|$))"
)
_ONLY_HEADING = re.compile(rf"^(?:{_HEADING_ALTERNATIVES})\s*[:.]?$", re.IGNORECASE)

# Who claims: the authors, their paper or their method.
_SUBJECT = (
    r"(?:we|our (?:work|paper|study|method|approach|framework|system|model|analysis)|"
    r"(?:this|the|the present|the current|our) (?:paper|work|study|article|letter|report|"
    r"thesis|research|survey))"
)
_CLAIM_START = re.compile(rf"^{_SUBJECT}\b", re.IGNORECASE)
STRONG_VERB = re.compile(
    r"\b(?:propos|introduc|present|develop|design|buil[dt]|construct|releas|creat|devis|"
    r"contribut|curat|formulat|put forward)\w*",
    re.IGNORECASE,
)
_MEDIUM_VERB = re.compile(
    rf"^{_SUBJECT}\s+(?:\w+ly\s+)?(?:stud|investigat|evaluat|explor|analy[sz]|examin|show|"
    r"demonstrat|identif|address|formali[sz]|deriv|establish|provid|describ|assess|compar|"
    r"benchmark|measur|report|find|found|argu|focus|characteri[sz]|quantif|extend|revisit|"
    r"prov|reveal|offer|perform|conduct|train|apply|implement|leverag|frame|cast|consider)\w*",
    re.IGNORECASE,
)
CLAIM_CUES = re.compile(
    rf"\b(?:{_SUBJECT}\s+(?:\w+ly\s+)?(?:propos|introduc|present|develop|design|buil[dt]|show|"
    r"demonstrat|stud|formali[sz]|identif|address|construct|releas|deriv|establish|provid|"
    r"investigat|evaluat|explor)\w*|here,? we|in this (?:paper|work))\b",
    re.IGNORECASE,
)
# A leading clause that only links to the previous sentence: "To solve this,", "Therefore,",
# "In this paper,". Clauses that carry content ("Using 5% of the data,") are kept.
_CONNECTIVE_OPENERS = (
    "To|In|For|Within|Under|Through|Toward|Towards|Against|Given|Based|Building|Motivated|"
    "Inspired|Guided|Driven|Following|Therefore|Thus|Hence|Here|Accordingly|Consequently|"
    "Instead|However|Specifically|Finally|First|Firstly|Second|Third|Furthermore|Moreover|"
    "Additionally|Unlike|Rather|Beyond|Observing|Recognizing|Recognising|Noting|Addressing|"
    "Bridging|Overall|Concretely|Crucially|Importantly|Notably|Meanwhile|As|Since|Because|"
    "While|Whereas|Although|Though|Then|Next|Lastly|Together|Ultimately|Against"
)
_LEAD_CLAUSE = re.compile(
    rf"^(?:{_CONNECTIVE_OPENERS})\b[^.;:]{{0,220}}?,\s+(?=(?:here,?\s+)?{_SUBJECT}\b)"
)
_LEAD_PHRASE = re.compile(
    r"^(?:in this (?:paper|work|study|article|letter)|here|hence|thus|therefore),?\s+"
    rf"(?={_SUBJECT}\b)",
    re.IGNORECASE,
)
_INNER_ADVERB = re.compile(
    r"^(We|Our \w+|This \w+)\s+(?:therefore|thus|hence|then|also|further|additionally|instead|"
    r"accordingly|consequently|subsequently|next|finally|here),?\s+",
    re.IGNORECASE,
)
# Sentences that lean on the one before: "This approach…", "It achieves…", "However, …".
_DEPENDENT = re.compile(
    r"^(?:This|These|Those|That|It|Its|They|Their|Them|Such|Both|Thus|Hence|Therefore|However|"
    r"But|And|Or|Also|Moreover|Furthermore|Additionally|In addition|Finally|Then|Further|"
    r"Second|Secondly|Third|Lastly|Overall|Specifically|Instead|Meanwhile|Consequently|"
    r"Accordingly|As a result|To this end|To that end|In contrast|Similarly|Likewise)\b(?!"
    r" (?:paper|work|study|article|letter|thesis|survey)\b)"
)
# Asides: what a paper says about itself rather than what it did.
_ASIDE = re.compile(
    r"^(?:we|this (?:paper|study|work|article)) (?:also |further |then |finally |briefly )?"
    r"(?:discuss|conclude|hope|outline|envision|call for|reflect|speculate|close)|"
    r"\bserves? as (?:a|an) (?:roadmap|foundation|starting point|guide|reference)|"
    r"\b(?:implications|future (?:work|research|directions))\b", re.IGNORECASE)  # fmt: skip
# A claim that leans on an earlier sentence for what "this" is.
_LEANS = re.compile(
    r"\b(?:this|these|such|that|the above|the aforementioned) (?:mismatch|gap|problem|issue|"
    r"challenge|limitation|question|setting|task|bottleneck|phenomenon|observation|need|"
    r"tension|trade-?off|shortcoming|concern|paradigm|insight|discrepancy|failure|dilemma)s?\b",
    re.IGNORECASE)  # fmt: skip
SHORT_CLAIM = 40  # below this a claim usually needs the sentence before it

NUMBER = re.compile(r"\d")
RESULT_CUES = re.compile(
    r"(%|×|\b\d+(?:\.\d+)?x\b|\btimes\b|\bfaster\b|\bspeed-?ups?\b|\bimprov|\breduc|"
    r"\boutperform|\baccuracy\b|\bgains?\b|\bsurpass|\bachiev|\blower\b|\bhigher\b)",
    re.IGNORECASE,
)
CODE_CUES = re.compile(
    r"(github\.com|code (?:is|will be) (?:publicly )?(?:available|released)|"
    r"open-source[sd]?|we release)",
    re.IGNORECASE,
)
# A quantity as written: 2.4x, 31%, 0.9759, 4,000, 47.5 FPS's number.
QUANTITY = re.compile(r"(?<![\w.])(?<![A-Za-z]-)\d+(?:[.,]\d+)*(?:\s?(?:%|×|x\b|-fold\b))?")
# Acronyms too common to name a paper's own method.
_COMMON_ACRONYM_TEXT = """LLM LLMs VLM VLMs LVLM LVLMs MLLM MLLMs AI RL 2D 3D 4D GPU GPUs CNN
    CNNs NLP ASR RAG MRI CT QA GNN GNNs ML DL NN SOTA API APIs IoT UAV UAVs LiDAR RGB GPT BERT
    ViT ViTs"""
COMMON_ACRONYMS = frozenset(_COMMON_ACRONYM_TEXT.split())
_NAME_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*")


def strip_headings(text: str) -> str:
    """A structured abstract's headings removed: 'Background: X. Methods: Y.' -> 'X. Y.'."""
    return _HEADING.sub("", text)


def split_sentences(text: str) -> list[str]:
    """Sentences in order; a blank line (a paragraph or table row of full text) always ends
    one, so a table row never runs into the sentence after it. Headings are not sentences."""
    return list(_split(text))


@lru_cache(maxsize=256)  # a paper's abstract is split for its claim, results and limits
def _split(text: str) -> tuple[str, ...]:
    sentences: list[str] = []
    for paragraph in _PARAGRAPH.split(text):
        protected = strip_headings(" ".join(paragraph.split()))
        for abbreviation in _ABBREVIATIONS:
            if abbreviation in protected:
                protected = protected.replace(
                    abbreviation, abbreviation.replace(".", _PLACEHOLDER)
                )
        for part in _SENTENCE_END.split(protected):
            part = part.replace(_PLACEHOLDER, ".").strip()
            if part and not _ONLY_HEADING.match(part):
                sentences.append(part)
    return tuple(sentences)


_LATEX_COMMAND = re.compile(r"\\(?:textsc|textbf|textit|emph|texttt|mathrm|text)\{([^{}]*)\}")


def tidy(sentence: str) -> str:
    """One clean line: LaTeX text commands unwrapped (\\textsc{AllMem} -> AllMem, 70\\% ->
    70%), a cut-off abstract's trailing '...' as a single ellipsis."""
    sentence = " ".join(sentence.split())
    if "\\" in sentence:
        sentence = _LATEX_COMMAND.sub(r"\1", sentence)
        sentence = sentence.replace("\\%", "%").replace("\\&", "&").replace("\\_", "_")
    if sentence.endswith("..."):
        sentence = sentence[:-3].rstrip() + "…"
    return sentence


_CLAUSE_BREAK = re.compile(r"(?:[,;:]| --| —| –)\s+|\s+(?=(?:which|while|where|whereas|"
                           r"and thus|thereby|so that|by|using|with)\s)")


def shorten(text: str, limit: int = 220) -> str:
    """The text within `limit` characters, cut where a clause ends when one ends late enough
    to keep most of it, else at a word."""
    text = tidy(text)
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    breaks = [m.start() for m in _CLAUSE_BREAK.finditer(head) if m.start() >= 0.55 * limit]
    cut = head[: breaks[-1]] if breaks else head.rsplit(" ", 1)[0]
    return cut.rstrip(",;: -—–") + "…"


# "It motivates us to propose X": the link to the sentence before, then the claim.
_MOTIVATES = re.compile(
    r"^(?:this|it|these (?:findings|observations|results)|such \w+) (?:motivates?|leads?|"
    r"inspires?|prompts?|drives?|encourages?) us to\s+", re.IGNORECASE)  # fmt: skip


def standalone(sentence: str) -> str:
    """The sentence without a leading clause that only links it to the one before:
    'To solve this, we propose X.' -> 'We propose X.'; 'We therefore propose' -> 'We propose';
    'It motivates us to propose X.' -> 'We propose X.'."""
    text = _MOTIVATES.sub("We ", sentence.strip())
    for _ in range(2):  # "Therefore, in this paper, we …"
        text = _LEAD_PHRASE.sub("", _LEAD_CLAUSE.sub("", text))
    text = _INNER_ADVERB.sub(lambda m: m.group(1) + " ", text)
    return text[:1].upper() + text[1:]


def is_dependent(sentence: str) -> bool:
    """Whether a sentence leans on the one before it ('This approach…', 'However, …')."""
    return bool(_DEPENDENT.match(sentence))


@lru_cache(maxsize=4096)
def method_names(title: str) -> tuple[str, ...]:
    """Names a paper gives its own method: the title's head before a colon when it is short
    ('QuaRK: A Quantum …' -> 'QuaRK') and coined words in it ('SegDINO', 'AIGS-Net')."""
    names: list[str] = []
    head = title.split(":", 1)[0].strip()
    if ":" in title and 2 <= len(head) <= 30 and len(head.split()) <= 3:
        names.append(head)
    names += [token for token in _NAME_TOKEN.findall(title) if _coined(token)]
    return tuple(dict.fromkeys(names))


def _coined(token: str) -> bool:
    """A coined name (SegDINO, AIGS-Net, Qwen3): a part with two capitals, or a capital and a
    digit; not a Title-Case compound (Quality-Aware) nor a common acronym (LLM, 3D)."""
    if len(token) < 3 or token in COMMON_ACRONYMS or token.rstrip("s") in COMMON_ACRONYMS:
        return False
    if sum(c.isupper() for c in token) < 2 and not any(c.isdigit() for c in token):
        return False  # most words: one capital at most, no digit
    for part in re.split(r"[-.]", token):
        upper = sum(c.isupper() for c in part)
        if upper >= 2 or (upper and any(c.isdigit() for c in part)):
            return True
    return False


def _names_method(sentence: str, names: tuple[str, ...]) -> bool:
    return any(name in sentence for name in names)


def claim_score(sentence: str, names: tuple[str, ...] = ()) -> float:
    """How well a (standalone) sentence says what the authors did; 0 or less: not a claim. A
    sentence without a claim verb that names the method still scores, below a real claim."""
    score = 0.0
    if _CLAIM_START.match(sentence):
        if STRONG_VERB.search(sentence):
            score = 3.0
        elif _MEDIUM_VERB.match(sentence):
            score = 2.0
        else:
            score = 1.0
    elif CLAIM_CUES.search(sentence):
        score = 0.75  # "Experiments show that our method …": a claim, not the claim
    if names and _names_method(sentence, names):
        score += 1.5 if score else 1.0
    if not score:
        return 0.0
    if len(sentence) > 400:
        score -= 1.0
    if is_dependent(sentence) or sentence.endswith("?"):
        score -= 2.0
    if _ASIDE.search(sentence):
        score -= 2.5  # "We discuss implications…": said about the paper, not what it did
    elif _LEANS.search(sentence):
        score -= 1.5  # "We address this mismatch…" needs the sentence before it
    return score


def claim_sentence(abstract: str, title: str = "") -> str | None:
    """The sentence in which the authors say what they did ('We propose …'), standing alone
    (a leading 'To address this,' cut), if there is one. A short one ('We propose X.') only
    when no sentence of SHORT_CLAIM characters or more claims as much or names the method."""
    names = method_names(title) if title else ()
    scored = []
    for index, sentence in enumerate(split_sentences(abstract)):
        text = standalone(sentence)
        score = claim_score(text, names)
        if score >= 0.75:
            scored.append((score, -index, text))
    if not scored:
        return None
    full = [item for item in scored if len(item[2]) >= SHORT_CLAIM and item[0] >= 1.0]
    return max(full or scored)[2]


def contribution(abstract: str, title: str) -> str:
    """The one-line contribution: the claim sentence; else a sentence that names the method;
    else the first sentence that stands alone and is not a heading or fragment."""
    claim = claim_sentence(abstract, title)
    if claim:
        return claim
    sentences = [standalone(s) for s in split_sentences(abstract)]
    names = method_names(title)
    usable = [
        s for s in sentences
        if len(s) >= SHORT_CLAIM and not is_dependent(s) and not s.endswith("?")
    ]  # fmt: skip
    for sentence in usable:
        if names and _names_method(sentence, names):
            return sentence
    if usable:
        return usable[0]
    longest = max(sentences, key=len, default="")
    return longest if len(longest) >= SHORT_CLAIM else title


def result_sentences(abstract: str) -> list[str]:
    """Sentences that report a quantitative result: a number and a word of comparison."""
    return [s for s in split_sentences(abstract) if NUMBER.search(s) and RESULT_CUES.search(s)]


def quantities(text: str, limit: int = 3) -> list[str]:
    """The numbers a sentence states, as written (years and bare list indices left out)."""
    found = []
    for match in QUANTITY.finditer(text):
        value = match.group(0).strip()
        if re.fullmatch(r"(19|20)\d\d", value) or re.fullmatch(r"\d", value):
            continue  # a year, or "(1)", "two stages (2)": not a result
        found.append(value)
    return list(dict.fromkeys(found))[:limit]


_NAMED = re.compile(r"(?<![\w/@-])[A-Z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*(?![\w/-])")
# Metrics, statistical tests and generic tags: named in results, but not what a paper is run on.
_NOT_BENCHMARK_TEXT = """AUROC AUC AUPRC ROC F1 BLEU ROUGE ROUGE-L METEOR BERTScore chrF
    COMET CIDEr SPICE PSNR SSIM LPIPS FID IoU mIoU mAP MAE MSE RMSE MAPE NDCG MRR EM WER CER
    PPL FLOPs TFLOPs GFLOPs TPS TTFT TPOT QPS SLO SLOs McNemar Wilcoxon ANOVA Bonferroni
    Kendall Spearman Pearson Cohen Fleiss Kruskal-Wallis ICC OOD SFT DPO PPO RLHF RLVR KL
    CoT ICL LoRA QLoRA MoE KV NFE NFEs GRPO PhD USD CPU CPUs TPU TPUs SQL JSON HTML PDF URL URLs"""
NOT_BENCHMARKS = frozenset(_NOT_BENCHMARK_TEXT.split())
_DEFINED_ACRONYM = re.compile(r"\(([A-Z][A-Za-z0-9-]{1,15})s?\)")
_TEAM = re.compile(
    r"\b(?:team|user|account|handle|lab)\s+([A-Z][\w-]+)|([A-Z][\w-]+)\s+team\b", re.I
)


_NOT_A_NAME = re.compile(
    r"[A-Z]?\d[\d.,]*[A-Za-z%]*"  # a size or figure: "3B", "1.5x"
    r"|[A-Z]{2,6}-[a-z]+"  # an adjective compound: "FIFO-evicted", "LLM-based"
)
_KNOWN_NOT_BENCHMARKS = COMMON_ACRONYMS | NOT_BENCHMARKS


def _name_like(token: str) -> bool:
    """A coined name (two capitals, or a capital and a digit) that is not a size, a compound
    adjective, a common acronym, a metric or a test."""
    return (
        len(token) >= 3
        and (sum(c.isupper() for c in token) >= 2 or any(c.isdigit() for c in token))
        and not _NOT_A_NAME.fullmatch(token)
        and token not in _KNOWN_NOT_BENCHMARKS
        and token.rstrip("s") not in _KNOWN_NOT_BENCHMARKS
    )


def named_entities(
    sentences: list[str], exclude: tuple[str, ...] = (), text: str = ""
) -> list[str]:
    """Benchmark, dataset and model names a result sentence cites (GenEval, Llama-3-8B, vLLM):
    coined words with two capitals or a capital and a digit, not the paper's own names, nor a
    metric or test (BLEU, McNemar), an acronym `text` defines for its own concept ("Treatment
    Effect (TE)"), a piece of a URL or user name, or a team's name."""
    own = set(_DEFINED_ACRONYM.findall(text)) | {
        name for pair in _TEAM.findall(text) for name in pair if name
    }
    found = [
        token
        for sentence in sentences
        for token in _NAMED.findall(sentence)
        if _name_like(token)
        and token not in own
        and not any(token in name or name in token for name in exclude)
    ]
    return list(dict.fromkeys(found))


def mentions_code(abstract: str) -> bool:
    return bool(CODE_CUES.search(abstract))


def short_name(title: str) -> str:
    """'QuaRK: A Quantum Reservoir Kernel …' -> 'QuaRK'; long titles are cut at a word."""
    head = title.split(":", 1)[0].strip()
    if ":" in title and len(head) <= 40:
        return head
    return shorten(title, 60)
