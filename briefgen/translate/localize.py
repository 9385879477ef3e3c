"""A brief's translatable texts under stable keys, and the brief with other texts swapped in.

The Chinese brief is the English one with its prose replaced key by key, so the two always
have the same sections, bullets and papers in the same places.
"""

from __future__ import annotations

from briefgen.core.models import AnalysedPaper, Brief, GlanceRow


def glance_texts(rows: list[GlanceRow]) -> dict[str, str]:
    """The glance table's texts: known from the analyses, before any synthesis."""
    texts: dict[str, str] = {}
    for i, row in enumerate(rows):
        texts[f"glance.{i}.domain"] = row.domain
        texts[f"glance.{i}.contribution"] = row.contribution
    return texts


def brief_texts(brief: Brief) -> dict[str, str]:
    """Every translatable text of a brief under a key that names its place."""
    texts: dict[str, str] = {}
    for i, t in enumerate(brief.takeaways):
        texts[f"takeaways.{i}.headline"] = t.headline
        texts[f"takeaways.{i}.body"] = t.body
    texts.update(glance_texts(brief.papers_at_a_glance))
    for i, theme in enumerate(brief.themes):
        texts[f"themes.{i}.title"] = theme.title
        texts[f"themes.{i}.why_it_matters"] = theme.why_it_matters
        for j, item in enumerate(theme.common_approach):
            texts[f"themes.{i}.common_approach.{j}"] = item
        for j, item in enumerate(theme.open_questions):
            texts[f"themes.{i}.open_questions.{j}"] = item
    for i, item in enumerate(brief.technical_synthesis):
        texts[f"technical_synthesis.{i}"] = item
    for i, top in enumerate(brief.top_papers):
        for j, bullet in enumerate(top.bullets):
            texts[f"top.{i}.bullets.{j}"] = bullet
        texts[f"top.{i}.why_now"] = top.why_now
        texts[f"top.{i}.skepticism"] = top.skepticism
    for i, step in enumerate(brief.next_steps):
        texts[f"next_steps.{i}"] = step
    return texts


def apply_texts(brief: Brief, texts: dict[str, str]) -> Brief:
    """The brief with the texts at their keys replaced (missing keys keep the original)."""

    def get(key: str, original: str) -> str:
        return texts.get(key, original)

    return brief.model_copy(
        update={
            "takeaways": [
                t.model_copy(update={"headline": get(f"takeaways.{i}.headline", t.headline),
                                     "body": get(f"takeaways.{i}.body", t.body)})
                for i, t in enumerate(brief.takeaways)
            ],
            "papers_at_a_glance": [
                r.model_copy(update={"domain": get(f"glance.{i}.domain", r.domain),
                                     "contribution": get(f"glance.{i}.contribution",
                                                         r.contribution)})
                for i, r in enumerate(brief.papers_at_a_glance)
            ],
            "themes": [
                th.model_copy(update={
                    "title": get(f"themes.{i}.title", th.title),
                    "why_it_matters": get(f"themes.{i}.why_it_matters", th.why_it_matters),
                    "common_approach": [get(f"themes.{i}.common_approach.{j}", x)
                                        for j, x in enumerate(th.common_approach)],
                    "open_questions": [get(f"themes.{i}.open_questions.{j}", x)
                                       for j, x in enumerate(th.open_questions)],
                })
                for i, th in enumerate(brief.themes)
            ],
            "technical_synthesis": [get(f"technical_synthesis.{i}", x)
                                    for i, x in enumerate(brief.technical_synthesis)],
            "top_papers": [
                tp.model_copy(update={
                    "bullets": [get(f"top.{i}.bullets.{j}", b) for j, b in enumerate(tp.bullets)],
                    "why_now": get(f"top.{i}.why_now", tp.why_now),
                    "skepticism": get(f"top.{i}.skepticism", tp.skepticism),
                })
                for i, tp in enumerate(brief.top_papers)
            ],
            "next_steps": [get(f"next_steps.{i}", x) for i, x in enumerate(brief.next_steps)],
            "translations": {},
        }
    )  # fmt: skip


def localized(brief: Brief, lang: str) -> Brief:
    """The brief in `lang`: its stored translation applied, or the brief itself."""
    texts = brief.translations.get(lang)
    return apply_texts(brief, texts) if texts else brief


def analysis_texts(papers: list[AnalysedPaper]) -> dict[str, str]:
    """The translatable texts of per-paper analyses (for the `analyze` report)."""
    texts: dict[str, str] = {}
    for i, item in enumerate(papers):
        a = item.analysis
        texts[f"p{i}.domain"] = a.domain
        texts[f"p{i}.contribution"] = a.one_line_contribution
        for field_name, value in a.usage_guide.model_dump().items():
            texts[f"p{i}.usage.{field_name}"] = value
        for key, values in (("innovations", a.innovations),
                            ("results", a.experiments.key_results),
                            ("limitations", a.limitations)):  # fmt: skip
            for j, value in enumerate(values):
                texts[f"p{i}.{key}.{j}"] = value
    return texts


def apply_analysis_texts(papers: list[AnalysedPaper], texts: dict[str, str]) -> list[AnalysedPaper]:
    out = []
    for i, item in enumerate(papers):
        a = item.analysis

        def get(key: str, original: str, i: int = i) -> str:
            return texts.get(f"p{i}.{key}", original)

        analysis = a.model_copy(
            update={
                "domain": get("domain", a.domain),
                "one_line_contribution": get("contribution", a.one_line_contribution),
                "usage_guide": a.usage_guide.model_copy(
                    update={k: get(f"usage.{k}", v) for k, v in a.usage_guide.model_dump().items()}
                ),
                "innovations": [get(f"innovations.{j}", v) for j, v in enumerate(a.innovations)],
                "experiments": a.experiments.model_copy(
                    update={
                        "key_results": [
                            get(f"results.{j}", v) for j, v in enumerate(a.experiments.key_results)
                        ]
                    }
                ),
                "limitations": [get(f"limitations.{j}", v) for j, v in enumerate(a.limitations)],
            }
        )
        out.append(item.model_copy(update={"analysis": analysis}))
    return out
