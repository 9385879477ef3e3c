"""A brief as a document to publish: markdown (optionally with YAML front matter for Hugo or
Jekyll), a standalone HTML page, or JSON. HTML comes from the markdown through markdown-it-py
with raw HTML disabled and only http(s) links allowed, so nothing from a paper can become
markup or script."""

from __future__ import annotations

import json
from enum import StrEnum

from briefgen.core.errors import InputError
from briefgen.core.models import Brief
from briefgen.render.lint import lint_json
from briefgen.render.markdown import RenderLang, render_brief_json, render_brief_markdown
from briefgen.render.titles import is_daily, title_of, translation_key


class Format(StrEnum):
    """What a brief is written as."""

    markdown = "markdown"
    html = "html"
    json = "json"
EXTENSIONS = {"markdown": "md", "html": "html", "json": "json"}

def file_name(pattern: str, brief: Brief, lang: RenderLang, fmt: Format) -> str:
    """A file name from a pattern: {date} or {period} (the date, week or range, e.g.
    2026-02-17_to_2026-02-18), {start} and {end} (ISO dates: Jekyll files posts by a
    YYYY-MM-DD- prefix), {lang} and {ext}. A JSON brief holds every language, so its name drops
    the {lang} part."""
    if fmt == "json":
        pattern = pattern.replace(".{lang}", "").replace("{lang}", "")
    period = brief.date.replace(" to ", "_to_").replace(" ", "_")
    start = (brief.start.isoformat() if brief.start else period)
    end = (brief.end.isoformat() if brief.end else period)
    return pattern.format(date=period, period=period, start=start, end=end, lang=lang,
                          ext=EXTENSIONS[fmt])  # fmt: skip


def _yaml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML string as-is


def front_matter(brief: Brief, lang: RenderLang, tags: list[str]) -> str:
    """YAML front matter that blog engines sort and file by: every brief has a date (a
    roundup's last day, so a week in review sorts after the days it reviews), a title of its
    own, its language and a translation key shared by its English and Chinese pages."""
    day = brief.end.isoformat() if brief.end else brief.date
    lines = [
        "---",
        f"title: {_yaml(title_of(brief, lang))}",
        f"date: {day}",
        f"lang: {_yaml('zh-CN' if lang == 'zh' else 'en')}",
        f"translationKey: {_yaml(translation_key(brief))}",
        f"kind: {_yaml(brief.kind)}",
        *([] if is_daily(brief) else [f"period: {_yaml(brief.date)}"]),
        "tags: [" + ", ".join(_yaml(tag) for tag in tags) + "]",
        f"papers: {brief.provenance.paper_count}",
        "---",
        "",
    ]
    return "\n".join(lines)


def default_tags(brief: Brief) -> list[str]:
    kind = {"daily": "paper-brief", "weekly": "weekly-roundup", "range": "roundup"}[brief.kind]
    return ["arxiv", kind, brief.provenance.profile]


def render_document(
    brief: Brief,
    lang: RenderLang,
    fmt: Format,
    *,
    with_front_matter: bool = False,
    body_title: bool = False,
) -> str:
    """A brief as one document. Under front matter the page title comes from the front
    matter, so the body starts at the first section unless `body_title` asks for both."""
    if fmt == "json":
        return render_brief_json(brief)
    if fmt == "html":
        from briefgen.render.html import render_html  # markdown-it, for HTML only

        return render_html(brief, lang)
    if not with_front_matter:
        return render_brief_markdown(brief, lang)
    body = render_brief_markdown(brief, lang, heading=body_title)
    return front_matter(brief, lang, default_tags(brief)) + body


def load_brief(text: str, name: str) -> Brief:
    """A brief saved with --format json, checked against the brief's rules first."""
    problems = lint_json(text)
    if problems:
        raise InputError(f"{name} is not a valid brief: {'; '.join(problems[:5])}")
    return Brief.model_validate_json(text)
