"""The brief as a standalone HTML page (and the fragment a feed entry holds): markdown-it with
raw HTML off and only web links, so no markup from paper text survives.

The page is made for a phone as much as a desk: tables scroll inside their own box (the page
itself never gets wider than the screen), long words and URLs wrap, headings carry ids and a
small permalink, and the colours pass WCAG AA in light and in dark mode."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from html import escape

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.anchors import anchors_plugin

from briefgen.core.models import Brief
from briefgen.render.markdown import LABELS, RenderLang, render_brief_markdown
from briefgen.render.titles import title_of

# Colours, by contrast against the page background (WCAG AA: 4.5 for text, 3 for borders):
# light  #1d1d1f text 16.8, #595959 muted 7.0, #0b57d0 links 6.4, #8c8c8c borders 3.4 on #fff;
# dark   #e8e8e8 text 15.3, #b0b0b0 muted 8.6, #8ab4f8 links 8.9, #6e6e6e borders 3.7 on #121212.
CSS = """
:root { color-scheme: light dark; --fg: #1d1d1f; --bg: #fff; --muted: #595959;
        --link: #0b57d0; --border: #8c8c8c; --rule: #8c8c8c; --head: #f2f2f2; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e8e8e8; --bg: #121212; --muted: #b0b0b0; --link: #8ab4f8;
          --border: #6e6e6e; --rule: #6e6e6e; --head: #1e1e1e; } }
body { font: 16px/1.6 system-ui, -apple-system, "Segoe UI", "PingFang SC", "Noto Sans CJK SC",
       sans-serif; margin: 0; color: var(--fg); background: var(--bg);
       -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
main { max-width: 52rem; margin: 2rem auto; padding: 0 1rem; overflow-wrap: anywhere; }
h1 { font-size: 1.8rem; line-height: 1.25; margin-bottom: 0; }
h2 { color: var(--muted); font-size: 1.2rem; font-weight: 500; margin-top: .25rem; }
h3 { border-bottom: 1px solid var(--rule); padding-bottom: .2rem; margin-top: 2rem; }
h2, h3, h4 { scroll-margin-top: 1rem; }
a { color: var(--link); }
a.header-anchor { color: var(--muted); font-weight: 400; text-decoration: none;
                  margin-left: .3em; }
a.header-anchor:hover, a.header-anchor:focus { color: var(--link); text-decoration: underline; }
img, video { max-width: 100%; height: auto; }
pre { overflow-x: auto; overflow-wrap: normal; }
.table-wrap { overflow-x: auto; max-width: 100%; margin: 1rem 0; }
.table-wrap > table { margin: 0; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; overflow-wrap: break-word; }
th, td { border: 1px solid var(--border); padding: .35rem .5rem; vertical-align: top;
         text-align: left; }
th { background: var(--head); }
.col-num, .col-read-from { white-space: nowrap; }
.col-paper { min-width: 12em; }
.col-domain { min-width: 8em; }
.col-contribution { min-width: 16em; }
hr { border: 0; border-top: 1px solid var(--rule); margin: 2rem 0 1rem; }
""".strip()

PERMALINK_LABEL: dict[RenderLang, str] = {"en": "Link to this section", "zh": "本节链接"}

# The glance table's columns, by header text in either language, get a class each: the page
# keeps the number and the "read from" column on one line and gives the others a sensible
# width, so a narrow screen scrolls the table rather than wrapping Chinese one glyph a line.
COLUMN_CLASSES = ("col-num", "col-paper", "col-domain", "col-contribution", "col-read-from")
GLANCE_HEADERS = {labels.glance_columns for labels in LABELS.values()}


def slug(title: str) -> str:
    """A heading's id: its words (any script, so Chinese stays Chinese), lower case, joined by
    hyphens: "0) Executive takeaways (read this first)" -> "0-executive-takeaways-read-this-first",
    "0) 执行要点（先读这个）" -> "0-执行要点-先读这个"."""
    words = re.findall(r"\w+", unicodedata.normalize("NFKC", title).casefold())
    return "-".join(words) or "section"


def _wrap_tables(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """Each table inside a box of its own that scrolls sideways when the table is too wide."""
    token = tokens[idx]
    rendered = self.renderToken(tokens, idx, options, env)
    if token.type == "table_open":
        return '<div class="table-wrap">\n' + rendered
    return rendered + "</div>\n"


def _inline_text(token: Token) -> str:
    return "".join(child.content for child in token.children or [] if child.type == "text")


def _column_classes(state: StateCore) -> None:
    """Tags the cells of the glance table with their column's class."""
    tokens = state.tokens
    for start, token in enumerate(tokens):
        if token.type != "table_open":
            continue
        end = next(i for i in range(start, len(tokens)) if tokens[i].type == "table_close")
        cells = [i for i in range(start, end) if tokens[i].type in ("th_open", "td_open")]
        headers = tuple(_inline_text(tokens[i + 1]) for i in cells if tokens[i].type == "th_open")
        if headers not in GLANCE_HEADERS:
            continue
        column = 0
        for i in range(start, end):
            if tokens[i].type == "tr_open":
                column = 0
            elif tokens[i].type in ("th_open", "td_open"):
                if column < len(COLUMN_CLASSES):
                    tokens[i].attrSet("class", COLUMN_CLASSES[column])
                column += 1


def _permalinks(lang: RenderLang) -> Callable[[StateCore], None]:
    def rule(state: StateCore) -> None:
        """After each heading that has an id, a small link to it (text, never raw HTML)."""
        for index, token in enumerate(state.tokens):
            heading_id = token.attrGet("id") if token.type == "heading_open" else None
            if not heading_id:
                continue
            inline = state.tokens[index + 1]
            link_open = Token("link_open", "a", 1)
            link_open.attrSet("class", "header-anchor")
            link_open.attrSet("href", f"#{heading_id}")
            link_open.attrSet("aria-label", PERMALINK_LABEL[lang])
            inline.children = [
                *(inline.children or []),
                Token("text", "", 0, content=" "),
                link_open,
                Token("text", "", 0, content="#"),
                Token("link_close", "a", -1),
            ]

    return rule


def _markdown_to_html(text: str, lang: RenderLang | None = None) -> str:
    """The markdown as HTML; with a language, as a page's body (heading ids and permalinks)."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
    # Only web links: no javascript:, data:, file: or relative URLs, whatever the text says.
    md.validateLink = lambda url: url.startswith(("https://", "http://"))  # type: ignore[method-assign]
    md.add_render_rule("table_open", _wrap_tables)
    md.add_render_rule("table_close", _wrap_tables)
    md.core.ruler.push("column_classes", _column_classes)
    if lang is not None:
        anchors_plugin(md, min_level=2, max_level=4, slug_func=slug)
        md.core.ruler.push("permalinks", _permalinks(lang))
    return str(md.render(text))


def render_html_fragment(brief: Brief, lang: RenderLang) -> str:
    """The brief's body as HTML (what a feed entry holds: no in-page links)."""
    return _markdown_to_html(render_brief_markdown(brief, lang))


def render_html(brief: Brief, lang: RenderLang) -> str:
    body = _markdown_to_html(render_brief_markdown(brief, lang), lang)
    html_lang = "zh-CN" if lang == "zh" else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{html_lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="color-scheme" content="light dark">\n'
        f"<title>{escape(title_of(brief, lang))}</title>\n<style>\n{CSS}\n</style>\n"
        f"</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n"
    )
