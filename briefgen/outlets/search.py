"""`briefgen search`: full-text search over what the store holds (papers, their analyses, the
briefs written from them), and papers like a stored one.

The query is SQLite FTS5's own syntax, bound as a parameter: words (all must occur, in any
order and any case, accents ignored), "a phrase", prefix* (kv* finds KV and kvcache), OR, NOT,
AND, NEAR(a b) and parentheses. A word joined to the next by - . / or ' (kv-cache, GPT-4,
2606.17735) is searched as the phrase it spells, since FTS5 would read `cache` in kv-cache as a
column name. Ranking is bm25 with a paper's title and one-line contribution weighted above its
abstract and analysis; each paper appears once, with every place it matched.

A query with Chinese (or Japanese, Korean) characters searches the Chinese text of translated
briefs instead, as substrings (Chinese writes no spaces between words, so the word index cannot
split it); the offline engine writes no Chinese prose, so only briefs translated by a model
have any.

`similar_papers` ranks stored papers by the cosine similarity of their stored embedding
vectors (those the library ranking computed, `briefgen.select.embedding`); a paper without one
is compared by TF-IDF over the stored papers' titles and abstracts instead, and the caller is
told so.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from briefgen.core.errors import UsageError
from briefgen.core.models import Paper, split_arxiv_id
from briefgen.infra.store import QuerySyntaxError, SearchFilters, SearchHit, Store, has_cjk
from briefgen.select.reader import paper_key

SYNTAX_HELP = (
    'words (all must match), "a phrase", prefix*, OR, NOT, NEAR(a b), parentheses; put a '
    'term with other punctuation in double quotes ("C++")'
)
# A bareword joined to the next one by punctuation FTS5 cannot read inside a word.
_JOINED = re.compile(r"[^\s\"()*^:+\-./']+(?:[-./'][^\s\"()*^:+\-./']+)+")
_QUOTED = re.compile(r'"[^"]*"?')
SNIPPET_WIDTH = 60  # characters either side of a Chinese match
# A query is a person's: long enough for any real one, short enough that FTS5 answers at once
# (5,000 OR-ed terms take seconds, 20,000 over a minute).
MAX_QUERY_CHARS = 1000
MAX_QUERY_TERMS = 64


@dataclass
class SearchResult:
    hits: list[SearchHit]
    chinese: bool = False
    notes: list[str] = field(default_factory=list)


def normalise_query(query: str) -> str:
    """The query with every word that punctuation joins (kv-cache, GPT-4) quoted as the
    phrase it is; quoted text is left as written."""
    out: list[str] = []
    position = 0
    for quoted in _QUOTED.finditer(query):
        out.append(_JOINED.sub(_as_phrase, query[position : quoted.start()]))
        out.append(quoted.group(0))
        position = quoted.end()
    out.append(_JOINED.sub(_as_phrase, query[position:]))
    return "".join(out)


def _as_phrase(match: re.Match[str]) -> str:
    return f'"{match.group(0)}"'


def _syntax_error(query: str, reason: str) -> UsageError:
    reason = reason.removeprefix("fts5: ")
    if reason.startswith("no such column"):
        reason = f"a word followed by ':' names a column ({reason})"
    return UsageError(f"cannot search for {query!r}: {reason}. The query syntax: {SYNTAX_HELP}")


def readable(what: str, value: str) -> str:
    """`value` if it is text; a usage error if it holds bytes that are not UTF-8 (Python
    keeps them in a command line's arguments as lone surrogates, which no text can hold)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        shown = value.encode("utf-8", "replace").decode("utf-8")
        raise UsageError(
            f"{what} {shown!r} is not valid UTF-8 text (the '?' is a byte that is no "
            "character); type it again in a UTF-8 terminal, or fix the script that passes it"
        ) from None
    return value


def check_query(query: str) -> None:
    """A usage error for a query that is not text, or too long to answer at once."""
    readable("the query", query)
    if len(query) > MAX_QUERY_CHARS:
        raise UsageError(
            f"the query is {len(query):,} characters long; a search takes at most "
            f"{MAX_QUERY_CHARS:,}: shorten it, or search for its parts one at a time"
        )
    terms = len(query.split())
    if terms > MAX_QUERY_TERMS:
        raise UsageError(
            f"the query has {terms} terms; a search takes at most {MAX_QUERY_TERMS}: shorten "
            "it, or search for its parts one at a time"
        )


def search(store: Store, query: str, filters: SearchFilters, limit: int) -> SearchResult:
    """The best `limit` matches of `query` (see the module docstring)."""
    if not query.strip():
        raise UsageError("give a query (`briefgen search \"kv cache\"`) or --similar ID")
    check_query(query)
    if has_cjk(query):
        return _search_chinese(store, query, filters, limit)
    try:
        hits = store.search(normalise_query(query), filters, limit)
    except QuerySyntaxError as exc:
        raise _syntax_error(query, str(exc)) from None
    return SearchResult(hits)


def _search_chinese(store: Store, query: str, filters: SearchFilters, limit: int) -> SearchResult:
    terms = [t for t in re.split(r"[\s\"()*]+", query) if t and t not in ("AND", "OR", "NOT")]
    found = store.search_chinese(terms, filters, limit)
    hits = [_with_snippet(hit, text, terms) for hit, text in found]
    notes = ["Chinese is searched in the Chinese text of briefs translated by a model "
             "(--provider anthropic or openai); the offline engine writes none"]  # fmt: skip
    return SearchResult(hits, chinese=True, notes=notes if not hits else [])


def _with_snippet(hit: SearchHit, text: str, terms: list[str]) -> SearchHit:
    flat = " ".join(text.split())
    lower = flat.casefold()
    where = min((i for i in (lower.find(t.casefold()) for t in terms) if i >= 0), default=0)
    start, end = max(0, where - SNIPPET_WIDTH), where + SNIPPET_WIDTH
    snippet = flat[start:end]
    for term in sorted(set(terms), key=len, reverse=True):
        snippet = re.sub(re.escape(term), lambda m: f"«{m.group(0)}»", snippet, flags=re.I)
    snippet = ("…" if start else "") + snippet + ("…" if end < len(flat) else "")
    return SearchHit(**{**hit.__dict__, "snippet": snippet})


def hit_json(rank: int, hit: SearchHit) -> dict[str, Any]:
    return {
        "rank": rank,
        "id": f"{hit.paper_id}{hit.version}" if hit.paper_id else None,
        "title": hit.title or None,
        "date": hit.first_day or None,
        "end": hit.last_day if hit.last_day != hit.first_day else None,
        "matched_in": hit.where,
        "best_match": hit.part,
        "brief": hit.period or None,
        "profile": hit.profile or None,
        "snippet": hit.snippet,
        "score": round(-hit.score, 4),  # bm25: higher is better here
    }


# similar papers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Similar:
    paper: Paper
    score: float


@dataclass
class SimilarResult:
    target: Paper
    method: str  # "embedding <model>" or "TF-IDF"
    papers: list[Similar]


def _target(store: Store, raw: str) -> Paper:
    try:
        paper_id, _ = split_arxiv_id(raw)
    except ValueError as exc:
        raise UsageError(f"--similar {raw}: {exc}") from None
    paper = store.get_paper(paper_id)
    if paper is None:
        raise UsageError(
            f"--similar {raw}: paper {paper_id} is not in the store; papers get there when a "
            "brief lists them (`briefgen daily`) or through `briefgen show ID`"
        )
    return paper


def _plain_id(key: str) -> str:
    try:
        return split_arxiv_id(key.removeprefix("arxiv:"))[0]
    except ValueError:
        return ""


def similar_papers(
    store: Store,
    raw_id: str,
    filters: SearchFilters,
    limit: int,
    *,
    note: Callable[[str], None],
) -> SimilarResult:
    """Stored papers most like one stored paper: by its stored embedding vector where there
    is one (under the model that made it), else by TF-IDF (saying so through `note`)."""
    target = _target(store, raw_id)
    candidates = {p.id: p for p in store.papers_where(filters) if p.id != target.id}
    keys = [paper_key(target), f"arxiv:{target.id}"]
    for model in store.vector_models(keys):
        ranked = _by_vectors(store, model, keys, candidates)
        if ranked:
            return SimilarResult(target, f"embedding {model}", ranked[:limit])
    note(
        f"no embedding vector is stored for {target.versioned_id}; comparing it with "
        f"{len(candidates)} stored paper{'s' if len(candidates) != 1 else ''} by TF-IDF "
        "(vectors are stored when a library ranks a day with an embedding model)"
    )
    return SimilarResult(target, "TF-IDF", _by_tfidf(target, list(candidates.values()))[:limit])


def _by_vectors(
    store: Store, model: str, keys: list[str], candidates: dict[str, Paper]
) -> list[Similar]:
    stored = store.paper_vectors(model)
    own = next((stored[k] for k in keys if k in stored), None)
    if own is None:
        return []
    vectors: dict[str, bytes] = {}
    for key, blob in stored.items():
        paper_id = _plain_id(key)
        paper = candidates.get(paper_id)
        if paper is None or len(blob) != len(own):
            continue
        # A paper's vector of the version stored wins over another version's.
        if key == paper_key(paper) or paper_id not in vectors:
            vectors[paper_id] = blob
    if not vectors:
        return []
    import numpy as np

    from briefgen.select.embedding import normalise_rows

    ids = list(vectors)
    matrix = normalise_rows(np.stack([np.frombuffer(vectors[i], dtype="<f4") for i in ids]))
    query = normalise_rows(np.frombuffer(own, dtype="<f4").reshape(1, -1))[0]
    scores = matrix @ query
    order = np.argsort(-scores, kind="stable")
    return [Similar(candidates[ids[i]], float(scores[i])) for i in order]


def _text(paper: Paper) -> str:
    return f"{paper.title}. {paper.abstract}"


def _by_tfidf(target: Paper, candidates: list[Paper]) -> list[Similar]:
    if not candidates:
        return []
    import numpy as np

    from briefgen.select.embedding import TfidfSimilarity  # numpy and scikit-learn, for --similar

    rows = TfidfSimilarity().embed([_text(target), *[_text(p) for p in candidates]])
    scores = np.asarray((rows[1:] @ rows[0].T).toarray()).ravel()
    order = np.argsort(-scores, kind="stable")
    return [Similar(candidates[i], float(scores[i])) for i in order if scores[i] > 0]


def similar_json(rank: int, item: Similar, method: str) -> dict[str, Any]:
    return {
        "rank": rank,
        "id": item.paper.versioned_id,
        "title": item.paper.title,
        "date": item.paper.published.isoformat(),
        "similarity": round(item.score, 4),
        "by": method,
    }
