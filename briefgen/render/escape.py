"""One escaping policy for untrusted text (paper titles, abstracts, model output) in every
output: what it does, and why, for each renderer the brief is published through."""

from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
_TAG_START = re.compile(r"\\<(?=[A-Za-z/!?])")
_BARE_URL = re.compile(r"\b([A-Za-z][A-Za-z0-9+.-]*):\/\/")
_BARE_WWW = re.compile(r"\b(www)\.", re.IGNORECASE)


def md_text(text: str) -> str:
    """Paper-derived text as inert inline markdown: one line, no emphasis, links or HTML it
    did not ask for, safe inside a table cell. Untrusted text cannot change the structure.
    A tag-like '<' ('<script', '</a') becomes the entity '&lt;', so the markdown source holds
    no tag at all (it still reads as '<' once rendered); other specials are backslashed; bare
    URLs are escaped so that autolinking renderers leave them as text."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))
    escaped = _TAG_START.sub("&lt;", escaped)
    # Renderers with autolinking (GitHub, Hugo's goldmark) would link a bare URL; a backslash
    # in its '://' or after 'www' keeps it text, and it still reads the same once rendered.
    escaped = _BARE_URL.sub(r"\1:\\/\\/", escaped)
    return _BARE_WWW.sub(r"\1\\.", escaped)


def md_link(title: str, url: str) -> str:
    return f"[{md_text(title)}]({url})"
