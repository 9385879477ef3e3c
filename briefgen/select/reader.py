"""What briefgen knows about the reader, gathered for one run: their library (files, Zotero,
starred papers), a way to compare the day's papers with it, and what they were briefed on."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy and the embedding model load when a library is compared
    import numpy as np
    import numpy.typing as npt

    from briefgen.select.embedding import Embedder

from briefgen.core.errors import UpstreamError
from briefgen.core.models import Paper
from briefgen.core.settings import Settings
from briefgen.infra.store import Store
from briefgen.select.library import (
    LibraryPaper,
    PartialLookup,
    dedupe,
    library_from_papers,
    read_library,
)
from briefgen.select.rank import Match, Reader
from briefgen.sources.remote import Remote

logger = logging.getLogger(__name__)


def paper_key(paper: Paper) -> str:
    """The embedding cache key of a paper: its text changes only with a new version."""
    return f"arxiv:{paper.id}{paper.version}" if paper.version else f"arxiv:{paper.id}"


def lookup_papers(store: Store, remote: Remote | None) -> Callable[[list[str]], list[Paper]]:
    """arXiv ids -> papers: the store first, then the arXiv API for the rest (one request)."""

    def lookup(ids: list[str]) -> list[Paper]:
        found = [p for p in (store.get_paper(i) for i in ids) if p is not None]
        missing = [i for i in ids if i not in {p.id for p in found}]
        if missing and remote is not None:
            try:
                from briefgen.sources.arxiv_api import fetch_by_ids, result_to_paper

                results = fetch_by_ids(remote.arxiv, missing)
            except UpstreamError as exc:
                # Offline, or arXiv failing: the library is what the store knows, and the run
                # goes on (read_ids names the ids left out, in one warning).
                raise PartialLookup(found, str(exc).split("; ")[0]) from exc
            fetched = [result_to_paper(r, r.published.date()) for r in results]
            store.save_papers(fetched)
            found += fetched
        return found

    return lookup


# With an embedding model, closeness to the library is the mean of two opinions, each spread
# over the day (its median 0, its closest paper 1): TF-IDF's (shared rare words) and the
# model's (shared meaning). Static embeddings alone ranked below TF-IDF on judged days (issue
# 24: 0.59 against 0.69 mean nDCG@10); the hybrid was the most robust of what was measured.
EMBEDDING_SHARE = 0.5


def _spread(values: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """0 at the day's median, 1 for the day's highest (all 0 when nothing stands out)."""
    import numpy as np  # loaded when a library is compared, not for `--help`

    if values.size == 0:
        return values
    median = float(np.sort(values)[values.size // 2])
    best = float(values.max())
    if best <= median:
        return np.zeros_like(values)
    return np.asarray((values - median) / (best - median), dtype=np.float32)


@dataclass
class LibraryMatcher:
    """Compares papers with the library: each paper's closeness to the library (see
    `library_relevance`; TF-IDF, or TF-IDF and an embedding model together), its closest
    library paper and how close that one is."""

    library: list[LibraryPaper]
    embedder: Embedder | None
    store: Store | None  # where vectors are cached (None: nowhere)

    def __call__(self, papers: list[Paper]) -> list[Match]:
        import numpy as np

        from briefgen.select.embedding import best_matches, library_relevance, similarity_matrices

        day = [(paper_key(p), f"{p.title}. {p.abstract}") for p in papers]
        known = [(entry.key, entry.text) for entry in self.library]
        matrix, within = similarity_matrices(day, known, embedder=None, store=None)
        # A paper already in the library is not "similar to your" copy of itself: it is
        # compared with the rest of the library only.
        excluded = np.zeros(matrix.shape, dtype=bool)
        where = {entry.arxiv_id: i for i, entry in enumerate(self.library) if entry.arxiv_id}
        for row, paper in enumerate(papers):
            if paper.id in where:
                excluded[row, where[paper.id]] = True
        relevance = library_relevance(matrix, within, excluded=excluded)
        if self.embedder is not None:
            meaning, meaning_within = similarity_matrices(
                day, known, embedder=self.embedder, store=self.store
            )
            by_meaning = library_relevance(meaning, meaning_within, excluded=excluded)
            relevance = EMBEDDING_SHARE * _spread(by_meaning) + (1 - EMBEDDING_SHARE) * _spread(
                relevance
            )
            matrix = meaning  # the closest paper and its similarity, as the model sees them
        best, which = best_matches(np.where(excluded, -1.0, matrix).astype(np.float32))
        rows = zip(relevance, which, best, strict=True)
        return [Match(float(r), int(i), float(s)) for r, i, s in rows]


def load_reader_library(
    settings: Settings,
    store: Store,
    remote: Remote | None,
    extra: list[str],
) -> list[LibraryPaper]:
    """The profile's library, the --library ones, and the starred papers, each paper once."""
    specs = list(dict.fromkeys([*settings.active_profile.library, *extra]))
    client = remote.http if remote is not None else None
    entries: list[LibraryPaper] = []
    for spec in specs:
        entries += read_library(
            spec, settings=settings, lookup=lookup_papers(store, remote), client=client
        )
    entries += library_from_papers(store.starred(), "stars")
    return dedupe(entries)


def build_reader(
    settings: Settings,
    store: Store,
    remote: Remote | None,
    *,
    day: str,
    library: list[str] | None = None,
    include_seen: bool = False,
) -> Reader:
    entries = load_reader_library(settings, store, remote, library or [])
    embedder = None
    if entries:
        from briefgen.select.embedding import load_embedder

        embedder = load_embedder(settings)
        how = embedder.name if embedder is not None else "TF-IDF"
        count = f"{len(entries)} paper{'s' if len(entries) != 1 else ''}"
        logger.info(f"library: {count}, compared by {how}")
    return Reader(
        library=entries,
        match=LibraryMatcher(entries, embedder, store) if entries else None,
        seen=store.briefed_before(settings.profile, day),
        include_seen=include_seen,
    )
