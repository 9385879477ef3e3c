"""Embedding-free clustering: TF-IDF vectors over titles and abstracts (a sparse matrix in
numpy), spherical k-means with a seeded k-means++ start, and theme terms from each cluster's
own distinctive key phrases.

Deterministic: the only randomness is a generator with a fixed seed, so the same papers in the
same order always make the same themes. A 2,000-paper day clusters in well under a second.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

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
    github com http https www org html io net available publicly code released release
    quality gap gaps fidelity efficiency efficient robust robustness accuracy accurate
    scalable capability capabilities baseline baselines outperform outperforms outperforming
    improvement improvements insight insights analysis understanding issue issues limitation
    limitations fail fails failure explicitly implicitly examples example answers answer
    lifecycle across among toward whereas thereby therein yields yield strong stronger
    superior better best consistent consistently simple simply general generally unified
    comprehensive detailed robustly substantially substantial notably overall core novelty
    achieves reach reaches reached highly widely without however despite inherent
    inherently directly respectively etc e.g i.e via versus vs within across able
    current currently identify identifies identified step steps evaluating end-to-end
    properties property structure structures responses response evidence transfers
    transfer allocation small large-language signal signals output outputs input inputs
    new novel prior previous widely increasingly specific generic given towards whether
    enhancing enhance enhances enhanced reliable reliably reliability practical
    practically effectiveness explore explores explored investigate investigates
    investigated propose introduced design designed designs perform performs performed
    across evaluates evaluation evaluations benchmarked compared compare comparing
    mechanism mechanisms module modules component components strategy strategies
    technique techniques solution solutions scenario scenarios context contexts aspect
    aspects factor factors type types range wide variety diverse multiple single
    holistic fundamental fundamentally crucially importantly notably additionally
    finally first second third despite often rarely usually mainly mostly
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

# Words as written; one that starts with a digit ("3D", "4B") is read but is never a term.
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*")
_URL = re.compile(r"\bhttps?://\S+|\bwww\.\S+|\b\S+\.(?:com|org|io|net|html)\S*", re.IGNORECASE)
TITLE_WEIGHT = 2
TAG_PREFIX = "#"
TAG_WEIGHT = 6
SEED = 20260217
RESTARTS = 4  # k-means++ starts; the best (highest total similarity) wins
LARGE_DAY, LARGE_DAY_RESTARTS = 1000, 2  # a large day's clusters vary less between starts

_NORMS: dict[str, str] = {}  # surface -> normalised term ("" for a word that is never a term)


def term_of(surface: str) -> str:
    norm = _NORMS.get(surface)
    if norm is None:
        lower = surface.lower()
        # Short words survive only as acronyms (RL, KV, MoE).
        short = len(lower) < 3 and not (len(lower) == 2 and surface.isupper())
        norm = "" if lower in STOPWORDS or short or lower[0].isdigit() else lower
        if len(_NORMS) < 500_000:
            _NORMS[surface] = norm
    return norm


def document_terms(
    title: str, abstract: str, surfaces: Counter[tuple[str, str]] | None = None
) -> Counter[str]:
    """Unigram and bigram counts, title counted twice; a stopword or a URL breaks a bigram.
    `surfaces` counts how each unigram was written (for display)."""
    counts: Counter[str] = Counter()
    for text, weight in ((title, TITLE_WEIGHT), (abstract, 1)):
        if "." in text and ("http" in text or "www" in text or ".com" in text):
            text = _URL.sub(" . ", text)
        words = _TOKEN.findall(text)
        norms = [term_of(w) for w in words]
        grams = [n for n in norms if n]
        grams += [f"{a} {b}" for a, b in itertools.pairwise(norms) if a and b]
        if weight == 1:
            counts.update(grams)
        else:
            for gram in grams:
                counts[gram] += weight
        if surfaces is not None:
            surfaces.update(pair for pair in zip(norms, words, strict=True) if pair[0])
    return counts


def display_word(word: str) -> str:
    """Keep acronyms and coined names as written (LLM, KV, MoE, SegDINO); lower-case the rest,
    part by part ('Retrieval-Augmented' -> 'retrieval-augmented')."""
    parts = word.split("-")
    return "-".join(p if sum(c.isupper() for c in p) >= 2 else p.lower() for p in parts)


@dataclass
class Corpus:
    """TF-IDF vectors of a set of documents, in a stable order, as a CSR matrix: row i is
    `order[i]`, its terms are `indices[indptr[i]:indptr[i + 1]]` with weights `data[…]`
    (rows L2-normalised)."""

    order: list[str]
    terms: list[str]
    indptr: IntArray
    indices: IntArray
    data: FloatArray
    surface: dict[str, str]
    row_of: dict[str, int] = field(default_factory=dict)
    rows: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.intp))

    def __post_init__(self) -> None:
        self.row_of = {doc_id: i for i, doc_id in enumerate(self.order)}
        self.rows = np.repeat(np.arange(len(self.order), dtype=np.intp), np.diff(self.indptr))

    @classmethod
    def build(
        cls, documents: list[tuple[str, str, str]], tags: dict[str, list[str]] | None = None
    ) -> Corpus:
        """documents: (id, title, abstract) in priority order (best first). `tags` add strong
        features per document (e.g. its domain) that pull alike papers together; they start
        with TAG_PREFIX and are never shown as terms."""
        surfaces: Counter[tuple[str, str]] = Counter()
        vocabulary: dict[str, int] = {}
        indices: list[int] = []
        counts: list[int] = []
        indptr = [0]
        for doc_id, title, abstract in documents:
            terms = document_terms(title, abstract, surfaces)
            for tag in (tags or {}).get(doc_id, []):
                terms[TAG_PREFIX + tag] += TAG_WEIGHT
            indices += [vocabulary.setdefault(t, len(vocabulary)) for t in terms]
            counts += terms.values()
            indptr.append(len(indices))
        index_array = np.asarray(indices, dtype=np.intp)
        tf = np.asarray(counts, dtype=np.float64)
        total = len(documents)
        df = np.bincount(index_array, minlength=len(vocabulary)).astype(np.float64)
        idf = np.log((1 + total) / (1 + df)) + 1
        data = (1 + np.log(tf)) * idf[index_array] if len(tf) else tf
        pointers = np.asarray(indptr, dtype=np.intp)
        rows = np.repeat(np.arange(total, dtype=np.intp), np.diff(pointers))
        norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=total))
        data = data / np.where(norms > 0, norms, 1.0)[rows]
        best_surface: dict[str, str] = {}
        for (norm, surface), _count in surfaces.most_common():
            best_surface.setdefault(norm, surface)
        return cls(
            order=[d[0] for d in documents],
            terms=list(vocabulary),
            indptr=pointers,
            indices=index_array,
            data=data,
            surface=best_surface,
        )

    @property
    def vectors(self) -> dict[str, dict[str, float]]:
        """Each document's vector as {term: weight} (for inspection; slow on a large day)."""
        return {doc_id: self.vector(doc_id) for doc_id in self.order}

    def vector(self, doc_id: str) -> dict[str, float]:
        i = self.row_of[doc_id]
        span = slice(int(self.indptr[i]), int(self.indptr[i + 1]))
        return {
            self.terms[int(j)]: float(v)
            for j, v in zip(self.indices[span], self.data[span], strict=True)
        }

    def display(self, term: str) -> str:
        return " ".join(display_word(self.surface.get(word, word)) for word in term.split())

    # linear algebra on the CSR matrix ------------------------------------------------------

    def similarities(self, centroids: FloatArray) -> FloatArray:
        """documents x centroids cosine similarities (centroids dense, rows normalised)."""
        n, k = len(self.order), centroids.shape[0]
        out = np.zeros((n, k))
        if not len(self.data):
            return out
        # Gather each stored weight's row of the (terms x k) transposed centroids, weight it,
        # and add up each document's run of entries: a sparse-dense product in three calls.
        products = np.ascontiguousarray(centroids.T)[self.indices] * self.data[:, None]
        filled = np.flatnonzero(np.diff(self.indptr) > 0)
        out[filled] = np.add.reduceat(products, self.indptr[filled], axis=0)
        return out

    def sums(self, labels: IntArray, k: int) -> FloatArray:
        """k x terms: the sum of each group's document vectors (labels: group per row)."""
        width = len(self.terms)
        flat: FloatArray = np.bincount(
            labels[self.rows] * width + self.indices, weights=self.data, minlength=k * width
        ).astype(np.float64)
        return flat.reshape(k, width)


def _normalised(matrix: FloatArray) -> FloatArray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    result: FloatArray = matrix / np.where(norms > 0, norms, 1.0)
    return result


def _seeds(corpus: Corpus, k: int, rng: np.random.Generator) -> IntArray:
    """k-means++ on cosine distance, starting from the best-ranked document."""
    n = len(corpus.order)
    chosen = [0]
    closest = np.full(n, np.inf)
    for _ in range(1, k):
        row = chosen[-1]
        unit = np.zeros((1, len(corpus.terms)))
        span = slice(int(corpus.indptr[row]), int(corpus.indptr[row + 1]))
        unit[0, corpus.indices[span]] = corpus.data[span]
        distance = 1.0 - corpus.similarities(unit)[:, 0]
        closest = np.minimum(closest, np.maximum(distance, 0.0))
        closest[chosen] = 0.0
        total = float(closest.sum())
        if total <= 0:
            remaining = [i for i in range(n) if i not in chosen]
            if not remaining:
                break
            chosen.append(remaining[0])
            continue
        chosen.append(int(rng.choice(n, p=closest / total)))
    return np.asarray(chosen, dtype=np.intp)


def _spherical_kmeans(
    corpus: Corpus, seeds: IntArray, iterations: int
) -> tuple[IntArray, float]:
    n = len(corpus.order)
    k = len(seeds)
    labels = np.full(n, -1, dtype=np.intp)
    labels[seeds] = np.arange(k, dtype=np.intp)
    centroids = _normalised(corpus.sums(np.where(labels >= 0, labels, k), k + 1)[:k])
    score = 0.0
    for _ in range(iterations):
        similarity = corpus.similarities(centroids)
        new = np.argmax(similarity, axis=1).astype(np.intp)  # ties: the lowest cluster
        score = float(similarity[np.arange(n), new].sum())
        if np.array_equal(new, labels):
            break
        labels = new
        sums = corpus.sums(labels, k)
        empty = np.asarray(sums.any(axis=1)) == 0
        centroids = np.where(empty[:, None], centroids, _normalised(sums))
    return labels, score


def kmeans(corpus: Corpus, k: int, iterations: int = 25) -> list[list[str]]:
    """Spherical k-means, best of a few seeded k-means++ starts; clusters come back largest
    first, members in corpus order."""
    ids = corpus.order
    if not ids:
        return []
    k = max(1, min(k, len(ids)))
    if k == 1:
        return [list(ids)]
    rng = np.random.default_rng(SEED)
    best: tuple[float, IntArray] | None = None
    for _ in range(LARGE_DAY_RESTARTS if len(ids) > LARGE_DAY else RESTARTS):
        labels, score = _spherical_kmeans(corpus, _seeds(corpus, k, rng), iterations)
        if best is None or score > best[0] + 1e-9:
            best = (score, labels)
    assert best is not None
    groups: dict[int, list[str]] = {}
    for doc_id, label in zip(ids, best[1].tolist(), strict=True):
        groups.setdefault(int(label), []).append(doc_id)
    position = {doc_id: index for index, doc_id in enumerate(ids)}
    return sorted(groups.values(), key=lambda group: (-len(group), position[group[0]]))
