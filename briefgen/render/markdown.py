"""Rendering a structured brief: markdown in the brief's structure (docs/concepts/brief.md),
with English or Chinese headings, and JSON. Both languages render from the one `Brief`, so their
structure cannot drift."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from briefgen.core.models import Brief
from briefgen.render.escape import md_link, md_text
from briefgen.translate.localize import localized

RenderLang = Literal["en", "zh"]


def languages(lang: str) -> list[RenderLang]:
    """The documents a language option asks for: 'both' is English then Chinese."""
    return ["en", "zh"] if lang == "both" else ["zh"] if lang == "zh" else ["en"]


@dataclass(frozen=True)
class Labels:
    title: str
    takeaways: str
    glance: str
    glance_columns: tuple[str, str, str, str, str]
    themes: str
    theme: str
    why_it_matters: str
    representative: str
    common_approach: str
    open_questions: str
    synthesis: str
    top: str
    why_now: str
    skepticism: str
    next_steps: str
    read_from: dict[str, str]
    followed: str


LABELS: dict[RenderLang, Labels] = {
    "en": Labels(
        title="AI Paper Insight Brief",
        takeaways="0) Executive takeaways (read this first)",
        glance="1) Papers at a glance",
        glance_columns=("#", "Paper", "Domain", "One-line contribution", "Read from"),
        followed="★ followed: ",
        themes="2) Key themes (clusters)",
        theme="Theme: ",
        why_it_matters="**Why it matters**: ",
        representative="**Representative papers**:",
        common_approach="**Common approach**:",
        open_questions="**Open questions / failure modes**:",
        synthesis="3) Technical synthesis",
        top="4) Top 5 papers (with “why now”)",
        why_now="**Why now**: ",
        skepticism="Skepticism: ",
        next_steps="5) Practical next steps",
        read_from={"html": "full text (HTML)", "abstract": "abstract"},
    ),
    "zh": Labels(
        title="AI 论文洞察简报",
        takeaways="0) 执行要点（先读这个）",
        glance="1) 论文速览",
        glance_columns=("#", "论文", "领域", "一句话贡献", "阅读来源"),
        followed="★ 关注的作者：",
        themes="2) 关键主题（聚类）",
        theme="主题：",
        why_it_matters="**为何重要**：",
        representative="**代表论文**：",
        common_approach="**共同方法**：",
        open_questions="**开放问题 / 失效模式**：",
        synthesis="3) 技术综合",
        top="4) Top 5 论文（含“为何现在”）",
        why_now="**为何现在**：",
        skepticism="质疑点：",
        next_steps="5) 实用下一步",
        read_from={"html": "全文（HTML）", "abstract": "摘要"},
    ),
}

# The offline engine's note, by what it read; the Chinese brief carries the matching sentence.
OFFLINE_NOTES = {
    "abstract": (
        "Offline brief: sentences are extracted from titles and abstracts; "
        "no language model was used.",
        "离线简报：句子摘自标题与摘要原文，未使用语言模型。",
    ),
    "html": (
        "Offline brief: sentences are extracted from titles, abstracts and full texts; "
        "no language model was used.",
        "离线简报：句子摘自标题、摘要与全文原文，未使用语言模型。",
    ),
}


# Why a Chinese offline brief holds English sentences: said once, at the top.
OFFLINE_ZH_QUOTES = (
    "离线简报：briefgen 自己写的文字都是中文；论文原句保留英文，以「」引用——翻译原句需要语言模型"
    "（--provider anthropic 或 openai）。"
)


def offline_note_zh(note_en: str) -> str:
    for english, chinese in OFFLINE_NOTES.values():
        if note_en == english:
            return chinese
    return OFFLINE_NOTES["abstract"][1]


def footer_text(brief: Brief, lang: RenderLang) -> str:
    p = brief.provenance
    sources = ", ".join(p.sources)
    if lang == "zh":
        text = (
            f"由 {p.paper_count} 篇论文的逐篇分析生成（来源：{sources}；引擎：{p.engine}"
            + (f"；模型：{', '.join(p.models)}" if p.models else "")
            + "".join(f"；{k} 版本 {v}" for k, v in p.prompt_versions.items())
            + f"；兴趣配置：{p.profile}）。"
        )
        if p.input_tokens or p.output_tokens:
            text += (
                f"本次运行：输入 {p.input_tokens:,} tokens，输出 {p.output_tokens:,}；"
                f"费用 ${p.cost_usd:.4f}。"
            )
        if p.engine == "offline":
            text += " " + offline_note_zh(p.note)
        return text
    text = (
        f"Generated from per-paper analyses of {p.paper_count} "
        f"paper{'s' if p.paper_count != 1 else ''} (sources: {sources}; engine: {p.engine}"
        + (f"; models: {', '.join(p.models)}" if p.models else "")
        + "".join(f"; {k} version {v}" for k, v in p.prompt_versions.items())
        + f"; profile: {p.profile})."
    )
    if p.input_tokens or p.output_tokens:
        text += (
            f" This run: {p.input_tokens:,} tokens in, {p.output_tokens:,} out; "
            f"cost ${p.cost_usd:.4f}."
        )
    if p.note:
        text += " " + p.note
    return text


def render_brief_markdown(brief: Brief, lang: RenderLang = "en", *, heading: bool = True) -> str:
    """The brief as markdown; without `heading` it starts at its first section (a page whose
    front matter carries the title)."""
    brief = localized(brief, lang)
    labels = LABELS[lang]
    out: list[str] = [f"# {labels.title}", f"## {brief.date}", ""] if heading else []
    # The offline Chinese brief says at its top why it holds English: under its title, or on
    # a page whose front matter holds the title, first in its first section.
    note = [f"*{OFFLINE_ZH_QUOTES}*", ""] if lang == "zh" and brief.provenance.engine == (
        "offline") else []  # fmt: skip
    out += note if heading else []
    out += [f"### {labels.takeaways}"] + ([] if heading else note[:1])
    for takeaway in brief.takeaways:
        separator = "：" if lang == "zh" else ": "
        out.append(f"- **{md_text(takeaway.headline)}**{separator}{md_text(takeaway.body)}")
    out.append("")

    out += [f"### {labels.glance}", ""]
    out.append("| " + " | ".join(labels.glance_columns) + " |")
    out.append("|---:|---|---|---|---|")
    for number, row in enumerate(brief.papers_at_a_glance, start=1):
        cells = [
            str(number),
            md_link(row.title, row.url)
            + (f" ({labels.followed}{md_text(', '.join(row.followed))})" if row.followed else ""),
            md_text(row.domain),
            md_text(row.contribution),
            labels.read_from[row.read_from],
        ]
        out.append("| " + " | ".join(cells) + " |")
    out.append("")

    out += [f"### {labels.themes}", ""]
    for theme in brief.themes:
        out.append(f"#### {labels.theme}{md_text(theme.title)}")
        out.append(f"- {labels.why_it_matters}{md_text(theme.why_it_matters)}")
        out.append(f"- {labels.representative}")
        for paper_id in theme.paper_ids:
            row = brief.row(paper_id)
            out.append(f"  - {md_link(row.title, row.url)}")
        out.append(f"- {labels.common_approach}")
        out += [f"  - {md_text(item)}" for item in theme.common_approach]
        out.append(f"- {labels.open_questions}")
        out += [f"  - {md_text(item)}" for item in theme.open_questions]
        out.append("")

    out += [f"### {labels.synthesis}"]
    out += [f"- {md_text(item)}" for item in brief.technical_synthesis]
    out.append("")

    out += [f"### {labels.top}", ""]
    for number, top in enumerate(brief.top_papers, start=1):
        row = brief.row(top.paper_id)
        out.append(f"{number}) {md_link(row.title, row.url)}")
        out += [f"- {md_text(bullet)}" for bullet in top.bullets]
        out.append(f"- {labels.why_now}{md_text(top.why_now)}")
        out.append(f"- {labels.skepticism}{md_text(top.skepticism)}")
        out.append("")

    out += [f"### {labels.next_steps}"]
    out += [f"- {md_text(step)}" for step in brief.next_steps]
    out += ["", "---", f"*{md_text(footer_text(brief, lang))}*", ""]
    return "\n".join(out)


def render_brief_json(brief: Brief) -> str:
    return brief.model_dump_json(indent=2) + "\n"
