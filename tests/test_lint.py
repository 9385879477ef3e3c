from __future__ import annotations

from pathlib import Path

from briefgen.render.lint import lint_file, lint_json, lint_markdown
from briefgen.render.markdown import render_brief_json, render_brief_markdown
from tests.briefs import make_brief


def good() -> str:
    return render_brief_markdown(make_brief(), "en")


def test_a_rendered_brief_passes() -> None:
    assert lint_markdown(good()) == []


def test_fenced_brief_without_section_1_fails_with_both_reasons() -> None:
    # Two defects of hand-written briefs: wrapped in a fence, and section 1 missing.
    lines = good().splitlines()
    start = lines.index("### 1) Papers at a glance")
    end = lines.index("### 2) Key themes (clusters)")
    text = "```markdown\n" + "\n".join(lines[:start] + lines[end:]) + "\n```\n"
    problems = lint_markdown(text)
    assert problems[0] == (
        "line 1: ```markdown — a brief must be plain markdown, never inside a code fence"
    )
    assert "missing section '### 1) Papers at a glance'" in problems


def test_out_of_order_sections_are_reported() -> None:
    text = good()
    a, b = "### 3) Technical synthesis", "### 5) Practical next steps"
    text = text.replace(a, "@@").replace(b, a).replace("@@", b)
    assert any("out of order" in p for p in lint_markdown(text))


def test_links_must_be_papers_in_the_table() -> None:
    text = good().replace(
        "- **Why it matters**: Because.",
        "- **Why it matters**: See [x](https://example.com/a) and "
        "[y](https://arxiv.org/abs/2601.99999).",
    )
    problems = lint_markdown(text)
    assert any("'https://example.com/a': only arXiv or Hugging Face" in p for p in problems)
    assert any("links to 2601.99999, which is not in the papers at a glance" in p for p in problems)


def test_counts_and_distinct_top_five() -> None:
    brief = make_brief()
    brief.top_papers[4] = brief.top_papers[0]
    brief.takeaways = brief.takeaways[:2]
    problems = lint_markdown(render_brief_markdown(brief, "en"))
    assert any("top papers repeat 2602.20001" in p for p in problems)
    assert "executive takeaways: 2 items, expected 4–7" in problems


def test_theme_without_paper_and_missing_footer() -> None:
    text = good()
    text = text.replace(
        "  - [SpecServe: Speculative Decoding](https://arxiv.org/abs/2602.20001v1)\n", ""
    )
    text = text.replace("  - [Paper 1](https://arxiv.org/abs/2602.20002v1)\n", "")
    text = text[: text.index("\n---\n")] + "\n"
    problems = lint_markdown(text)
    assert any("theme 'Theme: Serving' names no paper" in p for p in problems)
    assert any(p.startswith("missing footer") for p in problems)


def test_json_briefs_are_checked_with_the_same_rules(tmp_path: Path) -> None:
    brief = make_brief()
    assert lint_json(render_brief_json(brief)) == []
    brief.themes[0].paper_ids = ["2609.00000"]
    path = tmp_path / "b.json"
    path.write_text(render_brief_json(brief))
    assert lint_file(path) == ["theme 'Serving': cites 2609.00000, which was not analysed"]
    assert lint_json("{")[0].startswith("line 1: invalid JSON")
