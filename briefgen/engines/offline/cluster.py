"""Embedding-free clustering: TF-IDF vectors over titles and abstracts, spherical k-means with a
deterministic farthest-first start, and theme titles from each cluster's most shared terms.

Deterministic by construction (no random seeds), so the same papers always make the same
themes, and fast enough for a whole day's listing in pure Python.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

Vector = dict[str, float]

# Common English and academic filler words: never theme terms, and they break bigrams.
_STOPWORD_TEXT = """
    a about above across after again against all almost also although among an and another
    any are as at be because been before being below between both but by can cannot could
    did do does doing done due during each either enough especially even ever every few for
    from further given has have having here how however if in into is it its itself just
    least less like made make makes making many may might more most much must near need
    needs neither new no nor not novel of off often on once one only onto or other others
    our ours out over own per rather same several should since so some such than that the
    their them then there these they this those though through thus to too toward towards
    under until up upon us use used uses using very via was we well were what when where
    whether which while who whom whose why will with within without would yet you your paper
    papers propose proposed proposes present presents presented introduce introduces
    introduced approach approaches method methods methodology result results show shows
    shown study studies work works existing based framework frameworks task tasks problem
    problems challenge challenges challenging key main first demonstrate demonstrates
    furthermore moreover specifically particular across achieve achieves achieving
    significant significantly effective effectively remains remain however various different
    provide provides enable enables enabling improve improves improved improving performance
    art state-of-the-art extensive experiments experimental evaluation evaluate evaluated
    real world real-world large scale large-scale high low address addresses leverage
    leverages leveraging critical crucial including include includes well-known lack lacks
    limited often typically still way ways form forms end two three four while whereas able
    ability level levels setting settings terms term set sets number numbers model models
    learning data system systems language large computational deep neural network networks
    recent rapid increasingly promising paradigm modern emerging emerged potential require
    requires trained training aim aims
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*")
TITLE_WEIGHT = 2
TAG_PREFIX = "#"
TAG_WEIGHT = 6
BIGRAM_BOOST = 1.5


def _tokens(text: str) -> list[tuple[str, str]]:
    """(normalised, surface) pairs; short words survive only as acronyms (RL, KV, MoE)."""
    out = []
    for match in _TOKEN.finditer(text):
        surface = match.group(0)
        norm = surface.lower()
        if norm in STOPWORDS:
            out.append(("", surface))  # a stopword breaks bigrams
            continue
        if len(norm) < 3 and not (len(surface) >= 2 and surface[:2].isupper()):
            out.append(("", surface))
            continue
        out.append((norm, surface))
    return out


def document_terms(title: str, abstract: str, surfaces: Counter[tuple[str, str]]) -> Counter[str]:
    """Unigram and bigram counts, title counted twice; records each term's surface forms."""
    counts: Counter[str] = Counter()
    for text, weight in ((title, TITLE_WEIGHT), (abstract, 1)):
        tokens = _tokens(text)
        for index, (norm, surface) in enumerate(tokens):
            if not norm:
                continue
            counts[norm] += weight
            surfaces[(norm, surface)] += 1
            if index + 1 < len(tokens) and tokens[index + 1][0]:
                next_norm, next_surface = tokens[index + 1]
                bigram = f"{norm} {next_norm}"
                counts[bigram] += weight
                surfaces[(bigram, f"{surface} {next_surface}")] += 1
    return counts


@dataclass
class Corpus:
    """TF-IDF vectors of a set of documents, keyed by document id, in a stable order."""

    order: list[str]
    vectors: dict[str, Vector]
    surface: dict[str, str]

    @classmethod
    def build(
        cls, documents: list[tuple[str, str, str]], tags: dict[str, list[str]] | None = None
    ) -> Corpus:
        """documents: (id, title, abstract) in priority order (best first). `tags` add strong
        features per document (e.g. its domain) that pull alike papers together; they start
        with TAG_PREFIX and are never shown as terms."""
        surfaces: Counter[tuple[str, str]] = Counter()
        term_counts = {doc_id: document_terms(t, a, surfaces) for doc_id, t, a in documents}
        for doc_id, doc_tags in (tags or {}).items():
            for tag in doc_tags:
                term_counts[doc_id][TAG_PREFIX + tag] += TAG_WEIGHT
        document_frequency: Counter[str] = Counter()
        for counts in term_counts.values():
            document_frequency.update(counts.keys())
        total = len(documents)
        vectors: dict[str, Vector] = {}
        for doc_id, counts in term_counts.items():
            vector = {
                term: (1 + math.log(tf))
                * (math.log((1 + total) / (1 + document_frequency[term])) + 1)
                for term, tf in counts.items()
            }
            vectors[doc_id] = _normalise(vector)
        best_surface: dict[str, str] = {}
        for (norm, surface), _count in sorted(surfaces.items(), key=lambda kv: -kv[1]):
            best_surface.setdefault(norm, surface)
        return cls([d[0] for d in documents], vectors, best_surface)

    def display(self, term: str) -> str:
        surface = self.surface.get(term, term)
        # Keep acronyms (LLM, KV, MoE) as written; lower-case ordinary words.
        words = [w if sum(c.isupper() for c in w) >= 2 else w.lower() for w in surface.split()]
        return " ".join(words)


def _normalise(vector: Vector) -> Vector:
    norm = math.sqrt(sum(v * v for v in vector.values()))
    return {k: v / norm for k, v in vector.items()} if norm else dict(vector)


def cosine(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(value * b.get(term, 0.0) for term, value in a.items())


def _centroid(vectors: list[Vector]) -> Vector:
    total: defaultdict[str, float] = defaultdict(float)
    for vector in vectors:
        for term, value in vector.items():
            total[term] += value
    return _normalise(dict(total))


def choose_k(count: int, max_clusters: int = 6) -> int:
    """About one theme per five papers, at least one, at most `max_clusters`."""
    return max(1, min(max_clusters, round(count / 5)))


def kmeans(corpus: Corpus, k: int, iterations: int = 25) -> list[list[str]]:
    """Spherical k-means; clusters come back largest first, members in corpus order."""
    ids = corpus.order
    if not ids:
        return []
    k = max(1, min(k, len(ids)))
    # Farthest-first start from the best-ranked document: deterministic and well spread.
    seeds = [ids[0]]
    while len(seeds) < k:
        candidates = [i for i in ids if i not in seeds]
        seeds.append(
            min(
                candidates,
                key=lambda i: max(cosine(corpus.vectors[i], corpus.vectors[s]) for s in seeds),
            )
        )
    centroids = [corpus.vectors[s] for s in seeds]
    assignment: dict[str, int] = {}
    for _ in range(iterations):
        changed = False
        for doc_id in ids:
            vector = corpus.vectors[doc_id]
            best = max(range(len(centroids)), key=lambda c: (cosine(vector, centroids[c]), -c))
            if assignment.get(doc_id) != best:
                assignment[doc_id] = best
                changed = True
        members: list[list[str]] = [[] for _ in centroids]
        for doc_id in ids:
            members[assignment[doc_id]].append(doc_id)
        centroids = [
            _centroid([corpus.vectors[m] for m in group]) if group else centroids[index]
            for index, group in enumerate(members)
        ]
        if not changed:
            break
    clusters = [group for group in members if group]
    position = {doc_id: index for index, doc_id in enumerate(ids)}
    clusters.sort(key=lambda group: (-len(group), position[group[0]]))
    return clusters


def top_terms(
    corpus: Corpus, members: list[str], count: int = 3, avoid: frozenset[str] = frozenset()
) -> list[str]:
    """The terms that best characterise a cluster: heavy in it and shared by its members.

    A bigram that is chosen hides its own words, so titles read 'KV cache', not 'KV / cache'.
    """
    weight: defaultdict[str, float] = defaultdict(float)
    spread: Counter[str] = Counter()
    for doc_id in members:
        for term, value in corpus.vectors[doc_id].items():
            weight[term] += value
            spread[term] += 1

    def strength(term: str) -> float:
        # Two-word terms say more ("KV cache" over "cache"), so they win near-ties.
        return weight[term] * spread[term] * (BIGRAM_BOOST if " " in term else 1.0)

    ranked = sorted(
        (t for t in weight if not t.startswith(TAG_PREFIX)), key=lambda t: (-strength(t), t)
    )

    def stems(text: str) -> set[str]:
        return {word.rstrip("s") for word in text.split()}

    avoided = {word.rstrip("s") for word in avoid}
    chosen: list[str] = []
    for term in ranked:
        words = stems(term)
        if words & avoided or any(words & stems(other) for other in chosen):
            continue
        chosen.append(term)
        if len(chosen) == count:
            break
    return chosen
