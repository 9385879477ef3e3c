"""Big inputs: a record no real paper resembles (a 50 MB abstract, 100,000 authors, a 10 MB
title) is cut at read time in every source, said once on stderr with the paper's id, and costs
no more than a normal paper downstream; the fast JSON Lines reader keeps every behaviour of the
general one."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import arxiv
import pytest
from typer.testing import CliRunner

from briefgen.cli import app
from briefgen.core.errors import InputError
from briefgen.core.models import (
    MAX_ABSTRACT_CHARS,
    MAX_AUTHOR_CHARS,
    MAX_AUTHORS,
    MAX_TITLE_CHARS,
    Paper,
)
from briefgen.infra.net import Pacer, RetryPolicy, http_client
from briefgen.read import fulltext
from briefgen.read.fulltext import FullTextReader
from briefgen.render.lint import lint_markdown
from briefgen.sources import arxiv_api
from briefgen.sources.hf import parse_daily_papers
from briefgen.sources.local import load_papers_file
from tests.fakes import FakeServer, Reply, Request, atom_feed
from tests.scenario import ENTRIES, html_pages

DAY = "2026-06-17"
HUGE = 50_000_000


def record(paper_id: str = "2606.99999", **fields: Any) -> dict[str, Any]:
    base = {
        "id": paper_id, "title": "An ordinary title", "authors": ["A. Author"],
        "categories": ["cs.CL"], "published": DAY, "abstract": "An ordinary abstract.",
    }  # fmt: skip
    return {**base, **fields}


def jsonl(path: Path, *records: dict[str, Any], prefix: bytes = b"") -> Path:
    with path.open("wb") as handle:
        handle.write(prefix)
        for item in records:
            handle.write(json.dumps(item).encode() + b"\n")
    return path


def read(path: Path, caplog: pytest.LogCaptureFixture) -> tuple[list[Paper], list[str]]:
    """The papers of `path`, and the warnings reading it logged."""
    caplog.clear()
    return load_papers_file(path), caplog.messages


# local files ---------------------------------------------------------------------------------


def test_a_50_mb_abstract_is_cut_to_20_000_characters_and_said_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = jsonl(tmp_path / "day.jsonl", record("2606.00001"),
                 record("2606.99999v2", abstract="x" * (HUGE - 1) + "."))  # fmt: skip
    papers, said = read(path, caplog)
    assert said == ["2606.99999: abstract cut from 50,000,000 to 20,000 characters"]
    assert len(papers[1].abstract) == MAX_ABSTRACT_CHARS == 20_000
    assert papers[0].abstract == "An ordinary abstract."
    # Read again (a weekly roundup reads the file once a day): said once.
    assert read(path, caplog)[1] == []


def test_a_10_mb_title_and_100_000_authors_are_cut(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    authors = [f"Author Number {n}" for n in range(100_000)]
    path = jsonl(tmp_path / "day.jsonl", record(title="T" * 10_000_000, authors=authors))
    [paper], said = read(path, caplog)
    assert said == [
        "2606.99999: title cut from 10,000,000 to 1,000 characters",
        "2606.99999: author list cut from 100,000 to 10,000 names",
    ]
    assert len(paper.title) == MAX_TITLE_CHARS
    assert len(paper.authors) == MAX_AUTHORS == 10_000
    assert paper.authors[-1] == "Author Number 9999"


def test_an_enormous_author_name_is_cut_with_the_others_in_one_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    authors = ["Ada Lovelace", "N" * 5_000, {"name": "M" * 400}]
    path = jsonl(tmp_path / "day.jsonl", record(authors=authors))
    [paper], said = read(path, caplog)
    assert said == ["2606.99999: 2 author names cut to 300 characters (the longest had 5,000)"]
    assert [len(a) for a in paper.authors] == [12, MAX_AUTHOR_CHARS, MAX_AUTHOR_CHARS]


@pytest.mark.parametrize("layout", ["list", "papers", "pretty"])
def test_every_layout_is_cut_alike(
    tmp_path: Path, layout: str, caplog: pytest.LogCaptureFixture
) -> None:
    items = [record("2606.00001"), record("2606.00002", abstract="y " * 30_000)]
    path = tmp_path / "day.json"
    if layout == "list":
        path.write_text(json.dumps(items))
    elif layout == "papers":
        path.write_text(json.dumps({"papers": items}))
    else:
        path.write_text("\n".join(json.dumps(i, indent=2) for i in items))
    papers, said = read(path, caplog)
    assert said == ["2606.00002: abstract cut from 60,000 to 20,000 characters"]
    assert [p.id for p in papers] == ["2606.00001", "2606.00002"]
    assert len(papers[1].abstract) <= MAX_ABSTRACT_CHARS


def test_the_fast_reader_keeps_the_general_readers_messages(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A record that cannot be read, then broken JSON further on: the JSON is told first, as
    # when the whole file was parsed before any record was looked at.
    path = tmp_path / "day.jsonl"
    path.write_text(json.dumps({"title": "no id"}) + "\n" + json.dumps(record()) + "\n{oops\n")
    with pytest.raises(InputError, match=r"day\.jsonl:3: invalid JSON"):
        load_papers_file(path)
    path.write_text(json.dumps(record()) + "\n" + json.dumps({"title": "no id"}) + "\n")
    with pytest.raises(InputError, match=r"day\.jsonl:2: .*id"):
        load_papers_file(path)
    path.write_bytes(json.dumps(record()).encode() + b"\n" + b'{"id": "2606.00002", "t\xff"}\n')
    with pytest.raises(InputError, match="not UTF-8 text"):
        load_papers_file(path)
    # A byte-order mark, blank lines and CRLF line ends read as before.
    jsonl(path, record("2606.00001"), record("2606.00002"), prefix=b"\xef\xbb\xbf\r\n")
    papers, _ = read(path, caplog)
    assert [p.id for p in papers] == ["2606.00001", "2606.00002"]


def test_the_brief_of_a_day_with_a_50_mb_abstract_is_valid_and_says_the_cut(
    runner: CliRunner, tmp_path: Path, example_papers: Path
) -> None:
    path = tmp_path / "day.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(example_papers.read_text(encoding="utf-8"))
        words = ("kv cache " * (HUGE // 9 + 1))[: HUGE - 1] + "."
        handle.write(json.dumps(record(abstract=words)) + "\n")
    out = tmp_path / "brief.md"
    result = runner.invoke(app, ["daily", "--papers", str(path), "--date", DAY, "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert "warning: 2606.99999: abstract cut from 50,000,000 to 20,000 characters" in (
        result.stderr
    )
    assert result.stderr.count("abstract cut from") == 1
    text = out.read_text(encoding="utf-8")
    assert lint_markdown(text) == []
    assert len(text) < 200_000  # a brief of ordinary size: nothing carried the 50 MB along


# the arXiv API and RSS, Hugging Face ---------------------------------------------------------


def test_the_arxiv_api_cuts_an_enormous_entry(
    server: FakeServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    big = ENTRIES[0].__class__(**{**ENTRIES[0].__dict__, "summary": "z" * 1_000_000,
                                  "authors": [f"P{n}" for n in range(10_050)]})  # fmt: skip
    server.route("/api/query", lambda _: Reply(body=atom_feed([big], total=1)))
    client = arxiv_api.ArxivApiClient(
        f"{server.url}/api/query", agent="t", pacer=Pacer(0),
        policy=RetryPolicy(attempts=1, wait=0),
    )  # fmt: skip
    results = client.fetch(arxiv.Search(id_list=["2602.20001"]))
    paper = arxiv_api.result_to_paper(results[0], date(2026, 2, 18))
    assert caplog.messages == [
        "2602.20001: abstract cut from 1,000,000 to 20,000 characters",
        "2602.20001: author list cut from 10,050 to 10,000 names",
    ]
    assert len(paper.abstract) == 20_000 and len(paper.authors) == 10_000


def test_the_arxiv_rss_cuts_an_enormous_item(caplog: pytest.LogCaptureFixture) -> None:
    rss = (
        '<?xml version="1.0"?><rss xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom" version="2.0"><channel>'
        "<pubDate>Wed, 18 Feb 2026 00:00:00 -0500</pubDate><item>"
        f"<title>{'W' * 2_000}</title><guid>oai:arXiv.org:2602.20001v1</guid>"
        "<description>arXiv:2602.20001v1 Announce Type: new \nAbstract: "
        f"{'a' * 30_000}</description><dc:creator>A. Author</dc:creator>"
        "<category>cs.LG</category><arxiv:announce_type>new</arxiv:announce_type>"
        "</item></channel></rss>"
    ).encode()
    _, [(_, paper)] = arxiv_api.parse_rss(rss)
    assert caplog.messages == [
        "2602.20001: title cut from 2,000 to 1,000 characters",
        "2602.20001: abstract cut from 30,000 to 20,000 characters",
    ]
    assert len(paper.title) == 1_000 and len(paper.abstract) == 20_000


def test_hugging_face_cuts_an_enormous_item(caplog: pytest.LogCaptureFixture) -> None:
    item = {"paper": {"id": "2602.20001", "title": "Fine", "summary": "s" * 25_000,
                      "authors": [{"name": "Q" * 1_000}], "upvotes": 3},
            "title": "F" * 5_000}  # fmt: skip
    day = parse_daily_papers([item], date(2026, 2, 18))
    [paper] = day.papers
    assert caplog.messages == [
        "2602.20001: abstract cut from 25,000 to 20,000 characters",
        "2602.20001: 1 author name cut to 300 characters (the longest had 1,000)",
        "2602.20001: title cut from 5,000 to 1,000 characters",
    ]
    assert (len(paper.title), len(paper.abstract), len(paper.authors[0])) == (1_000, 20_000, 300)


# full text -------------------------------------------------------------------------------------


def test_an_html_page_beyond_the_size_cap_is_not_read_whole(
    server: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fulltext, "MAX_HTML_BYTES", 50_000)
    sent: list[int] = []

    def pages(request: Request) -> Reply:
        reply = html_pages(request)
        if request.path.endswith("2602.20002v2"):
            reply = Reply(body=b"<html><body>" + b"<p>filler</p>" * 200_000 + b"</body></html>",
                          content_type="text/html")  # fmt: skip
        sent.append(len(reply.body))
        return reply

    server.route("/html/", pages)
    reader = FullTextReader(http_client(5.0), f"{server.url}/html/",
                            policy=RetryPolicy(attempts=1, wait=0), cache=None)  # fmt: skip
    normal = Paper(id="2602.20001v1", title="T", abstract="An abstract.", published=date.today())
    huge = normal.model_copy(update={"id": "2602.20002", "version": "v2"})
    texts = reader.read_all([normal, huge])
    assert texts["2602.20001"].read_from == "html"
    assert texts["2602.20002"].read_from == "abstract"
    assert "HTML page larger than 50,000 bytes, not read" in texts["2602.20002"].note
