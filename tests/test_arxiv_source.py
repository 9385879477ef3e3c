"""The arXiv source against a local fake of the API and RSS feed, through the real `arxiv`
package: the window asked for, what counts as new, paging, retries, errors and politeness."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import arxiv
import pytest
from typer.testing import CliRunner

from briefgen.cli import app
from briefgen.core.errors import UpstreamError
from briefgen.core.settings import load_settings
from briefgen.infra.net import Pacer, RetryPolicy
from briefgen.infra.store import Store
from briefgen.sources import arxiv_api, merge_papers
from briefgen.sources.arxiv_api import ArxivApiClient, fetch_announcement, parse_rss
from briefgen.sources.calendar import EASTERN, ArxivCalendar
from briefgen.sources.gather import Gatherer, PaperRequest
from briefgen.sources.remote import Remote
from tests.fakes import FakeArxivApi, FakeServer, Reply, Request, atom_feed, static
from tests.scenario import DATA, ENTRIES, serve_arxiv


def papers_json(runner: CliRunner, *args: str) -> tuple[int, list[dict[str, Any]], str]:
    result = runner.invoke(app, ["papers", "--format", "json", *args])
    rows = json.loads(result.stdout) if result.exit_code == 0 else []
    return result.exit_code, rows, result.stderr


def search_queries(server: FakeServer) -> list[str]:
    return [r.query.get("search_query", "") for r in server.hits("/api/query")]


def client_for(server: FakeServer, page_size: int = 500, attempts: int = 3) -> ArxivApiClient:
    return ArxivApiClient(
        f"{server.url}/api/query",
        agent="briefgen-test",
        pacer=Pacer(0),
        policy=RetryPolicy(attempts=attempts, wait=0),
        page_size=page_size,
    )


def test_a_wednesday_listing_asks_for_monday_to_tuesday_14_00_et(
    runner: CliRunner, services: FakeServer
) -> None:
    serve_arxiv(services)
    code, rows, err = papers_json(
        runner, "--date", "2026-02-18", "--source", "arxiv", "-c", "cs.LG"
    )
    assert code == 0, err
    assert search_queries(services) == [
        "(cat:cs.LG) AND submittedDate:[202602161900 TO 202602171900]"
    ]
    # New submissions only: the cross-list, the next day's paper, yesterday's and cs.CV are out.
    assert sorted(row["id"] for row in rows) == ["2602.20001v1", "2602.20002v2"]
    assert all(row["announce_type"] == "new" and row["published"] == "2026-02-18" for row in rows)


def test_across_the_dst_change_the_window_shifts_by_an_hour(
    runner: CliRunner, services: FakeServer
) -> None:
    serve_arxiv(services)
    code, _, err = papers_json(runner, "--date", "2026-03-10", "--source", "arxiv", "-c", "cs.LG")
    assert code == 3  # the fake has no papers that week
    assert search_queries(services) == [
        "(cat:cs.LG) AND submittedDate:[202603061900 TO 202603091800]"
    ]
    assert "no papers for 2026-03-10 from arxiv" in err


def test_a_saturday_exits_3_naming_the_nearest_announcements(
    runner: CliRunner, services: FakeServer
) -> None:
    serve_arxiv(services)
    code, _, err = papers_json(runner, "--date", "2026-02-21", "--source", "arxiv", "-c", "cs.LG")
    assert code == 3
    assert "2026-02-21 is a Saturday" in err
    assert "2026-02-20 (Friday) and 2026-02-23 (Monday)" in err
    assert services.requests == []  # nothing asked of arXiv for a day it never announces


def test_cross_lists_only_when_asked_and_authors_come_through_intact(
    runner: CliRunner, services: FakeServer
) -> None:
    serve_arxiv(services)
    code, rows, err = papers_json(
        runner, "--date", "2026-02-18", "--source", "arxiv", "-c", "cs.LG", "--cross-lists"
    )
    assert code == 0, err
    by_id = {row["id"]: row for row in rows}
    assert by_id["2602.20003v1"]["announce_type"] == "cross"
    assert by_id["2602.20001v1"]["authors"] == ["José Raúl Romero", "Łukasz Kaiser", "王小明"]
    assert by_id["2602.20002v2"]["title"] == "Sparse Attention Kernels for Fast Decoding"
    assert by_id["2602.20001v1"]["categories"] == ["cs.LG", "cs.DC"]


def test_paging_fetches_every_page_in_order(server: FakeServer) -> None:
    serve_arxiv(server)
    announcement = ArxivCalendar().announcement(date(2026, 2, 18))
    listing = fetch_announcement(
        client_for(server, page_size=1), announcement, ["cs.LG", "stat.ML"], cross_lists=True
    )
    assert [r.query["start"] for r in server.hits("/api/query")] == ["0", "1", "2", "3"]
    assert [p.id for p in listing.papers] == ["2602.20001", "2602.20003", "2602.20002"]
    assert listing.skipped["submitted after the cut-off (next listing)"] == 1


@pytest.mark.parametrize("order", ["old", "new"])
def test_old_and_new_element_orders_read_the_same(server: FakeServer, order: str) -> None:
    entries = [e for e in ENTRIES if e.id == "2602.20001v1"]
    server.route("/api/query", static(atom_feed(entries, total=1, order=order)))
    results = client_for(server).fetch(arxiv.Search(id_list=["2602.20001"]))
    paper = arxiv_api.result_to_paper(results[0], date(2026, 2, 18))
    assert (paper.id, paper.version, paper.categories) == ("2602.20001", "v1", ["cs.LG", "cs.DC"])
    assert paper.authors == ["José Raúl Romero", "Łukasz Kaiser", "王小明"]


def test_the_api_comment_becomes_the_papers_comment(server: FakeServer) -> None:
    entry = next(e for e in ENTRIES if e.id == "2602.20001v1")
    commented = replace(entry, comment="9 pages; code at https://github.com/a/kv-offload")
    server.route("/api/query", static(atom_feed([commented, ENTRIES[1]], total=2)))
    results = client_for(server).fetch(arxiv.Search(id_list=["2602.20001", "2602.20002"]))
    papers = [arxiv_api.result_to_paper(r, date(2026, 2, 18)) for r in results]
    assert [p.comment for p in papers] == [
        "9 pages; code at https://github.com/a/kv-offload",
        None,
    ]
    # Merged with a source that has none (Hugging Face), the comment stays.
    hf = papers[0].model_copy(update={"comment": None, "source": "hf", "upvotes": 3})
    (merged,) = merge_papers([hf], [papers[0]])
    assert merged.comment == papers[0].comment


def test_a_replacement_in_the_window_is_never_new(server: FakeServer) -> None:
    old = ENTRIES[0].__class__(
        id="2301.00001v3", title="Efficient Training, Revised", published=ENTRIES[0].published,
        primary="cs.LG", categories=["cs.LG"], authors=["Old Author"],
    )  # fmt: skip
    old.published = datetime(2023, 1, 2, tzinfo=EASTERN)
    server.route("/api/query", static(atom_feed([old, ENTRIES[0]], total=2)))
    announcement = ArxivCalendar().announcement(date(2026, 2, 18))
    listing = fetch_announcement(client_for(server), announcement, ["cs.LG"])
    assert [p.id for p in listing.papers] == ["2602.20001"]
    assert listing.skipped["replacements (first submitted earlier)"] == 1


def test_429_and_503_are_retried_then_succeed(server: FakeServer) -> None:
    serve_arxiv(server)
    server.fail_next("/api/query", 429, 503)
    client = client_for(server, attempts=3)
    announcement = ArxivCalendar().announcement(date(2026, 2, 18))
    listing = fetch_announcement(client, announcement, ["cs.LG"])
    assert len(listing.papers) == 2
    assert len(server.hits("/api/query")) == 3


def test_an_unexpectedly_empty_page_is_retried(server: FakeServer) -> None:
    api = serve_arxiv(server)
    served_empty: list[bool] = []

    def flaky(request: Request) -> Reply:
        if request.query["start"] == "1" and not served_empty:
            served_empty.append(True)
            return Reply(body=atom_feed([], total=2, start=1))
        return api(request)

    server.route("/api/query", flaky)
    announcement = ArxivCalendar().announcement(date(2026, 2, 18))
    listing = fetch_announcement(client_for(server, page_size=1), announcement, ["cs.LG"])
    assert [p.id for p in listing.papers] == ["2602.20001", "2602.20002"]
    assert [r.query["start"] for r in server.hits("/api/query")] == ["0", "1", "1", "2", "3"]


def test_a_busy_api_is_waited_for_as_long_as_it_asks(server: FakeServer) -> None:
    api = serve_arxiv(server)
    busy: list[bool] = []

    def once_busy(request: Request) -> Reply:
        if not busy:
            busy.append(True)
            return Reply(503, "busy", headers={"Retry-After": "7"})
        return api(request)

    server.route("/api/query", once_busy)
    waits: list[float] = []
    client = ArxivApiClient(
        f"{server.url}/api/query", agent="briefgen-test", pacer=Pacer(0),
        policy=RetryPolicy(attempts=3, wait=1, sleep=waits.append),
    )  # fmt: skip
    assert len(client.fetch(arxiv.Search(id_list=["2602.20001"]))) == 1
    assert waits == [7.0]  # its Retry-After, not our 1 s backoff


def test_entries_without_their_dates_are_left_out_and_a_page_that_is_not_xml_is_empty(
    server: FakeServer,
) -> None:
    feed = atom_feed(ENTRIES[:2], total=1).replace("<published>", "<unpublished>", 1)
    server.route("/api/query", static(feed.replace("</published>", "</unpublished>", 1)))
    results = client_for(server).fetch(arxiv.Search(id_list=["2602.20001", "2602.20002"]))
    assert [r.get_short_id() for r in results] == [ENTRIES[1].id]
    server.route("/api/query", static("<html>a captive portal</html>"))
    assert client_for(server).fetch(arxiv.Search(id_list=["2602.20001"])) == []


def test_an_api_that_stays_down_is_exit_6_naming_the_service(
    runner: CliRunner, services: FakeServer
) -> None:
    serve_arxiv(services)
    services.fail_next("/api/query", *[503] * 10)
    code, _, err = papers_json(runner, "--date", "2026-02-18", "--source", "arxiv", "-c", "cs.LG")
    assert code == 6
    assert "the arXiv API answered HTTP 503 (service unavailable) on all 4 attempts" in err
    assert "check your connection" not in err  # the server answered: not a network problem
    assert "Traceback" not in err
    assert len(services.hits("/api/query")) == 4


def test_an_unreachable_host_is_exit_6_too(runner: CliRunner) -> None:
    code, _, err = papers_json(runner, "--date", "2026-02-18", "--source", "arxiv", "-c", "cs.LG")
    assert code == 6
    # Not retried: a refused connection stays refused within a run.
    assert "the arXiv API refused the connection on 127.0.0.1:9 — is the server running?" in err
    assert "HTTPConnectionPool" not in err  # one readable line, not urllib3's repr


def test_the_error_feed_is_a_refusal_not_a_retry(server: FakeServer) -> None:
    server.route("/api/query", static((DATA / "arxiv" / "error-feed.xml").read_bytes(), 400))
    with pytest.raises(UpstreamError, match="refused the query with HTTP 400"):
        client_for(server).fetch(arxiv.Search(id_list=["abc"]))
    assert len(server.hits("/api/query")) == 1


def test_an_empty_feed_is_no_papers(server: FakeServer) -> None:
    server.route("/api/query", static((DATA / "arxiv" / "empty-feed.xml").read_bytes()))
    assert client_for(server).fetch(arxiv.Search(id_list=["0000.0000"])) == []


def test_requests_say_who_is_asking(runner: CliRunner, services: FakeServer) -> None:
    serve_arxiv(services)
    papers_json(runner, "--date", "2026-02-18", "--source", "arxiv", "-c", "cs.LG")
    agents = {r.headers.get("user-agent", "") for r in services.requests}
    assert len(agents) == 1 and agents.pop().startswith("briefgen/")


def test_the_pacer_spaces_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    clock = iter([100.0, 101.0, 110.0, 120.0]).__next__
    pacer = Pacer(3.0, clock=clock)
    pacer.wait()  # the first request goes at once
    pacer.mark()  # at t=100
    pacer.wait()  # t=101: two more seconds to wait
    pacer.mark()  # t=110
    pacer.wait()  # t=120: long enough ago
    assert slept == [2.0]


def test_a_past_listing_is_fetched_once(runner: CliRunner, services: FakeServer) -> None:
    serve_arxiv(services)
    args = ("--date", "2026-02-18", "--source", "arxiv", "-c", "cs.LG")
    first = papers_json(runner, *args)
    second = papers_json(runner, *args)
    assert first[1] == second[1]
    assert len(services.hits("/api/query")) == 1
    papers_json(runner, *args, "--no-cache")
    assert len(services.hits("/api/query")) == 2


# RSS: the current day's announcement -------------------------------------------------------


def test_the_rss_feed_reads_new_cross_and_replacements() -> None:
    day, items = parse_rss((DATA / "arxiv" / "rss-2026-02-18.xml").read_bytes())
    assert day == date(2026, 2, 18)
    kinds = [(kind, paper.versioned_id) for kind, paper in items]
    assert kinds == [
        ("new", "2602.20001v1"),
        ("new", "2602.20002v1"),
        ("cross", "2602.20003v1"),
        ("replace", "2301.00001v3"),
        ("replace-cross", "2302.00002v2"),
    ]
    first = items[0][1]
    assert first.authors == ["José Raúl Romero", "Łukasz Kaiser", "王小明"]
    assert first.title == "Paged KV Cache Offload for Long-Context Inference"
    assert first.abstract.startswith("We offload the KV cache")
    assert items[2][1].categories == ["stat.ML", "cs.LG"]


def gather(settings_home: Path, request: PaperRequest) -> tuple[list[str], str]:
    settings = load_settings(overrides={"profile": "default"})
    settings.profiles["default"].categories = ["cs.LG"]
    with Store.open(settings_home) as store, Remote(settings) as remote:
        day = Gatherer(settings, store, remote).gather(request)
    return sorted(p.versioned_id for p in day.papers), day.sources[0]


MORNING = datetime(2026, 2, 18, 9, 0, tzinfo=EASTERN)


def test_today_comes_from_the_rss_feed(services: FakeServer, isolated_home: Path) -> None:
    serve_arxiv(services)
    ids, via = gather(isolated_home, PaperRequest(date="today", sources=["arxiv"], now=MORNING))
    assert ids == ["2602.20001v1", "2602.20002v1"]  # new only; cross and replacements left out
    assert via.startswith("arXiv RSS")
    assert services.paths() == ["/rss/cs.LG"]


def test_an_rss_feed_for_another_day_falls_back_to_the_api(
    services: FakeServer, isolated_home: Path
) -> None:
    serve_arxiv(services)
    services.route("/rss/", static((DATA / "arxiv" / "rss-empty.xml").read_bytes()))
    ids, via = gather(isolated_home, PaperRequest(date="latest", sources=["arxiv"], now=MORNING))
    assert ids == ["2602.20001v1", "2602.20002v2"]
    assert via.startswith("arXiv API")
    assert services.paths() == ["/rss/cs.LG", "/api/query"]


def test_a_failing_rss_feed_falls_back_to_the_api(
    services: FakeServer, isolated_home: Path
) -> None:
    serve_arxiv(services)
    services.fail_next("/rss/", *[503] * 4)
    ids, via = gather(isolated_home, PaperRequest(date="today", sources=["arxiv"], now=MORNING))
    assert via.startswith("arXiv API") and len(ids) == 2


def test_a_date_not_yet_announced_says_when_it_will_be(
    services: FakeServer, isolated_home: Path
) -> None:
    from briefgen.core.errors import NoPapersError

    serve_arxiv(services)
    with pytest.raises(NoPapersError, match="has not announced the listing of 2026-02-19 yet"):
        gather(isolated_home, PaperRequest(date=date(2026, 2, 19), sources=["arxiv"], now=MORNING))
    assert services.requests == []


# paging that stops ---------------------------------------------------------------------------


def fixed_page_listing(
    server: FakeServer, caplog: pytest.LogCaptureFixture, total: int, page_size: int
) -> tuple[arxiv_api.Listing, list[str]]:
    """The listing of 2026-02-18 in cs.LG from an API answering every start with the same
    page and a stated `total`, and the warnings logged while reading it."""
    server.route("/api/query", FakeArxivApi(ENTRIES, fixed_total=total))
    announcement = ArxivCalendar().announcement(date(2026, 2, 18))
    caplog.clear()
    listing = fetch_announcement(client_for(server, page_size=page_size), announcement, ["cs.LG"])
    return listing, caplog.messages


def test_a_fixed_page_with_a_huge_total_ends_the_listing_with_a_warning(
    server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    # Observed: a mirror answering every start with the same page and a total of 214,881.
    listing, warnings = fixed_page_listing(server, caplog, total=214_881, page_size=1)
    assert len(server.hits("/api/query")) <= 2
    assert [p.id for p in listing.papers] == ["2602.20001"]
    assert not listing.complete
    assert len(warnings) == 1
    assert "states 214,881 results for the listing of 2026-02-18" in warnings[0]
    assert "the listing may be incomplete" in warnings[0]


def test_a_page_that_adds_no_new_paper_ends_the_listing_with_a_warning(
    server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    # A plausible total, but the same page again at every start (a stale cache).
    listing, warnings = fixed_page_listing(server, caplog, total=40, page_size=2)
    assert [r.query["start"] for r in server.hits("/api/query")] == ["0", "2"]
    assert [p.id for p in listing.papers] == ["2602.20001"]  # and the cross-list 2602.20003
    assert not listing.complete
    assert warnings == [
        "the arXiv API answered page 2 with no paper not already on an earlier page (of a "
        "stated 40): stopped reading the listing after 2 papers, it may be incomplete"
        + arxiv_api.MIRROR_HINT
    ]


def test_a_normal_multi_page_listing_reads_every_page_without_a_warning(
    server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    serve_arxiv(server)
    announcement = ArxivCalendar().announcement(date(2026, 2, 18))
    listing = fetch_announcement(
        client_for(server, page_size=1), announcement, ["cs.LG", "stat.ML"], cross_lists=True
    )
    assert [r.query["start"] for r in server.hits("/api/query")] == ["0", "1", "2", "3"]
    assert [p.id for p in listing.papers] == ["2602.20001", "2602.20003", "2602.20002"]
    assert listing.complete and caplog.messages == []


def test_a_listing_that_never_ends_is_warned_about_through_the_cli_and_not_stored(
    runner: CliRunner, services: FakeServer
) -> None:
    services.route("/api/query", FakeArxivApi(ENTRIES, fixed_total=214_881))
    for run in (1, 2):
        code, rows, err = papers_json(
            runner, "--date", "2026-02-18", "--source", "arxiv", "-c", "cs.LG"
        )
        assert code == 0, err
        assert sorted(row["id"] for row in rows) == ["2602.20001v1", "2602.20002v2"]
        assert "warning: the arXiv API states 214,881 results" in err
        # An incomplete listing is not kept as the day's: the second run asks again.
        assert len(services.hits("/api/query")) == run
