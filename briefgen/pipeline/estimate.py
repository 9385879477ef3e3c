"""What a run would cost, before it spends anything (`--dry-run`, `--max-cost`).

The engine plans its own calls (see briefgen.engines.plan); this adds triage's and the Chinese
brief's, and renders the table. Cached analyses cost nothing. With --batch only the per-paper
analyses go in the Message Batch, at half price; triage, synthesis and translation are direct
calls at full price.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from briefgen.analyze.papers import analysis_key
from briefgen.analyze.triage import OUTPUT_TOKENS_PER_PAPER, TriagePlan
from briefgen.core.models import PaperText, ScoredPaper
from briefgen.core.settings import Settings
from briefgen.engines.asker import Asker
from briefgen.engines.base import Engine
from briefgen.engines.plan import PlannedCalls
from briefgen.infra.prompts import load_template
from briefgen.infra.store import Store
from briefgen.read.abstract import estimate_tokens
from briefgen.translate.translator import PROMPT, TOKENS_PER_CHARACTER, TOKENS_PER_KEY

# The English a brief sends to translation: its synthesised prose, and per paper the glance
# table's domain and contribution (with about two dozen keys of prose besides).
BRIEF_PROSE_CHARACTERS = 6000
GLANCE_CHARACTERS_PER_PAPER = 260
BRIEF_PROSE_KEYS = 60


@dataclass
class PaperEstimate:
    paper: ScoredPaper
    cached: bool
    read_from: str
    input_tokens: int


@dataclass
class Estimate:
    papers: list[PaperEstimate] = field(default_factory=list)
    lines: list[PlannedCalls] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # shown under the papers

    def total(self, batch: bool = False) -> float:
        return sum(line.cost(batch) or 0.0 for line in self.lines)

    @property
    def unpriced(self) -> list[str]:
        return sorted({line.model for line in self.lines if line.price is None})


def estimate_run(
    papers: list[ScoredPaper],
    texts: dict[str, PaperText],
    engine: Engine,
    store: Store,
    settings: Settings,
    *,
    use_cache: bool = True,
    synthesis: bool = True,
) -> Estimate:
    """The engine's plan for the papers not analysed before, and the Chinese brief's."""
    estimate = Estimate()
    for paper in papers:
        text = texts[paper.paper.id]
        cached = use_cache and store.get_analysis(analysis_key(paper, engine)) is not None
        tokens = engine.request_tokens(paper, text)
        estimate.papers.append(PaperEstimate(paper, cached, text.read_from, tokens))
        problem = engine.context_problem(paper, text)
        if problem is not None and not cached:
            estimate.notes.append(f"warning: {problem}")
    to_buy = [p.input_tokens for p in estimate.papers if not p.cached]
    estimate.lines = engine.plan(to_buy, len(papers) if synthesis else None)
    asker = engine.asker("translation") if settings.lang in ("zh", "both") else None
    if asker is not None:
        estimate.lines.append(translation_line(len(papers), asker, settings))
    return estimate


def translation_line(papers: int, asker: Asker, settings: Settings) -> PlannedCalls:
    """The Chinese brief: its English in chunks sized by the Chinese they come back as."""
    characters = BRIEF_PROSE_CHARACTERS + GLANCE_CHARACTERS_PER_PAPER * papers
    keys = BRIEF_PROSE_KEYS + 2 * papers
    output = round(characters * TOKENS_PER_CHARACTER) + keys * TOKENS_PER_KEY
    chunk = max(100, settings.translation.chunk_tokens)
    calls = max(1, math.ceil(output / chunk))
    prompt = estimate_tokens(load_template(f"{PROMPT}.system", settings.model.prompts_dir)) + (
        estimate_tokens(load_template(PROMPT, settings.model.prompts_dir))
    )
    return PlannedCalls("translation", asker.model, calls, calls * prompt + characters // 4
                        + keys * 8, output, asker.price, batchable=False)  # fmt: skip


def triage_line(plan: TriagePlan) -> PlannedCalls:
    """--triage: the batches of candidates not scored before, from their exact requests; the
    reply is about OUTPUT_TOKENS_PER_PAPER a paper. Its system prompt is too short to cache,
    and it is sent directly even with --batch (it decides what the batch holds)."""
    triage = plan.triage
    return PlannedCalls("triage", triage.model, len(plan.batches),
                        sum(estimate_tokens(text) for text in plan.requests),
                        OUTPUT_TOKENS_PER_PAPER * plan.papers, triage.price,
                        batchable=False)  # fmt: skip


def render_estimate(estimate: Estimate, engine: Engine, day: str, *, batch: bool = False) -> str:
    """The dry run's table; with `batch` (the run has --batch) its total is the batch's."""
    lines = [f"Dry run for {day}: nothing was sent to a model.", ""]
    lines.append(f"{'#':>3}  {'paper':<14} {'read from':<9} {'input tokens':>12}  status")
    for number, item in enumerate(estimate.papers, start=1):
        status = "cached: no call" if item.cached else "would be analysed"
        lines.append(
            f"{number:>3}  {item.paper.paper.versioned_id:<14} {item.read_from:<9} "
            f"{item.input_tokens:>12,}  {status}"
        )
    lines.append("")
    if estimate.notes:
        lines += [*estimate.notes, ""]
    if not estimate.lines:
        lines.append(f"engine {engine.name}: no model, no cost.")
        return "\n".join(lines) + "\n"
    for line in estimate.lines:
        cost, in_batch = line.cost(), line.cost(batch=True)
        price = 'price unknown: add [prices."MODEL"] to the config'
        if cost is not None and in_batch is not None:
            price = f"${cost:.4f} " + (
                f"(with --batch ${in_batch:.4f})" if line.batchable else "(not batched)"
            )
        total_in = line.input_tokens + line.cache_write_tokens + line.cache_read_tokens
        lines.append(
            f"{line.purpose:<11} {line.model:<20} {line.calls:>4} calls  "
            f"~{total_in:>9,} in  ~{line.output_tokens:>8,} out  {price}"
        )
        if line.cache_write_tokens or line.cache_read_tokens:
            lines.append(
                f"{'':<11} {'':<20} {'':>4}        of the input, ~{line.cache_write_tokens:,} "
                f"written to the prompt cache (1.25x) and ~{line.cache_read_tokens:,} read "
                "from it (0.1x)"
            )
    calls = f"{'total':<11} {'':<20} {sum(x.calls for x in estimate.lines):>4} calls  "
    full, batched = estimate.total(), estimate.total(batch=True)
    if batch:
        lines.append(f"{calls}estimated ${batched:.4f} with --batch; without it ${full:.4f}")
        lines.append(
            f"{'':<11} {'':<20} {'':>4}        --batch: the analyses go in a Message Batch at "
            "half price; synthesis and translation are direct calls at full price"
        )
    else:
        lines.append(f"{calls}estimated ${full:.4f}; with --batch ${batched:.4f}")
    return "\n".join(lines) + "\n"
