"""`briefgen show ID`: one paper's metadata and exactly the text the model reads."""

from __future__ import annotations

import json
from dataclasses import dataclass

from pydantic import ValidationError

from briefgen.core.errors import NoPapersError, UpstreamError, UsageError
from briefgen.core.models import Paper, PaperText, split_arxiv_id
from briefgen.core.settings import Settings
from briefgen.infra.store import Store
from briefgen.read.abstract import abstract_text
from briefgen.sources.calendar import ArxivCalendar
from briefgen.sources.remote import Remote


@dataclass
class ShownPaper:
    paper: Paper
    text: PaperText
    found_in: str  # "store" or "arXiv API"
    html_url: str


def find_paper(raw_id: str, store: Store, remote: Remote, settings: Settings) -> tuple[Paper, str]:
    """The stored paper (any source has saved it), else the arXiv API's record of it."""
    from briefgen.sources.arxiv_api import fetch_by_ids, result_to_paper

    try:
        paper_id, version = split_arxiv_id(raw_id)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    stored = store.get_paper(paper_id)
    if stored is not None and (not version or version == stored.version):
        return stored, "store"
    results = fetch_by_ids(remote.arxiv, [paper_id + version])
    if not results:
        raise NoPapersError(f"arXiv has no paper {raw_id}; check the id (e.g. 2602.13531)")
    calendar = ArxivCalendar(settings.sources.extra_holidays)
    try:
        listed = calendar.listing_for_submission(results[0].published)
        paper = result_to_paper(results[0], listed)
    except (ValidationError, ValueError) as exc:
        raise UpstreamError(f"the arXiv API's record of {raw_id} is unreadable: {exc}") from exc
    store.save_papers([paper])
    return paper, "arXiv API"


def show_paper(
    raw_id: str,
    settings: Settings,
    store: Store,
    remote: Remote,
    *,
    fulltext: bool = True,
    use_cache: bool = True,
) -> ShownPaper:
    paper, found_in = find_paper(raw_id, store, remote, settings)
    if not fulltext:
        text = abstract_text(paper).model_copy(update={"note": "--abstract-only"})
    else:
        reader = remote.fulltext_reader(store)
        text = reader.text(paper, reader.page(paper, use_cache=use_cache))
    from briefgen.read.fulltext import html_url  # lxml, once a paper is shown

    return ShownPaper(paper, text, found_in, html_url(settings.sources.arxiv_html_url, paper))


def _tokens(n: int) -> str:
    return f"{n:,} tokens"


def render_shown(shown: ShownPaper, outline: bool = False) -> str:
    paper, text = shown.paper, shown.text
    categories = ", ".join(
        f"{c} (primary)" if i == 0 and paper.source != "hf" else c
        for i, c in enumerate(paper.categories)
    )  # fmt: skip
    lines = [
        f"{paper.versioned_id} — {paper.title}",
        f"Authors: {', '.join(paper.authors) or 'not given'}",
        f"Categories: {categories or 'not given'}",
        f"Listed: {paper.published} ({paper.announce_type}); source: {paper.source}"
        + (f"; {paper.upvotes} upvotes" if paper.upvotes else ""),
        f"URL: {paper.abs_url}",
    ]
    if text.read_from == "html":
        kept = len(text.sections) - 2
        lines.append(
            f"Read from: html ({shown.html_url}): {_tokens(text.tokens)} of a "
            f"{text.budget:,}-token budget; {kept} sections kept, {len(text.omitted)} left out"
        )
    else:
        why = text.note or "abstract only"
        lines.append(f"Read from: abstract ({why}); {_tokens(text.tokens)}")
    for section in text.sections:
        mark = ", cut to fit" if section.truncated else ""
        header = f"{'#' * (section.level + 1)} {section.heading} ({_tokens(section.tokens)}{mark})"
        lines += ["", header]
        if section.text and not outline:
            lines += ["", section.text]
    if text.omitted:
        lines += ["", "Left out to fit the budget:"]
        lines += [f"  - {s.heading} ({_tokens(s.tokens)})" for s in text.omitted]
    return "\n".join(lines) + "\n"


def render_shown_json(shown: ShownPaper) -> str:
    document = {
        "paper": shown.paper.model_dump(mode="json"),
        "found_in": shown.found_in,
        "html_url": shown.html_url,
        "text": shown.text.model_dump(mode="json"),
        "tokens": shown.text.tokens,
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
