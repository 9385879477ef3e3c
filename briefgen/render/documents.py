"""A brief as a document to publish: markdown (optionally with YAML front matter for Hugo or
Jekyll), a standalone HTML page, or JSON. HTML comes from the markdown through markdown-it-py
with raw HTML disabled and only http(s) links allowed, so nothing from a paper can become
markup or script."""

from __future__ import annotations

import json
import re
from enum import StrEnum
from html import escape

from markdown_it import MarkdownIt

from briefgen.core.errors import InputError
from briefgen.core.models import Brief
from briefgen.render.lint import lint_json
from briefgen.render.markdown import LABELS, RenderLang, render_brief_json, render_brief_markdown


class Format(StrEnum):
    """What a brief is written as."""

    markdown = "markdown"
    html = "html"
    json = "json"
WEEK_LABEL = re.compile(r"^\d{4}-W\d{2}$")
EXTENSIONS = {"markdown": "md", "html": "html", "json": "json"}

CSS = """
body { font: 16px/1.6 system-ui, -apple-system, "Segoe UI", "PingFang SC", "Noto Sans CJK SC",
       sans-serif; margin: 0; color: #1d1d1f; background: #fff; }
main { max-width: 52rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.8rem; margin-bottom: 0; } h2 { color: #555; font-weight: 500; margin-top: 0; }
h3 { border-bottom: 1px solid #ddd; padding-bottom: .2rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
th, td { border: 1px solid #ddd; padding: .35rem .5rem; vertical-align: top; text-align: left; }
a { color: #0b57d0; } hr { border: 0; border-top: 1px solid #ddd; margin: 2rem 0 1rem; }
@media (prefers-color-scheme: dark) { body { background: #111; color: #eee; }
  th, td, h3, hr { border-color: #333; } a { color: #8ab4f8; } }
""".strip()


def _markdown_to_html(text: str) -> str:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
    # Only web links: no javascript:, data:, file: or relative URLs, whatever the text says.
    md.validateLink = lambda url: url.startswith(("https://", "http://"))  # type: ignore[method-assign]
    return str(md.render(text))


def is_daily(brief: Brief) -> bool:
    return len(brief.date) == 10 and brief.date[4] == "-" and brief.date[7] == "-"


def title_of(brief: Brief, lang: RenderLang) -> str:
    """'AI Paper Insight Brief — 2026-02-17', '… — Week 2026-W08', '… — 2026-02-17 to …'."""
    period = brief.date
    if WEEK_LABEL.match(period):
        period = f"第 {period} 周" if lang == "zh" else f"Week {period}"
    elif lang == "zh":
        period = period.replace(" to ", " 至 ")
    return f"{LABELS[lang].title} — {period}"


def file_name(pattern: str, brief: Brief, lang: RenderLang, fmt: Format) -> str:
    """A file name from a pattern with {date} (the date or period), {lang} and {ext}; a JSON
    brief holds every language, so its name drops the {lang} part."""
    if fmt == "json":
        pattern = pattern.replace(".{lang}", "").replace("{lang}", "")
    period = brief.date.replace(" to ", "_to_").replace(" ", "_")
    return pattern.format(date=period, period=period, lang=lang, ext=EXTENSIONS[fmt])


def front_matter(brief: Brief, lang: RenderLang, tags: list[str]) -> str:
    """YAML front matter; every value is a JSON string, which YAML reads as-is."""
    lines = [
        "---",
        f"title: {json.dumps(title_of(brief, lang), ensure_ascii=False)}",
        f"date: {brief.date}" if is_daily(brief) else f"period: {json.dumps(brief.date)}",
        f"lang: {json.dumps('zh-CN' if lang == 'zh' else 'en')}",
        "tags: [" + ", ".join(json.dumps(tag, ensure_ascii=False) for tag in tags) + "]",
        f"papers: {brief.provenance.paper_count}",
        "---",
        "",
    ]
    return "\n".join(lines)


def default_tags(brief: Brief) -> list[str]:
    kind = "paper-brief" if is_daily(brief) else "weekly-roundup"
    return ["arxiv", kind, brief.provenance.profile]


def render_html_fragment(brief: Brief, lang: RenderLang) -> str:
    """The brief's body as HTML (what a page or a feed entry holds)."""
    return _markdown_to_html(render_brief_markdown(brief, lang))


def render_html(brief: Brief, lang: RenderLang) -> str:
    body = render_html_fragment(brief, lang)
    html_lang = "zh-CN" if lang == "zh" else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{html_lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title_of(brief, lang))}</title>\n<style>\n{CSS}\n</style>\n"
        f"</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n"
    )


def render_document(
    brief: Brief, lang: RenderLang, fmt: Format, *, with_front_matter: bool = False
) -> str:
    if fmt == "json":
        return render_brief_json(brief)
    if fmt == "html":
        return render_html(brief, lang)
    text = render_brief_markdown(brief, lang)
    return front_matter(brief, lang, default_tags(brief)) + text if with_front_matter else text


def load_brief(text: str, name: str) -> Brief:
    """A brief saved with --format json, checked against the brief's rules first."""
    problems = lint_json(text)
    if problems:
        raise InputError(f"{name} is not a valid brief: {'; '.join(problems[:5])}")
    return Brief.model_validate_json(text)
