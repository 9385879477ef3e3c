"""Slack incoming webhooks: Block Kit messages in mrkdwn.

Limits (Slack's reference for blocks and for chat.postMessage, which incoming webhooks share):
a section's text at most 3,000 characters, at most 50 blocks a message, a header's text 150;
`text` is truncated beyond 40,000 characters. Messages whose blocks add up to much more than
about 12,000 characters are refused as `msg_blocks_too_long` in practice (slackapi/bolt-js
#2509), below any documented figure, so a message is kept under 12,000. Text is escaped as
Slack asks (&, < and >), which also keeps paper text from mentioning a channel.
"""

from __future__ import annotations

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
    unlinked,
    utf16_len,
)

SECTION_TEXT = 3000
HEADER_TEXT = 150
MAX_BLOCKS = 50
MESSAGE_TEXT = 12_000  # in practice; the documented `text` limit is 40,000


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _span(span: Span) -> str:
    text = _escape(span.text if span.href else unlinked(span.text))
    if span.href:
        label = text.replace("|", "¦").strip() or _escape(span.href)
        return f"<{_escape(span.href)}|{label}>"
    if span.bold and text.strip():
        lead = text[: len(text) - len(text.lstrip())]
        tail = text[len(text.rstrip()) :]
        return f"{lead}*{text.strip()}*{tail}"
    return text


def render(block: Block) -> str:
    if block.kind == "rule":
        return ""
    if block.kind == "heading":
        return f"*{_escape(block.plain.strip())}*"
    text = "".join(_span(span) for span in block.spans)
    indent = "    " * block.depth
    if block.kind == "item":
        return f"{indent}{block.number}. {text}" if block.number else f"{indent}• {text}"
    return indent + text


def _header(title: str) -> dict[str, Any]:
    if len(title) > HEADER_TEXT:
        title = title[: HEADER_TEXT - 1] + "…"
    return {"type": "header", "text": {"type": "plain_text", "text": title, "emoji": False}}


def messages(doc: Document) -> list[dict[str, Any]]:
    chunks = chunk_blocks(body_blocks(doc.markdown), render, utf16_len, SECTION_TEXT)
    sections = ["\n".join(group) for group in chunks]
    groups = pack(sections, utf16_len, MESSAGE_TEXT, max_items=MAX_BLOCKS - 1)
    out = []
    for index, group in enumerate(groups, start=1):
        title = numbered(doc.title, index, len(groups))
        blocks = [_header(title)] + [
            {"type": "section", "text": {"type": "mrkdwn", "text": text}} for text in group
        ]
        out.append({"text": title, "blocks": blocks, "unfurl_links": False,
                    "unfurl_media": False})  # fmt: skip
    return out


def send(doc: Document, poster: Poster, url: str) -> int:
    sent = messages(doc)
    for message in sent:
        poster.post(url, message)
    return len(sent)
