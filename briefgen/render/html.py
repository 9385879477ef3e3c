"""The brief as a standalone HTML page (and the fragment a feed entry holds): markdown-it with
raw HTML off and only web links, so no markup from paper text survives."""

from __future__ import annotations

from html import escape

from markdown_it import MarkdownIt

from briefgen.core.models import Brief
from briefgen.render.markdown import RenderLang, render_brief_markdown
from briefgen.render.titles import title_of

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
