"""What every notification shares.

A brief goes out as a `Document`: its markdown and HTML page in one language, its title and
where it is published. Chat services do not speak CommonMark, so the markdown is read (by
markdown-it, the parser the HTML page is made with) into `Block`s of `Span`s — plain text,
bold text, links — which each service writes in its own markup, escaped its own way. Blocks
are then packed into messages within the service's limits, in order; a block too long for one
message is cut between words (or between characters, in a language written without spaces),
never inside a link and never inside a character.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from html import escape
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from briefgen.core.errors import BriefgenError
from briefgen.core.models import Brief, period_of_label
from briefgen.core.settings import Settings
from briefgen.infra.net import (
    RETRY_STATUSES,
    RetryableStatus,
    RetryPolicy,
    is_transient_http,
    retry_after_seconds,
)
from briefgen.infra.secrets import redact_known
from briefgen.render.documents import Format, file_name
from briefgen.render.markdown import RenderLang, render_brief_markdown
from briefgen.render.titles import title_of

if TYPE_CHECKING:
    import httpx
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

T = TypeVar("T")

FULL_BRIEF: dict[RenderLang, str] = {"en": "Read the full brief", "zh": "阅读完整简报"}


class DeliveryError(BriefgenError):
    """A message a service would not take. The message names the service and the reason,
    never the webhook URL or a token."""

    exit_code = 4


# The document --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    """A brief in one language, as it is sent."""

    kind: str  # daily, weekly or range
    label: str  # 2026-02-18, 2026-W08, '2026-02-17 to 2026-02-18'
    lang: RenderLang
    title: str  # 'AI Paper Insight Brief — 2026-02-18'
    markdown: str  # the brief, without front matter
    html: str  # a standalone page made from the same markdown
    link: str | None = None  # where the brief is published (feed_base_url), if known
    summary: bool = False

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.markdown.encode("utf-8")).hexdigest()

    def summarised(self) -> Document:
        """The takeaways and top 5 (with a link to the whole brief, when it has one)."""
        text = summary_markdown(self.markdown, self.lang, self.link)
        return replace(self, markdown=text, html=page(text, self.lang, self.title), summary=True)


def page(markdown: str, lang: RenderLang, title: str) -> str:
    """Markdown as a standalone page, made as render/html.py makes the brief's own page."""
    from briefgen.render.html import CSS, _markdown_to_html  # markdown-it: when sending

    body = _markdown_to_html(markdown, lang)
    html_lang = "zh-CN" if lang == "zh" else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{html_lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>\n{CSS}\n</style>\n"
        f"</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n"
    )


def published_link(settings: Settings, kind: str, name_of: Callable[[str], str]) -> str | None:
    if not settings.output.feed_base_url:
        return None
    from briefgen.render.feed import published_url  # lxml: the feed's module

    pattern = settings.output.daily_filename if kind == "daily" else settings.output.weekly_filename
    return published_url(settings.output.feed_base_url, name_of(pattern))


def document_of_brief(brief: Brief, lang: RenderLang, settings: Settings) -> Document:
    """The brief rendered as `briefgen daily` writes it (markdown, and the HTML page)."""
    from briefgen.render.html import render_html  # markdown-it: when sending

    link = published_link(settings, brief.kind,
                          lambda pattern: file_name(pattern, brief, lang, Format.html))  # fmt: skip
    return Document(
        kind=brief.kind, label=brief.date, lang=lang, title=title_of(brief, lang),
        markdown=render_brief_markdown(brief, lang), html=render_html(brief, lang), link=link,
    )  # fmt: skip


FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)


def document_of_markdown(text: str, lang: RenderLang, settings: Settings) -> Document:
    """A markdown brief file as briefgen wrote it (front matter dropped): sent as written."""
    matter = FRONT_MATTER.match(text)
    fields = _front_matter(matter.group(0)) if matter else {}
    body = text[matter.end() :] if matter else text
    headings = [b for b in parse_blocks(body) if b.kind == "heading" and b.level <= 2]
    title = fields.get("title", "")
    label = fields.get("period") or fields.get("date", "")
    if headings and headings[0].level == 1 and not title:
        title = headings[0].plain
        if len(headings) > 1 and headings[1].level == 2:
            label = label or headings[1].plain
            title = f"{title} — {headings[1].plain}"
    # A title and a label are one line (a mail's Subject, a chat message's header), whatever
    # the file's front matter says: a "\n" in them is a space.
    title, label = " ".join(title.split()), " ".join(label.split())
    kind, start, end = period_of_label(label)
    period = label.replace(" to ", "_to_").replace(" ", "_")

    def name_of(pattern: str) -> str:
        return pattern.format(date=period, period=period, lang=lang, ext="html",
                              start=start.isoformat() if start else period,
                              end=end.isoformat() if end else period)  # fmt: skip

    return Document(kind=kind, label=label, lang=lang, title=title or label, markdown=body,
                    html=page(body, lang, title or label),
                    link=published_link(settings, kind, name_of) if label else None)  # fmt: skip


def _front_matter(text: str) -> dict[str, str]:
    fields = {}
    for line in text.splitlines()[1:-1]:
        key, _, value = line.partition(": ")
        try:
            loaded = json.loads(value)
        except ValueError:
            loaded = value
        fields[key] = str(loaded)
    return fields


# The markdown as blocks ----------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    text: str
    href: str = ""
    bold: bool = False


# What a chat service turns into a link on its own: a scheme's URL, www.…, a bare domain
# (Slack, Telegram and Feishu link 'evil.com'), an e-mail address's domain. Looked for word by
# word, with no pattern that can backtrack, so a long hostile word costs linear time.
_WORD = re.compile(r"\S+")
_DOMAIN_DOT = re.compile(r"(?i)[a-z0-9]\.[a-z]{2}")
ZWSP = "\u200b"  # zero-width space: invisible, and no URL or domain runs across it


def _defused(match: re.Match[str]) -> str:
    word = match.group(0)
    if "://" not in word and "." not in word:
        return word
    if "://" in word or word[:4].lower() == "www." or _DOMAIN_DOT.search(word):
        return word.replace("://", ":" + ZWSP + "//").replace(".", ZWSP + ".")
    return word


def unlinked(text: str) -> str:
    """Text from a paper or a model with every URL and domain in it left as text: a zero-width
    space after its scheme's ':' and before each dot of a word that holds one, so no chat
    service links it or fetches a preview of it. Only the brief's own links (a span's href)
    are links."""
    return _WORD.sub(_defused, text)


@dataclass(frozen=True)
class Block:
    """A heading, a paragraph, a list item (or a glance-table row, as an item) or a rule."""

    kind: Literal["heading", "text", "item", "rule"]
    spans: tuple[Span, ...] = ()
    level: int = 0  # a heading's level
    depth: int = 0  # list nesting: 0 at the top
    number: int | None = None  # an ordered item's number

    @property
    def plain(self) -> str:
        return "".join(span.text for span in self.spans)


def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt  # loaded when a message is made, not for `--help`

    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    md.validateLink = lambda url: url.startswith(("https://", "http://"))  # type: ignore[method-assign]
    return md


def _spans(inline: Token | None) -> list[Span]:
    spans: list[Span] = []
    bold = 0
    href = ""
    for child in inline.children or [] if inline is not None else []:
        if child.type == "strong_open":
            bold += 1
        elif child.type == "strong_close":
            bold -= 1
        elif child.type == "link_open":
            href = str(child.attrGet("href") or "")
        elif child.type == "link_close":
            href = ""
        elif child.type in ("softbreak", "hardbreak"):
            spans.append(Span(" ", href, bold > 0))
        elif child.type in ("text", "code_inline", "html_inline"):
            spans.append(Span(child.content, href, bold > 0))
        elif child.type == "image":
            spans.append(Span(child.content or "", href, bold > 0))
    return _merge(spans)


def _merge(spans: Sequence[Span]) -> list[Span]:
    """Neighbouring spans of the same kind as one (a link's text is one span)."""
    merged: list[Span] = []
    for span in spans:
        if not span.text:
            continue
        if merged and (merged[-1].href, merged[-1].bold) == (span.href, span.bold):
            merged[-1] = Span(merged[-1].text + span.text, span.href, span.bold)
        else:
            merged.append(span)
    return merged


def parse_blocks(markdown: str) -> list[Block]:
    """The markdown's blocks in order. A table row becomes an item ('3. Title — Domain — …')."""
    tokens = _parser().parse(markdown)
    reader = _BlockReader()
    for index, token in enumerate(tokens):
        handle = _BLOCK_HANDLERS.get(token.type)
        if handle is not None:
            handle(reader, token, tokens[index + 1] if index + 1 < len(tokens) else None)
    return reader.blocks


@dataclass
class _BlockReader:
    """Where a walk over markdown-it's tokens is: the blocks so far, the lists and items open,
    and the table row being read. Each handler reads one kind of token (its inline text is the
    token that follows it)."""

    blocks: list[Block] = field(default_factory=list)
    lists: list[list[int]] = field(default_factory=list)  # per open list: [is ordered, next number]
    item_started: list[bool] = field(default_factory=list)  # per open item: has it a block yet
    row: list[list[Span]] | None = None
    header: bool = False

    def heading(self, token: Token, following: Token | None) -> None:
        self.blocks.append(Block("heading", tuple(_spans(following)), level=int(token.tag[1])))

    def open_list(self, token: Token, _following: Token | None) -> None:
        ordered = token.type == "ordered_list_open"
        start = int(token.attrGet("start") or 1) if ordered else 0
        self.lists.append([1 if ordered else 0, start])

    def close_list(self, _token: Token, _following: Token | None) -> None:
        self.lists.pop()

    def open_item(self, _token: Token, _following: Token | None) -> None:
        self.item_started.append(False)

    def close_item(self, _token: Token, _following: Token | None) -> None:
        if self.item_started and not self.item_started[-1] and self.lists:  # an empty item
            self.blocks.append(_item([], self.lists))
        self.item_started.pop()

    def paragraph(self, token: Token, following: Token | None) -> None:
        """An item's first paragraph opens the item and a later one is text under it; outside
        items a paragraph is a text block unless markdown-it hides it."""
        if not self.item_started:
            if not token.hidden:
                self.blocks.append(Block("text", tuple(_spans(following))))
            return
        spans = _spans(following)
        if self.item_started[-1]:
            self.blocks.append(Block("text", tuple(spans), depth=len(self.lists)))
            return
        self.item_started[-1] = True
        self.blocks.append(_item(spans, self.lists))

    def rule(self, _token: Token, _following: Token | None) -> None:
        self.blocks.append(Block("rule"))

    def table_head(self, token: Token, _following: Token | None) -> None:
        self.header = token.type == "thead_open"

    def open_row(self, _token: Token, _following: Token | None) -> None:
        self.row = []

    def cell(self, _token: Token, following: Token | None) -> None:
        if self.row is not None:
            self.row.append(_spans(following))

    def close_row(self, _token: Token, _following: Token | None) -> None:
        if self.row is not None and not self.header:
            self.blocks.append(_row(self.row))
        self.row = None


_BLOCK_HANDLERS: dict[str, Callable[[_BlockReader, Token, Token | None], None]] = {
    "heading_open": _BlockReader.heading,
    "bullet_list_open": _BlockReader.open_list,
    "ordered_list_open": _BlockReader.open_list,
    "bullet_list_close": _BlockReader.close_list,
    "ordered_list_close": _BlockReader.close_list,
    "list_item_open": _BlockReader.open_item,
    "list_item_close": _BlockReader.close_item,
    "paragraph_open": _BlockReader.paragraph,
    "hr": _BlockReader.rule,
    "thead_open": _BlockReader.table_head,
    "thead_close": _BlockReader.table_head,
    "tr_open": _BlockReader.open_row,
    "th_open": _BlockReader.cell,
    "td_open": _BlockReader.cell,
    "tr_close": _BlockReader.close_row,
}


def _item(spans: list[Span], lists: list[list[int]]) -> Block:
    ordered, number = lists[-1]
    if ordered:
        lists[-1][1] += 1
    return Block("item", tuple(spans), depth=len(lists) - 1,
                 number=number if ordered else None)  # fmt: skip


def _row(cells: list[list[Span]]) -> Block:
    number = None
    first = "".join(s.text for s in cells[0]) if cells else ""
    if first.strip().isdigit():
        number, cells = int(first), cells[1:]
    spans: list[Span] = []
    for cell in cells:
        if not cell:
            continue
        if spans:
            spans.append(Span(" — "))
        spans += cell
    return Block("item", tuple(_merge(spans)), number=number)


def body_blocks(markdown: str) -> list[Block]:
    """The blocks under the title and date headings (each message shows the title)."""
    blocks = parse_blocks(markdown)
    while blocks and blocks[0].kind == "heading" and blocks[0].level <= 2:
        blocks = blocks[1:]
    return blocks


# The summary -------------------------------------------------------------------------------

SECTION_NUMBER = re.compile(r"^\s*(\d+)\)")


def summary_markdown(markdown: str, lang: RenderLang, link: str | None) -> str:
    """The title, the takeaways section and the top-5 titles of a markdown brief, as written,
    and a link to the whole brief: the lines are cut from the brief, never re-made."""
    lines = markdown.splitlines()
    tokens = _parser().parse(markdown)
    keep: list[tuple[int, int]] = []
    section: int | None = None
    for index, token in enumerate(tokens):
        if token.level != 0 or token.map is None or token.nesting < 0:
            continue
        span = (token.map[0], token.map[1])
        if token.type == "heading_open":
            if token.tag in ("h1", "h2"):
                section = None
                keep.append(span)
                continue
            number = SECTION_NUMBER.match(tokens[index + 1].content)
            section = int(number.group(1)) if number else None
            if section in (0, 4):
                keep.append(span)
        elif section == 0 or (section == 4 and token.type == "ordered_list_open"):
            keep.append(span)
    out: list[str] = []
    for start, end in keep:
        block = lines[start:end]
        if out and block and block[0].startswith("#") and out[-1] != "":
            out.append("")
        out += block
    if link:
        out += ["", f"[{FULL_BRIEF[lang]}](<{link}>)"]
    return "\n".join(out).strip("\n") + "\n"


# Packing ------------------------------------------------------------------------------------


def utf16_len(text: str) -> int:
    """Length as JavaScript and the Telegram Bot API count it (an emoji outside the BMP is 2)."""
    return len(text.encode("utf-16-le")) // 2


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def pack(
    items: Sequence[T],
    size: Callable[[T], int],
    limit: int,
    *,
    joiner: int = 0,
    max_items: int | None = None,
) -> list[list[T]]:
    """Items, in order, in as few groups as fit: each group's sizes plus a joiner between
    items stay within `limit`, and a group holds at most `max_items`."""
    groups: list[list[T]] = []
    current: list[T] = []
    used = 0
    for item in items:
        n = size(item)
        if n > limit:
            raise ValueError(f"an item of size {n} cannot fit in {limit}")
        extra = n + (joiner if current else 0)
        full = max_items is not None and len(current) >= max_items
        if current and (used + extra > limit or full):
            groups.append(current)
            current, used, extra = [], 0, n
        current.append(item)
        used += extra
    if current:
        groups.append(current)
    return groups


def _pieces(spans: Sequence[Span]) -> list[Span]:
    """Spans cut between words; a link stays whole."""
    pieces: list[Span] = []
    for span in spans:
        if span.href:
            pieces.append(span)
            continue
        pieces += [Span(word, "", span.bold) for word in re.findall(r"\s*\S+\s*|\s+", span.text)]
    return pieces


def _cut(piece: Span, fits: Callable[[Span], bool]) -> list[Span]:
    """A piece too long for one message, cut between characters (a link gives up its target:
    it could not be sent whole)."""
    text, out = piece.text, []
    while text:
        low, high = 1, len(text)
        while low < high:  # the longest prefix that fits
            middle = (low + high + 1) // 2
            if fits(Span(text[:middle], "", piece.bold)):
                low = middle
            else:
                high = middle - 1
        out.append(Span(text[:low], "", piece.bold))
        text = text[low:]
    return out


def split_block(block: Block, fits: Callable[[Block], bool]) -> list[Block]:
    """A block too long for one message as several that fit: the first keeps its bullet or
    number, the rest continue it as text at the same depth."""
    parts: list[Block] = []
    current: list[Span] = []

    def shaped(spans: Sequence[Span]) -> Block:
        if not parts:
            return replace(block, spans=tuple(_merge(spans)))
        return Block("text", tuple(_merge(spans)), depth=block.depth + (block.kind == "item"))

    for piece in _pieces(block.spans):
        if fits(shaped([*current, piece])):
            current.append(piece)
            continue
        if current:
            parts.append(shaped(current))
            current = []
        if fits(shaped([piece])):
            current = [piece]
            continue
        for cut in _cut(piece, lambda span: fits(shaped([span]))):
            parts.append(shaped([cut]))
    if current:
        parts.append(shaped(current))
    return parts


def chunk_blocks(
    blocks: Sequence[Block],
    render: Callable[[Block], str],
    size: Callable[[str], int],
    limit: int,
    joiner: str = "\n",
) -> list[list[str]]:
    """The blocks rendered, in groups whose joined size stays within `limit`."""
    rendered: list[str] = []
    for block in blocks:
        text = render(block)
        if not text:
            continue
        if size(text) <= limit:
            rendered.append(text)
            continue
        parts = split_block(block, lambda part: size(render(part)) <= limit)
        rendered += [t for t in (render(part) for part in parts) if t]
    return pack(rendered, size, limit, joiner=size(joiner))


def numbered(title: str, index: int, total: int) -> str:
    return title if total == 1 else f"{title} ({index}/{total})"


# Posting -----------------------------------------------------------------------------------


@dataclass
class Poster:
    """Posts JSON to one target with the run's retry policy; every message it raises is
    cleaned of the target's secrets."""

    client: httpx.Client
    policy: RetryPolicy
    service: str  # "Slack target 'team'"
    secrets: list[str]
    # Parts of this document the target already has (a resend after a failure midway sends
    # only the rest), and who to tell when one more arrives.
    sent: set[str] = field(default_factory=set)
    on_sent: Callable[[str], None] | None = None

    def clean(self, text: str) -> str:
        return redact_known(text, self.secrets)

    def post(
        self,
        url: str,
        payload: dict[str, Any],
        *,
        accept: Callable[[httpx.Response], None] | None = None,
    ) -> httpx.Response | None:
        """The service's answer; None when the target already had this message."""
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        part = part_key(payload)
        if part in self.sent:
            return None

        def call() -> httpx.Response:
            response = self.client.post(
                url, content=body, headers={"Content-Type": "application/json; charset=utf-8"}
            )
            if response.status_code in RETRY_STATUSES:
                raise RetryableStatus(self.service, response.status_code, _retry_after(response))
            if response.status_code >= 400:
                raise DeliveryError(
                    f"{self.service} refused the message: HTTP {response.status_code}"
                    f"{_said(response)}"
                )
            if accept is not None:
                accept(response)
            return response

        try:
            response = self.policy.run(self.service, call, is_transient_http)
        except BriefgenError as exc:
            raise DeliveryError(self.clean(str(exc))) from None
        self.sent.add(part)
        if self.on_sent is not None:
            self.on_sent(part)
        return response


# What changes between two sends of one message: Feishu's signature and its time.
_UNSIGNED = ("timestamp", "sign")


def part_key(payload: dict[str, Any]) -> str:
    """One message of a document, by its content (the signature left out)."""
    kept = {k: v for k, v in payload.items() if k not in _UNSIGNED}
    text = json.dumps(kept, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def _retry_after(response: httpx.Response) -> float | None:
    """Retry-After, or the wait a JSON body asks for (Discord's retry_after, Telegram's
    parameters.retry_after)."""
    asked = retry_after_seconds(response.headers.get("Retry-After"))
    if asked is not None:
        return asked
    try:
        data = response.json()
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    value = data.get("retry_after")
    if value is None and isinstance(data.get("parameters"), dict):
        value = data["parameters"].get("retry_after")
    return retry_after_seconds(str(value)) if value is not None else None


def _said(response: httpx.Response) -> str:
    """What the service said about a refusal, short: Slack's 'invalid_payload', Discord's and
    Telegram's description."""
    text = response.text.strip()
    try:
        data = response.json()
    except ValueError:
        data = None
    if isinstance(data, dict):
        text = str(data.get("description") or data.get("message") or data.get("msg") or text)
    text = " ".join(text.split())
    if len(text) > 200:
        text = text[:199] + "…"
    return f" ({text})" if text else ""
