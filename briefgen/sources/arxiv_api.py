"""The arXiv source: the API (queries and papers in the `arxiv` package's model) for any
listing date, and the RSS feed, which is authoritative for the current announcement.

Polite by construction: one connection, one request at a time, at least `delay` seconds apart
across the API and RSS, a descriptive User-Agent, and backoff on 429/503 and on an empty page
where results were due (arXiv returns empty pages under load).
"""

from __future__ import annotations

import itertools
import logging
import math
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlencode

import arxiv
import httpx
from lxml import etree
from pydantic import ValidationError

from briefgen.core.errors import ParseError, UpstreamError
from briefgen.core.models import Paper, bound_record, split_arxiv_id
from briefgen.infra.net import (
    RETRY_STATUSES,
    Pacer,
    RetryableStatus,
    RetryPolicy,
    get_checked,
    http_client,
    is_transient_http,
    retry_after_seconds,
)
from briefgen.sources.arxiv_atom import AtomPage, read_page
from briefgen.sources.calendar import EASTERN, Announcement

API_SERVICE = "the arXiv API"
RSS_SERVICE = "the arXiv RSS feed"
API_PAGE_SIZE = 500  # well under the API's 2000, so one slow page does not time out
MIRROR_HINT = " (BRIEFGEN_SOURCES__ARXIV_API_URL points briefgen at a mirror)"
# A day's listing in a handful of categories is at most a few thousand papers (all of arXiv
# is ~1,000-1,500 new submissions a day). A stated total beyond this many per day of the
# window means the query is not being honoured (a misbehaving mirror, proxy or stale cache):
# paging on to it would take hours at one request per 3 s.
MAX_RESULTS_PER_DAY = 20_000

logger = logging.getLogger(__name__)


class UnexpectedEmptyPage(Exception):
    """A page after the first with no result although the stated total says there are more:
    arXiv does this under load, and the same page asked again usually has them."""


def _transient_api_error(error: BaseException) -> bool:
    return is_transient_http(error) or isinstance(error, UnexpectedEmptyPage)


class ArxivApiClient:
    """The arXiv API with our endpoint, User-Agent, timeouts, pacing and backoff; a query is
    an `arxiv.Search`, a paper an `arxiv.Result`.

    `arxiv.Client` is not used to fetch: its public API (arxiv 4.0.2) sets neither a timeout
    nor a User-Agent on its requests, and without a timeout a server that never answers
    holds a run forever, past any deadline. Each page is asked for here, through httpx with
    the timeouts, deadline and retries of every other service, and read by
    sources/arxiv_atom.py into the package's `Result`; the query is built from the
    `arxiv.Search` the caller gives, as the package builds it.
    """

    def __init__(
        self,
        api_url: str,
        *,
        agent: str,
        pacer: Pacer,
        policy: RetryPolicy,
        timeout: float = 30.0,
        page_size: int = API_PAGE_SIZE,
    ) -> None:
        self._url_format = api_url + ("&{}" if "?" in api_url else "?{}")
        self.page_size = page_size
        self._http = http_client(timeout)
        self._http.headers["User-Agent"] = agent
        self._pacer = pacer
        self._policy = policy
        self.requests_made = 0

    def close(self) -> None:
        self._http.close()

    def page_url(self, search: arxiv.Search, start: int) -> str:
        """The query of `search` from result `start` on, `page_size` at most, with the
        parameters in the order the package sends them."""
        query = {
            "search_query": search.query,
            "id_list": ",".join(search.id_list),
            "sortBy": search.sort_by.value,
            "sortOrder": search.sort_order.value,
            "start": str(start),
            "max_results": str(self.page_size),
        }
        return self._url_format.format(urlencode(query))

    def page(self, search: arxiv.Search, start: int) -> AtomPage:
        """One page, retried by the policy on 429/5xx, timeouts, dropped connections, and an
        empty page where results were due; any other HTTP error is a refusal."""
        url = self.page_url(search, start)

        def attempt() -> AtomPage:
            self._pacer.wait()
            self.requests_made += 1
            try:
                response = self._http.get(url)
            finally:
                self._pacer.mark()
            status = response.status_code
            if status in RETRY_STATUSES:
                wait = retry_after_seconds(response.headers.get("Retry-After"))
                raise RetryableStatus(API_SERVICE, status, wait)
            if status != 200:
                raise UpstreamError(f"{API_SERVICE} refused the query with HTTP {status}: {url}")
            page = read_page(response.content)
            if start > 0 and not page.results:
                raise UnexpectedEmptyPage(f"{API_SERVICE} sent an empty page: {url}")
            return page

        return self._policy.run(API_SERVICE, attempt, _transient_api_error, MIRROR_HINT, url=url)

    def fetch(self, search: arxiv.Search) -> list[Any]:
        """Every result of `search`, `search.max_results` at most."""
        found = (result for results, _ in self.pages(search) for result in results)
        return list(itertools.islice(found, search.max_results or None))

    def pages(self, search: arxiv.Search) -> Iterator[tuple[list[Any], int]]:
        """(the results of one page, the total the API states) for each page of `search`:
        the next page at the offset the results so far reach, until the total; an empty
        page ends it. One request per page asked for: the caller decides whether to go on."""
        offset = 0
        while True:
            page = self.page(search, offset)
            if not page.results:
                return
            yield page.results, page.total
            offset += len(page.results)
            if offset >= page.total:
                return


def _categories_query(categories: Iterable[str]) -> str:
    return " OR ".join(f"cat:{category}" for category in categories)


def announcement_query(categories: list[str], announcement: Announcement) -> str:
    """`(cat:A OR cat:B) AND submittedDate:[start TO end]`, the window in GMT."""
    window = announcement.submitted_date_range()
    return f"({_categories_query(categories)}) AND submittedDate:{window}"


def result_to_paper(result: Any, listing: date, announce_type: str = "new") -> Paper:
    """A Paper from an `arxiv.Result`; a title, abstract or author list beyond the bounds of
    core.models is cut, with a warning."""
    categories = [result.primary_category] if result.primary_category else []
    categories += [c for c in result.categories if c not in categories]
    data = {
        "id": result.get_short_id(),
        "title": result.title,
        "authors": [author.name for author in result.authors],
        "abstract": result.summary,
        "categories": categories,
        "published": listing,
        "announce_type": announce_type,
        "source": "arxiv",
        "comment": getattr(result, "comment", None),
    }
    return Paper.model_validate(bound_record(data, logger.warning))


@dataclass
class Listing:
    """Papers of one listing date, and what was left out and why (for --verbose)."""

    day: date
    papers: list[Paper]
    via: str  # "arXiv API" or "arXiv RSS"
    skipped: Counter[str] = field(default_factory=Counter)
    complete: bool = True  # False: the paging was stopped (see fetch_announcement)


def _kind(categories: list[str], primary: str, wanted: set[str]) -> str:
    if primary.lower() in wanted:
        return "new"
    return "cross" if wanted & {c.lower() for c in categories} else "other"


def fetch_announcement(
    client: ArxivApiClient,
    announcement: Announcement,
    categories: list[str],
    *,
    cross_lists: bool = False,
) -> Listing:
    """The listing of `announcement.listing` from the API: new submissions whose primary
    category is wanted, cross-lists only when asked, replacements never.

    The paging stops, with a warning and the listing marked incomplete, at a
    page that adds no paper not seen on an earlier one, or after the first page when the
    stated total is far beyond what the window can hold (MAX_RESULTS_PER_DAY a day)."""
    query = announcement_query(categories, announcement)
    logger.debug(f"arXiv API query: {query}")
    search = arxiv.Search(
        query=query,
        max_results=None,
        sort_by=arxiv.SortCriterion.SubmittedDate,
        sort_order=arxiv.SortOrder.Ascending,
    )
    listing = Listing(day=announcement.listing, papers=[], via="arXiv API")
    wanted = {c.lower() for c in categories}
    for result in _listed_results(client, search, announcement, listing):
        if result.published < announcement.window_start:
            # First submitted before the window: a replacement, announced as such, not new.
            listing.skipped["replacements (first submitted earlier)"] += 1
            continue
        if result.published >= announcement.window_end:
            # The API's range is inclusive to the minute; 14:00:00 ET belongs to the next day.
            listing.skipped["submitted after the cut-off (next listing)"] += 1
            continue
        kind = _kind(result.categories, result.primary_category, wanted)
        if kind == "cross" and not cross_lists:
            listing.skipped["cross-listed (add --cross-lists to include them)"] += 1
            continue
        if kind == "other":
            listing.skipped["outside the requested categories"] += 1
            continue
        try:
            listing.papers.append(result_to_paper(result, announcement.listing, kind))
        except (ValidationError, ValueError):
            listing.skipped["malformed entries"] += 1
    return listing


def _most_results(announcement: Announcement) -> int:
    days = (announcement.window_end - announcement.window_start).total_seconds() / 86_400
    return MAX_RESULTS_PER_DAY * max(1, math.ceil(days))


def _papers(count: int) -> str:
    return f"{count:,} paper{'' if count == 1 else 's'}"


def _listed_results(
    client: ArxivApiClient,
    search: arxiv.Search,
    announcement: Announcement,
    listing: Listing,
) -> Iterator[Any]:
    """The results of every page, each paper once, until a page adds nothing new or the
    stated total cannot be a day's listing (then `listing.complete` is False, and a warning
    says why)."""
    seen: set[str] = set()
    most = _most_results(announcement)
    for number, (results, total) in enumerate(client.pages(search), start=1):
        fresh = [r for r in results if r.entry_id not in seen]
        if not fresh:
            listing.complete = False
            logger.warning(
                f"{API_SERVICE} answered page {number} with no paper not already on an earlier "
                f"page (of a stated {total:,}): stopped reading the listing after "
                f"{_papers(len(seen))}, it may be incomplete{MIRROR_HINT}"
            )
            return
        seen.update(r.entry_id for r in fresh)
        yield from fresh
        if total > most and len(seen) < total:
            listing.complete = False
            logger.warning(
                f"{API_SERVICE} states {total:,} results for the listing of "
                f"{announcement.listing}, far more than one listing holds (at most {most:,}): "
                f"stopped after page {number} ({_papers(len(seen))}), the listing may be "
                f"incomplete{MIRROR_HINT}"
            )
            return


def fetch_by_ids(client: ArxivApiClient, ids: list[str]) -> list[Any]:
    return client.fetch(arxiv.Search(id_list=ids, max_results=len(ids)))


# RSS ---------------------------------------------------------------------------------------

RSS_NS = {"arxiv": "http://arxiv.org/schemas/atom", "dc": "http://purl.org/dc/elements/1.1/"}
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def _text(element: Any, path: str) -> str:
    found = element.find(path, RSS_NS)
    return (found.text or "").strip() if found is not None else ""


def _rss_abstract(description: str) -> str:
    # "arXiv:2609.26811v1 Announce Type: new \nAbstract: The text…"
    head, sep, rest = description.partition("Abstract:")
    return rest.strip() if sep else head.strip()


def _rss_authors(creators: str) -> list[str]:
    names = []
    for part in creators.replace(" and ", ", ").split(","):
        name = part.strip()
        if name:
            names.append(name)
    return names


def _feed_date(stamp: str) -> date | None:
    try:
        return parsedate_to_datetime(stamp).astimezone(EASTERN).date() if stamp else None
    except (TypeError, ValueError, IndexError, OverflowError) as exc:
        raise ParseError(f"the RSS feed's date {stamp[:40]!r} is unreadable ({exc})") from exc


def parse_rss(content: bytes) -> tuple[date | None, list[tuple[str, Paper]]]:
    """(the listing date the feed is for, [(announce_type, paper)]); ParseError if the
    document is not an RSS feed. An item that cannot be read is skipped; a title, abstract or
    author list beyond the bounds of core.models is cut, with a warning."""
    try:
        root = etree.fromstring(content, parser=_XML_PARSER)
    except (etree.LxmlError, ValueError) as exc:
        raise ParseError(f"not an RSS document: {exc}") from exc
    if root is None or not isinstance(root.tag, str):
        raise ParseError("not an RSS document: it is empty")
    channel = root.find("channel")
    if channel is None:
        raise ParseError("not an RSS document: no <channel>")
    listing = _feed_date(_text(channel, "pubDate") or _text(channel, "lastBuildDate"))
    items: list[tuple[str, Paper]] = []
    for item in channel.iterfind("item"):
        guid = _text(item, "guid").removeprefix("oai:arXiv.org:")
        announce_type = _text(item, "arxiv:announce_type") or "new"
        try:
            paper_id, version = split_arxiv_id(guid or _text(item, "link"))
            fields = {
                "id": paper_id,
                "version": version,
                "title": _text(item, "title"),
                "authors": _rss_authors(_text(item, "dc:creator")),
                "abstract": _rss_abstract(_text(item, "description")),
                "categories": [(c.text or "").strip() for c in item.iterfind("category")],
                "published": listing or date.min,
                "announce_type": "new" if announce_type == "new" else (
                    "cross" if announce_type == "cross" else "replace"
                ),
                "source": "arxiv",
                # Today's feed has no comment; read it if one is added, as the API's.
                "comment": _text(item, "arxiv:comment") or None,
            }  # fmt: skip
            paper = Paper.model_validate(bound_record(fields, logger.warning))
        except (ValidationError, ValueError):
            continue
        items.append((announce_type, paper))
    return listing, items


def rss_url(base: str, categories: list[str]) -> str:
    return base.rstrip("/") + "/" + "+".join(categories)


def fetch_rss(
    client: httpx.Client,
    base: str,
    categories: list[str],
    *,
    pacer: Pacer,
    policy: RetryPolicy,
    cross_lists: bool = False,
) -> Listing | None:
    """Today's announcement from the RSS feed; None when the feed is empty (weekends)."""
    url = rss_url(base, categories)

    def attempt() -> httpx.Response:
        pacer.wait()
        try:
            return get_checked(client, RSS_SERVICE, url)
        finally:
            pacer.mark()

    response = policy.run(RSS_SERVICE, attempt, is_transient_http, url=url)
    if response.status_code == 404:
        raise UpstreamError(f"{RSS_SERVICE} has no feed at {url} (HTTP 404); check the categories")
    try:
        day, items = parse_rss(response.content)
    except ValueError as exc:
        raise UpstreamError(f"{RSS_SERVICE} sent something unreadable from {url}: {exc}") from exc
    if day is None or not items:
        return None
    listing = Listing(day=day, papers=[], via="arXiv RSS")
    for announce_type, paper in items:
        if announce_type == "new" or (announce_type == "cross" and cross_lists):
            listing.papers.append(paper)
        elif announce_type == "cross":
            listing.skipped["cross-listed (add --cross-lists to include them)"] += 1
        else:
            listing.skipped[f"{announce_type} (replacements are never new)"] += 1
    return listing
