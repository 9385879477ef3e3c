"""One escaping policy for untrusted text (paper titles, abstracts, model output) in every
output: what it does, and why, for each renderer the brief is published through.

`md_text` turns such text into one line of inline markdown that every renderer below shows
to the reader as the text itself, and that none of them interprets: no link, emphasis, tag,
heading, template call or extension comes from a paper. First the text's LaTeX becomes
Unicode (`plain_text`); then the markdown is escaped with the only two tools all of them
understand: a backslash before ASCII punctuation that CommonMark and kramdown both accept as
an escape (` * _ [ ] < > | # + - = :), and HTML numeric character references (`&#123;`),
which every markdown renderer decodes into the character itself, while a template engine
that works on the source before the markdown is rendered never sees the character at all.

CommonMark and GFM (GitHub, cmark-gfm) and markdown-it (the brief's own HTML page):
  * emphasis, code, links, images and table cells: `*`, `_`, `` ` ``, `[`, `]`, `|` and `>`
    are backslashed; `~` (GFM strikethrough, even a single one) becomes `&#126;`;
  * raw HTML: a `<` that could open a tag, comment or declaration (`<script`, `</a`, `<!--`)
    becomes `&lt;`, any other `<` is backslashed, so the source holds no tag at all, and even
    with raw HTML allowed nothing is passed through;
  * entities: an `&` that would start a reference (`&amp;`, `&#64;`) becomes `&amp;`, so
    `&amp;copy;` shows as written;
  * autolinks: GFM links bare `http://`, `https://`, `ftp://` URLs and `www.` hosts; the `:`
    of `://` becomes `&#58;` and the `.` after `www` becomes `&#46;`, so the trigger is gone
    from the source and the reader still sees `https://...` (no backslash, unlike the `\\/`
    this replaced, which kramdown shows). GitHub's e-mail autolinks are the one exception:
    cmark-gfm finds `name@host.org` in the decoded text, after every escape is resolved, so
    an address becomes a `mailto:` link there (it runs nothing; the `@` is still encoded
    for goldmark below);
  * block structure: the text is one line (whitespace collapsed), and a leading `#`, `>`,
    `-`, `+`, `=`, `:` or `1.` is backslashed so the text cannot start a heading, quote, list
    or rule inside the list item or heading it is put in; trailing `#`s are backslashed so a
    heading keeps them (CommonMark and kramdown drop a closing `#` sequence);
  * math: GitHub renders `$...$` as math, so a `$` becomes `&#36;`.

Hugo (goldmark; shortcodes, `markup.goldmark.renderer.unsafe = true` often set):
  * shortcodes `{{< name >}}` and `{{% name %}}` are expanded on the source before goldmark
    runs, and a backslash does not stop them; every `{` and `}` becomes `&#123;`/`&#125;`,
    so the source holds no `{{` and goldmark shows the braces as written;
  * heading attributes (`## Title {#id .class}`, on by default) need a `{`: same;
  * linkify (on by default) works on the source: the `://`, `www.` and e-mail `@`
    (`&#64;`) references above keep every URL and address text;
  * raw HTML with `unsafe = true`: there is none, see `&lt;` above;
  * the typographer (on by default) still curls quotes and turns `--`/`...` into dashes and
    ellipses: a change of glyphs, not of meaning, left alone so the source stays readable.

Jekyll (Liquid, then kramdown):
  * Liquid renders the whole source first: `{{ ... }}` and `{% ... %}` (also `{% raw %}`)
    need a literal `{`, and there is none (`&#123;`); Liquid passes `&#123;` through and
    kramdown decodes it;
  * kramdown extensions and attribute lists `{::comment}`, `{::nomarkdown}`, `{: .class}`,
    `{#id}`: no literal `{` either;
  * kramdown accepts backslash escapes only for \\ . * _ + ` < > ( ) [ ] { } # ! : | " ' $
    = -, so nothing else is backslashed (a `\\/` or `\\~` would show its backslash); a
    backslash itself becomes `&#92;` (kramdown reads `\\\\` at the end of a line as a line
    break), `$$` math needs a `$` (`&#36;`), and kramdown autolinks no bare URLs;
  * GitHub Pages plugins that work on the rendered HTML (jemoji `:smile:`, jekyll-mentions
    `@name`) are outside what markdown can express and are not covered.

LaTeX: titles and abstracts carry inline math (`$3\\sim 6\\times$`, `$\\alpha$-entmax`) and
a few text-mode macros (`\\textbf{...}`, `5\\%`). `plain_text` turns `$...$`, `$$...$$` and
`\\(...\\)` spans into Unicode with pylatexenc (`3∼6×`, `α-entmax`, `10⁻³`), keeps a span that
does not convert cleanly as its original characters, and leaves a `$` that opens no span
(a price, an unpaired sign) alone; the result is then escaped like any other text.
"""

from __future__ import annotations

import re

from briefgen.read.latex import plain_text

# ---------------------------------------------------------------------------------------------
# Markdown escaping


def md_text(text: str) -> str:
    """Paper-derived text as inert inline markdown: one line, its LaTeX as Unicode, shown
    literally and interpreted by none of the renderers in the module docstring, safe inside
    a table cell."""
    return _escape(plain_text(text))


def md_link(title: str, url: str) -> str:
    return f"[{md_text(title)}]({url})"


# An '&' that a renderer would read as the start of a character reference.
_ENTITY_START = re.compile(r"&(?=#[0-9]{1,8};|#[xX][0-9A-Fa-f]{1,8};|[A-Za-z][A-Za-z0-9]{1,31};)")
# A '<' that could open a tag, a comment, a declaration or an autolink.
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_CHARACTERS = str.maketrans(
    {
        # Backslash escapes that CommonMark, GFM, goldmark, markdown-it and kramdown all accept.
        "`": "\\`",
        "*": "\\*",
        "_": "\\_",
        "[": "\\[",
        "]": "\\]",
        "<": "\\<",
        ">": "\\>",
        "|": "\\|",
        # Numeric references: the characters a template engine or kramdown would see in the
        # source, or that kramdown cannot backslash.
        "\\": "&#92;",
        "{": "&#123;",
        "}": "&#125;",
        "$": "&#36;",
        "~": "&#126;",
    }
)
# What autolinking renderers (GFM, goldmark) start a link at.
_URL_COLON = re.compile(r":(?=//)")
_WWW_DOT = re.compile(r"(www)\.", re.IGNORECASE)
_EMAIL_AT = re.compile(r"(?<=[A-Za-z0-9._+-])@(?=[A-Za-z0-9-]+\.[A-Za-z0-9])")
# What starts a block (heading, list item, rule, setext underline, kramdown definition) when
# it opens the line or the list item the text is put in; '>' and '*' are always backslashed.
_BLOCK_START = re.compile(r"^(?:#|[-+](?=[ -]|$)|:(?= |$)|=+$|\d{1,9}(?=[.)](?: |$)))")
_TRAILING_HASHES = re.compile(r"#+$")


def _escape(text: str) -> str:
    text = _ENTITY_START.sub("&amp;", text)
    text = _TAG_START.sub("&lt;", text)
    text = text.translate(_CHARACTERS)
    text = _URL_COLON.sub("&#58;", text)
    text = _WWW_DOT.sub(r"\1&#46;", text)
    text = _EMAIL_AT.sub("&#64;", text)
    text = _TRAILING_HASHES.sub(lambda m: "\\#" * len(m.group(0)), text)
    return _BLOCK_START.sub(_escape_block_start, text)


def _escape_block_start(match: re.Match[str]) -> str:
    marker = match.group(0)
    return marker + "\\" if marker[0].isdigit() else "\\" + marker


# ---------------------------------------------------------------------------------------------
# LaTeX as Unicode
