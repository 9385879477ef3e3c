"""A generic webhook: the brief as one JSON document (POST), for a script or an automation
service to take from there. No size limit of its own: the whole brief (or its summary) in one
request."""

from __future__ import annotations

from typing import Any

from briefgen.outlets.notify.common import Document, Poster


def payload(doc: Document) -> dict[str, Any]:
    return {
        "source": "briefgen",
        "title": doc.title,
        "kind": doc.kind,
        "label": doc.label,
        "lang": doc.lang,
        "format": "summary" if doc.summary else "full",
        "link": doc.link,
        "markdown": doc.markdown,
        "html": doc.html,
    }


def send(doc: Document, poster: Poster, url: str) -> int:
    poster.post(url, payload(doc))
    return 1
