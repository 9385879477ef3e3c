"""Feishu / Lark custom bots: rich-text (`post`) messages.

Limits (Feishu's custom bot guide): a request body of at most 20 KB (kept to 20,000 bytes);
at most 100 requests a minute and 5 a second per bot. A `post` holds a title and paragraphs
of elements — text and links (`a`) — so paper text is never interpreted as markup. With
signature verification on, each request carries `timestamp` (seconds) and `sign`: the Base64
HMAC-SHA256, keyed by "timestamp\\nsecret", of an empty message. Feishu answers HTTP 200 even
when it refuses a message; the JSON `code` says (0: taken).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from briefgen.infra.net import RetryableStatus
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
    utf8_len,
)

if TYPE_CHECKING:
    import httpx

BODY_BYTES = 20_000  # "20 KB", read the stricter way (20,000 rather than 20,480 bytes)
RATE_LIMITED = {9499, 11232, 11233}  # "too many requests" codes: worth waiting for
LANGS = {"en": "en_us", "zh": "zh_cn"}


def sign(timestamp: int, secret: str) -> str:
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def _element(span: Span, prefix: str = "") -> dict[str, Any]:
    if span.href:
        return {"tag": "a", "text": span.text, "href": span.href}
    # Feishu links a URL or a domain in plain text: paper text keeps them as text.
    element: dict[str, Any] = {"tag": "text", "text": prefix + unlinked(span.text)}
    if span.bold:
        element["style"] = ["bold"]
    return element


def paragraph(block: Block) -> list[dict[str, Any]]:
    if block.kind == "rule":
        return []
    if block.kind == "heading":
        return [{"tag": "text", "text": block.plain.strip(), "style": ["bold"]}]
    indent = "    " * block.depth
    bullet = (f"{block.number}. " if block.number else "• ") if block.kind == "item" else ""
    elements = [_element(span) for span in block.spans]
    lead = {"tag": "text", "text": indent + bullet}
    return [lead, *elements] if indent + bullet else elements


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _rendered(block: Block) -> str:
    elements = paragraph(block)
    return _json(elements) if elements else ""


def _body(doc: Document, title: str, content: list[Any], signed: dict[str, str]) -> dict[str, Any]:
    post = {LANGS[doc.lang]: {"title": title, "content": content}}
    return {**signed, "msg_type": "post", "content": {"post": post}}


def messages(
    doc: Document, signer: Callable[[], dict[str, str]] | None = None
) -> list[dict[str, Any]]:
    def signed() -> dict[str, str]:
        return signer() if signer is not None else {}

    # What a body weighs without its paragraphs (the longest title, a signature).
    empty = _body(doc, numbered(doc.title, 99, 99), [], {"timestamp": "0" * 10, "sign": "0" * 44})
    room = BODY_BYTES - utf8_len(_json(empty))
    groups = chunk_blocks(body_blocks(doc.markdown), _rendered, utf8_len, room, joiner=",")
    return [
        _body(doc, numbered(doc.title, index, len(groups)),
              [json.loads(text) for text in group], signed())
        for index, group in enumerate(groups, start=1)
    ]  # fmt: skip


def _accept(response: httpx.Response) -> None:
    try:
        data = response.json()
    except ValueError:
        raise DeliveryError(
            f"Feishu answered something other than JSON: {response.text[:120]}"
        ) from None
    code = data.get("code", data.get("StatusCode", 0)) if isinstance(data, dict) else None
    if code == 0:
        return
    message = data.get("msg") or data.get("StatusMessage") or "" if isinstance(data, dict) else ""
    if code in RATE_LIMITED:
        raise RetryableStatus("Feishu", 429)
    raise DeliveryError(f"Feishu refused the message: code {code} ({message})")


def send(doc: Document, poster: Poster, url: str, secret: str | None) -> int:
    def signer() -> dict[str, str]:
        if not secret:
            return {}
        now = int(time.time())
        return {"timestamp": str(now), "sign": sign(now, secret)}

    sent = messages(doc, signer if secret else None)
    for message in sent:
        poster.post(url, message, accept=_accept)
    return len(sent)
