"""How many tokens a model's context holds, so that a prompt and paper that cannot fit are
told before they are sent (a server silently cuts what does not fit: Ollama keeps the end of
the prompt, so the instructions are what is lost).

Known families by id prefix; an unknown model on a local server (127.0.0.1, localhost) is
taken to have Ollama's default context of 4,096 tokens, which it has unless the server is
started with a larger one; an unknown model elsewhere is not checked.
"""

from __future__ import annotations

# Longest prefix first wins (see context_window).
CONTEXT_TOKENS: dict[str, int] = {
    "claude-": 200_000,
    "gpt-4o": 128_000,
    "gpt-4.1": 1_000_000,
    "gpt-4-turbo": 128_000,
    "gpt-4": 8_192,
    "gpt-3.5-turbo": 16_385,
    "gpt-5": 400_000,
    "o1": 200_000,
    "o3": 200_000,
    "o4-mini": 200_000,
    "deepseek-": 64_000,
    "qwen2.5": 32_768,
    "qwen3": 32_768,
    "llama3.1": 128_000,
    "llama3.2": 128_000,
    "llama3:": 8_192,
    "llama3": 8_192,
    "mistral": 32_768,
    "gemma2": 8_192,
    "gemma3": 128_000,
    "phi3": 4_096,
}
LOCAL_DEFAULT = 4_096  # Ollama's num_ctx unless the server is told otherwise


def context_window(model: str, *, local: bool = False) -> int | None:
    """The context of `model` in tokens; for a local server, what it serves by default."""
    if local:
        return LOCAL_DEFAULT  # a local server serves the model with its own context size
    name = model.lower().rsplit("/", 1)[-1]
    for prefix in sorted(CONTEXT_TOKENS, key=len, reverse=True):
        if name.startswith(prefix):
            return CONTEXT_TOKENS[prefix]
    return None
