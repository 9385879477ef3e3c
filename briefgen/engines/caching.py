"""Where a prompt-cache marker pays: only on a prefix the API will really cache.

Anthropic caches a prefix (tools, system, messages up to a `cache_control` marker) only when it
is at least a per-model number of tokens long; below that the marker is silently ignored and
every request pays full price. Writing the cache costs 1.25x the input price and reading it
0.1x, so a marker is worth it only on a prefix that is long enough and sent again. The
minimums are the documented ones, raised where users observed a higher one (claude-sonnet-4-6
caches from 2,048 tokens in practice although 1,024 is documented).
"""

from __future__ import annotations

from briefgen.read.abstract import estimate_tokens

CACHE_MINIMUM_TOKENS: dict[str, int] = {
    "claude-haiku-4-5": 4096,
    "claude-opus-4-5": 4096,
    "claude-opus-4-6": 4096,
    "claude-sonnet-4-6": 2048,
    "claude-sonnet-4-5": 1024,
    "claude-opus-4-1": 1024,
    "claude-sonnet-4": 1024,
    "claude-opus-4": 1024,
}
UNKNOWN_MODEL_MINIMUM = 1024  # the lowest any current Claude model documents


def cache_minimum(model: str) -> int:
    """The shortest prefix `model` caches; dated ids (claude-haiku-4-5-20251001) match too."""
    for name in sorted(CACHE_MINIMUM_TOKENS, key=len, reverse=True):
        if model == name or model.startswith(name + "-"):
            return CACHE_MINIMUM_TOKENS[name]
    return UNKNOWN_MODEL_MINIMUM


def worth_caching(model: str, *texts: str) -> bool:
    """Whether the prefix made of `texts` is long enough for `model` to cache it.

    Our estimate (about four characters a token) is close for English; the prompts meant to
    be cached are written with a margin above the minimum."""
    return sum(estimate_tokens(text) for text in texts) >= cache_minimum(model)
