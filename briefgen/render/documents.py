"""A brief as a document to publish: markdown (optionally with YAML front matter for Hugo or
Jekyll), a standalone HTML page, or JSON. HTML comes from the markdown through markdown-it-py
with raw HTML disabled and only http(s) links allowed, so nothing from a paper can become
markup or script."""

from __future__ import annotations

import json
from enum import StrEnum

from briefgen.core.errors import InputError
from briefgen.core.models import Brief
from briefgen.render.html import render_html
from briefgen.render.lint import lint_json
from briefgen.render.markdown import RenderLang, render_brief_json, render_brief_markdown
from briefgen.render.titles import is_daily, title_of


class Format(StrEnum):
    """What a brief is written as."""

    markdown = "markdown"
    html = "html"
    json = "json"
EXTENSIONS = {"markdown": "md", "html": "html", "json": "json"}

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
