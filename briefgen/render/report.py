"""`briefgen analyze`: the per-paper daily report (docs/concepts/engines.md) — for each paper
its link, where it was read from, domain, one-line contribution, usage guide, innovations and
results. English or Chinese labels; the analyses' own words in between."""

from __future__ import annotations

from dataclasses import dataclass

from briefgen.core.models import NOT_STATED, AnalysedPaper
from briefgen.render.escape import md_text
from briefgen.render.markdown import RenderLang

RULE = "=" * 60


@dataclass(frozen=True)
class ReportLabels:
    title: str
    date: str
    sources: str
    link: str
    read_from: str
    read_from_values: dict[str, str]
    domain: str
    contribution: str
    usage: str
    inputs: str
    how: str
    hardware: str
    open_source: str
    innovations: str
    results: str
    datasets: str
    baselines: str
    limitations: str
    failed: str
    footer: str


REPORT_LABELS: dict[RenderLang, ReportLabels] = {
    "en": ReportLabels(
        title="Daily Papers Report", date="Date", sources="Sources", link="Link",
        read_from="Read from", read_from_values={"html": "HTML", "abstract": "abstract"},
        domain="Domain", contribution="One-line contribution", usage="Usage guide",
        inputs="Inputs", how="How to use it", hardware="Hardware", open_source="Open source",
        innovations="Innovations", results="Results", datasets="Datasets",
        baselines="Baselines", limitations="Limitations",
        failed="Not analysed (failed)", footer="Analysed by",
    ),
    "zh": ReportLabels(
        title="每日论文报告", date="日期", sources="来源", link="链接",
        read_from="阅读来源", read_from_values={"html": "HTML", "abstract": "摘要"},
        domain="应用领域", contribution="一句话核心贡献", usage="使用指南",
        inputs="输入", how="实现方式", hardware="硬件要求", open_source="开源状态",
        innovations="主要创新点", results="实验效果", datasets="核心数据集",
        baselines="对比基线", limitations="局限性",
        failed="未能分析（失败）", footer="分析引擎",
    ),
}  # fmt: skip


def _colon(lang: RenderLang) -> str:
    return "：" if lang == "zh" else ": "


def _items(values: list[str], indent: str = "    ") -> list[str]:
    return [f"{indent}*   {md_text(v)}" for v in values] or [f"{indent}*   {NOT_STATED}"]


def render_report(
    day: str,
    papers: list[AnalysedPaper],
    *,
    lang: RenderLang = "en",
    sources: list[str],
    engine: str,
    failed: dict[str, str] | None = None,
) -> str:
    labels = REPORT_LABELS[lang]
    c = _colon(lang)
    lines = [
        f"# {labels.title}",
        f"**{labels.date}**{c}{day}",
        f"**{labels.sources}**{c}{md_text(', '.join(sources))}",
        "",
    ]
    for item in papers:
        a, paper = item.analysis, item.scored.paper
        guide = a.usage_guide
        lines += [
            RULE,
            "",
            f"## 📄 {md_text(a.title)}",
            "",
            f"- **{labels.link}**{c}{paper.abs_url}",
            f"- **{labels.read_from}**{c}{labels.read_from_values[a.read_from]}",
            "",
            f"1. **{labels.domain}**{c}{md_text(a.domain)}",
            "",
            f"2. **{labels.contribution}**{c}{md_text(a.one_line_contribution)}",
            "",
            f"3. **{labels.usage}**{c.rstrip()}",
            f"    *   **{labels.inputs}**{c}{md_text(guide.inputs)}",
            f"    *   **{labels.how}**{c}{md_text(guide.how_to_use)}",
            f"    *   **{labels.hardware}**{c}{md_text(guide.hardware)}",
            f"    *   **{labels.open_source}**{c}{md_text(guide.open_source)}",
            "",
            f"4. **{labels.innovations}**{c.rstrip()}",
            *_items(a.innovations),
            "",
            f"5. **{labels.results}**{c.rstrip()}",
            *_items(a.experiments.key_results),
        ]
        if a.experiments.datasets:
            lines.append(
                f"    *   **{labels.datasets}**{c}{md_text(', '.join(a.experiments.datasets))}"
            )
        if a.experiments.baselines:
            lines.append(
                f"    *   **{labels.baselines}**{c}{md_text(', '.join(a.experiments.baselines))}"
            )
        if a.limitations:
            lines += ["", f"6. **{labels.limitations}**{c.rstrip()}", *_items(a.limitations)]
        lines.append("")
    if failed:
        lines += [RULE, "", f"## {labels.failed}", ""]
        lines += [f"- {paper_id}: {md_text(why)}" for paper_id, why in failed.items()]
        lines.append("")
    lines += [RULE, "", f"*{labels.footer}{c}{md_text(engine)}*", ""]
    return "\n".join(lines)


def render_reports(
    day: str,
    analysed: dict[RenderLang, list[AnalysedPaper]],
    *,
    sources: list[str],
    engine: str,
    failed: dict[str, str] | None = None,
) -> str:
    """The report in each language asked for (the analyses with that language's texts)."""
    return "\n".join(
        render_report(day, papers, lang=lang, sources=sources, engine=engine, failed=failed)
        for lang, papers in analysed.items()
    )
