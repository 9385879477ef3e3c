"""Time and memory of reading papers, run by hand:

    python -m benchmarks.bench_sources [--repeat 5]

- parsing a large arXiv HTML page (the test fixture's sections repeated to ~700 KB, the size
  of a long real paper) and fitting it to the 12k-token budget;
- fetching 30 full texts from a local server that answers each page after 50 ms, one at a
  time against four at a time (the default), side by side;
- reading a 1,000-paper arXiv API listing in two pages through the `arxiv` package (pacing
  off: against arXiv itself the 3 s between requests dominates).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from benchmarks.timing import measure
from briefgen.core.models import Paper
from briefgen.infra.net import Pacer, RetryPolicy, http_client
from briefgen.read.fulltext import FullTextReader, fit_budget, parse_latexml
from briefgen.sources.arxiv_api import ArxivApiClient, fetch_announcement
from briefgen.sources.calendar import ArxivCalendar
from tests.fakes import Entry, FakeArxivApi, FakeServer, Reply, Request

FIXTURE = Path(__file__).parent.parent / "tests" / "data" / "html" / "2602.20001v1.html"


def big_page(target_bytes: int = 700_000) -> bytes:
    page = FIXTURE.read_text()
    head, rest = page.split('<section class="ltx_section" id="S1">', 1)
    body, tail = rest.split('<section class="ltx_bibliography"', 1)
    body = '<section class="ltx_section" id="S1">' + body
    copies = max(1, target_bytes // len(body))
    return (head + body * copies + '<section class="ltx_bibliography"' + tail).encode()


def fetch_all(server: FakeServer, papers: list[Paper], concurrency: int) -> None:
    with http_client(10.0) as client:
        reader = FullTextReader(
            client,
            f"{server.url}/html/",
            policy=RetryPolicy(attempts=1, wait=0),
            cache=None,
            concurrency=concurrency,
        )
        texts = reader.read_all(papers, use_cache=False)
    assert all(t.read_from == "html" for t in texts.values())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    page = big_page()
    paper = Paper(id="2602.20001", title="T", abstract="A.", published=date(2026, 2, 18))
    parsed = parse_latexml(page)

    small = FIXTURE.read_bytes()

    def slow_page(request: Request) -> Reply:
        time.sleep(0.05)
        return Reply(body=small, content_type="text/html")

    start = ArxivCalendar().announcement(date(2026, 2, 18)).window_start
    entries = [
        Entry(
            id=f"2602.{20000 + n}v1",
            title=f"Paper {n} on efficient inference",
            published=start + timedelta(seconds=60 * n % 86_000),
            primary="cs.LG",
            categories=["cs.LG"],
            authors=["A. Author", "B. Author"],
            summary="We study efficient inference. " * 30,
        )
        for n in range(1000)
    ]
    server = FakeServer().start()
    server.route("/html/", slow_page)
    server.route("/api/query", FakeArxivApi(entries))
    papers = [paper.model_copy(update={"id": f"2602.{20000 + n}"}) for n in range(30)]
    announcement = ArxivCalendar().announcement(date(2026, 2, 18))

    def listing() -> None:
        client = ArxivApiClient(
            f"{server.url}/api/query", agent="bench", pacer=Pacer(0), policy=RetryPolicy()
        )
        assert len(fetch_announcement(client, announcement, ["cs.LG"]).papers) == 1000

    cases: list[tuple[str, Callable[[], object]]] = [
        (f"parse a {len(page) // 1000} KB LaTeXML page", lambda: parse_latexml(page)),
        ("fit it to a 12k-token budget", lambda: fit_budget(paper.id, parsed, paper, 12_000)),
        ("30 full texts, 1 at a time (50 ms each)", lambda: fetch_all(server, papers, 1)),
        ("30 full texts, 4 at a time (50 ms each)", lambda: fetch_all(server, papers, 4)),
        ("arXiv listing, 1,000 papers, 2 pages", listing),
    ]
    print(f"{'case':<44} {'median s':>9} {'peak MiB':>9}")
    try:
        for name, action in cases:
            seconds, peak = measure(action, args.repeat)
            print(f"{name:<44} {seconds:>9.3f} {peak:>9.1f}")
    finally:
        server.stop()
    tokens = sum(s.tokens for s in parsed.sections)
    print(f"(the large page: {len(parsed.sections)} sections, {tokens:,} tokens)")
    print("(peak MiB is Python's heap by tracemalloc; lxml's C-side memory is not counted)")


if __name__ == "__main__":
    main()
