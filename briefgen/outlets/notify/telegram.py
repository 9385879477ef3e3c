"""Telegram: the Bot API's sendMessage with parse_mode HTML.

Limits (Telegram Bot API, sendMessage): `text` is 1-4,096 characters after entities parsing;
here the HTML itself, tags included, is kept within 4,096 UTF-16 units, so the text is always
under. Only the tags the API accepts are used (<b>, <a href>), and &, < and > are escaped as
it asks. The bot token is part of the URL, so it is a secret like a webhook URL.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from briefgen.outlets.notify.common import (
    Block,
    DeliveryError,
    Document,
    Poster,
    Span,
    body_blocks,
    chunk_blocks,
    numbered,
    unlinked,
    utf16_len,
)

if TYPE_CHECKING:
    import httpx

TEXT = 4096
TITLE_ROOM = 24  # the title line ('<b>…</b>' and ' (12/12)') is added to each message


def _span(span: Span) -> str:
    text = escape(span.text if span.href else unlinked(span.text), quote=False)
    if span.href:
        return f'<a href="{escape(span.href)}">{text}</a>'
    if span.bold and text.strip():
        return f"<b>{text}</b>"
    return text


def render(block: Block) -> str:
    if block.kind == "rule":
        return ""
    if block.kind == "heading":
        return f"\n<b>{escape(block.plain.strip(), quote=False)}</b>"
    text = "".join(_span(span) for span in block.spans)
    indent = "  " * block.depth
    if block.kind == "item":
        return f"{indent}{block.number}. {text}" if block.number else f"{indent}• {text}"
    return indent + text


def messages(doc: Document, chat_id: str) -> list[dict[str, Any]]:
    title = escape(doc.title, quote=False)
    room = TEXT - utf16_len(title) - TITLE_ROOM
    chunks = chunk_blocks(body_blocks(doc.markdown), render, utf16_len, room)
    out = []
    for index, group in enumerate(chunks, start=1):
        head = f"<b>{numbered(title, index, len(chunks))}</b>"
        text = head + "\n" + "\n".join(group).strip("\n")
        out.append({"chat_id": chat_id, "text": text, "parse_mode": "HTML",
                    "link_preview_options": {"is_disabled": True}})  # fmt: skip
    return out


def _accept(response: httpx.Response) -> None:
    try:
        ok = response.json().get("ok")
    except (ValueError, AttributeError):
        ok = None
    if ok is not True:
        raise DeliveryError(f"Telegram did not accept the message: {response.text[:200]}")


def send(doc: Document, poster: Poster, api_url: str, token: str, chat_id: str) -> int:
    url = f"{api_url.rstrip('/')}/bot{token}/sendMessage"
    sent = messages(doc, chat_id)
    for message in sent:
        poster.post(url, message, accept=_accept)
    return len(sent)
