"""A brief's translatable texts under stable keys, and the brief with other texts swapped in.

Which fields are translatable is declared on the models (`core.translatable`); one walk
collects their texts and one swaps translations in, so a new translatable field needs nothing
here. A text's key names its place: the fields' keys and list indexes joined by dots
('themes.0.common_approach.1', 'top.2.why_now'). The keys are stored with translated briefs
and sent to the model, so they never change. The Chinese brief is the English one with its
prose replaced key by key, so the two always have the same sections, bullets and papers in
the same places.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from briefgen.core.models import AnalysedPaper, Brief, GlanceRow
from briefgen.core.translatable import translatable_fields

# The glance table's texts are translated before the rest of the brief exists: under the keys
# they have in the brief.
_GLANCE_KEY = dict(translatable_fields(Brief))["papers_at_a_glance"]


def _join(key: str, part: str) -> str:
    return f"{key}.{part}" if key and part else key or part


def texts_of(value: object, key: str = "") -> dict[str, str]:
    """Every translatable text in `value` (a model, a list, a text) under its key below `key`,
    in the models' field order."""
    if isinstance(value, str):
        return {key: value}
    texts: dict[str, str] = {}
    if isinstance(value, BaseModel):
        for name, part in translatable_fields(type(value)):
            texts.update(texts_of(getattr(value, name), _join(key, part)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            texts.update(texts_of(item, _join(key, str(index))))
    return texts


def _with_texts(value: Any, texts: Mapping[str, str], key: str) -> Any:
    """`value` with each translatable text replaced by the one at its key (missing keys keep
    the original); copies, never changes, what it is given."""
    if isinstance(value, str):
        return texts.get(key, value)
    if isinstance(value, BaseModel):
        update = {
            name: _with_texts(getattr(value, name), texts, _join(key, part))
            for name, part in translatable_fields(type(value))
        }
        return value.model_copy(update=update)
    if isinstance(value, list):
        return [_with_texts(item, texts, _join(key, str(i))) for i, item in enumerate(value)]
    return value


def glance_texts(rows: list[GlanceRow]) -> dict[str, str]:
    """The glance table's texts: known from the analyses, before any synthesis."""
    return texts_of(rows, _GLANCE_KEY)


def brief_texts(brief: Brief) -> dict[str, str]:
    """Every translatable text of a brief under a key that names its place."""
    return texts_of(brief)


def apply_texts(brief: Brief, texts: dict[str, str]) -> Brief:
    """The brief with the texts at their keys replaced (missing keys keep the original), and
    no stored translations of its own."""
    translated: Brief = _with_texts(brief, texts, "")
    return translated.model_copy(update={"translations": {}})


def localized(brief: Brief, lang: str) -> Brief:
    """The brief in `lang`: its stored translation applied, or the brief itself."""
    texts = brief.translations.get(lang)
    return apply_texts(brief, texts) if texts else brief


def _paper_key(index: int) -> str:
    return f"p{index}"


def analysis_texts(papers: list[AnalysedPaper]) -> dict[str, str]:
    """The translatable texts of per-paper analyses (for the `analyze` report)."""
    texts: dict[str, str] = {}
    for index, paper in enumerate(papers):
        texts.update(texts_of(paper, _paper_key(index)))
    return texts


def apply_analysis_texts(papers: list[AnalysedPaper], texts: dict[str, str]) -> list[AnalysedPaper]:
    return [_with_texts(paper, texts, _paper_key(i)) for i, paper in enumerate(papers)]

