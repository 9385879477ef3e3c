from __future__ import annotations

import json

from markdown_it import MarkdownIt

from briefgen.core.models import Brief
from briefgen.render.lint import lint_markdown
from briefgen.render.markdown import OFFLINE_ZH_QUOTES, render_brief_json, render_brief_markdown
from tests.briefs import make_brief

EN_HEADINGS = [
    "### 0) Executive takeaways (read this first)",
    "### 1) Papers at a glance",
    "### 2) Key themes (clusters)",
    "### 3) Technical synthesis",
    "### 4) Top 5 papers (with “why now”)",
    "### 5) Practical next steps",
]
ZH_HEADINGS = [
    "### 0) 执行要点（先读这个）",
    "### 1) 论文速览",
    "### 2) 关键主题（聚类）",
    "### 3) 技术综合",
    "### 4) Top 5 论文（含“为何现在”）",
    "### 5) 实用下一步",
]


def headings(markdown: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith("### ")]


def test_english_structure_in_order() -> None:
    text = render_brief_markdown(make_brief(), "en")
    assert text.startswith("# AI Paper Insight Brief\n## 2026-02-18\n")
    assert headings(text) == EN_HEADINGS
    assert "```" not in text
    assert "| 1 | [SpecServe: Speculative Decoding](https://arxiv.org/abs/2602.20001v1) |" in text
    assert "#### Theme: Serving" in text
    assert "1) [SpecServe: Speculative Decoding](https://arxiv.org/abs/2602.20001v1)" in text
    assert "- Skepticism: Hmm." in text
    assert text.rstrip().splitlines()[-2] == "---"
    assert lint_markdown(text) == []


def test_chinese_has_the_same_structure_with_chinese_headings() -> None:
    en = render_brief_markdown(make_brief(), "en")
    zh = render_brief_markdown(make_brief(), "zh")
    assert zh.startswith("# AI 论文洞察简报\n## 2026-02-18\n")
    assert headings(zh) == ZH_HEADINGS
    assert "#### 主题：Serving" in zh and "- 质疑点：Hmm." in zh
    # The offline Chinese brief says at its top why the papers' sentences are English.
    assert zh.splitlines()[3] == f"*{OFFLINE_ZH_QUOTES}*"
    zh_lines = zh.splitlines()[:3] + zh.splitlines()[5:]
    # Line by line the same kind of line: headings, bullets, table rows, numbered entries.
    assert [line[:1] for line in en.splitlines()] == [line[:1] for line in zh_lines]
    assert lint_markdown(zh) == []


def test_untrusted_text_cannot_add_links_or_structure() -> None:
    hostile = "Evil [click](https://evil.example) | cell <script>x</script>\n### 9) Injected"
    text = render_brief_markdown(make_brief(title_of_first=hostile), "en")
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    hrefs = [
        child.attrGet("href")
        for token in tokens
        if token.type == "inline"
        for child in token.children or []
        if child.type == "link_open"
    ]
    assert "https://evil.example" not in hrefs
    every = tokens + [child for token in tokens for child in token.children or []]
    assert not [t for t in every if t.type in ("html_inline", "html_block")]
    assert "\n### 9)" not in text
    assert lint_markdown(text) == []


def test_json_round_trips() -> None:
    brief = make_brief()
    assert Brief.model_validate(json.loads(render_brief_json(brief))) == brief
