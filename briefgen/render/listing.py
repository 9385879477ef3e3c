"""A day's ranked papers as `briefgen papers` prints them: table rows or JSON."""

from __future__ import annotations

import json

from briefgen.core.models import ScoredPaper


def listing_json(selected: list[ScoredPaper]) -> str:
    rows = [
        {
            "rank": rank,
            "id": s.paper.versioned_id,
            "title": s.paper.title,
            "authors": s.paper.authors,
            "categories": s.paper.categories,
            "published": s.paper.published.isoformat(),
            "announce_type": s.paper.announce_type,
            "upvotes": s.paper.upvotes,
            "source": s.paper.source,
            "url": s.paper.abs_url,
            "score": s.score,
            "reasons": s.reasons,
        }
        for rank, s in enumerate(selected, start=1)
    ]
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


def listing_rows(selected: list[ScoredPaper]) -> list[list[str]]:
    """#, score, id, title, why."""
    return [
        [str(rank), f"{s.score:g}", s.paper.versioned_id, s.paper.title, "; ".join(s.reasons)]
        for rank, s in enumerate(selected, start=1)
    ]
