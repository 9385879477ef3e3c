"""The settings that were top-level keys before they were grouped into tables: an old config
file or an old BRIEFGEN_* variable is still read, each moved key with one warning."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

logger = logging.getLogger(__name__)

# group -> the keys that moved into it, each under its old name, with its new name where it
# changed. A fact of the past: a key added to a group since has no old place.
MOVED_INTO: dict[str, dict[str, str]] = {
    "sources": {
        "sources": "use", "cross_lists": "cross_lists", "arxiv_api_url": "arxiv_api_url",
        "arxiv_rss_url": "arxiv_rss_url", "arxiv_html_url": "arxiv_html_url",
        "hf_api_url": "hf_api_url", "arxiv_delay_seconds": "arxiv_delay_seconds",
        "contact": "contact", "extra_holidays": "extra_holidays",
        "fulltext_budget": "fulltext_budget", "fulltext_concurrency": "fulltext_concurrency",
    },
    "selection": {
        "embedding_model": "embedding_model", "embedding_url": "embedding_url",
        "zotero_api_url": "zotero_api_url", "weekly_max_papers": "weekly_max_papers",
    },
    "network": {
        "http_timeout_seconds": "http_timeout_seconds",
        "service_deadline_seconds": "service_deadline_seconds", "http_retries": "http_retries",
        "retry_wait_seconds": "retry_wait_seconds",
    },
    "model": {
        "analysis_model": "analysis_model", "synthesis_model": "synthesis_model",
        "concurrency": "concurrency", "batch_poll_seconds": "batch_poll_seconds",
        "synthesis_batch": "synthesis_batch", "model_timeout_seconds": "timeout_seconds",
        "max_output_tokens": "max_output_tokens",
        "synthesis_max_output_tokens": "synthesis_max_output_tokens",
        "prompt_caching": "prompt_caching", "anthropic_structured": "anthropic_structured",
        "openai_base_url": "openai_base_url", "prompts_dir": "prompts_dir",
    },
    "translation": {
        "translation_model": "model", "translation_max_tokens": "max_tokens",
        "translation_chunk_tokens": "chunk_tokens",
    },
    "output": {
        "daily_filename": "daily_filename", "weekly_filename": "weekly_filename",
        "report_filename": "report_filename", "front_matter": "front_matter",
        "front_matter_body_title": "front_matter_body_title", "feed_base_url": "feed_base_url",
        "feed_title": "feed_title",
    },
}  # fmt: skip
# old top-level key -> (its table, its key there)
MOVED: dict[str, tuple[str, str]] = {
    old: (group, new) for group, keys in MOVED_INTO.items() for old, new in keys.items()
}


def _is_old_place(key: str, value: object) -> bool:
    # `sources` names both the old list of source names and the new [sources] table.
    return key in MOVED and not (key == MOVED[key][0] and isinstance(value, dict))


def move_flat_keys(data: Mapping[str, Any], where: str) -> dict[str, Any]:
    """A config file's keys with every old top-level key moved into its table; where both
    places are given, the new one counts."""
    moved = {key: value for key, value in data.items() if not _is_old_place(key, value)}
    for old, value in data.items():
        if not _is_old_place(old, value):
            continue
        group, new = MOVED[old]
        table = moved.get(group)
        if isinstance(table, dict):
            moved[group] = {new: value, **table}
        elif table is None:
            moved[group] = {new: value}
        logger.warning(
            "%s: %r has moved to [%s] %s; it is read from the old place for now",
            where, old, group, new,
        )
    return moved


def move_flat_variables(env: Mapping[str, str]) -> dict[str, str]:
    """The BRIEFGEN_* variables with every old flat name renamed to its grouped one
    (BRIEFGEN_ARXIV_API_URL -> BRIEFGEN_SOURCES__ARXIV_API_URL); the new name counts."""
    moved = dict(env)
    for old, (group, new) in MOVED.items():
        name = f"BRIEFGEN_{old.upper()}"
        value = env.get(name)
        if not value or (old == group and value.lstrip().startswith("{")):
            continue  # unset, or the whole new group as JSON
        del moved[name]
        grouped = f"BRIEFGEN_{group.upper()}__{new.upper()}"
        moved.setdefault(grouped, value)
        logger.warning("%s has moved to %s; it is read from the old name for now", name, grouped)
    return moved
