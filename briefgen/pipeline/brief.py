"""One brief from analysed papers, for a day or a roundup alike: synthesis, Chinese, the spend
in its footer, stored."""

from __future__ import annotations

from briefgen.core.models import AnalysedPaper, Brief, BriefKind, Provenance
from briefgen.engines.offline.chinese import domain_zh, quote_zh
from briefgen.pipeline.context import RunContext
from briefgen.pipeline.runs import RecordedRun
from briefgen.render.markdown import OFFLINE_NOTES
from briefgen.synthesize.brief import build_brief, glance_rows
from briefgen.translate.localize import brief_texts, glance_texts
from briefgen.translate.translator import BriefTranslator, translate_brief


def offline_chinese(brief: Brief, written: dict[str, str]) -> dict[str, str]:
    """The offline brief's Chinese under `brief_texts`' keys: what the engine wrote in both
    languages (`written`, English -> Chinese), domains from a table, the papers' own
    sentences kept in English and quoted 「…」."""
    texts: dict[str, str] = {}
    for i, row in enumerate(brief.papers_at_a_glance):
        texts[f"glance.{i}.domain"] = domain_zh(row.domain)
        texts[f"glance.{i}.contribution"] = quote_zh(row.contribution)
    for key, english in brief_texts(brief).items():
        if english in written:
            texts[key] = written[english]
    return texts


def chinese_translator(ctx: RunContext) -> BriefTranslator | None:
    """A translator when Chinese is asked for and a model can write it (an engine without a
    model writes its own Chinese, see `Engine.written_chinese`)."""
    settings = ctx.settings
    asker = ctx.engine.asker("translation") if settings.lang in ("zh", "both") else None
    if asker is None:
        return None
    return BriefTranslator(
        asker, store=ctx.store, use_cache=ctx.options.use_cache,
        prompts_dir=settings.model.prompts_dir, max_tokens=settings.translation.max_tokens,
        chunk_tokens=settings.translation.chunk_tokens, concurrency=settings.model.concurrency,
    )  # fmt: skip


def _provenance(ctx: RunContext, papers: list[AnalysedPaper], sources: list[str]) -> Provenance:
    engine = ctx.engine
    note = ""
    if not engine.brief_models:  # no model wrote it: the brief says what its text is
        read = "html" if any(a.analysis.read_from == "html" for a in papers) else "abstract"
        note = OFFLINE_NOTES[read][0]
    return Provenance(
        sources=sources, paper_count=len(papers), engine=engine.name,
        models=engine.brief_models, prompt_versions=engine.prompt_versions,
        profile=ctx.settings.profile, note=note,
    )  # fmt: skip


def make_brief(
    ctx: RunContext,
    papers: list[AnalysedPaper],
    *,
    label: str,
    kind: BriefKind,
    sources: list[str],
    run: RecordedRun,
) -> Brief:
    """The brief of `papers` under `label` (a date or a period), with what `run` spent."""
    translator = chinese_translator(ctx)
    # The glance table comes straight from the analyses: its Chinese is written while the
    # synthesis is, so the Chinese brief costs little more than the rest of its texts.
    ahead = translator.start(glance_texts(glance_rows(papers))) if translator else None
    brief = build_brief(
        label, papers, ctx.engine, _provenance(ctx, papers, sources), kind=kind,
        store=ctx.store, use_cache=ctx.options.use_cache,
    )  # fmt: skip
    if translator is not None and ahead is not None:
        brief = translate_brief(brief, translator, ahead())
        brief.provenance.prompt_versions["translation"] = translator.version
        if translator.model not in brief.provenance.models:
            brief.provenance.models.append(translator.model)
    elif ctx.settings.lang in ("zh", "both") and ctx.engine.written_chinese is not None:
        # An engine without a model wrote its own words in Chinese as it wrote them in English.
        brief.translations["zh"] = offline_chinese(brief, ctx.engine.written_chinese)
    run.collect()  # the synthesis and translation calls
    spent = run.spend.usage
    brief.provenance.input_tokens = (
        spent.input_tokens + spent.cache_read_tokens + spent.cache_write_tokens
    )
    brief.provenance.output_tokens = spent.output_tokens
    brief.provenance.cost_usd = round(run.spend.cost_usd, 6)
    # The store files roundups of either kind together: the feed and `render` list them.
    stored_as = "daily" if kind == "daily" else "weekly"
    ctx.store.save_brief(stored_as, brief.date, ctx.settings.profile, brief)
    return brief
