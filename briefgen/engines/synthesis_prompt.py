"""The synthesis request: the day's analyses (compact, fenced as data) with the brief's rules
as ranges for the number of papers, and the reply's schema with ids limited to those papers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from briefgen.core.models import AnalysedPaper, Synthesis
from briefgen.core.rules import NEXT_STEPS, TAKEAWAYS, THEMES, TOP_PAPERS
from briefgen.engines.prompt_text import bare_schema, fence
from briefgen.infra.prompts import fill, load_template, template_version

SYNTHESIS_PROMPT = "synthesize_brief"
MAX_ENUM_IDS = 200  # beyond this an id enum bloats the schema; the validator still checks ids


def compact_analysis(item: AnalysedPaper) -> dict[str, Any]:
    """What synthesis reads of a paper: its analysis, not its full text. (An analysis written
    under the faithfulness contract has no why_now: the synthesis writes it for the reader.)"""
    a = item.analysis
    return {
        "id": item.paper_id,
        "title": a.title,
        "relevance_score": item.scored.score,
        "listed": item.scored.paper.published.isoformat(),
        "read_from": a.read_from,
        "domain": a.domain,
        "contribution": a.one_line_contribution,
        "problem": a.problem,
        "method": a.method,
        "innovations": a.innovations,
        "key_results": a.experiments.key_results,
        "datasets": a.experiments.datasets,
        "baselines": a.experiments.baselines,
        "limitations": a.limitations,
        "not_shown": a.not_shown,
        "skeptical_note": a.skeptical_note,
        "keywords": a.keywords,
        # Code and hardware are what "practical next steps" are made of.
        "usage_guide": a.usage_guide.model_dump(),
    }


def roundup_scope(papers: list[AnalysedPaper]) -> str:
    """For a weekly or range roundup: cover the whole period and say which days themes span."""
    days = sorted({p.scored.paper.published for p in papers})
    if len(days) <= 1:
        return ""
    return (
        f"This is a roundup of {len(days)} listing days ({days[0]} to {days[-1]}; each "
        "analysis has its `listed` date): write themes across days, and say in each theme's "
        "why_it_matters on which days its papers appeared."
    )


def synthesis_schema(ids: list[str]) -> dict[str, Any]:
    """The Synthesis schema, bare (its contract is the synthesis prompt), with paper ids
    constrained to the analysed set (an enum)."""
    schema: dict[str, Any] = bare_schema(Synthesis.model_json_schema())
    if len(ids) > MAX_ENUM_IDS:
        return schema
    id_type = {"type": "string", "enum": sorted(ids)}
    defs = schema["$defs"]
    defs["Takeaway"]["properties"]["paper_ids"]["items"] = dict(id_type)
    defs["Theme"]["properties"]["paper_ids"]["items"] = dict(id_type)
    defs["TopPaper"]["properties"]["paper_id"] = dict(id_type)
    return schema



class SynthesisPrompt:
    """The prompts of one synthesis call, loaded once; `interests` is who the brief is for."""

    def __init__(self, prompts_dir: Path | None = None, *, interests: str = "") -> None:
        self.system = load_template(f"{SYNTHESIS_PROMPT}.system", prompts_dir)
        self.template = load_template(SYNTHESIS_PROMPT, prompts_dir)
        self.schema_text = json.dumps(bare_schema(Synthesis.model_json_schema()),
                                      sort_keys=True)  # fmt: skip
        self.version = template_version(self.system + self.template + self.schema_text)
        self.interests = interests or "not given"

    def message(self, period: str, papers: list[AnalysedPaper]) -> str:
        n = len(papers)
        compact = [compact_analysis(p) for p in sorted(papers, key=lambda p: -p.scored.score)]
        return fill(
            self.template,
            period=period,
            paper_count=str(n),
            takeaways_range=f"{TAKEAWAYS.lowest_for(n)}-{TAKEAWAYS.high}",
            themes_range=f"{THEMES.lowest_for(n)}-{min(THEMES.high, n)}",
            top_count=str(min(TOP_PAPERS, n)),
            next_steps_range=f"{NEXT_STEPS.lowest_for(n)}-{NEXT_STEPS.high}",
            analyses=fence(json.dumps(compact, ensure_ascii=False, indent=1), "analyses"),
            scope=roundup_scope(papers),
            interests=self.interests,
        )
