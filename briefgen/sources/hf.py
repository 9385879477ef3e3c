"""The Hugging Face source: the daily papers featured on a date, with their upvotes.

The date is the day HF featured a paper, not its arXiv date. The response is tolerated
loosely: optional fields may be missing, later responses add fields, and `paper.title` keeps
arXiv's line wraps. An item that cannot be read is skipped and counted, never fatal.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from briefgen.core.errors import ParseError, UpstreamError
from briefgen.core.models import Paper, bound_record
from briefgen.infra.net import RetryPolicy, get_checked, is_transient_http

if TYPE_CHECKING:
    import httpx

SERVICE = "the Hugging Face daily papers API"
logger = logging.getLogger(__name__)


def _bounded_item(raw: Any) -> Any:
    """The item with its titles, summary and authors cut to the bounds of core.models before
    they are validated (each cut a warning naming the paper)."""
    paper = raw.get("paper") if isinstance(raw, dict) else None
    if not isinstance(paper, dict):
        return raw
    names = {"title": "title", "summary": "abstract", "authors": "authors"}
    record = {"id": paper.get("id")}
    record.update((ours, paper[theirs]) for theirs, ours in names.items() if theirs in paper)
    cut = bound_record(record, logger.warning)
    featured = raw.get("title")  # preferred to paper.title when given
    short = (
        bound_record({"id": paper.get("id"), "title": featured}, logger.warning)["title"]
        if isinstance(featured, str)
        else featured
    )
    if cut is record and short is featured:
        return raw
    bounded = {**paper, **{theirs: cut[ours] for theirs, ours in names.items() if ours in cut}}
    return {**raw, "paper": bounded, **({"title": short} if isinstance(featured, str) else {})}


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore")


class HfAuthor(_Loose):
    name: str = ""


class HfPaper(_Loose):
    id: str
    title: str
    summary: str = ""
    authors: list[HfAuthor] = Field(default_factory=list)
    upvotes: int = 0


class HfItem(_Loose):
    paper: HfPaper
    title: str | None = None  # the featured title, without line wraps


@dataclass
class HfDay:
    day: date
    papers: list[Paper]
    skipped: Counter[str] = field(default_factory=Counter)


def parse_daily_papers(payload: Any, day: date) -> HfDay:
    """The day's papers; a title, abstract or author list beyond the bounds of core.models is
    cut, with a warning."""
    if not isinstance(payload, list):
        raise ParseError(f"expected a JSON list of papers, got {type(payload).__name__}")
    result = HfDay(day=day, papers=[])
    for raw in payload:
        try:
            item = HfItem.model_validate(_bounded_item(raw))
            paper = Paper(
                id=item.paper.id,
                title=item.title or item.paper.title,
                authors=[a.name for a in item.paper.authors if a.name],
                abstract=item.paper.summary,
                published=day,
                upvotes=item.paper.upvotes,
                source="hf",
            )
        except (ValidationError, ValueError):
            result.skipped["unreadable items"] += 1
            continue
        result.papers.append(paper)
    return result


def fetch_daily_papers(client: httpx.Client, url: str, day: date, *, policy: RetryPolicy) -> HfDay:
    response = policy.run(
        SERVICE,
        lambda: get_checked(client, SERVICE, url, params={"date": day.isoformat()}),
        is_transient_http,
        " (BRIEFGEN_SOURCES__HF_API_URL points briefgen at another endpoint)",
        url=url,
    )
    if response.status_code == 404:
        return HfDay(day=day, papers=[])
    try:
        return parse_daily_papers(response.json(), day)
    except ValueError as exc:
        raise UpstreamError(f"{SERVICE} sent an unreadable answer for {day}: {exc}") from exc
