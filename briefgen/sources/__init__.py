"""Where papers come from. Each source returns list[Paper]; `merge_papers` unions them."""

from __future__ import annotations

from briefgen.core.models import Paper


def _version_number(paper: Paper) -> int:
    return int(paper.version[1:]) if paper.version else 0


def _richness(paper: Paper) -> tuple[int, int, int, int]:
    return (
        _version_number(paper),
        len(paper.categories),
        len(paper.authors),
        len(paper.abstract),
    )


def _combine(known: Paper, other: Paper) -> Paper:
    """One record from two descriptions of the same paper: the richer one's metadata (newest
    version, then categories, authors, abstract), the other's upvotes, categories and comment
    when it has none."""
    base, extra = (other, known) if _richness(other) > _richness(known) else (known, other)
    updates: dict[str, object] = {}
    upvotes = [u for u in (base.upvotes, extra.upvotes) if u is not None]
    if upvotes:
        updates["upvotes"] = max(upvotes)
    if not base.categories and extra.categories:
        updates["categories"] = extra.categories
    if base.comment is None and extra.comment is not None:
        updates["comment"] = extra.comment
    if base.source != extra.source:
        updates["source"] = "+".join(sorted({*base.source.split("+"), *extra.source.split("+")}))
    return base.model_copy(update=updates) if updates else base


def merge_papers(*batches: list[Paper]) -> list[Paper]:
    """De-duplicate by arXiv id without version, keeping first-seen order; see `_combine`."""
    merged: dict[str, Paper] = {}
    for batch in batches:
        for paper in batch:
            known = merged.get(paper.id)
            merged[paper.id] = paper if known is None else _combine(known, paper)
    return list(merged.values())
