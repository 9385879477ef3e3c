"""Where papers come from. Each source returns list[Paper]; `merge_papers` unions them."""

from __future__ import annotations

from briefgen.models import Paper


def _version_number(paper: Paper) -> int:
    return int(paper.version[1:]) if paper.version else 0


def merge_papers(*batches: list[Paper]) -> list[Paper]:
    """De-duplicate by arXiv id without version; the newest version wins, first seen order."""
    merged: dict[str, Paper] = {}
    for batch in batches:
        for paper in batch:
            known = merged.get(paper.id)
            if known is None or _version_number(paper) > _version_number(known):
                merged[paper.id] = paper
    return list(merged.values())
