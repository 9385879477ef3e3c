"""Full text: arXiv's HTML (LaTeXML) rendering -> sections in order -> a token budget.

Parsing is a pure function of the page: the title, the abstract, and each section and
subsection with its heading; math becomes its TeX `alttext`; tables become ' | ' rows; the
bibliography, navigation, footers, images, footnotes and `ltx_ERROR` conversion leaks are
dropped. The budget keeps the abstract, introduction, method, experiments/results, limitations
and conclusion ahead of related work and appendices. Fetching is bounded-concurrent, retried,
and cached in the store; a paper with no HTML (404) is read from its abstract. A host that
refuses connections or does not resolve stops the fetching at its first failure: every paper
not yet read comes from its abstract, and `summary` says so.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import as_completed
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from lxml import etree
from lxml import html as lxml_html

from briefgen.core.errors import ParseError, UpstreamError
from briefgen.core.models import Paper, PaperText, ParsedHtml, Section, strip_controls
from briefgen.infra.net import (
    RetryPolicy,
    UnreachableError,
    WorkerPool,
    check_status,
    is_transient_http,
)
from briefgen.read.abstract import abstract_text, estimate_tokens

if TYPE_CHECKING:
    import httpx

SERVICE = "arXiv HTML"
DEFAULT_BUDGET = 12_000
# arXiv's HTML pages are a few hundred KB, the largest (long appendices, big tables, inline
# SVG) a few MB; images are separate files. A page is read as a stream and given up past this
# size, before it is ever held or parsed whole: the paper is read from its abstract.
MAX_HTML_BYTES = 20_000_000
MIN_PARTIAL_TOKENS = 150  # a cut section shorter than this is noise; leave it out instead

# Whole subtrees that are never paper text.
DROP_XPATH = (
    "//nav | //footer | //header | //script | //style | //noscript | //img | //svg | //button"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' ltx_bibliography ')]"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' ltx_ERROR ')]"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' ltx_note ')]"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' ltx_authors ')]"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' ltx_page_navbar ')]"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' ltx_page_footer ')]"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' ltx_dates ')]"
)
SECTION_CLASSES = {"ltx_section": 1, "ltx_appendix": 1, "ltx_chapter": 1, "ltx_subsection": 2}
BLOCK_TAGS = {"p", "figcaption", "h4", "h5", "h6", "li", "table"}

# Lower ranks are kept first. A subsection without its own match inherits its section's.
RANK_RULES: list[tuple[int, re.Pattern[str]]] = [
    (5, re.compile(r"related work|background|preliminar|notation|acknowledg|ethic|contribution")),
    (1, re.compile(r"introduction|overview|motivation")),
    (2, re.compile(r"method|approach|model|architecture|framework|algorithm|design|proposed|"
                   r"system|formulation|training")),
    (3, re.compile(r"experiment|evaluation|result|benchmark|ablation|analysis|empirical|"
                   r"finding|setup")),
    (4, re.compile(r"limitation|conclusion|discussion|future work|summary|broader impact")),
]  # fmt: skip
OTHER_RANK = 5
APPENDIX_RANK = 6


def _classes(element: Any) -> set[str]:
    return set((element.get("class") or "").split())


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _replace_math(root: Any) -> None:
    for math in list(root.iter("math")):
        alt = (math.get("alttext") or "").strip()
        inline = math.get("display") != "block"
        tail = math.tail or ""
        after = "" if tail[:1] in (",", ".", ";", ":", ")") else " "
        replacement = (f" ${alt}$" if inline else f" $${alt}$$") if alt else ""
        # lxml refuses control characters in text it is given back; pages do contain them.
        math.tail = strip_controls(replacement + after + tail)
        math.drop_tree()


def _flatten_tables(root: Any) -> None:
    """A data table becomes one '<p>' per row, cells joined by ' | ', numbers intact."""
    for table in list(root.xpath("//table[contains(@class, 'ltx_tabular')]")):
        rows = []
        for row in table.iter("tr"):
            cells = [_one_line(cell.text_content()) for cell in row if cell.tag in ("td", "th")]
            if any(cells):
                rows.append(" | ".join(cells))
        replacement = lxml_html.Element("div", {"class": "briefgen_table"})
        for text in rows:
            paragraph = etree.SubElement(replacement, "p")
            paragraph.text = strip_controls(text)
        replacement.tail = strip_controls(table.tail or "")
        table.getparent().replace(table, replacement)


def _owner(element: Any) -> Any:
    for ancestor in element.iterancestors():
        if ancestor.tag == "section" and _classes(ancestor) & SECTION_CLASSES.keys():
            return ancestor
        if ancestor.tag == "article":
            return ancestor
    return None


def _is_block(element: Any) -> bool:
    if element.tag not in BLOCK_TAGS:
        return False
    if element.tag == "table":  # display equations: their math is already TeX text
        return bool(_classes(element) & {"ltx_equation", "ltx_equationgroup"})
    if element.tag.startswith("h"):  # run-in headings of subsubsections and paragraphs
        return "ltx_title" in _classes(element)
    # A block nested in another block (a <p> in a list item or a caption) is read with it.
    return not any(
        a.tag in BLOCK_TAGS and (a.tag != "table" or _is_block(a)) for a in element.iterancestors()
    )


def _heading(section: Any) -> str:
    for child in section:
        if child.tag in ("h1", "h2", "h3", "h4") and "ltx_title" in _classes(child):
            return _one_line(child.text_content())
    return section.get("id") or "Section"


def parse_latexml(page: bytes | str) -> ParsedHtml:
    """Sections of an arXiv HTML page, in document order; ParseError if it has no text."""
    # arXiv serves UTF-8; control characters (which lxml refuses to write back) are dropped.
    text = page.decode("utf-8", "replace") if isinstance(page, bytes) else page
    try:
        return _parse_latexml(strip_controls(text))
    except (etree.LxmlError, ValueError) as exc:
        if isinstance(exc, ParseError):
            raise
        raise ParseError(f"not an HTML page: {exc}") from exc


def _parse_latexml(page: str) -> ParsedHtml:
    article = _article(page)
    title, abstract_parts = _take_title_and_abstract(article)
    texts = _texts_by_section(article)
    sections = [_section(owner, "\n\n".join(parts), article) for owner, parts in texts.items()]
    abstract_text_ = "\n\n".join(part for part in abstract_parts if part)
    if not abstract_text_ and not any(s.text for s in sections):
        raise ParseError("the page holds no paper text (no abstract, no sections)")
    return ParsedHtml(title=title, abstract=abstract_text_, sections=sections)


def _article(page: str) -> Any:
    """The page's article (else its body, else the whole page), without what is never paper
    text, its math as TeX and its tables flattened."""
    root = lxml_html.fromstring(page)
    for element in root.xpath(DROP_XPATH):
        element.drop_tree()
    _replace_math(root)
    _flatten_tables(root)
    article = next(iter(root.xpath("//article")), None)
    if article is not None:
        return article
    return root.find("body") if root.find("body") is not None else root


def _take_title_and_abstract(article: Any) -> tuple[str, list[str]]:
    """The title and the abstract's paragraphs, taken out of the article so that they are not
    read again as text."""
    title_el = next(iter(article.xpath(".//h1[contains(@class, 'ltx_title_document')]")), None)
    title = _one_line(title_el.text_content()) if title_el is not None else ""
    abstract_parts = []
    for abstract in article.xpath(".//div[contains(@class, 'ltx_abstract')]"):
        abstract_parts += [_one_line(p.text_content()) for p in abstract.iter("p")]
        abstract.drop_tree()
    if title_el is not None:
        title_el.drop_tree()
    return title, abstract_parts


def _texts_by_section(article: Any) -> dict[Any, list[str]]:
    """Each section's own text blocks, sections in document order; text outside any section
    belongs to the article, first."""
    texts: dict[Any, list[str]] = {}
    for element in article.iter():
        if element is article:
            continue
        if element.tag == "section" and _classes(element) & SECTION_CLASSES.keys():
            texts.setdefault(element, [])
            continue
        text = _one_line(element.text_content()) if _is_block(element) else ""
        owner = _owner(element) if text else None
        if owner is None:
            continue
        if owner not in texts:  # text outside any section: a leading "Text"
            texts = {owner: [], **texts}
        texts[owner].append(text)
    return texts


def _section(element: Any, body: str, article: Any) -> Section:
    """One section with its heading, level and whether it is in an appendix (the article's own
    text is a top-level "Text")."""
    if element is article:
        heading, level, appendix = "Text", 1, False
    else:
        kinds = _classes(element)
        heading = _heading(element)
        level = max(SECTION_CLASSES[k] for k in kinds & SECTION_CLASSES.keys())
        appendix = "ltx_appendix" in kinds or any(
            "ltx_appendix" in _classes(a) for a in element.iterancestors("section")
        )
    return Section(
        heading=heading, text=body, tokens=estimate_tokens(body), level=level, appendix=appendix
    )


def section_rank(heading: str, inherited: int | None = None, appendix: bool = False) -> int:
    if appendix:
        return APPENDIX_RANK
    words = re.sub(r"^[\dA-Z]+(\.\d+)*\s+", "", heading).lower()
    for rank, pattern in RANK_RULES:
        if pattern.search(words):
            return rank
    return inherited if inherited is not None else OTHER_RANK


def _cut(text: str, tokens: int) -> str:
    """The longest start of `text` within `tokens`, ending at a sentence or paragraph."""
    limit = tokens * 4
    if len(text) <= limit:
        return text
    head = text[:limit]
    stop = max(head.rfind(". "), head.rfind("\n\n"))
    return (head[: stop + 1] if stop > limit // 2 else head).rstrip() + " […]"


def fit_budget(paper_id: str, parsed: ParsedHtml, fallback: Paper, budget: int) -> PaperText:
    """Title and abstract always; then sections by rank (document order within a rank) while
    they fit; the first that does not fit is cut to what is left; the rest are listed as
    omitted. The kept sections are returned in document order."""
    title = parsed.title or fallback.title
    abstract = parsed.abstract or fallback.abstract
    head = [
        Section(heading="Title", text=title, tokens=estimate_tokens(title)),
        Section(heading="Abstract", text=abstract, tokens=estimate_tokens(abstract)),
    ]
    remaining = budget - sum(s.tokens for s in head)

    ranks: list[int] = []
    parent_rank: int | None = None
    for section in parsed.sections:
        if section.level == 1:
            parent_rank = section_rank(section.heading, None, section.appendix)
            ranks.append(parent_rank)
        else:
            ranks.append(section_rank(section.heading, parent_rank, section.appendix))

    kept: dict[int, Section] = {}
    omitted: dict[int, Section] = {}
    for index in sorted(range(len(parsed.sections)), key=lambda i: (ranks[i], i)):
        section = parsed.sections[index]
        if section.tokens == 0:
            continue
        if section.tokens <= remaining:
            kept[index] = section
            remaining -= section.tokens
        elif remaining >= MIN_PARTIAL_TOKENS:
            text = _cut(section.text, remaining)
            kept[index] = section.model_copy(
                update={"text": text, "tokens": estimate_tokens(text), "truncated": True}
            )
            remaining = 0
        else:
            omitted[index] = section.model_copy(update={"text": ""})

    # A heading with no text of its own (e.g. "3 Method" over its subsections) is kept when
    # something under it is, so the model sees the paper's structure.
    for index, section in enumerate(parsed.sections):
        if section.tokens == 0 and section.level == 1:
            following = range(index + 1, len(parsed.sections))
            for later in following:
                if parsed.sections[later].level == 1:
                    break
                if later in kept:
                    kept[index] = section
                    break
    body = [kept[i] for i in sorted(kept)]
    return PaperText(
        paper_id=paper_id,
        read_from="html",
        sections=head + body,
        omitted=[omitted[i] for i in sorted(omitted)],
        budget=budget,
    )


# fetching -----------------------------------------------------------------------------------


@dataclass
class FetchedPage:
    """What one fetch found: a parsed page, or why there is none (`missing`: a 404)."""

    parsed: ParsedHtml | None
    missing: bool = False
    problem: str = ""


class PageCache(Protocol):
    """The slice of `Store` the reader uses."""

    def get_fulltext(self, paper_id: str, version: str) -> ParsedHtml | Literal[False] | None:
        """The parsed page; False for a known 404; None when never fetched."""

    def save_fulltext(self, paper_id: str, version: str, parsed: ParsedHtml | None) -> None:
        """Keep a parsed page, or None for a 404."""


def html_url(base: str, paper: Paper) -> str:
    return f"{base}{paper.versioned_id}"


NO_HTML = "no HTML version (HTTP 404)"


@dataclass
class _Page:
    status: int
    body: bytes
    too_big: bool = False


def _get_bounded(client: httpx.Client, url: str, limit: int | None = None) -> _Page:
    """GET `url` as get_checked does (its status judged by check_status), reading at most
    `limit` bytes of it (default MAX_HTML_BYTES)."""
    limit = MAX_HTML_BYTES if limit is None else limit
    with client.stream("GET", url) as response:
        check_status(response, SERVICE)
        if response.status_code == 404:
            return _Page(status=404, body=b"")
        stated = response.headers.get("Content-Length", "")
        if stated.isdigit() and int(stated) > limit:
            return _Page(status=response.status_code, body=b"", too_big=True)
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                return _Page(status=response.status_code, body=b"", too_big=True)
            chunks.append(chunk)
        return _Page(status=response.status_code, body=b"".join(chunks))


class FullTextReader:
    """Reads the selected papers' full text: cached pages first, the rest fetched at most
    `concurrency` at a time; any paper without usable HTML is read from its abstract. Once
    the host is unreachable (`unreachable`), no further page is asked for."""

    def __init__(
        self,
        client: httpx.Client,
        base_url: str,
        *,
        policy: RetryPolicy,
        cache: PageCache | None,
        budget: int = DEFAULT_BUDGET,
        concurrency: int = 4,
    ) -> None:
        self.client = client
        self.base_url = base_url
        self.policy = policy
        self.cache = cache
        self.budget = budget
        self.concurrency = concurrency
        self.fetched = 0  # pages the server answered for (a 404 included)
        self.stored = 0  # papers whose page (or known 404) came from the store
        self.stored_pages = 0  # of those, pages (not 404s)
        self.unreachable: UnreachableError | None = None  # why no page is asked for any more
        self._lock = threading.Lock()

    @property
    def unreachable_note(self) -> str:
        reason = self.unreachable.reason if self.unreachable else "unreachable"
        return f"{SERVICE} is unreachable ({reason})"

    def fetch(self, paper: Paper) -> FetchedPage:
        if self.unreachable is not None:  # the host already refused: do not ask again
            return FetchedPage(parsed=None, problem=self.unreachable_note)
        url = html_url(self.base_url, paper)
        try:
            response = self.policy.run(
                SERVICE, lambda: _get_bounded(self.client, url), is_transient_http,
                " (BRIEFGEN_SOURCES__ARXIV_HTML_URL points briefgen at another endpoint)", url=url,
            )  # fmt: skip
        except UnreachableError as exc:
            with self._lock:
                self.unreachable = self.unreachable or exc
            return FetchedPage(parsed=None, problem=self.unreachable_note)
        except UpstreamError as exc:
            return FetchedPage(parsed=None, problem=str(exc))
        with self._lock:
            self.fetched += 1
        if response.status == 404:
            return FetchedPage(parsed=None, missing=True, problem=NO_HTML)
        if response.too_big:
            limit = f"{MAX_HTML_BYTES:,} bytes"
            return FetchedPage(parsed=None, problem=f"HTML page larger than {limit}, not read")
        try:
            return FetchedPage(parsed=parse_latexml(response.body))
        except ValueError as exc:
            return FetchedPage(parsed=None, problem=f"unreadable HTML: {exc}")

    def cached(self, paper: Paper) -> FetchedPage | None:
        found = self.cache.get_fulltext(paper.id, paper.version) if self.cache else None
        if found is None:
            return None
        if found is False:
            return FetchedPage(parsed=None, missing=True, problem=NO_HTML)
        return FetchedPage(parsed=found)

    def remember(self, paper: Paper, page: FetchedPage) -> None:
        # A 404 is an answer worth keeping; a failed fetch is not (it may work next run).
        if self.cache is not None and (page.parsed is not None or page.missing):
            self.cache.save_fulltext(paper.id, paper.version, page.parsed)

    def page(self, paper: Paper, use_cache: bool = True) -> FetchedPage:
        page = self.cached(paper) if use_cache else None
        if page is None:
            page = self.fetch(paper)
            self.remember(paper, page)
        else:
            self._count_stored(page)
        return page

    def _count_stored(self, page: FetchedPage) -> None:
        self.stored += 1
        self.stored_pages += page.parsed is not None

    def text(self, paper: Paper, page: FetchedPage) -> PaperText:
        if page.parsed is None:
            return abstract_text(paper).model_copy(update={"note": page.problem})
        return fit_budget(paper.id, page.parsed, paper, self.budget)

    def iter_texts(
        self, papers: list[Paper], *, use_cache: bool = True
    ) -> Iterator[tuple[str, PaperText]]:
        """(paper id, text) as each becomes ready: stored pages first, then fetches in the
        order they finish, so a caller can start analysing while the rest download."""
        wanted = []
        for paper in papers:
            cached = self.cached(paper) if use_cache else None
            if cached is not None:
                self._count_stored(cached)
                yield paper.id, self.text(paper, cached)
            else:
                wanted.append(paper)
        if not wanted:
            return
        # Threads only fetch and parse; the store is written from this thread (SQLite
        # connections stay in the thread that opened them). On Ctrl-C, or when the consumer
        # stops, the pool's retry waits end at once and fetches in flight are abandoned.
        with WorkerPool(self.concurrency, name="briefgen-fulltext") as pool:
            futures = {pool.submit(self.fetch, paper): paper for paper in wanted}
            for future in as_completed(futures):
                paper = futures[future]
                page = future.result()
                self.remember(paper, page)
                yield paper.id, self.text(paper, page)

    def read_all(
        self,
        papers: list[Paper],
        *,
        use_cache: bool = True,
        advance: Callable[[], None] = lambda: None,
    ) -> dict[str, PaperText]:
        texts: dict[str, PaperText] = {}
        for paper_id, text in self.iter_texts(papers, use_cache=use_cache):
            texts[paper_id] = text
            advance()
        return {paper.id: texts[paper.id] for paper in papers}

    def summary(self, texts: Mapping[str, PaperText]) -> str:
        """One true line about where the texts came from, e.g. "full text: 0 of 30 papers
        from arXiv HTML: arXiv HTML is unreachable (connection refused); read from abstracts"."""
        total = len(texts)
        html = sum(1 for text in texts.values() if text.read_from == "html")
        line = f"full text: {html} of {total} papers from arXiv HTML"
        notes = [text.note for text in texts.values() if text.read_from != "html"]
        cut_off = self._cut_off(notes)
        if html == 0 and cut_off == total and total:
            return f"{line}: {self.unreachable_note}; read from abstracts"
        if html:
            line += f" ({self._where_pages_came_from(html)})"
        if not notes:
            return line
        return f"{line}; {len(notes)} read from abstracts: {self._why_abstracts(notes, cut_off)}"

    def _cut_off(self, notes: list[str]) -> int:
        """How many papers were read from their abstracts because the host became unreachable."""
        if not self.unreachable:
            return 0
        return sum(1 for note in notes if note == self.unreachable_note)

    def _where_pages_came_from(self, html: int) -> str:
        """'3 fetched, 2 from the store'."""
        stored = min(html, self.stored_pages)
        where = [f"{html - stored} fetched" if html > stored else "",
                 f"{stored} from the store" if stored else ""]  # fmt: skip
        return ", ".join(w for w in where if w)

    def _why_abstracts(self, notes: list[str], cut_off: int) -> str:
        """Why papers were read from their abstracts, counted by reason."""
        if cut_off == len(notes):
            return self.unreachable_note
        missing = sum(1 for note in notes if note == NO_HTML)
        failed = len(notes) - missing - cut_off
        why = [f"{missing} without an HTML version" if missing else "",
               f"{failed} could not be fetched" if failed else "",
               f"{cut_off} as {self.unreachable_note}" if cut_off else ""]  # fmt: skip
        return ", ".join(w for w in why if w)
