"""Builds a small, real model2vec model for the tests and the benchmark: a BERT-style WordPiece
tokenizer over a vocabulary and a vector per token, saved by model2vec's own
`StaticModel.save_pretrained`, so `StaticModel.from_pretrained(folder)` loads it as it would
minishlab/potion-base-8M.

The vectors carry topical structure: every word of a topic (quantization, LLM serving,
biology, vision, robotics) lies close to that topic's direction, everything else points
somewhere random with a smaller norm, and stop words barely count. A text about a topic
therefore embeds close to other texts about it, as with a trained model, and similarity tests
mean something. Deterministic for a seed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from model2vec import StaticModel
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

TOPICS: dict[str, tuple[str, ...]] = {
    "quantization": (
        "quantization", "quantized", "quantize", "int8", "int4", "fp8", "fp4", "bit", "bits",
        "precision", "weights", "outliers", "calibration", "rounding", "compression",
    ),
    "serving": (
        "kv", "cache", "inference", "serving", "latency", "throughput", "decoding", "prefill",
        "speculative", "batching", "gpu", "kernel", "kernels", "scheduler", "requests",
    ),
    "biology": (
        "protein", "proteins", "folding", "molecule", "molecules", "molecular", "drug", "binding",
        "enzyme", "genome", "cell", "cells", "rna", "dna", "biological",
    ),
    "vision": (
        "image", "images", "video", "videos", "diffusion", "pixel", "pixels", "segmentation",
        "detection", "visual", "camera", "rendering", "scene", "3d",
    ),
    "robotics": (
        "robot", "robots", "robotic", "manipulation", "grasping", "locomotion", "navigation",
        "embodied", "actuator", "gripper", "legged", "teleoperation",
    ),
}  # fmt: skip

STOP_WORDS = (
    "a", "an", "the", "of", "and", "or", "to", "in", "on", "for", "with", "by", "we", "our",
    "is", "are", "this", "that", "these", "from", "as", "at", "be", "it", "its", "which", "can",
    "than", "into", "while", "both", "also", "via", "not", "no", "all", "new", "show", "paper",
)  # fmt: skip

GENERAL_WORDS = (
    "model", "models", "method", "methods", "results", "approach", "propose", "proposed",
    "performance", "data", "training", "learning", "large", "efficient", "task", "tasks",
    "benchmark", "benchmarks", "state", "art", "framework", "based", "using", "existing",
    "improves", "achieves", "study", "analysis", "experiments", "accuracy", "evaluation",
)  # fmt: skip

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
SUFFIXES = ("s", "es", "ed", "ing", "ion", "tion", "al", "ly", "er", "ers", "ity", "ive")
ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
_WORD = re.compile(r"[a-z][a-z0-9]{1,24}")


def vocabulary(words: Iterable[str] = (), size: int = 0) -> list[str]:
    """The tokens, in id order: special tokens, topic words, general and stop words, `words`
    (lower-cased, alphanumeric ones only), single characters and "##" pieces so that any word
    can be split, then numbered filler pieces up to `size` tokens."""
    tokens: dict[str, None] = dict.fromkeys(SPECIAL_TOKENS)
    for topic_words in TOPICS.values():
        tokens.update(dict.fromkeys(topic_words))
    tokens.update(dict.fromkeys(GENERAL_WORDS))
    tokens.update(dict.fromkeys(STOP_WORDS))
    tokens.update(dict.fromkeys(w.lower() for w in words if _WORD.fullmatch(w.lower())))
    tokens.update(dict.fromkeys(ALPHABET))
    tokens.update(dict.fromkeys(f"##{c}" for c in ALPHABET))
    tokens.update(dict.fromkeys(f"##{s}" for s in SUFFIXES))
    tokens.update(dict.fromkeys(f"{c}" for c in "-.,;:()[]'\"/%+=<>"))
    filler = 0
    while len(tokens) < size:
        tokens.setdefault(f"##x{filler}")
        filler += 1
    return list(tokens)


def vectors_for(tokens: list[str], dim: int, seed: int = 0) -> np.ndarray:
    """One float32 row per token: topic words near their topic's direction, stop words and
    punctuation nearly silent, everything else random with a smaller norm."""
    rng = np.random.default_rng(seed)
    directions = rng.normal(size=(len(TOPICS), dim))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    topic_of = {word: n for n, words in enumerate(TOPICS.values()) for word in words}
    noise = rng.normal(size=(len(tokens), dim)) / np.sqrt(dim)  # rows of norm ~1
    matrix = np.empty((len(tokens), dim), dtype=np.float32)
    for row, token in enumerate(tokens):
        if token in topic_of:
            matrix[row] = directions[topic_of[token]] + 0.35 * noise[row]
        elif token in SPECIAL_TOKENS:
            matrix[row] = 0.0
        elif token in STOP_WORDS or not token.strip("#").isalnum():
            matrix[row] = 0.03 * noise[row]
        elif token.startswith("##"):
            matrix[row] = 0.1 * noise[row]
        else:
            matrix[row] = 0.3 * noise[row]
    return matrix


def tokenizer_for(tokens: list[str]) -> Tokenizer:
    """A BERT-style uncased WordPiece tokenizer, like the one potion-base-8M ships."""
    vocab = {token: n for n, token in enumerate(tokens)}
    tokenizer = Tokenizer(models.WordPiece(vocab=vocab, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True, strip_accents=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    return tokenizer


def build_model(
    folder: Path, *, dim: int = 32, words: Iterable[str] = (), size: int = 0, seed: int = 0
) -> Path:
    """Save a model2vec model into `folder` (config.json, model.safetensors, tokenizer.json,
    plus the modules.json and README.md that save_pretrained also writes); return `folder`."""
    tokens = vocabulary(words, size)
    config = {
        "model_type": "model2vec",
        "architectures": ["StaticModel"],
        "tokenizer_name": "briefgen-tests/topical-wordpiece",
        "apply_pca": None,
        "apply_zipf": True,
        "hidden_dim": dim,
        "seq_length": 1_000_000,
        "normalize": True,
    }
    model = StaticModel(
        vectors=vectors_for(tokens, dim, seed),
        tokenizer=tokenizer_for(tokens),
        config=config,
        normalize=True,
    )
    model.save_pretrained(folder, model_name="briefgen-tests/topical")
    return folder
