"""One arXiv listing day, 2026-02-18 (a Wednesday), as the fake services serve it.

Its announcement covers submissions from 2026-02-16 19:00 to 2026-02-17 19:00 GMT (14:00 ET).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.fakes import Entry, FakeArxivApi, FakeServer, Reply, Request, static

DATA = Path(__file__).parent / "data"
DAY = "2026-02-18"


def gmt(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


ENTRIES = [
    Entry(
        id="2602.20001v1",
        title="Paged KV Cache Offload for Long-Context Inference",
        published=gmt("2026-02-16T20:00:00"),
        primary="cs.LG",
        categories=["cs.LG", "cs.DC"],
        authors=["José Raúl Romero", "Łukasz Kaiser", "王小明"],
        summary="We offload the KV cache of long-context LLM inference to host memory and page "
        "it back, cutting GPU memory by 4x at equal throughput.",
    ),
    Entry(
        id="2602.20002v2",
        title="Sparse Attention Kernels for\n  Fast Decoding",
        published=gmt("2026-02-17T18:59:00"),
        updated=gmt("2026-02-20T09:00:00"),
        primary="cs.LG",
        categories=["cs.LG"],
        authors=["Ada Lovelace"],
        summary="A sparse attention kernel speeds up decoding by 2.1x on long prompts.",
    ),
    Entry(
        id="2602.20003v1",
        title="Distributed Training of Graph Networks",
        published=gmt("2026-02-17T03:00:00"),
        primary="stat.ML",
        categories=["stat.ML", "cs.LG"],
        authors=["Grace Hopper", "Alan Turing"],
        summary="Distributed training for graph neural networks across a cluster.",
    ),
    Entry(  # at the cut-off to the second: the API's minute range returns it, it is not ours
        id="2602.20004v1",
        title="Efficient Inference Submitted at the Cut-off",
        published=gmt("2026-02-17T19:00:30"),
        primary="cs.LG",
        categories=["cs.LG"],
        authors=["Late Author"],
        summary="Efficient inference, submitted one second too late for this listing.",
    ),
    Entry(  # the previous day's listing
        id="2602.19999v1",
        title="Yesterday's Efficient Training Paper",
        published=gmt("2026-02-16T18:59:00"),
        primary="cs.LG",
        categories=["cs.LG"],
        authors=["Early Author"],
        summary="Efficient training, announced the day before.",
    ),
    Entry(  # another field entirely
        id="2602.20005v1",
        title="Efficient Video Generation",
        published=gmt("2026-02-17T01:00:00"),
        primary="cs.CV",
        categories=["cs.CV"],
        authors=["Vision Author"],
        summary="Efficient video generation.",
    ),
]


def html_pages(request: Request) -> Reply:
    name = request.path.rsplit("/", 1)[-1]
    page = DATA / "html" / f"{name}.html"
    if not page.exists():
        return Reply(status=404, body=b"No HTML for this paper", content_type="text/html")
    return Reply(body=page.read_bytes(), content_type="text/html; charset=utf-8")


def serve_arxiv(server: FakeServer, entries: list[Entry] | None = None) -> FakeArxivApi:
    api = FakeArxivApi(ENTRIES if entries is None else entries)
    server.route("/api/query", api)
    server.route("/html/", html_pages)
    server.route("/rss/", static((DATA / "arxiv" / "rss-2026-02-18.xml").read_bytes()))
    hf_day = (DATA / "hf" / "daily_papers-2026-02-18.json").read_bytes()
    server.route("/api/daily_papers", static(hf_day, 200, "application/json"))
    return api
