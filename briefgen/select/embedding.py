"""Similarity of a day's papers to the reader's library: text embeddings from a local static
embedding model (model2vec), or TF-IDF when there is none.

The model (`embedding_model`, default minishlab/potion-base-8M, about 30 MB) is downloaded on
first use into $BRIEFGEN_HOME/models/OWNER--NAME/ from the Hugging Face endpoint
`embedding_url` (see model_download.py): only the three files loading needs
(model.safetensors, config.json, tokenizer.json), and a model folder that exists is a whole
model, so an interrupted download is never loaded.

When no model can be had (no network, a server error, a full disk) ranking goes on by TF-IDF
similarity after one warning, and the failure is remembered for the process. `tfidf` as the
model asks for TF-IDF without a word; a local folder is loaded as it is, and a broken one is a
ConfigError.

Vectors are cached in the store under the embedder's name, which carries a hash of the model's
files: another model, or the same repository updated, never reuses them.
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import threading
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

import numpy as np
import numpy.typing as npt

from briefgen.core.errors import ConfigError

if TYPE_CHECKING:
    from model2vec import StaticModel

    from briefgen.core.settings import Settings
    from briefgen.infra.store import Store

Matrix = npt.NDArray[np.float32]

TFIDF = "tfidf"
logger = logging.getLogger(__name__)
# What model2vec's loader reads for its own layout; the large one first, so that its size is
# what the one "downloading" line announces. (A repository also holds a README.md, a
# modules.json and sometimes an onnx/ folder: loading needs none of them.)
MODEL_FILES = ("model.safetensors", "config.json", "tokenizer.json")
# Every file some layout model2vec accepts may read: a local folder's fingerprint covers them.
LAYOUT_FILES = (
    "config.json",
    "config_sentence_transformers.json",
    "model.safetensors",
    "tokenizer.json",
    "0_StaticEmbedding/model.safetensors",
    "0_StaticEmbedding/tokenizer.json",
)
_REPO_ID = re.compile(r"[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*")
FALLBACK_ADVICE = (
    "ranking by TF-IDF similarity instead; set [selection] embedding_model to a local model "
    "folder, or 'tfidf' to silence this"
)

_LOCK = threading.Lock()
_FAILED: set[tuple[str, str, str]] = set()  # (embedding_url, repo id, folder) that failed
_FINGERPRINTS: dict[tuple[str, tuple[tuple[str, int, int], ...]], str] = {}


class Embedder(Protocol):
    """Turns texts into unit vectors. `name` identifies the model and its exact files: it is
    the key of the store's vector cache."""

    name: str

    def embed(self, texts: list[str]) -> Matrix:
        """float32, shape (len(texts), dim), each row of L2 norm 1 (or 0 for a text with no
        known token)."""
        ...


def normalise_rows(vectors: Matrix) -> Matrix:
    """Rows scaled to unit L2 norm; all-zero rows stay zero."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    scaled: Matrix = np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
    return scaled


class StaticEmbedder:
    """A model2vec StaticModel: a text's vector is the mean of its tokens' vectors. The model
    is loaded on the first `embed` that has texts (a run whose vectors are all in the store's
    cache never loads it, nor imports model2vec)."""

    def __init__(self, model: StaticModel | None, name: str, folder: Path, dim: int) -> None:
        self._model = model
        self.name = name
        self.folder = folder
        self.dim = dim

    @property
    def model(self) -> StaticModel:
        if self._model is None:
            self._model = _load_model(self.folder)
        return self._model

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def embed(self, texts: list[str]) -> Matrix:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # model2vec batches (1024 texts a batch) and truncates each text to its max_length.
        raw = self.model.encode(texts, normalize=False, show_progress_bar=False)
        return normalise_rows(np.asarray(raw, dtype=np.float32))


class TfidfSimilarity:
    """The fallback: TF-IDF rows (sublinear tf, English stop words, unigrams) as L2-normalised
    sparse rows, fitted on the day's papers (see `pair`). Not cacheable: each row depends on
    every text of the fit."""

    name = TFIDF

    def embed(self, texts: list[str]) -> Any:  # a scipy.sparse CSR matrix, (len(texts), terms)
        from scipy import sparse  # type: ignore[import-untyped]

        try:
            return self._vectorizer(len(texts)).fit_transform(texts)
        except ValueError:  # no texts, or only stop words: nothing is similar to anything
            return sparse.csr_matrix((len(texts), 1), dtype=np.float32)

    def pair(self, day: list[str], library: list[str]) -> tuple[Any, Any]:
        """TF-IDF rows of the day's papers and of the library over the day's vocabulary and
        document frequencies: what sets a paper apart is judged against its own day, never
        against a library of hundreds of papers on one topic (whose words would all look
        common)."""
        from scipy import sparse

        vectorizer = self._vectorizer(len(day))
        try:
            return vectorizer.fit_transform(day), vectorizer.transform(library)
        except ValueError:
            return (sparse.csr_matrix((len(day), 1), dtype=np.float32),
                    sparse.csr_matrix((len(library), 1), dtype=np.float32))  # fmt: skip

    @staticmethod
    def _vectorizer(documents: int) -> Any:
        from sklearn.feature_extraction.text import (  # type: ignore[import-untyped]
            TfidfVectorizer,
        )

        # Unigrams: bigrams dilute short library entries (a title and an abstract) into near
        # zero similarity with everything. On a real day, words half the papers use ("model",
        # "language") only blur which papers are alike, so they are left out.
        return TfidfVectorizer(
            sublinear_tf=True,
            stop_words="english",
            ngram_range=(1, 1),
            min_df=1,
            max_df=0.5 if documents >= 20 else 1.0,
            norm="l2",
            dtype=np.float32,
        )


# similarity ---------------------------------------------------------------------------------


def similarities(
    candidates: list[tuple[str, str]],
    library: list[tuple[str, str]],
    *,
    embedder: Embedder | None,
    store: Store | None,
) -> Matrix:
    """The (len(candidates), len(library)) cosine similarities of (cache key, text) pairs, as
    one matrix product. With an embedder, vectors come from the store's cache where present
    and the missing ones are embedded in one call and stored back; without one, by TF-IDF over
    both sets."""
    return similarity_matrices(candidates, library, embedder=embedder, store=store)[0]


def similarity_matrices(
    candidates: list[tuple[str, str]],
    library: list[tuple[str, str]],
    *,
    embedder: Embedder | None,
    store: Store | None,
) -> tuple[Matrix, Matrix]:
    """The candidates' similarities to the library (n, m), and the library's to itself
    (m, m), in one space (see `similarities`)."""
    n, m = len(candidates), len(library)
    if n == 0 or m == 0:
        return np.zeros((n, m), dtype=np.float32), np.zeros((m, m), dtype=np.float32)
    if embedder is None:
        day, known = TfidfSimilarity().pair([t for _, t in candidates], [t for _, t in library])
        sim = np.asarray((day @ known.T).toarray(), dtype=np.float32)
        within = np.asarray((known @ known.T).toarray(), dtype=np.float32)
    else:
        vectors = _vectors([*candidates, *library], embedder, store)
        sim = vectors[:n] @ vectors[n:].T
        within = vectors[n:] @ vectors[n:].T
    return np.clip(sim, -1.0, 1.0, out=sim), np.clip(within, -1.0, 1.0, out=within)


# How much of a paper's closeness to the library is its closeness to the library as a whole
# (the centroid of its papers) rather than to its single closest paper. Measured on judged days
# (benchmarks/bench_relevance.py): the best single match alone is noisy (one shared rare word
# with one library paper puts a CT-report paper first for a long-context reader); the centroid
# rewards what the library's papers have in common, and a share of the best match keeps a
# paper on a library's side topic in reach.
CENTROID_SHARE = 0.85


def library_relevance(sim: Matrix, within: Matrix, *, excluded: Matrix | None = None) -> Matrix:
    """Per candidate (row of `sim`): CENTROID_SHARE of its cosine with the library's centroid
    (the mean of the library's unit vectors) plus the rest of its best single similarity.
    `within` is the library's similarity to itself, which gives the centroid's norm; entries
    marked in `excluded` (a paper compared with its own copy in the library) count for nothing."""
    rows, m = sim.shape
    if rows == 0 or m == 0:
        return np.zeros(rows, dtype=np.float32)
    counted = np.where(excluded, 0.0, sim) if excluded is not None else sim
    norm = float(np.sqrt(max(float(within.sum()), 1e-12)))
    centroid = counted.sum(axis=1) / norm
    best = np.where(excluded, -1.0, sim).max(axis=1) if excluded is not None else sim.max(axis=1)
    relevance = CENTROID_SHARE * centroid + (1.0 - CENTROID_SHARE) * best
    return np.asarray(relevance, dtype=np.float32)


def best_matches(sim: Matrix) -> tuple[Matrix, npt.NDArray[np.intp]]:
    """Per candidate (row): the highest similarity and the library index it comes from; 0 and
    -1 when the library is empty."""
    rows = sim.shape[0]
    if sim.shape[1] == 0:
        return np.zeros(rows, dtype=np.float32), np.full(rows, -1, dtype=np.intp)
    index = np.argmax(sim, axis=1)
    return sim[np.arange(rows), index].astype(np.float32), index.astype(np.intp)


def _vectors(items: list[tuple[str, str]], embedder: Embedder, store: Store | None) -> Matrix:
    """One row per item; a key seen twice is embedded once (its first text)."""
    texts: dict[str, str] = {}
    for key, text in items:
        texts.setdefault(key, text)
    keys = list(texts)
    found: dict[str, Matrix] = {}
    if store is not None:
        for key, blob in store.get_vectors(embedder.name, keys).items():
            if len(blob) % 4 == 0 and blob:
                found[key] = np.frombuffer(blob, dtype="<f4").astype(np.float32)
    missing = [key for key in keys if key not in found]
    dims = {vector.shape[0] for vector in found.values()}
    fresh = embedder.embed([texts[key] for key in missing]) if missing else None
    if len(dims) > 1 or (fresh is not None and dims and dims != {fresh.shape[1]}):
        # A cache that disagrees with itself or the model (it cannot, short of a damaged
        # store): embed everything again and overwrite it.
        found, missing = {}, keys
        fresh = embedder.embed([texts[key] for key in keys])
    if fresh is not None:
        fresh = np.ascontiguousarray(fresh, dtype=np.float32)
        found.update(zip(missing, fresh, strict=True))
        if store is not None:
            store.put_vectors(
                embedder.name,
                {key: row.astype("<f4").tobytes() for key, row in zip(missing, fresh, strict=True)},
            )
    matrix = np.stack([found[key] for key, _ in items]).astype(np.float32, copy=False)
    return normalise_rows(matrix)


# loading ------------------------------------------------------------------------------------


def load_embedder(settings: Settings) -> Embedder | None:
    """The configured embedding model, downloaded on first use; None for 'tfidf' (silently)
    or, after one warning, when it cannot be downloaded. A local folder that does not load is
    a ConfigError. The one "downloading" line and any retry lines are told at INFO."""
    spec = settings.selection.embedding_model.strip()
    if spec.lower() == TFIDF:
        return None
    folder = local_folder(spec)
    if folder is not None:
        return load_folder(folder, label=folder.name)
    repo_id = repo_id_of(spec)
    target = model_dir(settings.store.home, repo_id)
    base_url = settings.selection.embedding_url.rstrip("/")
    remembered = (base_url, repo_id, str(target))
    with _LOCK:
        if target.exists():
            try:
                return load_folder(target, label=repo_id)
            except ConfigError:
                # Damaged after the download (it is checked whole before it appears there):
                # download it again.
                shutil.rmtree(target, ignore_errors=True)
        if remembered in _FAILED:
            return None  # warned already: no second attempt, no second warning, this process
        earlier = _failed_today(target, base_url)
        if earlier is not None:
            # Another run failed today: no attempt (each would wait for the network again)
            # until tomorrow, or until the marker is deleted.
            _FAILED.add(remembered)
            logger.warning(
                f"embedding model {repo_id} could not be downloaded earlier today ({earlier}): "
                f"{FALLBACK_ADVICE}; briefgen tries again tomorrow (to try now, delete "
                f"{failure_marker(target)})"
            )
            return None
        from briefgen.select.model_download import DownloadFailed, download_model

        try:
            download_model(repo_id, MODEL_FILES, target, settings)
        except DownloadFailed as failure:
            _FAILED.add(remembered)
            _remember_failure(target, base_url, failure.reason)
            logger.warning(
                f"embedding model {repo_id} could not be downloaded ({failure.reason}): "
                f"{FALLBACK_ADVICE}"
            )
            return None
        failure_marker(target).unlink(missing_ok=True)
        try:
            return load_folder(target, label=repo_id)
        except ConfigError as exc:  # a server that answers with something else (a login page)
            shutil.rmtree(target, ignore_errors=True)
            _FAILED.add(remembered)
            host = urlsplit(base_url).hostname or base_url
            cause = str(exc).split(" model2vec model: ", 1)[-1].split(" (it needs ")[0]
            _remember_failure(target, base_url, f"{host} sent something else: {cause}")
            logger.warning(
                f"embedding model {repo_id} as downloaded from {host} is not a model2vec "
                f"model ({cause}): {FALLBACK_ADVICE}"
            )
            return None


def forget_failed_downloads(home: Path | None = None) -> None:
    """Let the next `load_embedder` try again a download that failed in this process (and,
    given `home`, one that failed in an earlier run today: an explicit refresh)."""
    with _LOCK:
        _FAILED.clear()
        if home is not None:
            shutil.rmtree(home / "models-failed", ignore_errors=True)


def failure_marker(target: Path) -> Path:
    """Where a failed download of the model for `target` is remembered until tomorrow:
    $BRIEFGEN_HOME/models-failed/OWNER--NAME, beside (never inside) the models folder."""
    return target.parent.with_name("models-failed") / target.name


def _remember_failure(target: Path, base_url: str, reason: str) -> None:
    try:
        failure_marker(target).parent.mkdir(parents=True, exist_ok=True)
        line = f"{date.today().isoformat()}\t{base_url}\t{' '.join(reason.split())}\n"
        failure_marker(target).write_text(line, encoding="utf-8")
    except OSError:
        return  # remembered for this process only


def _failed_today(target: Path, base_url: str) -> str | None:
    """Why today's earlier download from `base_url` failed, or None."""
    try:
        day, url, reason = failure_marker(target).read_text(encoding="utf-8").strip().split("\t")
    except (OSError, ValueError):
        return None
    return reason if day == date.today().isoformat() and url == base_url else None


def model_dir(home: Path, repo_id: str) -> Path:
    """$BRIEFGEN_HOME/models/OWNER--NAME (Hugging Face allows no '--' in a name)."""
    return home / "models" / repo_id.replace("/", "--")


def local_folder(spec: str) -> Path | None:
    """The folder `spec` names, None when it is a repository id; a ConfigError when it reads
    as a path but no folder is there."""
    path = Path(spec).expanduser()
    if path.is_dir():
        return path.resolve()
    if path.exists():
        raise ConfigError(
            f"[selection] embedding_model {spec!r} is a file, not a model folder: give the folder "
            "that holds config.json, model.safetensors and tokenizer.json"
        )
    if spec.startswith(("/", ".", "~")) or "\\" in spec or spec.count("/") > 1:
        raise ConfigError(
            f"[selection] embedding_model {spec!r}: no such folder; give a model2vec model "
            "folder, a Hugging Face repository id (owner/name) or 'tfidf'"
        )
    return None


def repo_id_of(spec: str) -> str:
    if not _REPO_ID.fullmatch(spec) or "--" in spec or ".." in spec:
        raise ConfigError(
            f"[selection] embedding_model {spec!r} is neither a local folder nor a Hugging Face "
            "repository id (owner/name, such as minishlab/potion-base-8M); 'tfidf' uses no model"
        )
    return spec


def load_folder(folder: Path, *, label: str) -> StaticEmbedder:
    """A model2vec model from a local folder, checked but not loaded yet (see StaticEmbedder);
    ConfigError when it is not one. The folder exists, so model2vec reads it and never turns
    to the Hub (which it does only for a path that does not exist)."""
    if not folder.is_dir():
        raise ConfigError(f"embedding model folder {folder} does not exist")
    dim = _check_folder(folder)
    return StaticEmbedder(None, f"{label}@{fingerprint(folder)}", folder, dim)


def _not_a_model(folder: Path, why: str) -> ConfigError:
    why = " ".join(why.split()) or "unreadable"
    why = why if len(why) <= 200 else why[:199] + "…"
    return ConfigError(
        f"embedding model folder {folder} does not load as a model2vec model: {why} "
        "(it needs config.json, model.safetensors and tokenizer.json)"
    )


def _check_folder(folder: Path) -> int:
    """What can be checked without loading the model: the files are there, config.json is
    JSON, and model.safetensors is whole (its header's tensors end where the file does).
    Returns the vectors' dimension."""
    import json

    for name in MODEL_FILES:
        if not (folder / name).is_file() or not (folder / name).stat().st_size:
            raise _not_a_model(folder, f"no {name}")
    try:
        json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise _not_a_model(folder, f"config.json is not JSON ({exc})") from exc
    weights = folder / "model.safetensors"
    try:
        with weights.open("rb") as handle:
            size = int.from_bytes(handle.read(8), "little")
            header = json.loads(handle.read(size)) if 0 < size < 100_000_000 else None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise _not_a_model(folder, f"model.safetensors is not a safetensors file ({exc})") from exc
    tensors = [t for k, t in (header or {}).items() if k != "__metadata__" and isinstance(t, dict)]
    if not tensors:
        raise _not_a_model(folder, "model.safetensors holds no tensors")
    end = 8 + size + max(int(t.get("data_offsets", [0, 0])[1]) for t in tensors)
    if weights.stat().st_size != end:
        raise _not_a_model(folder, "model.safetensors is cut short or padded")
    shapes = [t.get("shape") for t in tensors]
    dims = [int(shape[-1]) for shape in shapes if isinstance(shape, list) and len(shape) == 2]
    if not dims:
        raise _not_a_model(folder, "model.safetensors holds no embedding matrix")
    return dims[0]


def _load_model(folder: Path) -> StaticModel:
    from model2vec import StaticModel

    try:
        return StaticModel.from_pretrained(folder)
    except Exception as exc:  # model2vec, safetensors and tokenizers raise plain exceptions
        raise _not_a_model(folder, str(exc) or type(exc).__name__) from exc


def fingerprint(folder: Path) -> str:
    """A short hash of the model's files (content, not dates): the vector cache's key changes
    when the model does. Remembered per (path, size, mtime) for the process."""
    files = [folder / name for name in LAYOUT_FILES if (folder / name).is_file()]
    stamp = tuple(
        (str(path.relative_to(folder)), path.stat().st_size, path.stat().st_mtime_ns)
        for path in files
    )
    key = (str(folder), stamp)
    if key not in _FINGERPRINTS:
        digest = hashlib.sha256()
        for path in files:
            digest.update(str(path.relative_to(folder)).encode() + b"\0")
            with path.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
        _FINGERPRINTS[key] = digest.hexdigest()[:12]
    return _FINGERPRINTS[key]


__all__ = [
    "TFIDF",
    "Embedder",
    "StaticEmbedder",
    "TfidfSimilarity",
    "best_matches",
    "failure_marker",
    "forget_failed_downloads",
    "library_relevance",
    "load_embedder",
    "load_folder",
    "model_dir",
    "similarities",
    "similarity_matrices",
]
