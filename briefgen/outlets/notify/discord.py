"""Discord webhooks: messages of embeds, whose descriptions take Discord's markdown.

Limits (Discord's developer documentation, Execute Webhook and Embed Limits): at most 10
embeds a message; an embed's title at most 256 characters and its description 4,096; all the
embeds of one message at most 6,000 characters together; `content` (not used) 2,000. Lengths
are counted as JavaScript counts them (UTF-16). `allowed_mentions` is empty, so no paper text
can ping anyone, and markdown characters in paper text are backslash-escaped.
"""

from __future__ import annotations

import re
from typing import Any

from briefgen.outlets.notify.common import (
    Block,
    Document,
    Poster,
    Span,
    body_blocks,
    chunk_blocks,
    numbered,
    pack,
    utf16_len,
)

DESCRIPTION = 4096
TITLE = 256
MAX_EMBEDS = 10
MESSAGE_TOTAL = 6000
TITLE_ROOM = 16  # ' (12/12)' and more, reserved in the budget of the message's first embed

_SPECIAL = re.compile(r"([\\*_~`|>\[\]()#:<@])")


def _escape(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", text)


def _span(span: Span) -> str:
    text = _escape(span.text)
    if span.href:
        return f"[{text.strip() or _escape(span.href)}]({span.href.replace(')', '%29')})"
    if span.bold and text.strip():
        lead = text[: len(text) - len(text.lstrip())]
        tail = text[len(text.rstrip()) :]
        return f"{lead}**{text.strip()}**{tail}"
    return text


def render(block: Block) -> str:
    if block.kind == "rule":
        return ""
    if block.kind == "heading":
        return f"**{_escape(block.plain.strip())}**"
    text = "".join(_span(span) for span in block.spans)
    indent = "  " * block.depth
    if block.kind == "item":
        return f"{indent}{block.number}. {text}" if block.number else f"{indent}• {text}"
    return indent + text


def messages(doc: Document) -> list[dict[str, Any]]:
    title = doc.title[: TITLE - TITLE_ROOM]
    chunks = chunk_blocks(body_blocks(doc.markdown), render, utf16_len, DESCRIPTION)
    descriptions = ["\n".join(group) for group in chunks]
    # Each message's first embed carries the title: its room comes out of the 6,000.
    budget = MESSAGE_TOTAL - utf16_len(title) - TITLE_ROOM
    groups = pack(descriptions, utf16_len, budget, max_items=MAX_EMBEDS)
    out = []
    for index, group in enumerate(groups, start=1):
        embeds: list[dict[str, Any]] = [{"description": text} for text in group]
        embeds[0]["title"] = numbered(title, index, len(groups))
        if doc.link:
            embeds[0]["url"] = doc.link
        out.append({"embeds": embeds, "allowed_mentions": {"parse": []}})
    return out


def send(doc: Document, poster: Poster, url: str) -> int:
    sent = messages(doc)
    for message in sent:
        poster.post(url, message)
    return len(sent)
