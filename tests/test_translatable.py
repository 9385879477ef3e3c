"""Translatable text is declared once, on the brief's models: every text field says whether it
is translated, and the keys its texts are stored and sent under stay the same."""

from __future__ import annotations

import types
from typing import Annotated, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from briefgen.core.models import AnalysedPaper, Brief, PaperAnalysis
from briefgen.core.translatable import (
    NOT_TRANSLATED,
    TRANSLATED,
    Translatable,
    translation_mark,
)
from briefgen.translate.localize import (
    analysis_texts,
    apply_analysis_texts,
    apply_texts,
    brief_texts,
    glance_texts,
    texts_of,
)
from tests.briefs import IDS, make_brief


def _parts(annotation: object) -> list[object]:
    """The types inside an annotation: list[X], dict[K, V], X | None and so on, unwrapped."""
    if get_origin(annotation) is Literal:  # a closed vocabulary: its renderer words it
        return []
    args = get_args(annotation)
    if get_origin(annotation) in (list, dict, Union, types.UnionType):
        return [part for arg in args for part in _parts(arg)]
    return [annotation]


def undecided(root: type[BaseModel]) -> list[str]:
    """Fields holding text or sub-models, reachable from `root` through translatable fields,
    that carry no mark."""
    found: list[str] = []
    queue, seen = [root], set()
    while queue:
        model = queue.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, info in model.model_fields.items():
            parts = _parts(info.annotation)
            models = [p for p in parts if isinstance(p, type) and issubclass(p, BaseModel)]
            mark = translation_mark(model, name)
            if (str in parts or models) and mark is None:
                found.append(f"{model.__name__}.{name}")
            if isinstance(mark, Translatable):
                queue += models
    return sorted(found)


def test_every_text_field_of_a_brief_and_an_analysis_is_translated_or_not_by_decision() -> None:
    assert undecided(Brief) == []
    assert undecided(AnalysedPaper) == []


def test_a_text_field_without_a_mark_is_found() -> None:
    class Note(BaseModel):
        text: Annotated[str, TRANSLATED]
        source: str | None = None
        tags: list[str] = []
        level: Literal["a", "b"] = "a"

    class Page(BaseModel):
        notes: Annotated[list[Note], TRANSLATED]
        footer: Note
        link: Annotated[str, NOT_TRANSLATED]

    assert undecided(Page) == ["Note.source", "Note.tags", "Page.footer"]


def test_a_new_translatable_field_is_collected_without_a_change_to_the_walker() -> None:
    class Note(BaseModel):
        text: Annotated[str, TRANSLATED]
        link: Annotated[str, NOT_TRANSLATED]

    class Page(BaseModel):
        notes: Annotated[list[Note], Translatable(key="n")]
        lines: Annotated[list[str], TRANSLATED]

    page = Page(notes=[Note(text="a", link="https://x"), Note(text="b", link="")], lines=["c"])
    assert texts_of(page) == {"n.0.text": "a", "n.1.text": "b", "lines.0": "c"}


def test_a_briefs_keys_are_the_stored_ones() -> None:
    keys = list(brief_texts(make_brief()))
    glance = [f"glance.{i}.{f}" for i in range(5) for f in ("domain", "contribution")]
    assert keys == [
        *(f"takeaways.{i}.{f}" for i in range(4) for f in ("headline", "body")),
        *glance,
        "themes.0.title", "themes.0.why_it_matters", "themes.0.common_approach.0",
        "themes.0.open_questions.0",
        "technical_synthesis.0",
        *(f"top.{i}.{f}" for i in range(5) for f in ("bullets.0", "bullets.1", "why_now",
                                                     "skepticism")),
        "next_steps.0", "next_steps.1", "next_steps.2",
    ]  # fmt: skip
    assert list(glance_texts(make_brief().papers_at_a_glance)) == glance


def test_translations_replace_the_prose_and_nothing_else() -> None:
    brief = make_brief()
    english = brief_texts(brief)
    chinese = apply_texts(brief, {key: f"中文 {text}" for key, text in english.items()})
    assert brief_texts(chinese) == {key: f"中文 {text}" for key, text in english.items()}
    assert [row.title for row in chinese.papers_at_a_glance] == [
        row.title for row in brief.papers_at_a_glance
    ]
    assert [top.paper_id for top in chinese.top_papers] == IDS
    assert chinese.provenance == brief.provenance and chinese.date == brief.date
    partly = apply_texts(brief, {"top.1.why_now": "现在。"})
    assert partly.top_papers[1].why_now == "现在。"
    assert brief_texts(partly) == {**english, "top.1.why_now": "现在。"}


def test_an_analysis_report_translates_what_the_report_shows() -> None:
    from briefgen.core.models import Experiments, Paper, ScoredPaper, UsageGuide

    paper = Paper(id="2602.20001", title="T", abstract="A.", published="2026-02-18")
    analysis = PaperAnalysis(
        paper_id="2602.20001", title="T", domain="serving", one_line_contribution="Faster.",
        usage_guide=UsageGuide(inputs="a model"), innovations=["one"], limitations=["small"],
        experiments=Experiments(datasets=["GSM8K"], key_results=["2x"], baselines=["vLLM"]),
        problem="P", skeptical_note="S",
    )  # fmt: skip
    papers = [AnalysedPaper(scored=ScoredPaper(paper=paper, score=1), analysis=analysis)]
    texts = analysis_texts(papers)
    assert list(texts) == [
        "p0.domain", "p0.contribution", "p0.usage.inputs", "p0.usage.how_to_use",
        "p0.usage.hardware", "p0.usage.open_source", "p0.innovations.0", "p0.results.0",
        "p0.limitations.0",
    ]  # fmt: skip
    out = apply_analysis_texts(papers, {"p0.results.0": "两倍", "p0.contribution": "更快。"})
    assert out[0].analysis.experiments.key_results == ["两倍"]
    assert out[0].analysis.one_line_contribution == "更快。"
    assert out[0].analysis.experiments.datasets == ["GSM8K"]  # names stay as written
    assert papers[0].analysis.one_line_contribution == "Faster."  # the English is kept

