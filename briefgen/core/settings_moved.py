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
        if isinstance(table, dict) and new in table:
            logger.warning("%s: %r is ignored: [%s] %s is also set", where, old, group, new)
            continue
        if isinstance(table, dict):
            moved[group] = {new: value, **table}
        elif table is None:
            moved[group] = {new: value}
        logger.warning(
            "%s: %r has moved to [%s] %s; it is read from the old place for now",
            where, old, group, new,
        )
    return moved


def variable_named(env: Mapping[str, str], name: str) -> str | None:
    """The variable of `env` that is `name` in any case (as pydantic-settings reads them), if
    it is set to something."""
    return next((k for k, v in env.items() if k.upper() == name.upper() and v), None)


def grouped_variable(group: str, key: str) -> str:
    return f"BRIEFGEN_{group.upper()}__{key.upper()}"


def old_variables(group: str, key: str) -> list[str]:
    """The flat names the variable of [group] key had before the grouping."""
    return [f"BRIEFGEN_{old.upper()}" for old, place in MOVED.items() if place == (group, key)]


def variable_setting(env: Mapping[str, str], group: str, key: str) -> str | None:
    """The variable, as the user spelled it, that sets [group] key: its name, else its old
    flat name (the new one wins where both are set)."""
    names = [grouped_variable(group, key), *old_variables(group, key)]
    return next((found for name in names if (found := variable_named(env, name))), None)


def move_flat_variables(env: Mapping[str, str]) -> dict[str, str]:
    """The BRIEFGEN_* variables with every old flat name (in any case) renamed to its grouped
    one (BRIEFGEN_ARXIV_API_URL -> BRIEFGEN_SOURCES__ARXIV_API_URL); the new name counts."""
    moved = dict(env)
    for name, value in env.items():
        old = name.upper().removeprefix("BRIEFGEN_")
        if not value or not name.upper().startswith("BRIEFGEN_") or old.lower() not in MOVED:
            continue
        group, new = MOVED[old.lower()]
        if old.lower() == group and value.lstrip().startswith("{"):
            continue  # the whole [sources] table as JSON
        del moved[name]
        grouped = grouped_variable(group, new)
        if (given := variable_named(env, grouped)) is not None:
            logger.warning("%s is ignored: %s is also set", name, given)
            continue
        moved[grouped] = value
        logger.warning("%s has moved to %s; it is read from the old name for now", name, grouped)
    return moved
