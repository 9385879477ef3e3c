"""One page of the arXiv API's Atom answer, read into the `arxiv` package's public model
(`arxiv.Result`, its `Author` and `Link`) and the total the page states.

The package reads its pages itself (`arxiv._feed`), but only inside `arxiv.Client`, whose
requests cannot be given a timeout or a User-Agent through its public API (arxiv 4.0.2); so
briefgen fetches the page (sources/arxiv_api.py) and reads it here, field for field as the
package does: an entry without its id or dates is left out, a title's line breaks are spaces,
and a page that is not XML reads as a page without results.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import arxiv
from lxml import etree

NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "arxiv": "http://arxiv.org/schemas/atom",
    "opensearch": "http://a9.com/-/spec/opensearch/1.1/",
}
# `recover`: a page cut short still gives the entries before the cut, as the package reads it.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)


@dataclass
class AtomPage:
    results: list[Any]  # arxiv.Result (the package ships no type hints)
    total: int  # opensearch:totalResults, 0 when the page does not say


def _text(element: Any, path: str) -> str | None:
    found = element.find(path, NS)
    return None if found is None else found.text


def _stamp(text: str | None) -> datetime | None:
    if text is None:
        return None
    stamp = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return (stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)).astimezone(UTC)


def _total(root: Any) -> int:
    try:
        return int((_text(root, "opensearch:totalResults") or "0").strip())
    except ValueError:
        return 0


def _authors(entry: Any) -> list[Any]:
    return [
        arxiv.Result.Author(
            _text(author, "atom:name") or "",
            [a.text for a in author.iterfind("arxiv:affiliation", NS) if a.text is not None],
        )
        for author in entry.iterfind("atom:author", NS)
    ]


def _links(entry: Any) -> list[Any]:
    return [
        arxiv.Result.Link(
            link.get("href"), link.get("title"), link.get("rel") or "", link.get("type")
        )
        for link in entry.iterfind("atom:link", NS)
        if link.get("href") is not None
    ]


def _result(entry: Any) -> Any:
    """The entry as an `arxiv.Result`, or None without its id, `updated` or `published`."""
    entry_id = _text(entry, "atom:id")
    updated = _stamp(_text(entry, "atom:updated"))
    published = _stamp(_text(entry, "atom:published"))
    if not entry_id or updated is None or published is None:
        return None
    primary = entry.find("arxiv:primary_category", NS)
    return arxiv.Result(
        entry_id=entry_id,
        updated=updated,
        published=published,
        title=re.sub(r"\s+", " ", _text(entry, "atom:title") or ""),
        authors=_authors(entry),
        summary=_text(entry, "atom:summary") or "",
        comment=_text(entry, "arxiv:comment"),
        journal_ref=_text(entry, "arxiv:journal_ref"),
        doi=_text(entry, "arxiv:doi"),
        primary_category=(primary.get("term") if primary is not None else "") or "",
        categories=[
            c.get("term") for c in entry.iterfind("atom:category", NS) if c.get("term") is not None
        ],
        links=_links(entry),
    )


def read_page(content: bytes) -> AtomPage:
    try:
        root = etree.fromstring(content, parser=_PARSER)
    except etree.XMLSyntaxError:
        root = None
    if root is None:
        return AtomPage(results=[], total=0)
    results = [_result(entry) for entry in root.iterfind("atom:entry", NS)]
    return AtomPage(results=[r for r in results if r is not None], total=_total(root))
