"""The escaping policy (briefgen/render/escape.py) checked with the real renderers a brief is
published through: cmark-gfm (GitHub's GFM, with autolinks, tables and strikethrough),
markdown-it (the brief's own HTML page) and python-liquid (Jekyll's template pass), on single
texts, on random texts, and on whole briefs made from tests/data/hostile-publish.jsonl.
Hugo's own build is tests/test_blog_hugo.py."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import cmarkgfm
import liquid
import pytest
from cmarkgfm.cmark import Options
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from briefgen.cli import app
from briefgen.read.latex import plain_text
from briefgen.render.escape import md_link, md_text

HOSTILE = Path(__file__).parent / "data" / "hostile-publish.jsonl"
GFM_EXTENSIONS = ["autolink", "table", "strikethrough", "tagfilter", "tasklist"]


def gfm(markdown: str) -> str:
    """GitHub's renderer, raw HTML allowed (the worst case: a tag would be live)."""
    return str(
        cmarkgfm.markdown_to_html_with_extensions(
            markdown, options=Options.CMARK_OPT_UNSAFE, extensions=GFM_EXTENSIONS
        )
    )


def markdown_it(markdown: str) -> str:
    """markdown-it as the brief's HTML page uses it, but with raw HTML allowed."""
    return str(
        MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).render(markdown)
    )


RENDERERS = {"gfm": gfm, "markdown-it": markdown_it}


def liquid_render(source: str) -> str:
    """Jekyll's first pass: the whole file as a Liquid template. A name it does not know
    is an error, so a tag or output that slipped through cannot go unnoticed."""
    env = liquid.Environment(undefined=liquid.StrictUndefined)
    return str(env.from_string(source).render())


class Page(HTMLParser):
    """What a reader gets from rendered HTML: the text, the tags and the links."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.tags: list[str] = []
        self.hrefs: list[str] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.hrefs += [value or "" for name, value in attrs if name in ("href", "src")]

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join("".join(self.parts).split())


# Every kind of markup a paper could smuggle in, one per line.
PAYLOADS = [
    '{{< youtube dQw4w9WgXcQ >}} and {{% param "title" %}} and {{% nosuch %}}',
    "{{</* youtube x */>}} and {{< /youtube >}} and {{%/* x */%}}",
    "{{ site.time }} and {% raw %} x {% endraw %} and {% include x.html %}",
    "{{ page.title | upcase }} {%- comment -%}gone{%- endcomment -%} {# note #}",
    "{::comment}hidden{:/comment} and {::nomarkdown}<b>raw</b>{:/nomarkdown} and {: .x}",
    "Title {#anchor} and {.class} and {:.warning} and {: #id .cls}",
    "https://evil.example/a_b?c=1 and http://evil.example and ftp://evil.example/f",
    "www.evil.example/docs and WWW.EVIL.EXAMPLE and (www.evil.example) and *www.evil.example*",
    "[click](https://evil.example) and ![img](https://evil.example/i.png) and [ref][1]",
    "<https://evil.example/auto> and <mailto:x@evil.example> and <!-- comment -->",
    "<script>alert('xss')</script> <iframe src='https://evil.example'></iframe> <img src=x>",
    "&amp;copy; and &copy; and &#123; and &#x7B; and &lt;b&gt; and R&D and a < b > c",
    "*emphasis* and **strong** and _under_ and __double__ and `code` and ``two``",
    "~~strike~~ and ~single~ and ~50% and a | pipe | and a \\ backslash and \\/ and \\.",
    "# heading",
    "### 9) Injected",
    "- a list item",
    "+ another",
    "1. ordered",
    "2) ordered",
    "> a quote",
    "---",
    "===",
    ": definition",
    "Learning C#",
    "Trailing hashes ##",
    "    indented code",
    "```fence``` and ~~~ tilde",
    "[^1] footnote and [ ] task and [x] done",
    "line one\n\nline two\n### heading\n| a | b |\n|---|---|",
    "ends with a backslash \\",
    "two spaces at the end  ",
]
CONTEXTS = {
    "paragraph": "{}",
    "list item": "- {}",
    "heading": "## 📄 {}",
    "table cell": "| # | Text |\n|---:|---|\n| 1 | {} |",
    "bold label": "- **{}**: {}",
}


def expected_text(context: str, text: str) -> str:
    """The page's whole text when `text` is put in `context`."""
    visible = plain_text(text)
    whole = {"heading": f"📄 {visible}", "table cell": f"# Text 1 {visible}",
             "bold label": f"{visible}: {visible}"}.get(context, visible)  # fmt: skip
    return " ".join(whole.split())


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize("context", CONTEXTS)
@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_payload_reads_literally_in_every_context(
    payload: str, context: str, renderer: str
) -> None:
    escaped = md_text(payload)
    assert "\n" not in escaped
    markdown = CONTEXTS[context].format(escaped, escaped)
    page = Page(RENDERERS[renderer](markdown))
    assert page.text == expected_text(context, payload)
    structure = {
        "paragraph": ["p"],
        "list item": ["ul", "li"],
        "heading": ["h2"],
        "table cell": ["table", "thead", "tr", "th", "th", "tbody", "tr", "td", "td"],
        "bold label": ["ul", "li", "strong"],
    }[context]
    # GitHub links an e-mail address (see test_github_still_links_an_email_address...).
    mail = [h for h in page.hrefs if h.startswith("mailto:")] if renderer == "gfm" else []
    assert page.hrefs == mail
    assert [t for t in page.tags if t != "a"] == structure, markdown
    assert page.tags.count("a") == len(mail)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_template_engine_sees_a_tag(payload: str) -> None:
    escaped = md_text(payload)
    # Hugo's shortcodes, Liquid's tags and outputs and kramdown's extensions all need a
    # literal brace; a backslash would not stop them, so there is none at all.
    assert "{" not in escaped and "}" not in escaped
    assert liquid_render(escaped) == escaped


def test_the_reader_sees_the_braces_template_engines_do_not() -> None:
    escaped = md_text('{{% param "title" %}} {% raw %} {{ site.time }} {::comment}x{:/comment}')
    assert escaped == (
        '&#123;&#123;% param "title" %&#125;&#125; &#123;% raw %&#125; '
        "&#123;&#123; site.time &#125;&#125; &#123;::comment&#125;x&#123;:/comment&#125;"
    )
    for render in RENDERERS.values():
        assert Page(render(escaped)).text == (
            '{{% param "title" %}} {% raw %} {{ site.time }} {::comment}x{:/comment}'
        )


def test_bare_urls_and_www_hosts_stay_text_without_a_visible_backslash() -> None:
    text = "Code at https://evil.example/code, www.evil.example/docs and http://x.example."
    escaped = md_text(text)
    assert escaped == (
        "Code at https&#58;//evil.example/code, www&#46;evil.example/docs and http&#58;//x.example."
    )
    for render in RENDERERS.values():
        rendered = render(escaped)
        assert "<a" not in rendered
        assert Page(rendered).text == text  # no '\/' and no '\.' for the reader
    # kramdown reads only its own escapes; it would show the backslash of a '\/'.
    assert "\\/" not in escaped and "\\." not in escaped


def test_a_tag_like_less_than_becomes_an_entity_and_entities_show_as_written() -> None:
    assert md_text("<script>x</script>") == "&lt;script\\>x&lt;/script\\>"
    assert md_text("a < b") == "a \\< b"
    assert md_text("&amp;copy; R&D &#64;") == "&amp;amp;copy; R&D &amp;#64;"
    assert Page(gfm(md_text("&amp;copy; R&D &#64;"))).text == "&amp;copy; R&D &#64;"


def test_github_still_links_an_email_address_and_only_as_mailto() -> None:
    # cmark-gfm finds addresses in decoded text, after every escape: the one autolink the
    # source cannot prevent. It runs nothing; goldmark (Hugo) reads the encoded '@'.
    escaped = md_text("Contact a.b@evil.example or pass@1.")
    assert escaped == "Contact a.b&#64;evil.example or pass@1."
    page = Page(gfm(escaped))
    assert page.hrefs == ["mailto:a.b@evil.example"]
    assert Page(markdown_it(escaped)).hrefs == []


def test_block_markers_are_escaped_only_where_they_start_a_block() -> None:
    assert [md_text(t) for t in ["- x", "# x", "1. x", "2) x", "+ x", "---", ": x"]] == [
        "\\- x", "\\# x", "1\\. x", "2\\) x", "\\+ x", "\\---", "\\: x",
    ]  # fmt: skip
    assert [md_text(t) for t in ["-5%", "2.1x faster", "+1.2 points", "3:1", "C#"]] == [
        "-5%", "2.1x faster", "+1.2 points", "3:1", "C\\#",
    ]  # fmt: skip


def test_md_link_keeps_the_link_and_nothing_else() -> None:
    link = md_link("A [nested](https://evil.example) title {{< x >}}", "https://arxiv.org/abs/1")
    page = Page(gfm(link))
    assert page.hrefs == ["https://arxiv.org/abs/1"]
    assert page.text == "A [nested](https://evil.example) title {{< x >}}"


# Random text drawn mostly from the characters that mean something to some renderer.
SPECIALS = "\\`*_[]<>|#+-=:!.(){}%$~&;@/ \"'^\t\n"
PIECES = ["www.", "http://", "https://", "{{", "{%", "%}", "&amp;", "&#123;", "<a ", "</",
          "<!--", "1. ", "- ", "$\\alpha$", "$5"]  # fmt: skip
TEXT = st.lists(
    st.one_of(st.sampled_from(SPECIALS), st.sampled_from("aw1x"), st.sampled_from(PIECES)),
    max_size=40,
).map("".join)
PROPERTY = settings(
    max_examples=400, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY
@given(TEXT)
def test_any_text_reads_literally_and_makes_no_markup(text: str) -> None:
    escaped = md_text(text)
    assert "\n" not in escaped and "{" not in escaped and "}" not in escaped
    for context in ("list item", "table cell"):
        markdown = CONTEXTS[context].format(escaped)
        for name, render in RENDERERS.items():
            page = Page(render(markdown))
            assert page.text == expected_text(context, text), (name, markdown)
            # GitHub's e-mail autolinks work on decoded text: the only links, all addresses.
            assert all("@" in h and "/" not in h for h in page.hrefs) and (
                name == "gfm" or not page.hrefs
            )
            allowed = {"ul", "li", "table", "thead", "tbody", "tr", "th", "td", "a"}
            assert set(page.tags) <= allowed, (name, markdown)
    assert liquid_render(escaped) == escaped


# LaTeX: what a reader should see for the inline math of real abstracts.
LATEX = [
    ("$3\\sim 6\\times$ faster", "3∼6× faster"),
    ("keeps $99\\%$ of it", "keeps 99% of it"),
    ("$\\mathcal{O}(n \\log n)$ time", "O(n log n) time"),
    ("$\\alpha$-entmax", "α-entmax"),
    ("a rate of $10^{-3}$", "a rate of 10⁻³"),
    ("$\\tilde{\\mathcal{O}}(\\sqrt{T})$", "Õ(√T)"),
    ("$\\text{E}^3\\text{RL}$", "E³RL"),
    ("$\\sum_{i=1}^{n} x_i^2$", "∑ᵢ₌₁ⁿ xᵢ²"),
    ("$\\hatχ \\approx +1.0 \\times 10^{-3}$", "χ̂ ≈ +1.0 × 10⁻³"),
    ("$16{\\times}256{\\times}256$", "16×256×256"),
    ("a 2$\\times$2 design, ($\\sim$1,000 cycles)", "a 2×2 design, (∼1,000 cycles)"),
    ("$\\texttt{pass@1}$", "pass@1"),
    ("$\\mathbb{R}^d$", "ℝᵈ"),
    ("$a \\cdot b$", "a · b"),
    ("$\\pi_{0.5}$", "π_0.5"),
    ("\\(x^2\\) and $$E=mc^2$$", "x² and E=mc²"),
    ("$99%$", "99%"),
    # text-mode markup outside math
    (
        "\\textbf{TivTok} (\\textit{Time-Invariant}), 5\\% and vs.\\ ViT",
        "TivTok (Time-Invariant), 5% and vs. ViT",
    ),
    ("``a \\textbf{U}niversal model''", "“a Universal model”"),
    # a '$' that opens no span is a price, kept as written
    ("costs $5 and $10 per hour", "costs $5 and $10 per hour"),
    ("from $5 to 10$3", "from $5 to 10$3"),
    ("an unpaired $ sign", "an unpaired $ sign"),
    ("\\$3 per call", "$3 per call"),
    # a span that does not convert cleanly keeps its characters, escaped like any text
    ("$\\unknownmacro{x}$ here", "$\\unknownmacro{x}$ here"),
    ("$\\frac{a}{$", "$\\frac{a}{$"),
    ("$\\begin{matrix}a\\end{matrix}$", "$\\begin{matrix}a\\end{matrix}$"),
]


@pytest.mark.parametrize(("source", "reader"), LATEX)
def test_latex_reads_as_unicode(source: str, reader: str) -> None:
    assert plain_text(source) == reader
    for render in RENDERERS.values():
        assert Page(render(md_text(source))).text == reader


def test_latex_that_stays_is_inert_text() -> None:
    escaped = md_text("$\\unknownmacro{x}$ and $\\frac{a}{$ and $5")
    assert "$" not in escaped and "\\" not in escaped and "{" not in escaped
    assert escaped.count("&#36;") == 5 and escaped.count("&#92;") == 2


# ---------------------------------------------------------------------------------------------
# Whole briefs made from the hostile corpus, through the CLI.

# What must reach the reader as written (in titles, so every brief shows them in full).
LITERAL = [
    "{{< youtube dQw4w9WgXcQ >}}",
    '{{% param "title" %}}',
    "{{% nosuch %}}",
    "{{ site.time }}",
    "{% raw %}",
    "{% include x.html %}",
    "{::comment}hidden{:/comment}",
    "{: .x}",
    "https://evil.example/a",
    "www.evil.example",
    "[links](https://evil.example/phish)",
    "![images](https://evil.example/i.png)",
    "<script>alert('xss')</script>",
    "Entities &amp; Escapes: &lt;b&gt; and &copy; in LLM Inference | Pipes #",
    "A 3∼6× Faster LLM Inference Kernel with 99% Accuracy",
]


@pytest.fixture
def briefs(runner: CliRunner, tmp_path: Path) -> dict[str, str]:
    """The daily brief of the hostile corpus in English and Chinese, markdown and HTML."""
    documents = {}
    for fmt in ("markdown", "html"):
        result = runner.invoke(
            app,
            ["daily", "--papers", str(HOSTILE), "--lang", "both", "--format", fmt,
             "--output-dir", str(tmp_path / fmt)],
        )  # fmt: skip
        assert result.exit_code == 0, result.stderr
        for path in sorted((tmp_path / fmt).iterdir()):
            documents[path.name] = path.read_text(encoding="utf-8")
    assert sorted(documents) == [
        "2026-02-18-brief.en.html", "2026-02-18-brief.en.md",
        "2026-02-18-brief.zh.html", "2026-02-18-brief.zh.md",
    ]  # fmt: skip
    return documents


def markdown_briefs(briefs: dict[str, str]) -> dict[str, str]:
    found = {name: text for name, text in briefs.items() if name.endswith(".md")}
    assert len(found) == 2
    return found


def test_the_corpus_is_selected_whole(runner: CliRunner) -> None:
    result = runner.invoke(app, ["daily", "--papers", str(HOSTILE)])
    assert result.exit_code == 0, result.stderr
    assert "8 of 8 papers selected" in result.stderr
    assert len(re.findall(r"^\| \d+ \| \[", result.stdout, re.MULTILINE)) == 8


@pytest.mark.parametrize("renderer", RENDERERS)
def test_hostile_briefs_render_literally_with_only_arxiv_links(
    briefs: dict[str, str], renderer: str
) -> None:
    for name, markdown in markdown_briefs(briefs).items():
        rendered = RENDERERS[renderer](markdown)
        page = Page(rendered)
        assert page.hrefs and all(
            h.startswith("https://arxiv.org/abs/2602.5000") for h in page.hrefs
        )
        assert rendered.count("<a ") == len(page.hrefs)
        assert not {"script", "iframe", "img", "del", "code", "b", "blockquote"} & set(page.tags)
        assert page.tags.count("h1") == 1 and page.tags.count("table") == 1
        for literal in LITERAL:
            assert literal in page.text, (name, literal)
        assert "\\" not in page.text  # no '\/', no '\.', no LaTeX macro
        assert not re.search(r"\$[\d\\]", page.text)  # LaTeX read as Unicode, not '$3\sim'
        assert "O(n log n)" in page.text and "α-entmax" in page.text


def test_hostile_briefs_go_through_liquid_untouched(briefs: dict[str, str]) -> None:
    for name, markdown in markdown_briefs(briefs).items():
        assert "{{" not in markdown and "{%" not in markdown and "{:" not in markdown
        rendered = liquid_render(markdown)  # StrictUndefined: 'site' would be an error
        assert rendered == markdown, name  # nothing evaluated, nothing consumed
        text = Page(gfm(rendered)).text
        assert "{{ site.time }}" in text and "{% raw %}" in text and "{% include x.html %}" in text


def test_hostile_html_pages_link_only_papers(briefs: dict[str, str]) -> None:
    pages = {name: text for name, text in briefs.items() if name.endswith(".html")}
    assert len(pages) == 2
    for name, document in pages.items():
        page = Page(document)
        links = [h for h in page.hrefs if not h.startswith("#")]  # heading permalinks
        assert links and all(h.startswith("https://arxiv.org/abs/2602.5000") for h in links)
        assert not {"script", "iframe", "img", "del", "code", "b"} & set(page.tags)
        for literal in LITERAL:
            assert literal in page.text, (name, literal)
        assert "\\" not in page.text and not re.search(r"\$[\d\\]", page.text)
        assert html.escape("<script>") in document
