"""Sentence-level extraction from abstracts: the claim, the results with numbers, the problem.

Pure functions used by the offline engine; they copy the authors' words, never rephrase them.
"""

from __future__ import annotations

import re

# Abbreviations whose full stop does not end a sentence.
_ABBREVIATIONS = ("e.g.", "i.e.", "et al.", "etc.", "vs.", "cf.", "Fig.", "Eq.", "approx.")
_PLACEHOLDER = "\u0000"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\[\"'])")

CLAIM_CUES = re.compile(
    r"\b(we (?:propose|introduce|present|develop|design|build|show|demonstrate|study|formalize|"
    r"identify|address|construct|release|derive|establish|provide)|this (?:paper|work|study|"
    r"article) (?:proposes|introduces|presents|develops|identifies|addresses|studies|shows)|"
    r"in this (?:paper|work)|here,? we|our (?:method|approach|framework|system))\b",
    re.IGNORECASE,
)
NUMBER = re.compile(r"\d")
RESULT_CUES = re.compile(
    r"(%|×|\b\d+(?:\.\d+)?x\b|\btimes\b|\bfaster\b|\bspeed-?ups?\b|\bimprov|\breduc|"
    r"\boutperform|\baccuracy\b|\bgains?\b|\bup to\b|\bsurpass|\bachiev|\blower\b|\bhigher\b)",
    re.IGNORECASE,
)
CODE_CUES = re.compile(
    r"(github\.com|code (?:is|will be) (?:publicly )?(?:available|released)|"
    r"open-source[sd]?|we release)",
    re.IGNORECASE,
)


def split_sentences(text: str) -> list[str]:
    """Sentences in order; a blank line (a paragraph or table row of full text) always ends
    one, so a table row never runs into the sentence after it."""
    sentences: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        protected = paragraph
        for abbreviation in _ABBREVIATIONS:
            protected = protected.replace(abbreviation, abbreviation.replace(".", _PLACEHOLDER))
        parts = _SENTENCE_END.split(" ".join(protected.split()))
        sentences += [p.replace(_PLACEHOLDER, ".").strip() for p in parts if p.strip()]
    return sentences


_LATEX_COMMAND = re.compile(r"\\(?:textsc|textbf|textit|emph|texttt|mathrm|text)\{([^{}]*)\}")


def tidy(sentence: str) -> str:
    """One clean line: LaTeX text commands unwrapped (\\textsc{AllMem} -> AllMem, 70\\% ->
    70%), a cut-off abstract's trailing '...' as a single ellipsis."""
    sentence = _LATEX_COMMAND.sub(r"\1", " ".join(sentence.split()))
    sentence = sentence.replace("\\%", "%").replace("\\&", "&").replace("\\_", "_")
    if sentence.endswith("..."):
        sentence = sentence[:-3].rstrip() + "…"
    return sentence


def shorten(text: str, limit: int = 220) -> str:
    text = tidy(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def claim_sentence(abstract: str) -> str | None:
    """The sentence in which the authors say what they did ('We propose …'), if any."""
    for sentence in split_sentences(abstract):
        if CLAIM_CUES.search(sentence):
            return sentence
    return None


def result_sentences(abstract: str) -> list[str]:
    """Sentences that report a quantitative result: a number and a word of comparison."""
    return [s for s in split_sentences(abstract) if NUMBER.search(s) and RESULT_CUES.search(s)]


def mentions_code(abstract: str) -> bool:
    return bool(CODE_CUES.search(abstract))


def short_name(title: str) -> str:
    """'QuaRK: A Quantum Reservoir Kernel …' -> 'QuaRK'; long titles are cut at a word."""
    head = title.split(":", 1)[0].strip()
    if ":" in title and len(head) <= 40:
        return head
    return shorten(title, 60)
